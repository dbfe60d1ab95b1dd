#include "tasks/siqa.h"

#include "tasks/aligned_labels.h"

namespace rgeval::tasks {

std::vector<Doc> load_siqa(const std::string& data_dir, int num_fewshot, int limit) {
  const FillDoc fill = [](const JsonRecord& r, Doc& d) {
    d.context = "Q: " + json_string(r, "context") + " " + json_string(r, "question") + "\nA:";
    d.choice_texts = {json_string(r, "answerA"), json_string(r, "answerB"),
                      json_string(r, "answerC")};
  };
  return load_aligned_labels_task("social_iqa", data_dir + "/siqa/dev", {"1", "2", "3"}, fill,
                                  num_fewshot, limit);
}

}  // namespace rgeval::tasks
