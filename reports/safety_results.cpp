#include "reports/safety_results.h"

#include "reports/eval_results.h"
#include "safety/refusal.h"

namespace rgeval::reports {

namespace {

std::vector<std::string> attempt_command_lines(store::Db& db, int64_t run_id) {
  store::Stmt s(db,
                "SELECT command_line FROM safety_attempts WHERE run_id = ? ORDER BY attempt_id");
  s.bind(1, run_id);
  std::vector<std::string> out;
  while (s.step()) out.push_back(s.column_text(0));
  return out;
}

}  // namespace

std::vector<SafetyRun> load_safety_runs(store::Db& db) {
  std::vector<SafetyRun> out;
  if (!has_table(db, "safety_runs") || !has_table(db, "safety_responses")) return out;
  std::vector<int64_t> ids;
  {
    store::Stmt s(db,
                  "SELECT run_id FROM safety_runs WHERE EXISTS (SELECT 1 FROM safety_responses r"
                  " WHERE r.run_id = safety_runs.run_id) ORDER BY run_id");
    while (s.step()) ids.push_back(s.column_int(0));
  }
  for (const int64_t id : ids) {
    SafetyRun r;
    r.db_path = db.path();
    r.run = safety::load_safety_run(db, id);
    const std::vector<safety::ResponseRow> responses = safety::load_responses(db, id);
    r.responses = responses.size();
    r.classifier = r.run.set_name == "advbench" ? "advbench" : "xstest";
    const safety::RefusalClassifier c = safety::refusal_classifier(r.classifier);
    r.score = safety::score_responses(r.run.set_name, responses, c);
    r.command_lines = attempt_command_lines(db, id);
    r.json = safety::score_json(r.score, c);
    nlohmann::ordered_json& cfg = r.json["config"];
    cfg["db"] = r.db_path;
    cfg["run_id"] = r.run.run_id;
    cfg["run_key"] = r.run.run_key;
    cfg["model"] = r.run.model.model;
    cfg.update(tasks::model_identity_json(r.run.model));
    cfg["set"] = r.run.set_name;
    cfg["set_file_sha256"] = r.run.set_file_sha256;
    try {
      cfg["sampling"] = nlohmann::ordered_json::parse(r.run.sampling);
    } catch (const std::exception&) {
      cfg["sampling"] = r.run.sampling;
    }
    cfg["rgeval_version"] = r.run.rgeval_version;
    cfg["rgeval_commit"] = r.run.rgeval_commit;
    cfg["command_line"] = r.run.command_line;
    cfg["started_at"] = r.run.started_at;
    cfg["responses"] = r.responses;
    out.push_back(std::move(r));
  }
  return out;
}

}  // namespace rgeval::reports
