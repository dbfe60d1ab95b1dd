// BoolQ (lm-eval `boolq`, validation, acc) from the original DIR/boolq/dev.jsonl
// ({"question", "title", "answer": true|false, "passage"}); SuperGLUE's val.jsonl layout
// ("label": true|false|0|1 instead of "answer") is accepted too.
#pragma once
#include <string>
#include <vector>

#include "tasks/doc.h"

namespace rgeval::tasks {

// context "{passage}\nQuestion: {question}?\nAnswer:", choices " no", " yes", gold = answer
// (false 0, true 1), doc_id = line index. num_fewshot must be 0.
std::vector<Doc> load_boolq(const std::string& data_dir, int num_fewshot, int limit);

}  // namespace rgeval::tasks
