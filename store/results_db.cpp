#include "store/results_db.h"

#include <unistd.h>

#include <algorithm>
#include <nlohmann/json.hpp>

#include "engine/error.h"
#include "engine/version.h"

namespace rgeval::store {

namespace {

// The tables of `rgeval eval` (the safety tables are added by safety/safety_db.cpp).
std::string schema() {
  return std::string(R"sql(
CREATE TABLE meta (
  key   TEXT PRIMARY KEY,
  value TEXT NOT NULL
);
CREATE TABLE runs (
)sql") + kRunKeyAndModelColumns +
         R"sql(  tasks               TEXT NOT NULL,
  num_fewshot         INTEGER NOT NULL,
  naive               INTEGER NOT NULL CHECK (naive IN (0, 1)),
  data_files          TEXT NOT NULL,
)sql" + kRunProvenanceColumns +
         R"sql();
CREATE TABLE attempts (
)sql" + attempt_columns("runs", "limit_docs") +
         R"sql(  docs_computed    INTEGER NOT NULL DEFAULT 0,
  tokens_forwarded INTEGER NOT NULL DEFAULT 0,
  tokens_naive     INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX attempts_by_run ON attempts(run_id);
CREATE TABLE documents (
  run_id        INTEGER NOT NULL REFERENCES runs(run_id),
  task          TEXT NOT NULL,
  doc_id        INTEGER NOT NULL,
  n_choices     INTEGER NOT NULL,
  gold          INTEGER NOT NULL,
  pred_acc      INTEGER NOT NULL,
  pred_acc_norm INTEGER NOT NULL,
  attempt_id    INTEGER NOT NULL REFERENCES attempts(attempt_id),
  computed_at   TEXT NOT NULL,
  PRIMARY KEY (run_id, task, doc_id)
) WITHOUT ROWID;
CREATE TABLE requests (
  run_id           INTEGER NOT NULL,
  task             TEXT NOT NULL,
  doc_id           INTEGER NOT NULL,
  choice_index     INTEGER NOT NULL,
  n_context_tokens INTEGER NOT NULL,
  continuation_ids TEXT NOT NULL,
  sum_logprob      REAL,
  is_greedy        INTEGER NOT NULL CHECK (is_greedy IN (0, 1)),
  fallback         INTEGER NOT NULL CHECK (fallback IN (0, 1)),
  PRIMARY KEY (run_id, task, doc_id, choice_index),
  FOREIGN KEY (run_id, task, doc_id) REFERENCES documents(run_id, task, doc_id)
) WITHOUT ROWID;
CREATE VIEW run_stats AS
  SELECT run_id, COUNT(*) AS attempts, SUM(docs_computed) AS docs_computed,
         SUM(tokens_forwarded) AS tokens_forwarded, SUM(tokens_naive) AS tokens_naive
  FROM attempts GROUP BY run_id;
)sql";
}

int user_version(Db& db) {
  Stmt s(db, "PRAGMA user_version");
  return s.step() ? int(s.column_int(0)) : 0;
}

RunStats read_stats(Stmt& s) {
  RunStats r;
  if (s.step()) {
    r.attempts = s.column_int(0);
    r.docs_computed = s.column_int(1);
    r.tokens_forwarded = s.column_int(2);
    r.tokens_naive = s.column_int(3);
  }
  return r;
}

}  // namespace

void init_schema(Db& db) {
  Transaction tx(db);
  const int v = user_version(db);
  if (v == kSchemaVersion) return tx.commit();
  if (v > kSchemaVersion)
    fail(db.path(), "results database has schema version " + std::to_string(v) +
                        ", newer than this rgeval's (" + std::to_string(kSchemaVersion) + ")");
  Stmt tables(db, "SELECT COUNT(*) FROM sqlite_master WHERE type = 'table'");
  tables.step();
  if (tables.column_int(0) != 0)
    fail(db.path(), "not an rgeval results database (it has other tables)");
  db.exec(schema());
  Stmt meta(db, "INSERT INTO meta(key, value) VALUES (?1, ?2)");
  meta.bind(1, "schema_version").bind(2, std::to_string(kSchemaVersion)).run();
  meta.reset();
  meta.bind(1, "created_by")
      .bind(2, std::string("rgeval ") + rgeval::version() + " (" + rgeval::commit() + ")")
      .run();
  db.exec("PRAGMA user_version = " + std::to_string(kSchemaVersion));  // an integer constant
  tx.commit();
}

std::string attempt_columns(const std::string& runs_table, const std::string& limit_column) {
  std::string limit = limit_column;
  limit.resize(std::max<size_t>(limit.size(), 16), ' ');  // the names are aligned
  return "  attempt_id       INTEGER PRIMARY KEY,\n"
         "  run_id           INTEGER NOT NULL REFERENCES " +
         runs_table +
         "(run_id),\n"
         "  started_at       TEXT NOT NULL,\n"
         "  finished_at      TEXT,\n"
         "  seconds          REAL,\n"
         "  command_line     TEXT NOT NULL,\n"
         "  rgeval_version   TEXT NOT NULL,\n"
         "  rgeval_commit    TEXT NOT NULL,\n"
         "  threads          INTEGER NOT NULL,\n"
         "  " +
         limit +
         " INTEGER NOT NULL,\n"
         "  pid              INTEGER NOT NULL,\n";
}

void bind_run_key_and_model(Stmt& s, const std::string& run_key, const std::string& identity,
                            const ModelIdentity& m) {
  s.bind(1, run_key).bind(2, identity).bind(3, m.model).bind(4, m.config_sha256);
  s.bind(5, m.weights_fingerprint).bind(6, m.tokenizer_sha256);
  s.bind(7, m.weights_dtype).bind(8, m.compute_dtype);
}

int64_t find_or_create_run(Db& db, const RunInfo& r, bool* created) {
  Transaction tx(db);
  Stmt find(db, "SELECT run_id FROM runs WHERE run_key = ?1");
  find.bind(1, r.run_key);
  if (find.step()) {
    const int64_t id = find.column_int(0);
    tx.commit();
    if (created) *created = false;
    return id;
  }
  Stmt ins(db,
           "INSERT INTO runs(run_key, identity, model, model_config_sha256, weights_fingerprint, "
           "tokenizer_sha256,"
           " weights_dtype, compute_dtype, tasks, num_fewshot, naive, data_files, rgeval_version, "
           "rgeval_commit,"
           " command_line, started_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, "
           "?13, ?14, ?15, ?16)");
  bind_run_key_and_model(ins, r.run_key, r.identity, r.model);
  ins.bind(9, r.tasks).bind(10, r.num_fewshot).bind(11, int(r.naive)).bind(12, r.data_files);
  ins.bind(13, r.rgeval_version)
      .bind(14, r.rgeval_commit)
      .bind(15, r.command_line)
      .bind(16, r.started_at);
  ins.run();
  const int64_t id = db.last_insert_rowid();
  tx.commit();
  if (created) *created = true;
  return id;
}

int64_t begin_attempt(Db& db, const AttemptInfo& a) {
  Transaction tx(db);
  Stmt ins(db,
           "INSERT INTO attempts(run_id, started_at, command_line, rgeval_version, rgeval_commit, "
           "threads,"
           " limit_docs, pid) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)");
  ins.bind(1, a.run_id).bind(2, a.started_at).bind(3, a.command_line).bind(4, a.rgeval_version);
  ins.bind(5, a.rgeval_commit)
      .bind(6, a.threads)
      .bind(7, a.limit)
      .bind(8, a.pid ? a.pid : int(::getpid()));
  ins.run();
  const int64_t id = db.last_insert_rowid();
  tx.commit();
  return id;
}

void add_attempt_tokens(Db& db, int64_t attempt_id, int64_t tokens_forwarded) {
  Transaction tx(db);
  Stmt s(db, "UPDATE attempts SET tokens_forwarded = tokens_forwarded + ?1 WHERE attempt_id = ?2");
  s.bind(1, tokens_forwarded).bind(2, attempt_id).run();
  tx.commit();
}

void finish_attempt(Db& db, int64_t attempt_id, const std::string& finished_at, double seconds) {
  Transaction tx(db);
  Stmt s(db, "UPDATE attempts SET finished_at = ?1, seconds = ?2 WHERE attempt_id = ?3");
  s.bind(1, finished_at).bind(2, seconds).bind(3, attempt_id).run();
  tx.commit();
}

bool store_document(Db& db, int64_t run_id, const DocumentRow& d, int64_t tokens_naive,
                    const std::function<void()>& before_commit) {
  Transaction tx(db);
  Stmt doc(db,
           "INSERT INTO documents(run_id, task, doc_id, n_choices, gold, pred_acc, pred_acc_norm, "
           "attempt_id,"
           " computed_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9) ON CONFLICT DO NOTHING");
  doc.bind(1, run_id)
      .bind(2, d.task)
      .bind(3, d.doc_id)
      .bind(4, int64_t(d.requests.size()))
      .bind(5, d.gold);
  doc.bind(6, d.pred_acc).bind(7, d.pred_acc_norm).bind(8, d.attempt_id).bind(9, d.computed_at);
  doc.run();
  if (db.changes() == 0) {  // stored meanwhile by another process: keep that one
    tx.commit();
    return false;
  }
  Stmt req(
      db,
      "INSERT INTO requests(run_id, task, doc_id, choice_index, n_context_tokens, continuation_ids,"
      " sum_logprob, is_greedy, fallback) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)");
  for (const RequestRow& r : d.requests) {
    req.reset();
    req.bind(1, run_id)
        .bind(2, d.task)
        .bind(3, d.doc_id)
        .bind(4, r.choice_index)
        .bind(5, r.n_context_tokens);
    req.bind(6, ids_to_json(r.continuation_ids)).bind(7, r.sum_logprob).bind(8, int(r.is_greedy));
    req.bind(9, int(r.fallback)).run();
  }
  Stmt att(db,
           "UPDATE attempts SET docs_computed = docs_computed + 1, tokens_naive = tokens_naive + ?1"
           " WHERE attempt_id = ?2");
  att.bind(1, tokens_naive).bind(2, d.attempt_id).run();
  if (before_commit) before_commit();
  tx.commit();
  return true;
}

std::set<std::pair<std::string, int>> stored_document_keys(Db& db, int64_t run_id) {
  std::set<std::pair<std::string, int>> keys;
  Stmt s(db, "SELECT task, doc_id FROM documents WHERE run_id = ?1");
  s.bind(1, run_id);
  while (s.step()) keys.emplace(s.column_text(0), int(s.column_int(1)));
  return keys;
}

std::vector<DocumentRow> load_documents(Db& db, int64_t run_id) {
  std::vector<DocumentRow> docs;
  Stmt d(
      db,
      "SELECT task, doc_id, gold, pred_acc, pred_acc_norm, attempt_id, computed_at FROM documents"
      " WHERE run_id = ?1 ORDER BY task, doc_id");
  d.bind(1, run_id);
  while (d.step()) {
    DocumentRow r;
    r.task = d.column_text(0);
    r.doc_id = int(d.column_int(1));
    r.gold = int(d.column_int(2));
    r.pred_acc = int(d.column_int(3));
    r.pred_acc_norm = int(d.column_int(4));
    r.attempt_id = d.column_int(5);
    r.computed_at = d.column_text(6);
    docs.push_back(std::move(r));
  }
  Stmt q(db,
         "SELECT task, doc_id, choice_index, n_context_tokens, continuation_ids, sum_logprob, "
         "is_greedy, fallback"
         " FROM requests WHERE run_id = ?1 ORDER BY task, doc_id, choice_index");
  q.bind(1, run_id);
  size_t k = 0;  // both queries walk (task, doc_id) in the same order
  while (q.step()) {
    const std::string task = q.column_text(0);
    const int doc_id = int(q.column_int(1));
    while (k < docs.size() && (docs[k].task != task || docs[k].doc_id != doc_id)) ++k;
    if (k == docs.size())
      fail(db.path(), "request without its document (" + task + " " + std::to_string(doc_id) + ")");
    RequestRow r;
    r.choice_index = int(q.column_int(2));
    r.n_context_tokens = int(q.column_int(3));
    r.continuation_ids = ids_from_json(q.column_text(4));
    r.sum_logprob = q.column_double_or_nan(5);
    r.is_greedy = q.column_int(6) != 0;
    r.fallback = q.column_int(7) != 0;
    docs[k].requests.push_back(std::move(r));
  }
  return docs;
}

RunStats run_stats(Db& db, int64_t run_id) {
  Stmt s(db,
         "SELECT COUNT(*), COALESCE(SUM(docs_computed), 0), COALESCE(SUM(tokens_forwarded), 0),"
         " COALESCE(SUM(tokens_naive), 0) FROM attempts WHERE run_id = ?1");
  s.bind(1, run_id);
  return read_stats(s);
}

RunStats attempt_stats(Db& db, int64_t attempt_id) {
  Stmt s(db,
         "SELECT 1, docs_computed, tokens_forwarded, tokens_naive FROM attempts WHERE attempt_id = "
         "?1");
  s.bind(1, attempt_id);
  return read_stats(s);
}

std::string ids_to_json(const std::vector<int>& ids) {
  std::string s = "[";
  for (size_t i = 0; i < ids.size(); ++i) {
    if (i) s += ',';
    s += std::to_string(ids[i]);
  }
  return s + "]";
}

std::vector<int> ids_from_json(const std::string& s) {
  try {
    return nlohmann::json::parse(s).get<std::vector<int>>();
  } catch (const nlohmann::json::exception& e) {
    fail("continuation_ids", "not a JSON array of ids: '" + s.substr(0, 40) + "'");
  }
}

}  // namespace rgeval::store
