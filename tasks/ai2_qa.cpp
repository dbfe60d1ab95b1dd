#include "tasks/ai2_qa.h"

#include "engine/error.h"
#include "tasks/jsonl.h"
#include "tasks/py_string.h"

namespace rgeval::tasks {

namespace {

struct Ai2Question {
  std::string stem;
  std::vector<std::string> texts, labels;
  std::string answer_key;
};

Ai2Question parse(const JsonRecord& r) {
  const auto& q = json_field(r, "question");
  if (!q.is_object()) fail(r.where, "field 'question': expected an object");
  const JsonRecord qr{r.where, r.line, q};
  Ai2Question out;
  out.stem = json_string(qr, "stem");
  const auto& choices = json_field(qr, "choices");
  if (!choices.is_array() || choices.empty()) fail(r.where, "field 'choices': expected a non-empty list");
  for (const auto& c : choices) {
    if (!c.is_object()) fail(r.where, "field 'choices': expected objects with 'text' and 'label'");
    const JsonRecord cr{r.where, r.line, c};
    out.texts.push_back(json_string(cr, "text"));
    out.labels.push_back(json_string(cr, "label"));
  }
  out.answer_key = json_string(r, "answerKey");
  return out;
}

std::vector<Doc> load(const std::string& task, const std::string& path, bool question_prefix, bool lstrip_key,
                      int num_fewshot, int limit) {
  if (num_fewshot > 0)
    fail(task, "few-shot examples come from the train split, which rgeval does not read: use --num-fewshot 0");
  std::vector<Doc> docs;
  for (const JsonRecord& r : read_jsonl(path)) {
    if (limit >= 0 && docs.size() >= size_t(limit)) break;
    const Ai2Question q = parse(r);
    const std::string key = lstrip_key ? py_lstrip(q.answer_key) : q.answer_key;
    Doc d;
    d.task = task;
    d.doc_id = int(docs.size());
    d.context = question_prefix ? "Question: " + q.stem + "\nAnswer:" : q.stem;
    d.choice_texts = q.texts;
    for (const auto& t : q.texts) d.choices.push_back(" " + t);
    d.gold = -1;
    for (size_t k = 0; k < q.labels.size() && d.gold < 0; ++k)
      if (q.labels[k] == key) d.gold = int(k);
    if (d.gold < 0) fail(r.where, "field 'answerKey': '" + q.answer_key + "' is not one of the choice labels");
    docs.push_back(std::move(d));
  }
  return docs;
}

}  // namespace

std::vector<Doc> load_arc(const std::string& task, const std::string& data_dir, int num_fewshot, int limit) {
  std::string file;
  if (task == "arc_easy") file = "ARC-Easy-Test.jsonl";
  else if (task == "arc_challenge") file = "ARC-Challenge-Test.jsonl";
  else fail(task, "not an ARC task (arc_easy, arc_challenge)");
  return load(task, data_dir + "/arc/" + file, true, false, num_fewshot, limit);
}

std::vector<Doc> load_openbookqa(const std::string& data_dir, int num_fewshot, int limit) {
  return load("openbookqa", data_dir + "/openbookqa/test.jsonl", false, true, num_fewshot, limit);
}

}  // namespace rgeval::tasks
