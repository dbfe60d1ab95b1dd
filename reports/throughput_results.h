// `rgeval throughput` runs read back from a database (bench/throughput_db.cpp tables) as the result
// JSON the suite wrote (docs/throughput.md: machine, options, rows, skipped, memory), so the
// throughput charts (reports/throughput_charts.h) draw from the database what they draw from --out.
#pragma once
#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "store/sqlite_db.h"

namespace rgeval::reports {

struct ThroughputRun {
  std::string db_path;
  int64_t run_id = 0;
  nlohmann::json result;  // the suite's result JSON, rebuilt from the stored rows
};

// Every throughput run of `db` (none without the throughput tables), by run id.
std::vector<ThroughputRun> load_throughput_runs(store::Db& db);

}  // namespace rgeval::reports
