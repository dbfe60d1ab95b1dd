#include "tasks/hellaswag.h"

#include <filesystem>

#include "engine/error.h"
#include "tasks/jsonl.h"
#include "tasks/py_string.h"
#include "tasks/text_file.h"

namespace rgeval::tasks {

std::string remove_bracket_tags(std::string_view t) {
  std::string out;
  out.reserve(t.size());
  for (size_t i = 0; i < t.size();) {
    if (t[i] == '[') {
      const size_t j = t.find_first_of("]\n", i + 1);
      if (j != std::string_view::npos && t[j] == ']') {
        i = j + 1;
        continue;
      }
    }
    out += t[i++];
  }
  return out;
}

std::string hellaswag_preprocess(std::string_view text) {
  std::string t = py_strip(text);
  t = py_replace(t, " [title]", ". ");
  t = remove_bracket_tags(t);
  return py_replace(t, "  ", " ");
}

std::vector<Doc> load_hellaswag(const std::string& data_dir, int num_fewshot, int limit) {
  if (num_fewshot > 0)
    fail("hellaswag", "few-shot examples come from the train split, which rgeval does not read: use --num-fewshot 0");
  const std::string dir = data_dir + "/hellaswag";
  const std::string path = dir + "/hellaswag_val.jsonl";
  const std::string ids_path = dir + "/hellaswag_val.doc_ids.txt";
  const auto records = read_jsonl(path);
  std::vector<std::string> ids;
  const bool have_ids = std::filesystem::exists(ids_path);
  if (have_ids) {
    ids = read_lines(ids_path);
    while (!ids.empty() && ids.back().empty()) ids.pop_back();
    if (ids.size() != records.size())
      fail(ids_path, "has " + std::to_string(ids.size()) + " lines but " + path + " has " +
                         std::to_string(records.size()) + " documents");
  }
  std::vector<Doc> docs;
  for (size_t k = 0; k < records.size(); ++k) {
    if (limit >= 0 && docs.size() >= size_t(limit)) break;
    const JsonRecord& r = records[k];
    Doc d;
    d.task = "hellaswag";
    if (have_ids) {
      const std::string& s = ids[k];
      if (s.empty() || s.size() > 9 || s.find_first_not_of("0123456789") != std::string::npos)
        fail(at_line(ids_path, int(k) + 1), "expected a document index, got '" + s + "'");
      d.doc_id = std::stoi(s);
    } else {
      d.doc_id = int(k);
    }
    const std::string ctx = json_string(r, "ctx_a") + " " + py_capitalize(json_string(r, "ctx_b"));
    d.context = hellaswag_preprocess(json_string(r, "activity_label") + ": " + ctx);
    const auto endings = json_string_list(r, "endings");
    if (endings.size() != 4)
      fail(r.where, "field 'endings': expected 4 endings, got " + std::to_string(endings.size()));
    for (const auto& e : endings) {
      d.choice_texts.push_back(hellaswag_preprocess(e));
      d.choices.push_back(" " + d.choice_texts.back());
    }
    const long long label = json_int(r, "label");
    if (label < 0 || label >= (long long)endings.size())
      fail(r.where, "field 'label': " + std::to_string(label) + " is out of range (0-3)");
    d.gold = int(label);
    docs.push_back(std::move(d));
  }
  return docs;
}

}  // namespace rgeval::tasks
