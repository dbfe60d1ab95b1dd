// The results of every `rgeval eval` run stored in a database, computed from the stored documents
// with the functions `rgeval eval` itself uses (tasks::task_metrics, tasks::named_metrics,
// tasks::group_metrics), in the same document order, so the numbers equal its results JSON.
//
// The documents are read again from the run's data directory (its --data, or `data_override`)
// when every data file still has the sha256 recorded in the run: that gives evaluate's document
// order and the labels task-specific metrics need. Otherwise the stored predictions alone give
// acc/acc_norm (ordered by doc_id) and tasks with their own metrics are left out with a note.
// Every stored document of a run is reported (a run resumed with a larger --limit reports all).
#pragma once
#include <cstdint>
#include <map>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "store/sqlite_db.h"
#include "tasks/evaluate.h"  // ModelIdentity
#include "tasks/metrics.h"

namespace rgeval::reports {

struct EvalAttempt {
  std::string command_line, started_at, finished_at, rgeval_version, rgeval_commit;
  int threads = 0, limit = -1;
  double seconds = 0;
};

struct EvalRun {
  std::string db_path;
  int64_t run_id = 0;
  std::string run_key;
  tasks::ModelIdentity model;  // .model: directory or builtin:NAME, as given
  std::string rgeval_version, rgeval_commit, command_line, started_at;
  std::vector<std::string> tasks;      // as given to --tasks
  nlohmann::ordered_json num_fewshot;  // task -> effective few-shot count
  nlohmann::ordered_json data_files;   // relative path -> sha256
  std::string data_dir;                // where the documents were read ("" = not read)
  bool documents_from_data = false;    // false: stored predictions only
  std::vector<std::string> notes;      // why data was not used, tasks left out
  std::vector<EvalAttempt> attempts;
  std::vector<tasks::TaskMetrics> task_metrics;
  std::vector<tasks::GroupMetrics> groups;
  std::map<std::string, bool> acc_norm;        // leaf task -> acc_norm reported
  std::map<std::string, bool> group_acc_norm;  // group -> acc_norm reported
  // {"results", "groups", "config"} in the shape of `rgeval eval --out`.
  nlohmann::ordered_json json;
};

// Every eval run of `db` (none when it has no `runs` table), by run id.
std::vector<EvalRun> load_eval_runs(store::Db& db, const std::string& data_override = "");

// True when `db` has a table called `name`.
bool has_table(store::Db& db, const std::string& name);

}  // namespace rgeval::reports
