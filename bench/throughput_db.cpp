// `rgeval throughput` results in SQLite, beside the evaluation tables (store/): one row per run
// (machine and options as JSON, the headline machine facts as columns) and one per cell.
#include <cmath>

#include "bench/throughput.h"
#include "store/results_db.h"
#include "store/sqlite_db.h"

namespace rgeval::bench {

namespace {

using json = nlohmann::json;
using store::Stmt;

constexpr const char* kSchema = R"sql(
CREATE TABLE IF NOT EXISTS throughput_runs (
  run_id INTEGER PRIMARY KEY,
  started_at TEXT NOT NULL,
  finished_at TEXT,
  command_line TEXT,
  rgeval_version TEXT,
  rgeval_commit TEXT,
  cpu TEXT,
  dnnl_isa TEXT,
  threads INTEGER,
  read_bandwidth_gbs REAL,
  memory_budget_bytes INTEGER,
  machine_json TEXT NOT NULL,
  options_json TEXT NOT NULL,
  memory_json TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS throughput_rows (
  row_id INTEGER PRIMARY KEY,
  run_id INTEGER NOT NULL REFERENCES throughput_runs(run_id) ON DELETE CASCADE,
  model TEXT NOT NULL,
  test TEXT NOT NULL CHECK (test IN ('pp', 'tg')),
  depth INTEGER NOT NULL,
  batch INTEGER NOT NULL,
  n_tokens INTEGER,
  reps INTEGER,
  fill TEXT,
  dtype TEXT,
  at_max_batch INTEGER NOT NULL DEFAULT 0,
  tokens_per_s_median REAL,
  tokens_per_s_min REAL,
  tokens_per_s_max REAL,
  state_bytes INTEGER,
  weight_bytes INTEGER,
  rss_peak_bytes INTEGER,
  roofline_tokens_per_s REAL,
  roofline_fraction REAL,
  skipped INTEGER NOT NULL DEFAULT 0,
  skip_reason TEXT,
  row_json TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS throughput_rows_by_run ON throughput_rows(run_id);
)sql";

std::string text(const json& j, const char* k) {
  return j.contains(k) && j[k].is_string() ? j[k].get<std::string>() : std::string();
}

void bind_num(Stmt& s, int i, const json& j) {
  if (j.is_number_integer()) s.bind(i, j.get<int64_t>());
  else if (j.is_number()) s.bind(i, j.get<double>());
  else s.bind_null(i);
}

void bind_text(Stmt& s, int i, const json& j) {
  if (j.is_string()) s.bind(i, j.get<std::string>());
  else s.bind_null(i);
}

}  // namespace

int64_t store_throughput(const std::string& db_path, const json& R) {
  store::Db db(db_path);
  store::init_schema(db);  // the evaluation tables, so `rgeval eval` accepts the same file
  db.exec(kSchema);
  store::Transaction tx(db);
  const json& M = R.at("machine");
  Stmt run(db,
           "INSERT INTO throughput_runs(started_at, finished_at, command_line, rgeval_version, rgeval_commit, cpu,"
           " dnnl_isa, threads, read_bandwidth_gbs, memory_budget_bytes, machine_json, options_json, memory_json)"
           " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13)");
  run.bind(1, text(R, "started_at"));
  bind_text(run, 2, R.value("finished_at", json()));
  run.bind(3, text(R, "command_line")).bind(4, text(R, "rgeval_version")).bind(5, text(R, "rgeval_commit"));
  run.bind(6, text(M, "cpu")).bind(7, text(M, "dnnl_isa"));
  bind_num(run, 8, M.value("threads", json()));
  bind_num(run, 9, M.value("read_bandwidth_gbs", json()));
  bind_num(run, 10, R.value("memory", json::object()).value("budget_bytes", json()));
  run.bind(11, M.dump()).bind(12, R.value("options", json::object()).dump());
  run.bind(13, R.value("memory", json::object()).dump());
  run.run();
  const int64_t run_id = db.last_insert_rowid();

  Stmt ins(db,
           "INSERT INTO throughput_rows(run_id, model, test, depth, batch, n_tokens, reps, fill, dtype, at_max_batch,"
           " tokens_per_s_median, tokens_per_s_min, tokens_per_s_max, state_bytes, weight_bytes, rss_peak_bytes,"
           " roofline_tokens_per_s, roofline_fraction, skipped, skip_reason, row_json)"
           " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18, ?19, ?20, ?21)");
  auto insert = [&](const json& r, bool skipped) {
    ins.reset();
    ins.bind(1, run_id).bind(2, text(r, "model")).bind(3, text(r, "test"));
    bind_num(ins, 4, r.value("depth", json()));
    bind_num(ins, 5, r.value("batch", json()));
    bind_num(ins, 6, r.value("n_tokens", json()));
    bind_num(ins, 7, r.value("reps", json()));
    bind_text(ins, 8, r.value("fill", json()));
    bind_text(ins, 9, r.value("dtype", json()));
    ins.bind(10, int(r.value("at_max_batch", false)));
    const json t = r.value("tokens_per_s", json::object());
    bind_num(ins, 11, t.value("median", json()));
    bind_num(ins, 12, t.value("min", json()));
    bind_num(ins, 13, t.value("max", json()));
    bind_num(ins, 14, r.value("state_bytes", json()));
    bind_num(ins, 15, r.value("weight_bytes", json()));
    bind_num(ins, 16, r.value("rss_peak_bytes", json()));
    bind_num(ins, 17, r.value("roofline_tokens_per_s", json()));
    bind_num(ins, 18, r.value("roofline_fraction", json()));
    ins.bind(19, int(skipped));
    bind_text(ins, 20, r.value("reason", json()));
    ins.bind(21, r.dump());
    ins.run();
  };
  for (const auto& r : R.value("rows", json::array())) insert(r, false);
  for (const auto& r : R.value("skipped", json::array())) insert(r, true);
  tx.commit();
  return run_id;
}

}  // namespace rgeval::bench
