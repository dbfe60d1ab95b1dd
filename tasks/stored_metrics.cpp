#include "tasks/stored_metrics.h"

#include <cmath>

#include "engine/error.h"

namespace rgeval::tasks {

namespace {

using nlohmann::ordered_json;

// NAME and NAME_stderr (a NaN or infinite stderr as null).
void put_metric(ordered_json& j, const std::string& name, const MeanStderr& m) {
  j[name] = m.mean;
  j[name + "_stderr"] = std::isfinite(m.se) ? ordered_json(m.se) : ordered_json(nullptr);
}

bool flag(const std::map<std::string, bool>& m, const std::string& key) {
  const auto it = m.find(key);
  return it != m.end() && it->second;
}

}  // namespace

StoredDocuments stored_documents(store::Db& db, int64_t run_id) {
  StoredDocuments stored;
  for (store::DocumentRow& r : store::load_documents(db, run_id)) {
    const std::pair<std::string, int> key{r.task, r.doc_id};
    stored.emplace(key, std::move(r));
  }
  return stored;
}

StoredMetrics stored_metrics(const std::vector<Doc>& docs, const StoredDocuments& stored,
                             const std::map<std::string, TaskMetricFn>& leaf_metrics,
                             const std::vector<TaskSpec>& specs, const std::string& data_dir,
                             const std::string& where) {
  StoredMetrics out;
  std::vector<std::vector<double>> lls;
  for (const Doc& d : docs) {
    const auto it = stored.find({d.task, d.doc_id});
    if (it == stored.end())
      fail(where, "document " + d.task + " " + std::to_string(d.doc_id) + " missing after scoring");
    const store::DocumentRow& r = it->second;
    if (r.requests.size() != d.choices.size() || r.gold != d.gold)
      fail(where, "stored document " + d.task + " " + std::to_string(d.doc_id) +
                      " does not match the data");
    DocPrediction p;
    p.pred_acc = r.pred_acc;
    p.pred_acc_norm = r.pred_acc_norm;
    p.gold = r.gold;
    out.preds.push_back(p);
    out.rows.push_back(&r);
    lls.emplace_back();
    for (const store::RequestRow& q : r.requests) lls.back().push_back(q.sum_logprob);
  }
  out.tasks = task_metrics(docs, out.preds);
  const auto named = named_metrics(docs, lls, leaf_metrics);
  for (TaskMetrics& t : out.tasks)
    if (named.count(t.task)) t.named = named.at(t.task);
  for (const TaskSpec& s : specs) {
    if (!s.groups) continue;
    for (const TaskGroup& g : s.groups(data_dir)) {
      GroupMetrics gm = group_metrics(g, out.tasks);
      if (gm.n_tasks == 0 || out.group_acc_norm.count(gm.name)) continue;
      out.group_acc_norm[gm.name] = s.acc_norm;
      out.groups.push_back(gm);
    }
  }
  return out;
}

void put_results_json(ordered_json& j, const std::vector<TaskMetrics>& tasks,
                      const std::map<std::string, bool>& acc_norm,
                      const std::vector<GroupMetrics>& groups,
                      const std::map<std::string, bool>& group_acc_norm) {
  j["results"] = ordered_json::object();
  for (const TaskMetrics& t : tasks) {
    ordered_json m;
    for (const NamedMetric& x : t.named) put_metric(m, x.name, x.value);
    if (t.named.empty()) {
      put_metric(m, "acc", t.acc);
      if (flag(acc_norm, t.task)) put_metric(m, "acc_norm", t.acc_norm);
    }
    m["n"] = t.n;
    j["results"][t.task] = m;
  }
  j["groups"] = ordered_json::object();
  for (const GroupMetrics& g : groups) {
    ordered_json m;
    put_metric(m, "acc", g.acc);
    if (flag(group_acc_norm, g.name)) put_metric(m, "acc_norm", g.acc_norm);
    m["n"] = g.n;
    m["n_subjects"] = g.n_tasks;
    j["groups"][g.name] = m;
  }
}

}  // namespace rgeval::tasks
