#include "tasks/boolq.h"

#include "engine/error.h"
#include "tasks/jsonl.h"

namespace rgeval::tasks {

std::vector<Doc> load_boolq(const std::string& data_dir, int num_fewshot, int limit) {
  if (num_fewshot > 0)
    fail("boolq", "few-shot examples come from the train split, which rgeval does not read: use --num-fewshot 0");
  const std::string path = data_dir + "/boolq/dev.jsonl";
  std::vector<Doc> docs;
  for (const JsonRecord& r : read_jsonl(path)) {
    if (limit >= 0 && docs.size() >= size_t(limit)) break;
    const std::string key = r.value.contains("answer") ? "answer" : "label";
    const auto& a = json_field(r, key);
    int gold;
    if (a.is_boolean()) gold = a.get<bool>() ? 1 : 0;
    else if (a.is_number_integer() && (a.get<long long>() == 0 || a.get<long long>() == 1)) gold = a.get<int>();
    else fail(r.where, "field '" + key + "': expected true or false, got " + a.dump());
    Doc d;
    d.task = "boolq";
    d.doc_id = int(docs.size());
    d.context = json_string(r, "passage") + "\nQuestion: " + json_string(r, "question") + "?\nAnswer:";
    d.choice_texts = {"no", "yes"};
    d.choices = {" no", " yes"};
    d.gold = gold;
    docs.push_back(std::move(d));
  }
  return docs;
}

}  // namespace rgeval::tasks
