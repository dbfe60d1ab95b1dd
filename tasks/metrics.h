// lm-eval multiple-choice metrics (api/task.py process_results, api/metrics.py):
//   acc      = 1[argmax_i ll_i == gold]
//   acc_norm = 1[argmax_i ll_i / len(choice_text_i) == gold], len in Unicode code points
//   task score = mean over docs, stderr = stdev(ddof=1) / sqrt(n) (NaN when n < 2: lm-eval "N/A")
//   groups (weight_by_size) = mean over the docs of the leaf tasks, stderr pooled over the leaves:
//     sqrt( Σ (n_i−1)·n_i·se_i² / (Σn_i − k) / Σn_i )
#pragma once
#include <string>
#include <vector>

#include "tasks/doc.h"
#include "tasks/named_metric.h"  // MeanStderr
#include "tasks/registry.h"

namespace rgeval::tasks {

// np.argmax: first maximum; a NaN wins (the first NaN). -1 for an empty vector.
int argmax_first(const std::vector<double>& v);

struct DocPrediction {
  int pred_acc = -1;       // argmax of sum_logprob
  int pred_acc_norm = -1;  // argmax of sum_logprob / code points of the choice text
  int gold = -1;
  bool acc() const { return pred_acc == gold; }
  bool acc_norm() const { return pred_acc_norm == gold; }
};

// `sum_logprob[i]` scores doc.choices[i] (one per choice; throws rgeval::Error otherwise). A
// zero-length choice text divides like numpy (x/0 = -inf, 0/0 = NaN).
DocPrediction predict(const Doc& doc, const std::vector<double>& sum_logprob);

// Mean and sample stdev (ddof=1) / sqrt(n) of 0/1 or real values.
MeanStderr mean_stderr(const std::vector<double>& xs);

struct TaskMetrics {
  std::string task;
  size_t n = 0;
  MeanStderr acc, acc_norm;
  std::vector<NamedMetric> named =
      {};  // task-specific metrics (TaskSpec::metrics): reported instead of acc/acc_norm
};

// Per leaf task (in order of first appearance in `docs`). `preds[i]` belongs to `docs[i]`.
std::vector<TaskMetrics> task_metrics(const std::vector<Doc>& docs,
                                      const std::vector<DocPrediction>& preds);

struct GroupMetrics {
  std::string name;
  size_t n = 0;        // documents
  size_t n_tasks = 0;  // leaf tasks present
  MeanStderr acc, acc_norm;
};

// Pooled aggregate of the leaf tasks of `leaves`; (n = 0, n_tasks = 0) when none is present.
MeanStderr pooled(const std::vector<MeanStderr>& leaves);
GroupMetrics group_metrics(const TaskGroup& group, const std::vector<TaskMetrics>& tasks);

}  // namespace rgeval::tasks
