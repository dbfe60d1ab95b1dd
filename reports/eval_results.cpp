#include "reports/eval_results.h"

#include <algorithm>
#include <filesystem>
#include <set>

#include "engine/error.h"
#include "reports/command_args.h"
#include "store/results_db.h"
#include "store/sha256.h"
#include "tasks/registry.h"
#include "tasks/stored_metrics.h"

namespace rgeval::reports {

namespace {

namespace fs = std::filesystem;
using nlohmann::ordered_json;
using tasks::Doc;
using tasks::TaskSpec;

ordered_json parse_or(const std::string& text, ordered_json fallback) {
  try {
    return text.empty() ? fallback : ordered_json::parse(text);
  } catch (const std::exception&) {
    return fallback;
  }
}

std::vector<EvalAttempt> load_attempts(store::Db& db, int64_t run_id) {
  store::Stmt s(db,
                "SELECT command_line, started_at, finished_at, rgeval_version, rgeval_commit, "
                "threads, limit_docs,"
                " seconds FROM attempts WHERE run_id = ? ORDER BY attempt_id");
  s.bind(1, run_id);
  std::vector<EvalAttempt> out;
  while (s.step()) {
    EvalAttempt a;
    a.command_line = s.column_text(0);
    a.started_at = s.column_text(1);
    a.finished_at = s.column_text(2);
    a.rgeval_version = s.column_text(3);
    a.rgeval_commit = s.column_text(4);
    a.threads = int(s.column_int(5));
    a.limit = int(s.column_int(6));
    a.seconds = s.column_double_or_nan(7);
    out.push_back(a);
  }
  return out;
}

// The data directory of the run whose files all still hash as recorded, or "" with a note.
std::string usable_data_dir(EvalRun& r, const std::string& data_override) {
  std::vector<std::string> candidates;
  if (!data_override.empty()) candidates.push_back(data_override);
  for (const auto& a : r.attempts)
    if (auto d = option_value(split_shell_words(a.command_line), "--data"))
      candidates.push_back(*d);
  if (auto d = option_value(split_shell_words(r.command_line), "--data")) candidates.push_back(*d);
  std::string why = "no --data directory recorded";
  for (const std::string& dir : candidates) {
    if (!fs::is_directory(dir)) {
      why = dir + ": no such directory";
      continue;
    }
    bool same = true;
    for (const auto& [rel, sha] : r.data_files.items()) {
      const fs::path p = fs::path(dir) / rel;
      if (!fs::exists(p) || store::sha256_file(p.string()) != sha.get<std::string>()) {
        why = p.string() + ": missing or changed since the run";
        same = false;
        break;
      }
    }
    if (same) return dir;
  }
  r.notes.push_back("documents not re-read (" + why +
                    "): acc/acc_norm from the stored predictions; tasks with "
                    "their own metrics left out");
  return "";
}

void compute(EvalRun& r, store::Db& db) {
  const tasks::StoredDocuments stored = tasks::stored_documents(db, r.run_id);
  std::vector<TaskSpec> specs;
  for (const std::string& t : r.tasks) specs.push_back(tasks::find_task(t));
  std::vector<Doc> docs;
  std::map<std::string, tasks::TaskMetricFn> leaf_metrics;
  if (!r.data_dir.empty()) {  // evaluate's order: tasks as given, documents as loaded
    std::set<std::pair<std::string, int>> seen;
    for (const TaskSpec& s : specs) {
      for (Doc& d : s.load(r.data_dir, r.num_fewshot.value(s.name, -1), -1)) {
        r.acc_norm[d.task] = s.acc_norm;
        if (s.metrics) leaf_metrics[d.task] = s.metrics;
        if (stored.count({d.task, d.doc_id}) && seen.emplace(d.task, d.doc_id).second)
          docs.push_back(std::move(d));
      }
    }
  } else {
    std::set<std::string> skipped;
    for (const auto& [key, row] : stored) {
      const TaskSpec s = tasks::find_task(key.first);
      if (s.metrics) {
        skipped.insert(key.first);
        continue;
      }
      r.acc_norm[key.first] = s.acc_norm;
      Doc d;
      d.task = key.first;
      d.doc_id = key.second;
      d.gold = row.gold;
      d.choices.resize(row.requests.size());
      docs.push_back(std::move(d));
    }
    for (const std::string& t : skipped)
      r.notes.push_back(t + " left out: its metrics need the documents");
  }
  tasks::StoredMetrics m =
      tasks::stored_metrics(docs, stored, leaf_metrics, specs, r.data_dir, db.path());
  r.task_metrics = std::move(m.tasks);
  r.groups = std::move(m.groups);
  r.group_acc_norm = std::move(m.group_acc_norm);
}

void to_json(EvalRun& r) {
  ordered_json& j = r.json;
  tasks::put_results_json(j, r.task_metrics, r.acc_norm, r.groups, r.group_acc_norm);
  ordered_json& c = j["config"];
  c["db"] = r.db_path;
  c["run_id"] = r.run_id;
  c["run_key"] = r.run_key;
  c["model"] = r.model.model;
  c.update(tasks::model_identity_json(r.model));
  c["tasks"] = r.tasks;
  c["num_fewshot"] = r.num_fewshot;
  c["data_dir"] = r.data_dir;
  c["data_files"] = r.data_files;
  c["rgeval_version"] = r.rgeval_version;
  c["rgeval_commit"] = r.rgeval_commit;
  c["command_line"] = r.command_line;
  c["date"] = r.started_at;
  c["notes"] = r.notes;
}

}  // namespace

bool has_table(store::Db& db, const std::string& name) {
  store::Stmt s(db, "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?");
  s.bind(1, name);
  return s.step();
}

std::vector<EvalRun> load_eval_runs(store::Db& db, const std::string& data_override) {
  std::vector<EvalRun> runs;
  if (!has_table(db, "runs") || !has_table(db, "documents")) return runs;
  store::Stmt s(
      db,
      "SELECT run_id, run_key, model, model_config_sha256, weights_fingerprint, tokenizer_sha256,"
      " weights_dtype, compute_dtype, tasks, num_fewshot, data_files, rgeval_version, "
      "rgeval_commit,"
      " command_line, started_at FROM runs"
      " WHERE EXISTS (SELECT 1 FROM documents d WHERE d.run_id = runs.run_id) ORDER BY run_id");
  while (s.step()) {
    EvalRun r;
    r.db_path = db.path();
    r.run_id = s.column_int(0);
    r.run_key = s.column_text(1);
    r.model.model = s.column_text(2);
    r.model.config_sha256 = s.column_text(3);
    r.model.weights_fingerprint = s.column_text(4);
    r.model.tokenizer_sha256 = s.column_text(5);
    r.model.weights_dtype = s.column_text(6);
    r.model.compute_dtype = s.column_text(7);
    const ordered_json t = parse_or(s.column_text(8), ordered_json::array());
    for (const auto& x : t)
      if (x.is_string()) r.tasks.push_back(x.get<std::string>());
    const int k = int(s.column_int(9));
    r.num_fewshot = ordered_json::object();
    for (const std::string& name : r.tasks) {
      try {
        r.num_fewshot[name] = k < 0 ? tasks::find_task(name).default_num_fewshot : k;
      } catch (const Error& e) {
        fail(db.path(), "run " + std::to_string(r.run_id) + ": " + e.what());
      }
    }
    r.data_files = parse_or(s.column_text(10), ordered_json::object());
    r.rgeval_version = s.column_text(11);
    r.rgeval_commit = s.column_text(12);
    r.command_line = s.column_text(13);
    r.started_at = s.column_text(14);
    runs.push_back(std::move(r));
  }
  for (EvalRun& r : runs) {
    r.attempts = load_attempts(db, r.run_id);
    r.data_dir = usable_data_dir(r, data_override);
    r.documents_from_data = !r.data_dir.empty();
    try {
      compute(r, db);
    } catch (const Error& e) {
      if (!r.documents_from_data) throw;
      r.notes.push_back(std::string("documents not re-read (") + e.what() +
                        "): acc/acc_norm from the stored predictions");
      r.data_dir.clear();
      r.documents_from_data = false;
      r.task_metrics.clear();
      r.groups.clear();
      r.acc_norm.clear();
      r.group_acc_norm.clear();
      compute(r, db);
    }
    to_json(r);
  }
  return runs;
}

}  // namespace rgeval::reports
