// Task-specific metrics (lm-eval `process_results` + `aggregation` of tasks whose metrics are not
// plain acc/acc_norm: CrowS-Pairs, BBQ, TruthfulQA MC2, Winogender by gender). A task with a
// metric function reports, per leaf task, `name` and `name_stderr` for each NamedMetric instead of
// acc/acc_norm.
#pragma once
#include <cstddef>
#include <functional>
#include <map>
#include <string>
#include <vector>

#include "tasks/doc.h"

namespace rgeval::tasks {

struct MeanStderr {
  double mean = 0, se = 0;  // se = standard error (NaN: not available, lm-eval "N/A")
  size_t n = 0;
};

struct NamedMetric {
  std::string name;  // "pct_stereotype", "accuracy_amb_Age", ...
  MeanStderr value;
};

// Metrics of one leaf task from its documents and their log-likelihoods (lls[i][c] scores
// docs[i]->choices[c]).
using TaskMetricFn = std::function<std::vector<NamedMetric>(
    const std::vector<const Doc*>& docs, const std::vector<std::vector<double>>& lls)>;

// mean_stderr(values) under `name`.
NamedMetric mean_metric(const std::string& name, const std::vector<double>& values);

// `name` + "_" + key: the mean of the values of the documents whose attrs[attr] is key, for each
// key in `keys` that some document has (lm-eval's per-subset tasks as sub-metrics).
std::vector<NamedMetric> mean_metrics_by(const std::string& name, const std::string& attr,
                                         const std::vector<std::string>& keys,
                                         const std::vector<const Doc*>& docs,
                                         const std::vector<double>& values);

// The metrics of every leaf task of `docs` that has a function in `fns` (by leaf task name);
// lls[i] belongs to docs[i].
std::map<std::string, std::vector<NamedMetric>> named_metrics(
    const std::vector<Doc>& docs, const std::vector<std::vector<double>>& lls,
    const std::map<std::string, TaskMetricFn>& fns);

}  // namespace rgeval::tasks
