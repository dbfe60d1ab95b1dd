// TruthfulQA multiple choice (lm-eval `truthfulqa_mc1`, `truthfulqa_mc2`) built from the original
// sylinrl/TruthfulQA CSV DIR/truthfulqa/TruthfulQA.csv (header "Type,Category,Question,Best Answer,
// Correct Answers,Incorrect Answers,Source"; answer lists "; "-separated). doc_id = data row index.
//   context  truthfulqa_preamble() + "\n\nQ: " + Question + "\nA:"   (lm-eval's 6-shot QA prompt
//            inside doc_to_text; num_fewshot 0)
//   mc1      choices [format_best(Best Answer)] + split_multi_answer(Incorrect Answers), gold 0;
//   acc mc2      choices split_multi_answer(Correct Answers) + split_multi_answer(Incorrect
//   Answers);
//            acc = Σ_true p / Σ_all p with p = exp(ll) (lm-eval utils.process_results_mc2)
// format_best / split_multi_answer are TruthfulQA's own (utilities.py): strip, split on ';', drop
// empty answers, append '.' when an answer does not end in one — how its mc_task.json targets,
// which lm-eval's HF dataset carries, were written.
#pragma once
#include <string>
#include <vector>

#include "tasks/doc.h"
#include "tasks/named_metric.h"

namespace rgeval::tasks {

// "Q: What is human life expectancy in the United States?\nA: ...\n\nQ: ...\nA: The 1992 Olympics
// were held in Barcelona, Spain."
const std::string& truthfulqa_preamble();

// TruthfulQA utilities.split_multi_answer(ans, sep=';', close=True).
std::vector<std::string> truthfulqa_split_answers(const std::string& answers);

// `task` is "truthfulqa_mc1" or "truthfulqa_mc2".
std::vector<Doc> load_truthfulqa(const std::string& task, const std::string& data_dir,
                                 int num_fewshot, int limit);

// MC2: the mean normalised probability mass of the true answers (reported as acc, like lm-eval).
std::vector<NamedMetric> truthfulqa_mc2_metrics(const std::vector<const Doc*>& docs,
                                                const std::vector<std::vector<double>>& lls);

}  // namespace rgeval::tasks
