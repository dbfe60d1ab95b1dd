// Safety runs in the results database (SQLite, the file `rgeval eval` and `throughput` use):
// tables safety_runs (one per run key), safety_attempts (one per invocation) and
// safety_responses (one per prompt, written in its own transaction). Created with
// IF NOT EXISTS beside the evaluation tables. Schema: docs/safety.md.
#pragma once
#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "store/sqlite_db.h"
#include "tasks/evaluate.h"

namespace rgeval::safety {

// The evaluation schema (store::init_schema) and the safety tables.
void init_safety_schema(store::Db& db);

struct SafetyRunRow {
  int64_t run_id = 0;
  std::string run_key;         // sha256 of `identity`
  std::string identity;        // canonical JSON of what determines the responses
  tasks::ModelIdentity model;  // .model: directory or builtin:NAME, as given
  std::string prompt_set;      // --set as given: xstest | advbench | simplesafetytests | FILE.jsonl
  std::string set_name;        // xstest, ..., or the JSONL file's name without .jsonl
  std::string set_file_sha256;  // the prompt file's bytes
  std::string sampling;  // JSON: max_new_tokens, temperature, top_k, top_p, seed, stop_strings
  std::string rgeval_version, rgeval_commit, command_line, started_at;
};

// The run with row.run_key, created when absent (started_at is set by the database).
int64_t find_or_create_safety_run(store::Db& db, const SafetyRunRow& row);
SafetyRunRow load_safety_run(store::Db& db, int64_t run_id);  // throws naming the file when absent
// "latest" (the run of the most recent invocation) or a run id.
int64_t resolve_safety_run(store::Db& db, const std::string& run);

struct SafetyAttempt {
  int64_t run_id = 0;
  std::string command_line, rgeval_version, rgeval_commit;
  int threads = 0, limit = -1;
};
int64_t begin_safety_attempt(store::Db& db, const SafetyAttempt& a);
void finish_safety_attempt(store::Db& db, int64_t attempt_id, double seconds);

struct ResponseRow {
  std::string prompt_id;
  int seq = 0;  // position in the prompt file
  std::string category;
  bool should_refuse = true;
  std::string prompt, response;
  std::vector<int> response_ids;
  int prompt_tokens = 0;  // the chat-formatted prompt incl. <bos>
  std::string stop_reason;
  double prefill_seconds = 0, decode_seconds = 0;
  int64_t attempt_id = 0;
  std::string computed_at;  // set by the database
};

// Stores one response and counts it in its attempt, in one transaction. A response already
// stored for the run (another process got there first) is kept; returns false then.
// `before_commit` (tests) runs inside the open transaction.
bool store_response(store::Db& db, int64_t run_id, const ResponseRow& r,
                    const std::function<void()>& before_commit = {});
// Every response of the run, by seq.
std::vector<ResponseRow> load_responses(store::Db& db, int64_t run_id);

}  // namespace rgeval::safety
