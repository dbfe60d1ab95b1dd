// `rgeval eval`: documents -> lm-eval requests -> encode_pair -> rgeval::score, stored in the
// results database as they are computed, metrics computed from the database.
//
// Flow: every task's documents are loaded first (bad data stops before any work, with file and
// line). The run key (sha256 of the model identity, compute dtype, tasks, few-shot, data file
// hashes, --naive) selects the run in the database; documents already stored for it are skipped.
// The others are scored in units of up to `unit_docs` documents of one leaf task (one MMLU
// subject, ...), so the shared few-shot prefix is forwarded once per unit and every choice is
// scored from a fork. Each document is committed as soon as all its choices are scored. Metrics,
// --out JSON and --log-samples are built from the database, so a resumed run reports exactly
// what an uninterrupted one does. Details: docs/tasks.md ("Evaluation").
#pragma once
#include <cstdint>
#include <functional>
#include <map>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "engine/checkpoint.h"
#include "engine/model.h"
#include "engine/scoring.h"
#include "engine/tokenizer.h"
#include "store/results_db.h"
#include "tasks/metrics.h"

namespace rgeval::tasks {

struct EvalCluster;  // tasks/eval_cluster.h

// What identifies the model in a run key (store/results_db.h).
using ModelIdentity = store::ModelIdentity;

ModelIdentity model_identity(const std::string& model_spec, const Checkpoint& ck, const Model& m);

// The identity's hashes and dtypes as JSON, without the path (model_config_sha256,
// weights_fingerprint, tokenizer_sha256, weights_dtype, compute_dtype): the model in the results
// JSON of `rgeval eval` and `rgeval safety`, and in the run key of `rgeval safety`.
nlohmann::ordered_json model_identity_json(const ModelIdentity& id);

// Data files a task reads under `data_dir` (relative paths, those that exist), for the run key.
std::vector<std::string> task_data_files(const std::string& task, const std::string& data_dir,
                                         int num_fewshot);

struct EvalProgress {
  size_t docs_done = 0;      // stored (before this run or now) among the selected documents
  size_t docs_total = 0;     // selected documents
  size_t docs_computed = 0;  // scored by this invocation
  double seconds = 0;        // since scoring started
  double docs_per_s = 0;     // docs_computed / seconds
  double tokens_per_s = 0;   // tokens forwarded (finished units) per second of those units
  double eta_seconds = -1;   // -1: unknown
  bool final = false;
};

// "rgeval: eval 120/605 docs (19.8%), 3.1 docs/s, 2450 tok/s, ETA 2m36s"
std::string format_progress(const EvalProgress& p);

// A duration in a progress line ("42s", "2m36s", "1h05m"; rounded to seconds, negative as 0s),
// also the one of `rgeval safety` (safety/run.h).
std::string format_duration(double seconds);

struct EvalOptions {
  std::vector<std::string> tasks;  // mmlu, hellaswag, piqa, mmlu_<subject>, ...
  std::string data_dir;
  int num_fewshot = -1;  // -1: each task's default
  int limit = -1;        // first N documents per leaf task (per MMLU subject); -1: all
  bool naive = false;    // one forward per request (no prefix sharing)
  std::string db_path = "rgeval.db";
  std::string log_samples;                               // JSONL path, "" = none
  std::string command_line;                              // recorded in the database and the results
  int threads = 0;                                       // recorded only (the Model has its own)
  size_t unit_docs = 64;                                 // documents per call to rgeval::score
  std::function<void(const EvalProgress&)> on_progress;  // after each document and at the end
  // TEST ONLY (RGEVAL_TEST_KILL_AFTER_DOCS): SIGKILL the process while the transaction of the
  // (N+1)-th document computed by this invocation is open, i.e. after N documents committed.
  int test_kill_after_docs = -1;
  // Several processes (MPI, docs/mpi.md): every rank calls evaluate with the same options; the
  // documents are sharded over the ranks (tasks/shard.h) and only rank 0 opens the database and
  // returns the results (the other ranks return their own counts only). nullptr: one process.
  EvalCluster* cluster = nullptr;
};

struct EvalResult {
  nlohmann::ordered_json json;  // {"results", "groups", "config", "efficiency"}
  std::vector<TaskMetrics> tasks;
  std::vector<GroupMetrics> groups;
  int64_t run_id = 0, attempt_id = 0;
  std::string run_key;
  size_t docs_total = 0, docs_reused = 0, docs_computed = 0;
  ScoreStats invocation;  // model work of this invocation
  ScoreStats run;         // summed over every invocation of the run
};

EvalResult evaluate(const Model& model, const Tokenizer& tok, const ModelIdentity& id,
                    const EvalOptions& o);

// A fixed-width table of the task and group metrics.
std::string format_table(const EvalResult& r);

}  // namespace rgeval::tasks
