#include "tasks/metrics.h"

#include <cmath>
#include <limits>

#include "engine/error.h"
#include "tasks/utf8.h"

namespace rgeval::tasks {

int argmax_first(const std::vector<double>& v) {
  int best = -1;
  for (size_t i = 0; i < v.size(); ++i) {
    if (std::isnan(v[i])) return int(i);
    if (best < 0 || v[i] > v[size_t(best)]) best = int(i);
  }
  return best;
}

DocPrediction predict(const Doc& doc, const std::vector<double>& ll) {
  if (ll.size() != doc.choices.size() || ll.empty())
    fail(doc.task + " doc " + std::to_string(doc.doc_id),
         std::to_string(ll.size()) + " scores for " + std::to_string(doc.choices.size()) + " choices");
  DocPrediction p;
  p.gold = doc.gold;
  p.pred_acc = argmax_first(ll);
  std::vector<double> norm(ll.size());
  for (size_t i = 0; i < ll.size(); ++i) {
    const std::string& text = i < doc.choice_texts.size() ? doc.choice_texts[i] : doc.choices[i];
    norm[i] = ll[i] / double(utf8_length(text));  // IEEE: x/0 = ±inf, 0/0 = NaN, as numpy
  }
  p.pred_acc_norm = argmax_first(norm);
  return p;
}

MeanStderr mean_stderr(const std::vector<double>& xs) {
  MeanStderr r;
  r.n = xs.size();
  if (xs.empty()) {
    r.mean = r.se = std::numeric_limits<double>::quiet_NaN();
    return r;
  }
  double sum = 0;
  for (double x : xs) sum += x;
  r.mean = sum / double(r.n);
  if (r.n < 2) {
    r.se = std::numeric_limits<double>::quiet_NaN();
    return r;
  }
  double ss = 0;
  for (double x : xs) ss += (x - r.mean) * (x - r.mean);
  r.se = std::sqrt(ss / double(r.n - 1)) / std::sqrt(double(r.n));
  return r;
}

std::vector<TaskMetrics> task_metrics(const std::vector<Doc>& docs, const std::vector<DocPrediction>& preds) {
  if (docs.size() != preds.size())
    fail("metrics", std::to_string(preds.size()) + " predictions for " + std::to_string(docs.size()) + " documents");
  std::vector<std::string> order;
  std::vector<std::vector<double>> acc, norm;
  for (size_t i = 0; i < docs.size(); ++i) {
    size_t k = 0;
    while (k < order.size() && order[k] != docs[i].task) ++k;
    if (k == order.size()) {
      order.push_back(docs[i].task);
      acc.emplace_back();
      norm.emplace_back();
    }
    acc[k].push_back(preds[i].acc() ? 1.0 : 0.0);
    norm[k].push_back(preds[i].acc_norm() ? 1.0 : 0.0);
  }
  std::vector<TaskMetrics> out;
  for (size_t k = 0; k < order.size(); ++k)
    out.push_back({order[k], acc[k].size(), mean_stderr(acc[k]), mean_stderr(norm[k])});
  return out;
}

MeanStderr pooled(const std::vector<MeanStderr>& leaves) {
  MeanStderr r;
  double weighted = 0, var = 0;
  for (const auto& l : leaves) {
    r.n += l.n;
    weighted += l.mean * double(l.n);
    var += double(l.n - 1) * double(l.n) * l.se * l.se;
  }
  if (r.n == 0) {
    r.mean = r.se = std::numeric_limits<double>::quiet_NaN();
    return r;
  }
  const double k = double(leaves.size()), n = double(r.n);
  r.mean = weighted / n;
  r.se = n > k ? std::sqrt(var / (n - k) / n) : std::numeric_limits<double>::quiet_NaN();
  return r;
}

GroupMetrics group_metrics(const TaskGroup& group, const std::vector<TaskMetrics>& tasks) {
  std::vector<MeanStderr> acc, norm;
  for (const std::string& leaf : group.leaves)
    for (const TaskMetrics& t : tasks)
      if (t.task == leaf) {
        acc.push_back(t.acc);
        norm.push_back(t.acc_norm);
      }
  GroupMetrics g;
  g.name = group.name;
  g.n_tasks = acc.size();
  g.acc = pooled(acc);
  g.acc_norm = pooled(norm);
  g.n = g.acc.n;
  return g;
}

}  // namespace rgeval::tasks
