#include "tasks/named_metric.h"

#include "engine/error.h"
#include "tasks/metrics.h"

namespace rgeval::tasks {

NamedMetric mean_metric(const std::string& name, const std::vector<double>& values) {
  return {name, mean_stderr(values)};
}

std::vector<NamedMetric> mean_metrics_by(const std::string& name, const std::string& attr,
                                         const std::vector<std::string>& keys,
                                         const std::vector<const Doc*>& docs,
                                         const std::vector<double>& values) {
  std::vector<NamedMetric> out;
  for (const std::string& key : keys) {
    std::vector<double> sub;
    for (size_t i = 0; i < docs.size(); ++i) {
      const auto it = docs[i]->attrs.find(attr);
      if (it != docs[i]->attrs.end() && it->second == key) sub.push_back(values.at(i));
    }
    if (!sub.empty()) out.push_back(mean_metric(name + "_" + key, sub));
  }
  return out;
}

std::map<std::string, std::vector<NamedMetric>> named_metrics(
    const std::vector<Doc>& docs, const std::vector<std::vector<double>>& lls,
    const std::map<std::string, TaskMetricFn>& fns) {
  if (docs.size() != lls.size())
    fail("metrics", std::to_string(lls.size()) + " score lists for " + std::to_string(docs.size()) +
                        " documents");
  std::map<std::string, std::pair<std::vector<const Doc*>, std::vector<std::vector<double>>>>
      by_task;
  for (size_t i = 0; i < docs.size(); ++i) {
    const auto f = fns.find(docs[i].task);
    if (f == fns.end() || !f->second) continue;
    if (lls[i].size() != docs[i].choices.size())
      fail(docs[i].task + " doc " + std::to_string(docs[i].doc_id),
           std::to_string(lls[i].size()) + " scores for " + std::to_string(docs[i].choices.size()) +
               " choices");
    by_task[docs[i].task].first.push_back(&docs[i]);
    by_task[docs[i].task].second.push_back(lls[i]);
  }
  std::map<std::string, std::vector<NamedMetric>> out;
  for (const auto& [task, d] : by_task) out[task] = fns.at(task)(d.first, d.second);
  return out;
}

}  // namespace rgeval::tasks
