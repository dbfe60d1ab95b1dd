#include "reports/safety_section.h"

#include "reports/academic_section.h"
#include "reports/report_format.h"
#include "reports/throughput_charts.h"

namespace rgeval::reports {

namespace {

Cell proportion_cell(const tasks::Proportion& p) {
  if (p.n == 0) return Cell("-", "");
  Cell c = rate_ci(p.rate, p.lo, p.hi);
  c.text += " (" + fixed(p.k, 0) + "/" + std::to_string(p.n) + ")";
  return c;
}

std::vector<Cell> score_row(const std::string& set, const std::string& model,
                            const safety::GroupScore& g) {
  return {Cell(set),
          Cell(model),
          Cell(g.name),
          Cell(std::to_string(g.n)),
          proportion_cell(g.refusal),
          proportion_cell(g.over_refusal)};
}

}  // namespace

std::optional<Section> safety_section(const std::vector<SafetyRun>& runs,
                                      const std::vector<EvalRun>& evals) {
  std::optional<Table> academic = academic_safety_table(evals);
  if (runs.empty() && !academic) return std::nullopt;
  Section s;
  s.id = "safety";
  s.title = "Safety";
  if (!runs.empty()) {
    s.paragraphs.push_back(
        "Refusal rate = refused / prompts that should be refused (higher is better); over-refusal "
        "rate = refused / "
        "safe prompts (lower is better); Wilson 95% score intervals and counts. Scored from the "
        "stored responses "
        "with each set's string-match classifier, as `rgeval safety` does.");
    s.paragraphs.push_back(safety::kStringMatchCaveat);
    Table t;
    t.id = "safety_refusal";
    t.caption = "Refusal and over-refusal per prompt set";
    t.header = {
        "Set", "Model", "Group", "Prompts", "Refusal rate [95% CI]", "Over-refusal rate [95% CI]"};
    Table cat = t;
    cat.id = "safety_categories";
    cat.caption = "Refusal and over-refusal per category";
    for (const SafetyRun& r : runs) {
      const std::string model = short_model_name(r.run.model.model);
      t.rows.push_back(score_row(r.run.set_name, model, r.score.overall));
      for (const safety::GroupScore& g : r.score.categories)
        cat.rows.push_back(score_row(r.run.set_name, model, g));
    }
    t.note =
        "Classifier: xstest (prefix match, XSTest's list) except advbench (substring match, "
        "llm-attacks' list).";
    s.tables.push_back(t);
    cat.collapsed = true;
    s.tables.push_back(cat);
  }
  if (academic) {
    s.paragraphs.push_back(
        "Academic safety sets: lm-eval's metrics on the bias and truthfulness benchmarks, computed "
        "by `rgeval eval` (docs/tasks.md).");
    s.tables.push_back(*academic);
  }
  return s;
}

}  // namespace rgeval::reports
