// `rgeval sxs results`: every statistic of a study as JSON (the stable shape documented in
// docs/sidebyside.md) and as a plain-text report.
#pragma once
#include <nlohmann/json.hpp>
#include <string>

#include "sidebyside/bootstrap.h"
#include "store/sqlite_db.h"

namespace rgeval::sidebyside {

struct ResultsOptions {
  BootstrapOptions bootstrap;
  std::string baseline;  // when set, pairs with it are reported as (other, baseline)
};

nlohmann::json study_results(store::Db& db, const ResultsOptions& opts);
std::string format_results(const nlohmann::json& results);

}  // namespace rgeval::sidebyside
