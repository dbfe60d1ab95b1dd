// The evaluation results store (SQLite). One row per run (what was evaluated, keyed by a hash of
// everything that determines the numbers), one per invocation of a run (attempt: the first run and
// every resume, with its token statistics), one per scored document (predictions) and one per
// request (choice) with its log-likelihood. Documents are written one transaction each, so a
// killed process loses nothing committed; a document and its requests are all-or-nothing.
// Schema: docs/tasks.md, "Results database".
#pragma once
#include <cstdint>
#include <functional>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "store/sqlite_db.h"

namespace rgeval::store {

constexpr int kSchemaVersion = 1;

// Creates the tables of a new database or checks the schema version of an existing one (throws
// naming the file for a newer version or a database that is not rgeval's).
void init_schema(Db& db);

// Column definitions (SQL, one a line, each ending in a comma) that the run tables of `rgeval
// eval` (runs, attempts) and of `rgeval safety` (safety_runs, safety_attempts, safety/safety_db.h)
// share. A run: its id, key, identity and the model identity (run_id ... compute_dtype).
inline constexpr const char* kRunKeyAndModelColumns =
    R"sql(  run_id              INTEGER PRIMARY KEY,
  run_key             TEXT NOT NULL UNIQUE,
  identity            TEXT NOT NULL,
  model               TEXT NOT NULL,
  model_config_sha256 TEXT NOT NULL,
  weights_fingerprint TEXT NOT NULL,
  tokenizer_sha256    TEXT NOT NULL,
  weights_dtype       TEXT NOT NULL,
  compute_dtype       TEXT NOT NULL,
)sql";
// A run's provenance, the last columns of its table (the last one without a comma).
inline constexpr const char* kRunProvenanceColumns = R"sql(  rgeval_version      TEXT NOT NULL,
  rgeval_commit       TEXT NOT NULL,
  command_line        TEXT NOT NULL,
  started_at          TEXT NOT NULL
)sql";
// An attempt (one invocation of a run of `runs_table`): attempt_id ... pid, its --limit in the
// column `limit_column`.
std::string attempt_columns(const std::string& runs_table, const std::string& limit_column);

// What identifies the model of a run (tasks::model_identity computes it; the columns model ...
// compute_dtype of runs and safety_runs).
struct ModelIdentity {
  std::string model;                // directory or builtin:NAME, as given
  std::string config_sha256;        // canonical JSON of the ModelConfig (architecture and shapes)
  std::string weights_fingerprint;  // sha256 over each safetensors file's name, size and header
                                    // (tensor names, dtypes, shapes, offsets); built-ins: name
  std::string tokenizer_sha256;     // the tokenizer.model bytes (or the built-in tokenizer)
  std::string weights_dtype;        // dtype of the embedding tensor ("F32", "BF16")
  std::string compute_dtype;        // what the engine computes in
};

// Binds run_key, identity and the model identity to the parameters ?1 ... ?8 of an INSERT into
// the columns run_key ... compute_dtype (kRunKeyAndModelColumns without run_id).
void bind_run_key_and_model(Stmt& s, const std::string& run_key, const std::string& identity,
                            const ModelIdentity& m);

struct RunInfo {
  std::string run_key;   // sha256 of `identity`
  std::string identity;  // canonical JSON of what determines the results
  ModelIdentity model;
  std::string tasks;       // JSON array of the task names
  int num_fewshot = -1;    // -1: each task's default
  bool naive = false;      // one forward per request
  std::string data_files;  // JSON object: path relative to the data dir -> sha256
  std::string rgeval_version, rgeval_commit, command_line, started_at;
};

// The run with info.run_key, created when absent (`*created` tells which). The stored row keeps
// the first invocation's command line and start time.
int64_t find_or_create_run(Db& db, const RunInfo& info, bool* created = nullptr);

struct AttemptInfo {
  int64_t run_id = 0;
  std::string started_at, command_line, rgeval_version, rgeval_commit;
  int threads = 0;
  int limit = -1;
  int pid = 0;
};
int64_t begin_attempt(Db& db, const AttemptInfo& a);
// Adds model work to an attempt (its own transaction).
void add_attempt_tokens(Db& db, int64_t attempt_id, int64_t tokens_forwarded);
void finish_attempt(Db& db, int64_t attempt_id, const std::string& finished_at, double seconds);

struct RequestRow {
  int choice_index = 0;
  int n_context_tokens = 0;
  std::vector<int> continuation_ids;
  double sum_logprob = 0;  // NaN is stored as NULL
  bool is_greedy = false;
  bool fallback = false;  // continuation encoded on its own (encode_pair)
};

struct DocumentRow {
  std::string task;  // leaf task
  int doc_id = 0;
  int gold = -1, pred_acc = -1, pred_acc_norm = -1;
  std::vector<RequestRow> requests;  // by choice index
  int64_t attempt_id = 0;
  std::string computed_at;
};

// Stores a document and its requests in one transaction and counts it (and `tokens_naive`) in
// its attempt. A document already stored for the run (another process got there first) is left
// as it is; returns false then. `before_commit` (tests) runs inside the open transaction.
bool store_document(Db& db, int64_t run_id, const DocumentRow& doc, int64_t tokens_naive,
                    const std::function<void()>& before_commit = {});

// (task, doc_id) of every document stored for the run.
std::set<std::pair<std::string, int>> stored_document_keys(Db& db, int64_t run_id);
// Every document of the run with its requests, ordered by task and doc_id.
std::vector<DocumentRow> load_documents(Db& db, int64_t run_id);

struct RunStats {
  int64_t attempts = 0, docs_computed = 0, tokens_forwarded = 0, tokens_naive = 0;
};
RunStats run_stats(Db& db, int64_t run_id);
RunStats attempt_stats(Db& db, int64_t attempt_id);

// "[1,2,3]" <-> ids (the continuation_ids column).
std::string ids_to_json(const std::vector<int>& ids);
std::vector<int> ids_from_json(const std::string& s);

}  // namespace rgeval::store
