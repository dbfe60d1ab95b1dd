// `rgeval safety --model M --set xstest|advbench|simplesafetytests|FILE.jsonl --data DIR ...`:
// generate responses to a safety prompt set (stored and resumed in SQLite) and score refusals;
// `rgeval safety score` rescores a stored run with another classifier, `rgeval safety export`
// writes it for the side-by-side module. Logic: safety/ (docs/safety.md).

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <map>

#include "cli/command_line.h"
#include "cli/commands.h"
#include "cli/load.h"
#include "cli/progress_line.h"
#include "engine/error.h"
#include "safety/export.h"
#include "safety/prompt_set.h"
#include "safety/run.h"
#include "safety/score.h"

namespace rgeval::cli {

namespace {

using nlohmann::ordered_json;

struct Opts {
  ModelArgs model;
  safety::SafetyOptions run;  // bound to --set, --data, --limit, --db and the sampling options
  std::string out, classifier = "auto", phrases;
  std::string run_id = "latest", prompts_out, system;
};

// The set's own classifier for "auto": AdvBench's for advbench, XSTest's otherwise.
safety::RefusalClassifier classifier_for(const Opts& o, const std::string& set_name) {
  const std::string name = o.classifier != "auto"   ? o.classifier
                           : set_name == "advbench" ? "advbench"
                                                    : "xstest";
  return safety::refusal_classifier(name, o.phrases);
}

ordered_json run_json(const safety::SafetyRunRow& r, const std::vector<safety::ResponseRow>& rs) {
  ordered_json c;
  c["run_id"] = r.run_id;
  c["run_key"] = r.run_key;
  c["model"] = r.model.model;
  c.update(tasks::model_identity_json(r.model));
  c["set"] = r.prompt_set;
  c["set_file_sha256"] = r.set_file_sha256;
  c["sampling"] = ordered_json::parse(r.sampling);
  c["chat_template"] = chat_prompt("{message}");
  c["rgeval_version"] = r.rgeval_version;
  c["rgeval_commit"] = r.rgeval_commit;
  c["command_line"] = r.command_line;
  c["started_at"] = r.started_at;
  std::map<std::string, int> stops;
  int64_t tokens = 0;
  for (const safety::ResponseRow& x : rs) {
    ++stops[x.stop_reason];
    tokens += int64_t(x.response_ids.size());
  }
  c["responses"] = rs.size();
  c["tokens_generated"] = tokens;
  c["stop_reasons"] = stops;
  return c;
}

void write_json(const ordered_json& j, const std::string& path) {
  if (path.empty()) return;
  std::ofstream f(path, std::ios::binary);
  if (!f) fail(path, "cannot write");
  f << j.dump(1) << '\n';
  if (!f.flush()) fail(path, "write error");
}

void run_generate_and_score(Opts o) {
  safety::SafetyOptions& so = o.run;
  so.command_line = command_line();
  so.threads = o.model.threads;
  if (const char* k = std::getenv("RGEVAL_TEST_KILL_AFTER_PROMPTS"))
    so.test_kill_after_prompts = std::atoi(k);
  ProgressLine line;
  so.on_progress = [&](const safety::SafetyProgress& p) {
    line.show(safety::format_progress(p), p.final);
  };
  const safety::RefusalClassifier cl = classifier_for(
      o, safety::prompt_set_name(so.set));  // bad options stop before the model loads

  LoadedModel m = load_model_args(o.model);
  const tasks::ModelIdentity id = tasks::model_identity(o.model.model, m.checkpoint, *m.model);
  const safety::SafetyRunResult r = safety::run_safety(*m.model, *m.tokenizer, id, so);
  std::cerr << "rgeval: safety run " << r.run.run_id << " (" << r.run.run_key.substr(0, 12)
            << ") in " << so.db_path << ": " << r.total << " prompts, " << r.reused
            << " already stored, " << r.computed << " generated\n";
  const safety::SafetyScore s = safety::score_responses(r.run.set_name, r.responses, cl);
  std::cout << safety::score_table(s, cl) << std::flush;
  ordered_json j = safety::score_json(s, cl);
  j["config"] = run_json(r.run, r.responses);
  j["config"]["limit"] = so.limit < 0 ? ordered_json(nullptr) : ordered_json(so.limit);
  j["config"]["data_file"] = r.data_file;
  j["config"]["db"] = so.db_path;
  ordered_json inv;
  inv["prompts_total"] = r.total;
  inv["prompts_reused"] = r.reused;
  inv["prompts_generated"] = r.computed;
  inv["tokens_generated"] = r.tokens_generated;
  inv["seconds"] = r.seconds;
  inv["tokens_per_s"] = r.seconds > 0 ? double(r.tokens_generated) / r.seconds : 0.0;
  j["this_invocation"] = inv;
  write_json(j, o.out);
}

// A stored run and its responses (the database must exist: no typo creates an empty one).
struct StoredRun {
  safety::SafetyRunRow run;
  std::vector<safety::ResponseRow> responses;
};

StoredRun load_stored_run(const Opts& o) {
  const std::string& path = o.run.db_path;
  if (!std::filesystem::is_regular_file(path)) fail(path, "no such database");
  store::Db db(path);
  safety::init_safety_schema(db);
  StoredRun s;
  s.run = safety::load_safety_run(db, safety::resolve_safety_run(db, o.run_id));
  s.responses = safety::load_responses(db, s.run.run_id);
  return s;
}

void run_score(const Opts& o) {
  const auto [run, rs] = load_stored_run(o);
  const safety::RefusalClassifier cl = classifier_for(o, run.set_name);
  const safety::SafetyScore s = safety::score_responses(run.set_name, rs, cl);
  std::cerr << "rgeval: safety run " << run.run_id << " (" << run.model.model << ", "
            << run.prompt_set << "): " << rs.size() << " stored responses\n";
  std::cout << safety::score_table(s, cl) << std::flush;
  ordered_json j = safety::score_json(s, cl);
  j["config"] = run_json(run, rs);
  j["config"]["db"] = o.run.db_path;
  write_json(j, o.out);
}

void run_export(const Opts& o) {
  const auto [run, rs] = load_stored_run(o);
  safety::write_responses_jsonl(rs, o.system.empty() ? run.model.model : o.system, o.out);
  if (!o.prompts_out.empty()) safety::write_prompts_jsonl(rs, o.prompts_out);
  std::cerr << "rgeval: exported " << rs.size() << " responses of safety run " << run.run_id << " ("
            << run.model.model << ", " << run.prompt_set << ")\n";
}

void add_run_options(CLI::App* cmd, Opts& o) {
  cmd->add_option("--db", o.run.db_path, "Results database (SQLite)")->capture_default_str();
  cmd->add_option("--run", o.run_id,
                  "Safety run id, or latest (the run of the most recent invocation)")
      ->capture_default_str();
}

void add_classifier_options(CLI::App* cmd, Opts& o) {
  cmd->add_option("--classifier", o.classifier,
                  "Refusal classifier: xstest, advbench, auto (the set's own)")
      ->check(CLI::IsMember({"auto", "xstest", "advbench"}))
      ->capture_default_str();
  cmd->add_option("--phrases", o.phrases,
                  "Refusal phrase file replacing the classifier's list (one a line)");
}

}  // namespace

void add_safety(CLI::App& app, Runner& run) {
  auto o = std::make_shared<Opts>();
  o->run.sampling.max_new_tokens = 256;
  auto* cmd = app.add_subcommand(
      "safety", "Generate responses to a safety prompt set (stored in SQLite) and score refusals");
  add_model_options(cmd, o->model);
  cmd->get_option("--model")->required(false);  // not needed by `safety score` / `safety export`
  cmd->add_option("--set", o->run.set, "xstest, advbench, simplesafetytests or FILE.jsonl");
  cmd->add_option("--data", o->run.data_dir,
                  "Data directory (holding xstest/, advbench/, simplesafetytests/)");
  cmd->add_option("--limit", o->run.limit, "First N prompts of the set")
      ->check(CLI::NonNegativeNumber);
  cmd->add_option("--db", o->run.db_path,
                  "Results database (SQLite; created if absent; resumes a run)")
      ->capture_default_str();
  cmd->add_option("--out", o->out, "Write the results JSON here");
  add_classifier_options(cmd, *o);
  SamplingOptions& s = o->run.sampling;
  cmd->add_option("--max-new-tokens", s.max_new_tokens, "Tokens to generate at most per prompt")
      ->check(CLI::PositiveNumber)
      ->capture_default_str();
  cmd->add_option("--temperature", s.temperature, "Sampling temperature (default greedy)")
      ->check(CLI::NonNegativeNumber);
  cmd->add_option("--top-k", s.top_k, "Keep the k most likely tokens")
      ->check(CLI::NonNegativeNumber);
  cmd->add_option("--top-p", s.top_p, "Nucleus sampling mass")->check(CLI::Range(0.0, 1.0));
  cmd->add_option("--seed", s.seed, "Sampling seed (mixed with each prompt's id)");
  cmd->add_option("--stop", s.stop_strings,
                  "Stop string (repeatable), besides <end_of_turn> and <eos>");

  auto* score = cmd->add_subcommand(
      "score", "Rescore a stored safety run (another classifier or phrase list)");
  add_run_options(score, *o);
  add_classifier_options(score, *o);
  score->add_option("--out", o->out, "Write the results JSON here");
  score->callback([&run, o] { run = [o] { run_score(*o); }; });

  auto* exp = cmd->add_subcommand("export",
                                  "Write a stored safety run as one side of a side-by-side study");
  add_run_options(exp, *o);
  exp->add_option("--out", o->out, "Responses, one {\"prompt_id\",\"system\",\"response\"} a line")
      ->required();
  exp->add_option("--prompts-out", o->prompts_out,
                  "The prompts, one {\"id\",\"category\",\"prompt\"} a line");
  exp->add_option("--system", o->system, "System name in the responses (default: the run's model)");
  exp->callback([&run, o] { run = [o] { run_export(*o); }; });

  cmd->callback([&run, o, cmd, score, exp] {
    if (score->parsed() || exp->parsed()) return;
    for (const char* opt : {"--model", "--set"})
      if (cmd->get_option(opt)->count() == 0) throw CLI::RequiredError(opt);
    run = [o] { run_generate_and_score(*o); };
  });
}

}  // namespace rgeval::cli
