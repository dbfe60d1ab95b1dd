#include "reports/throughput_results.h"

#include "engine/error.h"
#include "reports/eval_results.h"

namespace rgeval::reports {

namespace {

using nlohmann::json;

json parse_column(store::Db& db, const std::string& text, const std::string& what) {
  try {
    return json::parse(text);
  } catch (const std::exception& e) {
    fail(db.path(), what + ": invalid JSON: " + e.what());
  }
}

}  // namespace

std::vector<ThroughputRun> load_throughput_runs(store::Db& db) {
  std::vector<ThroughputRun> out;
  if (!has_table(db, "throughput_runs") || !has_table(db, "throughput_rows")) return out;
  store::Stmt s(db,
                "SELECT run_id, started_at, finished_at, command_line, rgeval_version, "
                "rgeval_commit, machine_json,"
                " options_json, memory_json FROM throughput_runs ORDER BY run_id");
  while (s.step()) {
    ThroughputRun r;
    r.db_path = db.path();
    r.run_id = s.column_int(0);
    const std::string where = "throughput run " + std::to_string(r.run_id);
    json& R = r.result;
    R["schema"] = "rgeval.throughput/1";
    R["started_at"] = s.column_text(1);
    R["finished_at"] = s.column_text(2);
    R["command_line"] = s.column_text(3);
    R["rgeval_version"] = s.column_text(4);
    R["rgeval_commit"] = s.column_text(5);
    R["machine"] = parse_column(db, s.column_text(6), where + " machine_json");
    R["options"] = parse_column(db, s.column_text(7), where + " options_json");
    R["memory"] = parse_column(db, s.column_text(8), where + " memory_json");
    R["rows"] = json::array();
    R["skipped"] = json::array();
    out.push_back(std::move(r));
  }
  for (ThroughputRun& r : out) {
    store::Stmt q(db,
                  "SELECT skipped, row_json FROM throughput_rows WHERE run_id = ? ORDER BY row_id");
    q.bind(1, r.run_id);
    while (q.step())
      r.result[q.column_int(0) ? "skipped" : "rows"].push_back(parse_column(
          db, q.column_text(1), "throughput run " + std::to_string(r.run_id) + " row_json"));
  }
  return out;
}

}  // namespace rgeval::reports
