// One document of a multiple-choice task, as the requests it becomes: the shared context and one
// continuation per choice (lm-eval `loglikelihood` requests).
#pragma once
#include <map>
#include <string>
#include <vector>

namespace rgeval::tasks {

struct Doc {
  std::string task;                  // leaf task name: "hellaswag", "piqa", "mmlu_anatomy", ...
  int doc_id = 0;                    // lm-eval doc_id (index in the full split)
  std::string context;               // description + few-shot examples + doc_to_text(doc)
  std::vector<std::string> choices;  // continuations, target delimiter included (" A")
  int gold = 0;                      // index of the correct choice
  std::vector<std::string> choice_texts;  // choices without the delimiter (acc_norm lengths)
  std::string subject;                    // MMLU subject ("" for other tasks)
  // Labels read by a task's own metric function (TaskSpec::metrics); empty for the other tasks.
  std::map<std::string, std::string> attrs;  // BBQ {"category", "context_condition"}, ...
  std::map<std::string, std::vector<int>>
      choice_sets;  // named sets of choice indices: BBQ "targets", ...
};

}  // namespace rgeval::tasks
