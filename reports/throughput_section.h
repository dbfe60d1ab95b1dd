// Section 4 of the report: throughput and memory from `rgeval throughput` runs: the suite's charts
// (reports/throughput_charts.h), sampling rows with their bandwidth-roofline fractions, prefill
// rows, the memory summary (state bytes, max batch at the budget) and the machine facts.
#pragma once
#include <optional>
#include <vector>

#include "reports/report_doc.h"
#include "reports/throughput_results.h"

namespace rgeval::reports {

// The section, or nullopt when there is no throughput run.
std::optional<Section> throughput_section(const std::vector<ThroughputRun>& runs);

}  // namespace rgeval::reports
