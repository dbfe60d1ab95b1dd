// The scores of every `rgeval safety` run stored in a database: its stored responses scored with
// the run's default classifier (advbench for AdvBench, xstest otherwise) by
// safety::score_responses, the function `rgeval safety` and `rgeval safety score` use, so the
// numbers equal their results.
#pragma once
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "safety/safety_db.h"
#include "safety/score.h"
#include "store/sqlite_db.h"

namespace rgeval::reports {

struct SafetyRun {
  std::string db_path;
  safety::SafetyRunRow run;
  std::string classifier;  // xstest | advbench
  safety::SafetyScore score;
  size_t responses = 0;
  std::vector<std::string> command_lines;  // one per invocation
  // score_json(...) plus "config" {db, run_id, run_key, model, hashes, set, set_file_sha256,
  // sampling, rgeval_version, rgeval_commit, command_line, started_at, responses}.
  nlohmann::ordered_json json;
};

// Every safety run of `db` with at least one response (none without the safety tables), by run id.
std::vector<SafetyRun> load_safety_runs(store::Db& db);

}  // namespace rgeval::reports
