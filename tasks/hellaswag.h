// HellaSwag (lm-eval `hellaswag`, 0-shot, acc + acc_norm) from the original
// `hellaswag_val.jsonl` (rowanz/hellaswag) and optional `hellaswag_val.doc_ids.txt`.
#pragma once
#include <string>
#include <string_view>
#include <vector>

#include "tasks/doc.h"

namespace rgeval::tasks {

// lm-eval hellaswag utils.preprocess: strip(); " [title]" -> ". "; remove every non-greedy
// "[...]" that does not cross a newline (re.sub(r"\[.*?\]", "", t)); "  " -> " " in one
// left-to-right pass (so three spaces become two).
std::string hellaswag_preprocess(std::string_view text);

// Removes the matches of Python's re.sub(r"\[.*?\]", "", t) ('.' does not match '\n').
std::string remove_bracket_tags(std::string_view text);

// The documents of DIR/hellaswag/hellaswag_val.jsonl (`data_dir` = DIR). doc_id = the line's
// entry in hellaswag_val.doc_ids.txt when that file exists (index in the full validation set),
// else the 0-based line index. `limit` < 0: all. Few-shot needs the train split: num_fewshot
// must be 0.
std::vector<Doc> load_hellaswag(const std::string& data_dir, int num_fewshot, int limit);

}  // namespace rgeval::tasks
