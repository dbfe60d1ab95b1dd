// A CSV file whose first record is a header (CrowS-Pairs, TruthfulQA): columns by name, every
// data row with exactly as many fields as the header (else an error naming file and line).
#pragma once
#include <string>
#include <vector>

#include "tasks/csv.h"

namespace rgeval::tasks {

struct CsvTable {
  std::string path;
  std::vector<std::string> header;
  int header_line = 1;
  std::vector<CsvRecord> rows;  // the data records

  // Index of the column `name`; throws "path:LINE: no column 'name'" (LINE of the header).
  size_t column(const std::string& name) const;
};

CsvTable read_csv_table(const std::string& path);

}  // namespace rgeval::tasks
