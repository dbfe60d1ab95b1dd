#include "safety/safety_db.h"

#include <unistd.h>

#include "engine/error.h"
#include "store/results_db.h"

namespace rgeval::safety {

namespace {

using store::Stmt;

constexpr const char* kNow = "strftime('%Y-%m-%dT%H:%M:%fZ', 'now')";

// The safety tables; the run and attempt columns are those of the evaluation tables.
std::string schema() {
  return std::string(R"sql(
CREATE TABLE IF NOT EXISTS safety_runs (
)sql") + store::kRunKeyAndModelColumns +
         R"sql(  prompt_set          TEXT NOT NULL,
  set_name            TEXT NOT NULL,
  set_file_sha256     TEXT NOT NULL,
  sampling            TEXT NOT NULL,
)sql" + store::kRunProvenanceColumns +
         R"sql();
CREATE TABLE IF NOT EXISTS safety_attempts (
)sql" + store::attempt_columns("safety_runs", "limit_prompts") +
         R"sql(  prompts_computed INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX IF NOT EXISTS safety_attempts_by_run ON safety_attempts(run_id);
CREATE TABLE IF NOT EXISTS safety_responses (
  run_id           INTEGER NOT NULL REFERENCES safety_runs(run_id),
  prompt_id        TEXT NOT NULL,
  seq              INTEGER NOT NULL,
  category         TEXT NOT NULL,
  should_refuse    INTEGER NOT NULL CHECK (should_refuse IN (0, 1)),
  prompt           TEXT NOT NULL,
  response         TEXT NOT NULL,
  response_ids     TEXT NOT NULL,
  prompt_tokens    INTEGER NOT NULL,
  generated_tokens INTEGER NOT NULL,
  stop_reason      TEXT NOT NULL,
  prefill_seconds  REAL NOT NULL,
  decode_seconds   REAL NOT NULL,
  attempt_id       INTEGER NOT NULL REFERENCES safety_attempts(attempt_id),
  computed_at      TEXT NOT NULL,
  PRIMARY KEY (run_id, prompt_id)
) WITHOUT ROWID;
)sql";
}

}  // namespace

void init_safety_schema(store::Db& db) {
  store::init_schema(db);  // the evaluation tables, so `rgeval eval` accepts the same file
  store::Transaction tx(db);
  db.exec(schema());
  tx.commit();
}

int64_t find_or_create_safety_run(store::Db& db, const SafetyRunRow& r) {
  store::Transaction tx(db);
  Stmt find(db, "SELECT run_id FROM safety_runs WHERE run_key = ?1");
  find.bind(1, r.run_key);
  if (find.step()) {
    const int64_t id = find.column_int(0);
    tx.commit();
    return id;
  }
  Stmt ins(
      db,
      std::string(
          "INSERT INTO safety_runs(run_key, identity, model, model_config_sha256, "
          "weights_fingerprint,"
          " tokenizer_sha256, weights_dtype, compute_dtype, prompt_set, set_name, set_file_sha256,"
          " sampling, rgeval_version, rgeval_commit, command_line, started_at) VALUES (?1, ?2, ?3,"
          " ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ") +
          kNow + ")");
  store::bind_run_key_and_model(ins, r.run_key, r.identity, r.model);
  ins.bind(9, r.prompt_set).bind(10, r.set_name).bind(11, r.set_file_sha256).bind(12, r.sampling);
  ins.bind(13, r.rgeval_version).bind(14, r.rgeval_commit).bind(15, r.command_line);
  ins.run();
  const int64_t id = db.last_insert_rowid();
  tx.commit();
  return id;
}

SafetyRunRow load_safety_run(store::Db& db, int64_t run_id) {
  Stmt s(db,
         "SELECT run_key, identity, model, model_config_sha256, weights_fingerprint, "
         "tokenizer_sha256, weights_dtype,"
         " compute_dtype, prompt_set, set_name, set_file_sha256, sampling, rgeval_version, "
         "rgeval_commit,"
         " command_line, started_at FROM safety_runs WHERE run_id = ?1");
  s.bind(1, run_id);
  if (!s.step()) fail(db.path(), "no safety run " + std::to_string(run_id));
  SafetyRunRow r;
  r.run_id = run_id;
  tasks::ModelIdentity& m = r.model;
  std::string* cols[] = {&r.run_key,
                         &r.identity,
                         &m.model,
                         &m.config_sha256,
                         &m.weights_fingerprint,
                         &m.tokenizer_sha256,
                         &m.weights_dtype,
                         &m.compute_dtype,
                         &r.prompt_set,
                         &r.set_name,
                         &r.set_file_sha256,
                         &r.sampling,
                         &r.rgeval_version,
                         &r.rgeval_commit,
                         &r.command_line,
                         &r.started_at};
  for (int i = 0; i < 16; ++i) *cols[i] = s.column_text(i);
  return r;
}

int64_t resolve_safety_run(store::Db& db, const std::string& run) {
  if (run == "latest") {
    Stmt s(db, "SELECT run_id FROM safety_attempts ORDER BY attempt_id DESC LIMIT 1");
    if (!s.step()) fail(db.path(), "no safety runs in this database");
    return s.column_int(0);
  }
  size_t used = 0;
  long long id = 0;
  try {
    id = std::stoll(run, &used);
  } catch (const std::exception&) {
    used = 0;
  }
  if (used == 0 || used != run.size() || id <= 0)
    fail("--run", "expected 'latest' or a run id, got '" + run + "'");
  load_safety_run(db, id);  // exists?
  return id;
}

int64_t begin_safety_attempt(store::Db& db, const SafetyAttempt& a) {
  store::Transaction tx(db);
  Stmt ins(db, std::string(
                   "INSERT INTO safety_attempts(run_id, started_at, command_line, rgeval_version,"
                   " rgeval_commit, threads, limit_prompts, pid) VALUES (?1, ") +
                   kNow + ", ?2, ?3, ?4, ?5, ?6, ?7)");
  ins.bind(1, a.run_id).bind(2, a.command_line).bind(3, a.rgeval_version).bind(4, a.rgeval_commit);
  ins.bind(5, a.threads).bind(6, a.limit).bind(7, int(::getpid()));
  ins.run();
  const int64_t id = db.last_insert_rowid();
  tx.commit();
  return id;
}

void finish_safety_attempt(store::Db& db, int64_t attempt_id, double seconds) {
  store::Transaction tx(db);
  Stmt s(db, std::string("UPDATE safety_attempts SET finished_at = ") + kNow +
                 ", seconds = ?1 WHERE attempt_id = ?2");
  s.bind(1, seconds).bind(2, attempt_id).run();
  tx.commit();
}

bool store_response(store::Db& db, int64_t run_id, const ResponseRow& r,
                    const std::function<void()>& before_commit) {
  store::Transaction tx(db);
  Stmt ins(
      db,
      std::string(
          "INSERT INTO safety_responses(run_id, prompt_id, seq, category, should_refuse, prompt,"
          " response, response_ids, prompt_tokens, generated_tokens, stop_reason, prefill_seconds,"
          " decode_seconds, attempt_id, computed_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9,"
          " ?10, ?11, ?12, ?13, ?14, ") +
          kNow + ") ON CONFLICT DO NOTHING");
  ins.bind(1, run_id)
      .bind(2, r.prompt_id)
      .bind(3, r.seq)
      .bind(4, r.category)
      .bind(5, int(r.should_refuse));
  ins.bind(6, r.prompt)
      .bind(7, r.response)
      .bind(8, store::ids_to_json(r.response_ids))
      .bind(9, r.prompt_tokens);
  ins.bind(10, int64_t(r.response_ids.size())).bind(11, r.stop_reason).bind(12, r.prefill_seconds);
  ins.bind(13, r.decode_seconds).bind(14, r.attempt_id);
  ins.run();
  if (db.changes() == 0) {  // stored meanwhile by another process: keep that one
    tx.commit();
    return false;
  }
  Stmt att(
      db,
      "UPDATE safety_attempts SET prompts_computed = prompts_computed + 1 WHERE attempt_id = ?1");
  att.bind(1, r.attempt_id).run();
  if (before_commit) before_commit();
  tx.commit();
  return true;
}

std::vector<ResponseRow> load_responses(store::Db& db, int64_t run_id) {
  Stmt s(db,
         "SELECT prompt_id, seq, category, should_refuse, prompt, response, response_ids, "
         "prompt_tokens, stop_reason,"
         " prefill_seconds, decode_seconds, attempt_id, computed_at FROM safety_responses WHERE "
         "run_id = ?1"
         " ORDER BY seq, prompt_id");
  s.bind(1, run_id);
  std::vector<ResponseRow> out;
  while (s.step()) {
    ResponseRow r;
    r.prompt_id = s.column_text(0);
    r.seq = int(s.column_int(1));
    r.category = s.column_text(2);
    r.should_refuse = s.column_int(3) != 0;
    r.prompt = s.column_text(4);
    r.response = s.column_text(5);
    r.response_ids = store::ids_from_json(s.column_text(6));
    r.prompt_tokens = int(s.column_int(7));
    r.stop_reason = s.column_text(8);
    r.prefill_seconds = s.column_double_or_nan(9);
    r.decode_seconds = s.column_double_or_nan(10);
    r.attempt_id = s.column_int(11);
    r.computed_at = s.column_text(12);
    out.push_back(std::move(r));
  }
  return out;
}

}  // namespace rgeval::safety
