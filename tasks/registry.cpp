#include "tasks/registry.h"

#include "engine/error.h"
#include "tasks/ai2_qa.h"
#include "tasks/bbq.h"
#include "tasks/boolq.h"
#include "tasks/crows_pairs.h"
#include "tasks/hellaswag.h"
#include "tasks/mmlu.h"
#include "tasks/piqa.h"
#include "tasks/siqa.h"
#include "tasks/truthfulqa.h"
#include "tasks/winogender.h"

namespace rgeval::tasks {

std::vector<TaskGroup> mmlu_groups(const std::string& data_dir) {
  std::vector<TaskGroup> groups = {{"mmlu_stem", {}},
                                   {"mmlu_humanities", {}},
                                   {"mmlu_social_sciences", {}},
                                   {"mmlu_other", {}},
                                   {"mmlu", {}}};
  for (const MmluSubject& s : mmlu_subjects(data_dir)) {
    for (auto& g : groups)
      if (g.name == "mmlu_" + s.category) g.leaves.push_back("mmlu_" + s.name);
    groups.back().leaves.push_back("mmlu_" + s.name);
  }
  return groups;
}

const std::vector<TaskSpec>& task_registry() {
  static const std::vector<TaskSpec> reg = {
      {"mmlu", "MMLU, 57 subjects (hendrycks CSVs), acc", 5, false,
       [](const std::string& dir, int k, int limit) { return load_mmlu(dir, k, limit); },
       mmlu_groups},
      {"hellaswag", "HellaSwag validation (hellaswag_val.jsonl), acc + acc_norm", 0, true,
       load_hellaswag, nullptr},
      {"piqa", "PIQA validation (valid.jsonl + valid-labels.lst), acc + acc_norm", 0, true,
       load_piqa, nullptr},
      {"arc_easy", "ARC-Easy test (arc/ARC-Easy-Test.jsonl), acc + acc_norm", 0, true,
       [](const std::string& dir, int k, int limit) { return load_arc("arc_easy", dir, k, limit); },
       nullptr},
      {"arc_challenge", "ARC-Challenge test (arc/ARC-Challenge-Test.jsonl), acc + acc_norm", 0,
       true,
       [](const std::string& dir, int k, int limit) {
         return load_arc("arc_challenge", dir, k, limit);
       },
       nullptr},
      {"openbookqa", "OpenBookQA test (openbookqa/test.jsonl), acc + acc_norm", 0, true,
       load_openbookqa, nullptr},
      {"boolq", "BoolQ validation (boolq/dev.jsonl), acc", 0, false, load_boolq, nullptr},
      {"social_iqa", "Social IQa validation (siqa/dev.jsonl + dev-labels.lst), acc", 0, false,
       load_siqa, nullptr},
      {"crows_pairs",
       "CrowS-Pairs English (crows_pairs/crows_pairs_anonymized.csv), likelihood_diff + "
       "pct_stereotype",
       0, false, load_crows_pairs, nullptr, crows_pairs_metrics},
      {"bbq",
       "BBQ (bbq/<Category>.jsonl), acc, accuracy_amb/_disamb and bias scores (also per category)",
       0, false, load_bbq, nullptr, bbq_metrics},
      {"truthfulqa_mc1", "TruthfulQA MC1 (truthfulqa/TruthfulQA.csv), acc", 0, false,
       [](const std::string& dir, int k, int limit) {
         return load_truthfulqa("truthfulqa_mc1", dir, k, limit);
       },
       nullptr},
      {"truthfulqa_mc2",
       "TruthfulQA MC2 (truthfulqa/TruthfulQA.csv), acc = probability mass on the true answers", 0,
       false,
       [](const std::string& dir, int k, int limit) {
         return load_truthfulqa("truthfulqa_mc2", dir, k, limit);
       },
       nullptr, truthfulqa_mc2_metrics},
      {"winogender", "Winogender (winogender/all_sentences.tsv), acc and acc by pronoun gender", 0,
       false,
       [](const std::string& dir, int k, int limit) {
         return load_winogender("winogender", dir, k, limit);
       },
       nullptr, winogender_metrics},
      {"winogender_male", "Winogender, male pronouns, acc", 0, false,
       [](const std::string& dir, int k, int limit) {
         return load_winogender("winogender_male", dir, k, limit);
       },
       nullptr},
      {"winogender_female", "Winogender, female pronouns, acc", 0, false,
       [](const std::string& dir, int k, int limit) {
         return load_winogender("winogender_female", dir, k, limit);
       },
       nullptr},
      {"winogender_neutral", "Winogender, neutral pronouns, acc", 0, false,
       [](const std::string& dir, int k, int limit) {
         return load_winogender("winogender_neutral", dir, k, limit);
       },
       nullptr},
  };
  return reg;
}

TaskSpec find_task(const std::string& name) {
  for (const TaskSpec& t : task_registry())
    if (t.name == name) return t;
  if (name.rfind("mmlu_", 0) == 0) {
    const std::string subject = name.substr(5);
    return {name,
            "MMLU subject " + subject,
            5,
            false,
            [subject](const std::string& dir, int k, int limit) {
              return load_mmlu(dir, k, limit, subject);
            },
            nullptr};
  }
  std::string known;
  for (const TaskSpec& t : task_registry()) known += (known.empty() ? "" : ", ") + t.name;
  fail("--task", "unknown task '" + name + "' (known: " + known + ", mmlu_<subject>)");
}

std::vector<Doc> load_task(const std::string& name, const std::string& data_dir, int num_fewshot,
                           int limit) {
  const TaskSpec t = find_task(name);
  return t.load(data_dir, num_fewshot < 0 ? t.default_num_fewshot : num_fewshot, limit);
}

}  // namespace rgeval::tasks
