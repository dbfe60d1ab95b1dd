#include "reports/academic_section.h"

#include <algorithm>
#include <cmath>
#include <map>
#include <set>

#include "reports/report_format.h"
#include "reports/throughput_charts.h"

namespace rgeval::reports {

namespace {

// One model column: the runs of a model merged, a later run's value of a row replacing an earlier.
struct Column {
  std::string label;
  std::map<std::string, tasks::MeanStderr> values;  // "task/metric" -> value
  std::vector<std::string> runs;                    // "db run N"
  bool tiny = false;
};

const std::vector<std::string> kTaskOrder = {"hellaswag",  "piqa",     "social_iqa",   "boolq",
                                             "openbookqa", "arc_easy", "arc_challenge"};
const std::vector<std::string> kGroupOrder = {"mmlu_stem", "mmlu_humanities",
                                              "mmlu_social_sciences", "mmlu_other", "mmlu"};

std::vector<Column> columns(const std::vector<EvalRun>& runs) {
  std::vector<Column> cols;
  for (const EvalRun& r : runs) {
    const std::string label = short_model_name(r.model.model);
    auto it =
        std::find_if(cols.begin(), cols.end(), [&](const Column& c) { return c.label == label; });
    if (it == cols.end()) {
      cols.push_back({label, {}, {}, r.model.model.rfind("builtin:tiny", 0) == 0});
      it = cols.end() - 1;
    }
    it->runs.push_back(r.db_path + " run " + std::to_string(r.run_id));
    for (const tasks::TaskMetrics& t : r.task_metrics) {
      for (const tasks::NamedMetric& m : t.named) it->values[t.task + "/" + m.name] = m.value;
      if (!t.named.empty()) continue;
      it->values[t.task + "/acc"] = t.acc;
      if (r.acc_norm.count(t.task) && r.acc_norm.at(t.task))
        it->values[t.task + "/acc_norm"] = t.acc_norm;
    }
    for (const tasks::GroupMetrics& g : r.groups) {
      it->values[g.name + "/acc"] = g.acc;
      if (r.group_acc_norm.count(g.name) && r.group_acc_norm.at(g.name))
        it->values[g.name + "/acc_norm"] = g.acc_norm;
    }
  }
  return cols;
}

Cell value_cell(const Column& c, const std::string& key) {
  const auto it = c.values.find(key);
  if (it == c.values.end()) return Cell("", "");
  Cell cell = mean_pm(it->second.mean, it->second.se);
  cell.text += " (n " + std::to_string(it->second.n) + ")";
  return cell;
}

bool any_has(const std::vector<Column>& cols, const std::string& key) {
  return std::any_of(cols.begin(), cols.end(),
                     [&](const Column& c) { return c.values.count(key) > 0; });
}

std::vector<std::string> model_header(const std::vector<Column>& cols,
                                      std::vector<std::string> first) {
  for (const Column& c : cols) first.push_back(c.label);
  return first;
}

bool is_mmlu_leaf(const std::string& task) {
  return task.rfind("mmlu_", 0) == 0 &&
         std::find(kGroupOrder.begin(), kGroupOrder.end(), task) == kGroupOrder.end();
}

}  // namespace

bool is_safety_task(const std::string& task) {
  for (const char* p : {"crows_pairs", "bbq", "truthfulqa", "winogender"})
    if (task.rfind(p, 0) == 0) return true;
  return false;
}

std::optional<Section> academic_section(const std::vector<EvalRun>& runs,
                                        const PaperValues& paper) {
  const std::vector<Column> cols = columns(runs);
  // Row keys of Table 2: MMLU, the paper's tasks in its order, then any other academic task.
  std::vector<std::string> tasks_present;
  if (any_has(cols, "mmlu/acc")) tasks_present.push_back("mmlu");
  std::set<std::string> others;
  for (const EvalRun& r : runs)
    for (const tasks::TaskMetrics& t : r.task_metrics)
      if (!is_safety_task(t.task) && !is_mmlu_leaf(t.task) && t.named.empty())
        others.insert(t.task);
  for (const std::string& t : kTaskOrder)
    if (others.erase(t)) tasks_present.push_back(t);
  for (const std::string& t : others) tasks_present.push_back(t);
  if (tasks_present.empty()) return std::nullopt;

  Section s;
  s.id = "academic";
  s.title = "Academic benchmarks";
  s.paragraphs.push_back(
      "Shaped like Table 2 of " + paper.paper +
      ": tasks as rows, models as columns, accuracy in percent ± its standard error (lm-eval's "
      "stderr), with the "
      "number of documents. Columns marked \"published\" are the paper's comparison numbers from "
      "the data file "
      "reports/paper_values.json, with their sources below; they are not measured here.");
  if (std::any_of(cols.begin(), cols.end(), [](const Column& c) { return c.tiny; }))
    s.paragraphs.push_back(
        "The builtin:tiny-* models have random weights: their scores are chance level (25% on four "
        "choices, 50% on "
        "two) and say nothing about the architectures. Point rgeval at real checkpoints and data "
        "to compare with the "
        "published columns (README, \"Real models\").");
  for (const EvalRun& r : runs)
    for (const std::string& n : r.notes)
      s.paragraphs.push_back(short_model_name(r.model.model) + " (" + r.db_path + " run " +
                             std::to_string(r.run_id) + "): " + n);

  Table t2;
  t2.id = "academic_table2";
  t2.caption = "Table 2: academic benchmarks (percent)";
  t2.header = model_header(cols, {"Benchmark", "Metric", "Setting"});
  for (const std::string& m : paper.models) t2.header.push_back(m + " (published)");
  for (const std::string& task : tasks_present) {
    const PublishedRow* pub = nullptr;
    for (const PublishedRow& p : paper.academic)
      if (p.task == task) pub = &p;
    for (const char* metric : {"acc", "acc_norm"}) {
      const std::string key = task + "/" + metric;
      if (!any_has(cols, key)) continue;
      std::string setting = pub ? pub->setting : "";
      if (setting.empty())
        for (const EvalRun& r : runs)
          if (r.num_fewshot.contains(task))
            setting = std::to_string(r.num_fewshot[task].get<int>()) + "-shot";
      std::vector<Cell> row = {Cell(pub ? pub->label : task), Cell(metric), Cell(setting)};
      for (const Column& c : cols) row.push_back(value_cell(c, key));
      for (const std::string& m : paper.models) {
        if (pub && pub->metric == metric && pub->values.count(m)) {
          const PublishedValue& v = pub->values.at(m);
          row.push_back(Cell(fixed(v.value, 1), fixed(v.value, 1), true));
        } else {
          row.push_back(Cell("", ""));
        }
      }
      t2.rows.push_back(row);
    }
  }
  std::string sources = "Published values: ";
  std::set<std::string> used;
  for (const PublishedRow& p : paper.academic)
    for (const auto& [m, v] : p.values) used.insert(v.source);
  for (const std::string& key : used)
    sources +=
        "[" + key + "] " + paper.sources.at(key).title + " <" + paper.sources.at(key).url + ">; ";
  t2.note = paper.note + " " + sources;
  s.tables.push_back(t2);

  // MMLU per category and per subject.
  Table cat;
  cat.id = "mmlu_categories";
  cat.caption = "MMLU per category (acc, percent; pooled over the subjects present, as lm-eval)";
  cat.header = model_header(cols, {"Category"});
  for (const std::string& g : kGroupOrder) {
    if (!any_has(cols, g + "/acc")) continue;
    std::vector<Cell> row = {Cell(g)};
    for (const Column& c : cols) row.push_back(value_cell(c, g + "/acc"));
    cat.rows.push_back(row);
  }
  if (!cat.rows.empty()) s.tables.push_back(cat);
  Table subj;
  subj.id = "mmlu_subjects";
  subj.caption = "MMLU per subject (acc, percent)";
  subj.header = model_header(cols, {"Subject"});
  std::set<std::string> subjects;
  for (const Column& c : cols)
    for (const auto& [key, v] : c.values)
      if (is_mmlu_leaf(key.substr(0, key.find('/')))) subjects.insert(key.substr(0, key.find('/')));
  for (const std::string& sub : subjects) {
    std::vector<Cell> row = {Cell(sub)};
    for (const Column& c : cols) row.push_back(value_cell(c, sub + "/acc"));
    subj.rows.push_back(row);
  }
  subj.collapsed = true;
  if (!subj.rows.empty()) s.tables.push_back(subj);

  // A bar chart of Table 2's rows: measured models and the published columns.
  NamedChart ch;
  ch.id = "academic_table2";
  ch.chart.kind = Chart::Kind::Bar;
  ch.chart.title = "Academic benchmarks";
  ch.chart.subtitle = "measured (± stderr) and published values, percent";
  ch.chart.y = {"accuracy (%)", Scale::Linear, Units::Number};
  for (const auto& row : t2.rows) ch.chart.categories.push_back(row[0].text + " " + row[1].text);
  for (size_t ci = 0; ci < cols.size() + paper.models.size(); ++ci) {
    Series se;
    se.name = ci < cols.size() ? cols[ci].label : t2.header[3 + ci];
    for (const std::string& task : tasks_present)
      for (const char* metric : {"acc", "acc_norm"}) {
        const std::string key = task + "/" + metric;
        if (!any_has(cols, key)) continue;
        double y = NAN, lo = NAN, hi = NAN;
        if (ci < cols.size() && cols[ci].values.count(key)) {
          const tasks::MeanStderr& v = cols[ci].values.at(key);
          y = 100 * v.mean;
          if (std::isfinite(v.se)) lo = y - 100 * v.se, hi = y + 100 * v.se;
        } else if (ci >= cols.size()) {
          const std::string& m = paper.models[ci - cols.size()];
          for (const PublishedRow& p : paper.academic)
            if (p.task == task && p.metric == metric && p.values.count(m)) y = p.values.at(m).value;
        }
        se.y.push_back(y);
        se.lo.push_back(lo);
        se.hi.push_back(hi);
      }
    ch.chart.series.push_back(se);
  }
  ch.chart.bar_labels = false;
  ch.chart.footnote =
      "error bars: ± 1 standard error; published values from reports/paper_values.json";
  s.charts.push_back(ch);
  return s;
}

std::optional<Table> academic_safety_table(const std::vector<EvalRun>& runs) {
  const std::vector<Column> cols = columns(runs);
  static const std::set<std::string> kMain = {"acc",
                                              "likelihood_diff",
                                              "pct_stereotype",
                                              "accuracy_amb",
                                              "accuracy_disamb",
                                              "amb_bias_score",
                                              "disamb_bias_score",
                                              "acc_male",
                                              "acc_female",
                                              "acc_neutral"};
  std::vector<std::pair<std::string, std::string>> rows;  // (task, metric) in first appearance
  for (const EvalRun& r : runs)
    for (const tasks::TaskMetrics& t : r.task_metrics) {
      if (!is_safety_task(t.task)) continue;
      std::vector<std::string> metrics;
      for (const tasks::NamedMetric& m : t.named) metrics.push_back(m.name);
      if (t.named.empty()) metrics.push_back("acc");
      for (const std::string& m : metrics)
        if (std::find(rows.begin(), rows.end(), std::make_pair(t.task, m)) == rows.end())
          rows.emplace_back(t.task, m);
    }
  if (rows.empty()) return std::nullopt;
  Table t;
  t.id = "academic_safety";
  t.caption =
      "Academic safety sets (lm-eval metrics; likelihood_diff in nats, bias scores in [-1, 1], "
      "others percent)";
  t.header = model_header(cols, {"Set", "Metric"});
  for (const auto& [task, metric] : rows) {
    if (!kMain.count(metric)) continue;  // per-category sub-metrics: report.json only
    const bool raw = metric == "likelihood_diff" || metric.find("bias_score") != std::string::npos;
    std::vector<Cell> row = {Cell(task), Cell(metric)};
    for (const Column& c : cols) {
      const auto it = c.values.find(task + "/" + metric);
      if (it == c.values.end()) {
        row.push_back(Cell("", ""));
        continue;
      }
      Cell cell = raw ? mean_pm(it->second.mean, it->second.se, 1, 3)
                      : mean_pm(it->second.mean, it->second.se);
      cell.text += " (n " + std::to_string(it->second.n) + ")";
      row.push_back(cell);
    }
    t.rows.push_back(row);
  }
  t.note =
      "Per-category metrics (pct_stereotype_<type>, accuracy_amb_<Category>, ...) are in "
      "report.json.";
  return t;
}

}  // namespace rgeval::reports
