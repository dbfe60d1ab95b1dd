// Section 3 of the report: human side-by-side studies (sidebyside/ study databases): W/T/L and win
// rate with the bootstrap 95% interval per pair and per category (sidebyside::study_results with
// the defaults of `rgeval sxs results`, so the numbers equal its --json), a bar chart with error
// bars, position bias and inter-rater agreement, and the paper's figures beside them.
#pragma once
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "reports/paper_values.h"
#include "reports/report_doc.h"
#include "store/sqlite_db.h"

namespace rgeval::reports {

struct SxsStudy {
  std::string db_path;
  size_t prompts = 0, items = 0, systems = 0;
  nlohmann::json results;  // sidebyside::study_results
};

// The study in `db`, or nullopt when it is not a study database.
std::optional<SxsStudy> load_sxs_study(store::Db& db);

// The section, or nullopt when there is no study.
std::optional<Section> sxs_section(const std::vector<SxsStudy>& studies, const PaperValues& paper);

}  // namespace rgeval::reports
