// Social IQa (lm-eval `social_iqa`, validation, acc) from the original release:
// DIR/siqa/dev.jsonl ({"context", "question", "answerA", "answerB", "answerC"}) and the
// line-aligned DIR/siqa/dev-labels.lst (1, 2 or 3 per line).
#pragma once
#include <string>
#include <vector>

#include "tasks/doc.h"

namespace rgeval::tasks {

// context "Q: {context} {question}\nA:", choices " {answerA}", " {answerB}", " {answerC}",
// gold = label - 1, doc_id = line index. num_fewshot must be 0.
std::vector<Doc> load_siqa(const std::string& data_dir, int num_fewshot, int limit);

}  // namespace rgeval::tasks
