#include "tasks/siqa.h"

#include "engine/error.h"
#include "tasks/aligned_labels.h"
#include "tasks/jsonl.h"
#include "tasks/text_file.h"

namespace rgeval::tasks {

std::vector<Doc> load_siqa(const std::string& data_dir, int num_fewshot, int limit) {
  if (num_fewshot > 0)
    fail("social_iqa", "few-shot examples come from the train split, which rgeval does not read: use --num-fewshot 0");
  const std::string path = data_dir + "/siqa/dev.jsonl";
  const std::string labels_path = data_dir + "/siqa/dev-labels.lst";
  const auto records = read_jsonl(path);
  const auto labels = aligned_labels(labels_path, records, path);
  std::vector<Doc> docs;
  for (size_t k = 0; k < records.size(); ++k) {
    if (limit >= 0 && docs.size() >= size_t(limit)) break;
    const JsonRecord& r = records[k];
    Doc d;
    d.task = "social_iqa";
    d.doc_id = int(k);
    d.context = "Q: " + json_string(r, "context") + " " + json_string(r, "question") + "\nA:";
    d.choice_texts = {json_string(r, "answerA"), json_string(r, "answerB"), json_string(r, "answerC")};
    for (const auto& c : d.choice_texts) d.choices.push_back(" " + c);
    if (labels[k] != "1" && labels[k] != "2" && labels[k] != "3")
      fail(at_line(labels_path, r.line), "expected label 1, 2 or 3, got '" + labels[k] + "'");
    d.gold = labels[k][0] - '1';
    docs.push_back(std::move(d));
  }
  return docs;
}

}  // namespace rgeval::tasks
