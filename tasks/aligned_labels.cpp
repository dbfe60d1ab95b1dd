#include "tasks/aligned_labels.h"

#include <algorithm>

#include "engine/error.h"
#include "tasks/text_file.h"

namespace rgeval::tasks {

std::vector<std::string> aligned_labels(const std::string& labels_path,
                                        const std::vector<JsonRecord>& records,
                                        const std::string& jsonl_path) {
  const auto lines = read_lines(labels_path);
  const size_t last = records.empty() ? 0 : size_t(records.back().line);
  if (lines.size() < last) {
    std::string missing;
    for (const auto& r : records)
      if (size_t(r.line) > lines.size()) {
        missing = r.where;
        break;
      }
    fail(labels_path, "has " + std::to_string(lines.size()) + " lines but " + jsonl_path + " has " +
                          std::to_string(last) + " (no label for " + missing + ")");
  }
  for (size_t k = last; k < lines.size(); ++k)
    if (!lines[k].empty())
      fail(at_line(labels_path, int(k) + 1), "more labels than documents in " + jsonl_path);
  std::vector<std::string> out;
  for (const auto& r : records) {
    std::string s = lines[size_t(r.line) - 1];
    while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.pop_back();
    out.push_back(std::move(s));
  }
  return out;
}

std::vector<Doc> load_aligned_labels_task(const std::string& task, const std::string& stem,
                                          const std::vector<std::string>& labels,
                                          const FillDoc& fill, int num_fewshot, int limit) {
  if (num_fewshot > 0)
    fail(task,
         "few-shot examples come from the train split, which rgeval does not read: use "
         "--num-fewshot 0");
  const std::string path = stem + ".jsonl", labels_path = stem + "-labels.lst";
  const auto records = read_jsonl(path);
  const auto label_of = aligned_labels(labels_path, records, path);
  std::string expected;  // "0 or 1", "1, 2 or 3"
  for (size_t i = 0; i < labels.size(); ++i)
    expected += (i == 0 ? "" : i + 1 == labels.size() ? " or " : ", ") + labels[i];
  std::vector<Doc> docs;
  for (size_t k = 0; k < records.size(); ++k) {
    if (limit >= 0 && docs.size() >= size_t(limit)) break;
    const JsonRecord& r = records[k];
    Doc d;
    d.task = task;
    d.doc_id = int(k);
    fill(r, d);
    for (const auto& c : d.choice_texts) d.choices.push_back(" " + c);
    const auto label = std::find(labels.begin(), labels.end(), label_of[k]);
    if (label == labels.end())
      fail(at_line(labels_path, r.line),
           "expected label " + expected + ", got '" + label_of[k] + "'");
    d.gold = int(label - labels.begin());
    docs.push_back(std::move(d));
  }
  return docs;
}

}  // namespace rgeval::tasks
