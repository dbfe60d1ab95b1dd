// Charts of an `rgeval throughput` result (the JSON it writes; docs/throughput.md): sampling
// tokens/s vs depth, prefill tokens/s vs prompt length, state bytes vs length, and the largest
// batch within the memory budget with the tokens/s reached there. Reads results only: no model
// code is involved.
#pragma once
#include <nlohmann/json.hpp>
#include <string>
#include <utility>
#include <vector>

#include "reports/svg_chart.h"

namespace rgeval::reports {

// (file stem, chart) for each chart the result supports, in a fixed order:
// tg_vs_depth, pp_vs_length, state_bytes, max_batch, max_batch_tokens_per_s.
std::vector<std::pair<std::string, Chart>> throughput_charts(const nlohmann::json& result);

// Writes STEM.svg for each chart into `dir` (created if needed), and STEM.png too when `png`
// and rsvg-convert or ImageMagick's convert is on the PATH (silently skipped otherwise).
// Returns the paths written. Throws std::runtime_error naming a file that cannot be written.
std::vector<std::string> write_throughput_charts(const nlohmann::json& result, const std::string& dir,
                                                 bool png = true);

// "builtin:gemma-2b" -> "gemma-2b"; "/models/recurrentgemma-2b/" -> "recurrentgemma-2b".
std::string short_model_name(const std::string& spec);

}  // namespace rgeval::reports
