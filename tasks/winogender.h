// Winogender (lm-eval `winogender`, `winogender_{male,female,neutral}`) from the original
// rudinger/winogender-schemas file DIR/winogender/all_sentences.tsv (header "sentid\tsentence";
// sentid = "<occupation>.<participant>.<answer>.<gender>.txt", answer 0 = the pronoun refers to
// the occupation, 1 = to the participant; gender male|female|neutral). doc_id = index among the
// task's sentences in file order.
//   doc_to_text   sentence + " ‘" + pronoun.capitalize() + "’ refers to the"  (U+2018/U+2019)
//   doc_to_choice [occupation, participant], each " " + text; gold = answer
// The pronoun is the one word of the sentence in the gender's set (he/his/him, she/her,
// they/their/them), what lm-eval's HF copy of the data stores in its `pronoun` field.
// `winogender` reports acc and acc_<gender> (= lm-eval's winogender_<gender> tasks); the
// per-gender tasks report acc.
#pragma once
#include <string>
#include <vector>

#include "tasks/doc.h"
#include "tasks/named_metric.h"

namespace rgeval::tasks {

// `task` is "winogender" (every sentence) or "winogender_<gender>".
std::vector<Doc> load_winogender(const std::string& task, const std::string& data_dir,
                                 int num_fewshot, int limit);

// acc, then acc_male, acc_female, acc_neutral for the genders present.
std::vector<NamedMetric> winogender_metrics(const std::vector<const Doc*>& docs,
                                            const std::vector<std::vector<double>>& lls);

}  // namespace rgeval::tasks
