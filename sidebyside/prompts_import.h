// Prompt sets: read from the original files of public benchmarks (first turn for multi-turn
// sets) or from generic JSONL {"id","category","prompt"}, and stored in sxs_prompts.
//   format       file                                   prompt_key            category
//   mt_bench     mt_bench/question.jsonl                mt_bench/<question_id> its category
//   vicuna       vicuna_bench/question.jsonl            vicuna/<question_id>   its category
//   alpaca_eval  alpaca_eval/.../model_outputs.json     alpaca_eval/<index>    its dataset
//   humaneval    humaneval/HumanEval.jsonl[.gz]         <task_id>              coding
//   xstest       xstest/xstest_prompts.csv              xstest/<id>            xstest_<label>
//   advbench     advbench/harmful_behaviors.csv         advbench/<row, 1-based> advbench
//   jsonl        {"id","category","prompt"} per line    <id>                   its category
#pragma once
#include <string>
#include <vector>

#include "store/sqlite_db.h"

namespace rgeval::sidebyside {

inline constexpr size_t kMaxPromptBytes = 64 * 1024;

struct PromptRecord {
  std::string key, source, category, text;
};

// Reads `path` in `format` (one of the names above); `limit` > 0 keeps the first `limit` prompts.
// Errors name the file and line (empty prompts, prompts over kMaxPromptBytes, bad fields).
std::vector<PromptRecord> read_prompts(const std::string& path, const std::string& format,
                                       long limit = 0);

struct ImportCounts {
  size_t added = 0, unchanged = 0;
};
// Stores the prompts in one transaction. A key already present with other text or category is an
// error (prompts of a study never change under its ratings); with the same content it is skipped.
ImportCounts store_prompts(store::Db& db, const std::vector<PromptRecord>& prompts);

// The recognised format names, for help texts.
const std::vector<std::string>& prompt_formats();

}  // namespace rgeval::sidebyside
