// The demo's sample data: a few items per task format, written by rgeval itself (not copied from
// any dataset) in the original release formats, so `rgeval eval` and `rgeval safety` read them as
// they read the real files: MMLU hendrycks CSVs (4 subjects, 5 dev + 2 test rows each), HellaSwag
// JSONL, PIQA JSONL + labels, and an XSTest-style prompt CSV (safe and unsafe prompts).
#pragma once
#include <string>
#include <vector>

namespace rgeval::reports {

// Writes the sample files under `data_dir` (created when absent; existing files are replaced with
// the same bytes, so runs keyed by the files' sha256 resume). Returns the paths written.
std::vector<std::string> write_demo_data(const std::string& data_dir);

}  // namespace rgeval::reports
