// The task registry: name -> how to load its documents, its metrics and how it is grouped.
#pragma once
#include <functional>
#include <string>
#include <vector>

#include "tasks/doc.h"
#include "tasks/named_metric.h"

namespace rgeval::tasks {

// An lm-eval group aggregated over leaf tasks (weight_by_size: mean over documents, pooled stderr).
struct TaskGroup {
  std::string name;                 // "mmlu_stem", "mmlu"
  std::vector<std::string> leaves;  // leaf task names ("mmlu_anatomy", ...)
};

struct TaskSpec {
  std::string name;
  std::string summary;
  int default_num_fewshot = 0;
  bool acc_norm = false;  // acc is always reported; acc_norm too when true
  // Documents under the data directory; num_fewshot < 0 = the task's default; limit < 0 = all
  // (per leaf task).
  std::function<std::vector<Doc>(const std::string& data_dir, int num_fewshot, int limit)> load;
  // Groups to report over the leaf tasks (empty for a single-task benchmark).
  std::function<std::vector<TaskGroup>(const std::string& data_dir)> groups;
  // Task-specific metrics reported instead of acc/acc_norm (nullptr: acc[, acc_norm]).
  TaskMetricFn metrics = nullptr;
};

// The registered tasks: mmlu, hellaswag, piqa, arc_easy, arc_challenge, openbookqa, boolq,
// social_iqa, crows_pairs, bbq, truthfulqa_mc1, truthfulqa_mc2, winogender[_male|_female|_neutral].
const std::vector<TaskSpec>& task_registry();

// The task called `name`: a registered task or "mmlu_<subject>" (one MMLU subject). Throws
// rgeval::Error listing the known tasks otherwise.
TaskSpec find_task(const std::string& name);

// Documents of `name` (num_fewshot < 0 = the task's default).
std::vector<Doc> load_task(const std::string& name, const std::string& data_dir,
                           int num_fewshot = -1, int limit = -1);

// lm-eval's MMLU groups mmlu_stem, mmlu_humanities, mmlu_social_sciences, mmlu_other and mmlu,
// with the subjects of DIR/mmlu/subjects.tsv (or the built-in table).
std::vector<TaskGroup> mmlu_groups(const std::string& data_dir);

}  // namespace rgeval::tasks
