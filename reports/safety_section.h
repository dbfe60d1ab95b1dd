// Section 2 of the report: refusal and over-refusal rates per prompt set and model with Wilson 95%
// intervals (safety::score_responses, as `rgeval safety`), per category, and the academic safety
// sets from the eval runs.
#pragma once
#include <optional>
#include <vector>

#include "reports/eval_results.h"
#include "reports/report_doc.h"
#include "reports/safety_results.h"

namespace rgeval::reports {

// The section, or nullopt when there is neither a safety run nor an academic safety set.
std::optional<Section> safety_section(const std::vector<SafetyRun>& runs,
                                      const std::vector<EvalRun>& evals);

}  // namespace rgeval::reports
