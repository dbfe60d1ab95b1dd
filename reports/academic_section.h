// Section 1 of the report: the academic benchmarks shaped like the paper's Table 2 (tasks as rows,
// models as columns, value ± stderr in percent), the published values in adjacent columns, and
// MMLU per category and per subject. Also the academic safety sets' table (CrowS-Pairs, BBQ,
// TruthfulQA, Winogender), which the safety section shows.
#pragma once
#include <optional>
#include <vector>

#include "reports/eval_results.h"
#include "reports/paper_values.h"
#include "reports/report_doc.h"

namespace rgeval::reports {

// True for the academic safety sets (crows_pairs, bbq, truthfulqa_*, winogender*).
bool is_safety_task(const std::string& task);

// The section, or nullopt when no run has an academic benchmark.
std::optional<Section> academic_section(const std::vector<EvalRun>& runs, const PaperValues& paper);

// The academic safety sets as a table (task-specific metrics as rows, models as columns), or
// nullopt when no run has one.
std::optional<Table> academic_safety_table(const std::vector<EvalRun>& runs);

}  // namespace rgeval::reports
