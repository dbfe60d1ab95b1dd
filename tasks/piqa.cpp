#include "tasks/piqa.h"

#include "engine/error.h"
#include "tasks/aligned_labels.h"
#include "tasks/jsonl.h"
#include "tasks/text_file.h"

namespace rgeval::tasks {

std::vector<Doc> load_piqa(const std::string& data_dir, int num_fewshot, int limit) {
  if (num_fewshot > 0)
    fail("piqa", "few-shot examples come from the train split, which rgeval does not read: use --num-fewshot 0");
  const std::string path = data_dir + "/piqa/valid.jsonl";
  const std::string labels_path = data_dir + "/piqa/valid-labels.lst";
  const auto records = read_jsonl(path);
  const auto labels = aligned_labels(labels_path, records, path);
  std::vector<Doc> docs;
  for (size_t k = 0; k < records.size(); ++k) {
    if (limit >= 0 && docs.size() >= size_t(limit)) break;
    const JsonRecord& r = records[k];
    Doc d;
    d.task = "piqa";
    d.doc_id = int(k);
    d.context = "Question: " + json_string(r, "goal") + "\nAnswer:";
    d.choice_texts = {json_string(r, "sol1"), json_string(r, "sol2")};
    for (const auto& c : d.choice_texts) d.choices.push_back(" " + c);
    if (labels[k] != "0" && labels[k] != "1")
      fail(at_line(labels_path, r.line), "expected label 0 or 1, got '" + labels[k] + "'");
    d.gold = labels[k][0] - '0';
    docs.push_back(std::move(d));
  }
  return docs;
}

}  // namespace rgeval::tasks
