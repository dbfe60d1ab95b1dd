#include "tasks/aligned_labels.h"

#include "engine/error.h"
#include "tasks/text_file.h"

namespace rgeval::tasks {

std::vector<std::string> aligned_labels(const std::string& labels_path, const std::vector<JsonRecord>& records,
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
    if (!lines[k].empty()) fail(at_line(labels_path, int(k) + 1), "more labels than documents in " + jsonl_path);
  std::vector<std::string> out;
  for (const auto& r : records) {
    std::string s = lines[size_t(r.line) - 1];
    while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.pop_back();
    out.push_back(std::move(s));
  }
  return out;
}

}  // namespace rgeval::tasks
