// The metrics of a run from its stored documents (store/results_db.h) and the {"results",
// "groups"} part of its results JSON: what `rgeval eval` reports at the end of a run
// (tasks/evaluate.h) and `rgeval report` recomputes from the database (reports/eval_results.h),
// with the same functions in the same document order, so the two agree. Reads no model.
#pragma once
#include <map>
#include <nlohmann/json.hpp>
#include <string>
#include <utility>
#include <vector>

#include "store/results_db.h"
#include "tasks/metrics.h"

namespace rgeval::tasks {

// A run's stored documents by (task, doc_id).
using StoredDocuments = std::map<std::pair<std::string, int>, store::DocumentRow>;
StoredDocuments stored_documents(store::Db& db, int64_t run_id);

struct StoredMetrics {
  std::vector<TaskMetrics> tasks;               // task_metrics, with the named metrics
  std::vector<GroupMetrics> groups;             // the groups of `specs` with a leaf task present
  std::map<std::string, bool> group_acc_norm;   // group -> acc_norm reported
  std::vector<DocPrediction> preds;             // preds[i]: the stored predictions of docs[i]
  std::vector<const store::DocumentRow*> rows;  // rows[i]: the stored row of docs[i] (in `stored`)
};

// The metrics of `docs` (in their order) from their rows in `stored`: task_metrics of the stored
// predictions, named_metrics (`leaf_metrics`: leaf task -> its metric function) of the stored
// log-likelihoods, and the groups of `specs` (read from `data_dir`). Throws naming `where` when a
// document is not stored or its row does not match it (number of choices, gold).
StoredMetrics stored_metrics(const std::vector<Doc>& docs, const StoredDocuments& stored,
                             const std::map<std::string, TaskMetricFn>& leaf_metrics,
                             const std::vector<TaskSpec>& specs, const std::string& data_dir,
                             const std::string& where);

// Sets j["results"] (per leaf task: its named metrics, or acc and, where `acc_norm` says so,
// acc_norm; each with NAME_stderr, null when not finite; and n) and j["groups"] (acc, acc_norm
// where `group_acc_norm` says so, n, n_subjects), as `rgeval eval --out` writes them.
void put_results_json(nlohmann::ordered_json& j, const std::vector<TaskMetrics>& tasks,
                      const std::map<std::string, bool>& acc_norm,
                      const std::vector<GroupMetrics>& groups,
                      const std::map<std::string, bool>& group_acc_norm);

}  // namespace rgeval::tasks
