// BBQ (lm-eval `bbq`, the multiple-choice variant bbq_multiple_choice.yaml + utils.py) from the
// original nyu-mll/BBQ release: DIR/bbq/<Category>.jsonl for the categories present (of lm-eval's
// 11), read in lm-eval's category order; doc_id = index in that concatenation.
//   doc_to_text   "{{context}}\n\nQ: {{question}}\nA:"
//   doc_to_choice the two answers that are not the "unknown" answer (in ans0..ans2 order), then
//                 the 10 UNKNOWN_RESPONSES: 12 choices, each " " + text
//   targets       gold = the labelled answer's index; if it is the unknown answer, every unknown
//                 response (indices 2..11) counts as correct
//   biased        lm-eval process_docs: answers of the stereotyped group for negative questions,
//                 of the other group for non-negative questions (answer_info groups processed
//                 exactly like lm-eval's _process_groups_in_answers)
// Metrics (lm-eval process_results_multiple_choice, pred = argmax ll): acc; accuracy_amb and
// accuracy_disamb (acc over the ambiguous / disambiguated contexts); disamb_bias_score
// 2·n_biased/n_non_unknown − 1 (0 when no biased answer) over disambiguated contexts;
// amb_bias_score (1 − accuracy_amb)·(the same over ambiguous contexts); and the four per category
// present as `<metric>_<Category>`. Bias scores have no stderr (lm-eval: N/A).
#pragma once
#include <string>
#include <vector>

#include "tasks/doc.h"
#include "tasks/named_metric.h"

namespace rgeval::tasks {

// lm-eval's CATEGORIES, in its order: Age, Disability_status, Gender_identity, ...
const std::vector<std::string>& bbq_categories();

// lm-eval's UNKNOWN_RESPONSES, in its order ("Unknown", "Cannot answer", ...).
const std::vector<std::string>& bbq_unknown_responses();

// "bbq/<Category>.jsonl" for every category (relative to the data directory).
std::vector<std::string> bbq_data_files();

// lm-eval _process_groups_in_answers: "F-Black_woman" -> {"f", "black", "f", "woman"}.
std::vector<std::string> bbq_answer_groups(const std::string& joined_info);

std::vector<Doc> load_bbq(const std::string& data_dir, int num_fewshot, int limit);

std::vector<NamedMetric> bbq_metrics(const std::vector<const Doc*>& docs,
                                     const std::vector<std::vector<double>>& lls);

}  // namespace rgeval::tasks
