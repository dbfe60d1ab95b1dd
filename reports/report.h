// `rgeval report`: everything the databases hold (eval, safety, throughput runs and side-by-side
// studies) as one report, computed with the commands' own functions and never running a model.
// Sections appear only when there is data for them (reports/*_section.h).
#pragma once
#include <string>
#include <vector>

#include "reports/report_doc.h"

namespace rgeval::reports {

struct ReportOptions {
  std::vector<std::string> databases;  // SQLite files: results databases and/or study databases
  std::string data_dir;                // where eval runs' data files are, when not at their --data
  std::string command_line;            // recorded in the reproducibility section
};

// Throws rgeval::Error naming a database that does not exist or is not SQLite.
Report build_report(const ReportOptions& o);

// DIR/report.html (self-contained), report.md, report.json, one CSV per table and one SVG per
// chart; DIR is created when absent. Returns the paths written, report.html first.
std::vector<std::string> write_report(const Report& r, const std::string& dir);

}  // namespace rgeval::reports
