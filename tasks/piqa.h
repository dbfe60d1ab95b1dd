// PIQA (lm-eval `piqa`, 0-shot, acc + acc_norm) from the original line-aligned files
// DIR/piqa/valid.jsonl (goal, sol1, sol2) and DIR/piqa/valid-labels.lst (0 or 1 per line).
#pragma once
#include <string>
#include <vector>

#include "tasks/doc.h"

namespace rgeval::tasks {

// context "Question: {goal}\nAnswer:", choices " {sol1}", " {sol2}" (not stripped), doc_id =
// line index. The labels file must have exactly one label per document. num_fewshot must be 0
// (the few-shot pool is the train split).
std::vector<Doc> load_piqa(const std::string& data_dir, int num_fewshot, int limit);

}  // namespace rgeval::tasks
