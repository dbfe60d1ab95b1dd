#include "tasks/piqa.h"

#include "tasks/aligned_labels.h"

namespace rgeval::tasks {

std::vector<Doc> load_piqa(const std::string& data_dir, int num_fewshot, int limit) {
  const FillDoc fill = [](const JsonRecord& r, Doc& d) {
    d.context = "Question: " + json_string(r, "goal") + "\nAnswer:";
    d.choice_texts = {json_string(r, "sol1"), json_string(r, "sol2")};
  };
  return load_aligned_labels_task("piqa", data_dir + "/piqa/valid", {"0", "1"}, fill, num_fewshot,
                                  limit);
}

}  // namespace rgeval::tasks
