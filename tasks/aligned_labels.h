// Labels kept in a separate file, one per line, aligned with the lines of a JSONL file (PIQA
// valid-labels.lst, SIQA dev-labels.lst): the label of the record on line k is line k.
#pragma once
#include <string>
#include <vector>

#include "tasks/jsonl.h"

namespace rgeval::tasks {

// One label per record (trailing spaces/tabs removed). Throws rgeval::Error naming the labels
// file when it has fewer lines than the JSONL file (and the first record without a label), or
// extra non-empty lines.
std::vector<std::string> aligned_labels(const std::string& labels_path, const std::vector<JsonRecord>& records,
                                        const std::string& jsonl_path);

}  // namespace rgeval::tasks
