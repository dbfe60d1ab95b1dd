// MMLU (lm-eval `mmlu`, default variant: 57 tasks `mmlu_<subject>`, acc only, 5-shot from the dev
// split in file order) from the original hendrycks CSVs:
//   DIR/mmlu/data/test/<subject>_test.csv, DIR/mmlu/data/dev/<subject>_dev.csv
//   (no header; question,A,B,C,D,answer with answer a letter A-D)
//   DIR/mmlu/subjects.tsv (optional): subject, category, ..., description_json.
#pragma once
#include <array>
#include <string>
#include <vector>

#include "tasks/doc.h"

namespace rgeval::tasks {

struct MmluSubject {
  std::string name;         // "abstract_algebra"
  std::string category;     // "stem" | "humanities" | "social_sciences" | "other"
  std::string description;  // prepended to every context
};

// The 57 subjects with their lm-eval categories, in lm-eval (alphabetical) order.
const std::vector<MmluSubject>& mmlu_builtin_subjects();

// "The following are multiple choice questions (with answers) about <subject with spaces>.\n\n"
std::string mmlu_description(const std::string& subject);

// DIR/mmlu/subjects.tsv when it exists (errors name file and line), else the built-in table.
std::vector<MmluSubject> mmlu_subjects(const std::string& data_dir);

// "{question.strip()}\nA. {a}\nB. {b}\nC. {c}\nD. {d}\nAnswer:" (choices not stripped).
std::string mmlu_doc_to_text(const std::string& question, const std::array<std::string, 4>& choices);

// Documents of every subject whose test CSV exists (subjects without one are skipped; none at
// all is an error), or of `only_subject` alone. `num_fewshot` < 0 means 5; at most the dev rows.
// `limit` applies per subject (lm-eval --limit applies per task).
std::vector<Doc> load_mmlu(const std::string& data_dir, int num_fewshot, int limit,
                           const std::string& only_subject = "");

}  // namespace rgeval::tasks
