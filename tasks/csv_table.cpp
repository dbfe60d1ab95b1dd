#include "tasks/csv_table.h"

#include "engine/error.h"
#include "tasks/text_file.h"

namespace rgeval::tasks {

size_t CsvTable::column(const std::string& name) const {
  for (size_t i = 0; i < header.size(); ++i)
    if (header[i] == name) return i;
  fail(at_line(path, header_line), "no column '" + name + "' in the header");
}

CsvTable read_csv_table(const std::string& path) {
  CsvTable t;
  t.path = path;
  std::vector<CsvRecord> recs = read_csv(path);
  if (recs.empty()) fail(path, "empty file (expected a header row)");
  t.header = std::move(recs.front().fields);
  t.header_line = recs.front().line;
  for (size_t i = 1; i < recs.size(); ++i) {
    if (recs[i].fields.size() != t.header.size())
      fail(at_line(path, recs[i].line), "expected " + std::to_string(t.header.size()) +
                                            " fields, got " +
                                            std::to_string(recs[i].fields.size()));
    t.rows.push_back(std::move(recs[i]));
  }
  return t;
}

}  // namespace rgeval::tasks
