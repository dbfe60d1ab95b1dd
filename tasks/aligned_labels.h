// Labels kept in a separate file, one per line, aligned with the lines of a JSONL file (PIQA
// valid-labels.lst, SIQA dev-labels.lst): the label of the record on line k is line k.
#pragma once
#include <functional>
#include <string>
#include <vector>

#include "tasks/doc.h"
#include "tasks/jsonl.h"

namespace rgeval::tasks {

// One label per record (trailing spaces/tabs removed). Throws rgeval::Error naming the labels
// file when it has fewer lines than the JSONL file (and the first record without a label), or
// extra non-empty lines.
std::vector<std::string> aligned_labels(const std::string& labels_path,
                                        const std::vector<JsonRecord>& records,
                                        const std::string& jsonl_path);

// Sets a document's context and choice_texts from its JSONL record.
using FillDoc = std::function<void(const JsonRecord&, Doc&)>;

// The multiple-choice task `task` (PIQA, SIQA) read from STEM.jsonl and the line-aligned labels
// STEM-labels.lst: the first `limit` documents (-1: all), doc_id = line index, choices
// " {choice_text}", gold = the index of the label in `labels` (the valid labels). Throws for
// num_fewshot > 0 (the few-shot pool is the train split, which rgeval does not read) and for a
// label not in `labels` ("expected label 1, 2 or 3, got 'x'", naming the labels file's line).
std::vector<Doc> load_aligned_labels_task(const std::string& task, const std::string& stem,
                                          const std::vector<std::string>& labels,
                                          const FillDoc& fill, int num_fewshot, int limit);

}  // namespace rgeval::tasks
