// Section 5 of the report: reproducibility: the rgeval version and commit of the report and of
// every run, the command lines, the models (configuration, weights and tokenizer hashes), the data
// files with their sha256, dates, and the machines (this one and those the throughput runs saw).
#pragma once
#include <string>
#include <vector>

#include "reports/eval_results.h"
#include "reports/report_doc.h"
#include "reports/safety_results.h"
#include "reports/sxs_section.h"
#include "reports/throughput_results.h"

namespace rgeval::reports {

struct ReportProvenance {
  std::string command_line;  // of `rgeval report` (or the demo)
  std::vector<std::string> databases;
  std::string date;  // UTC, ISO-8601
};

Section repro_section(const ReportProvenance& p, const std::vector<EvalRun>& evals,
                      const std::vector<SafetyRun>& safety,
                      const std::vector<ThroughputRun>& throughput,
                      const std::vector<SxsStudy>& studies);

// "CPU model (N cores), M GiB" of this machine, from /proc (empty parts left out).
std::string this_machine();

}  // namespace rgeval::reports
