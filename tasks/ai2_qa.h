// ARC-Easy / ARC-Challenge and OpenBookQA from the original AI2 releases: JSON lines
//   {"id", "question": {"stem", "choices": [{"text", "label"}, ...]}, "answerKey"}
// (the source of HF ai2_arc / openbookqa). Layout under the data directory:
//   DIR/arc/ARC-Easy-Test.jsonl, DIR/arc/ARC-Challenge-Test.jsonl, DIR/openbookqa/test.jsonl
#pragma once
#include <string>
#include <vector>

#include "tasks/doc.h"

namespace rgeval::tasks {

// lm-eval arc_easy / arc_challenge (test split, acc + acc_norm): context
// "Question: {stem}\nAnswer:", choices " {text}", gold = labels.index(answerKey) (labels A-E or
// 1-5). `task` is "arc_easy" or "arc_challenge". num_fewshot must be 0.
std::vector<Doc> load_arc(const std::string& task, const std::string& data_dir, int num_fewshot, int limit);

// lm-eval openbookqa (test split, acc + acc_norm): context "{stem}", choices " {text}",
// gold = labels.index(answerKey.lstrip()). num_fewshot must be 0.
std::vector<Doc> load_openbookqa(const std::string& data_dir, int num_fewshot, int limit);

}  // namespace rgeval::tasks
