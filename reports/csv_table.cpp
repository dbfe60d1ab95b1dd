#include "reports/csv_table.h"

namespace rgeval::reports {

std::string csv_field(const std::string& s) {
  if (s.find_first_of(",\"\n\r") == std::string::npos) return s;
  std::string q = "\"";
  for (char c : s) q += c == '"' ? std::string("\"\"") : std::string(1, c);
  return q + "\"";
}

std::string csv_text(const Table& t) {
  std::string out;
  for (size_t i = 0; i < t.header.size(); ++i) {
    if (i) out += ',';
    out += csv_field(t.header[i]);
  }
  out += "\n";
  for (const auto& row : t.rows) {
    for (size_t i = 0; i < row.size(); ++i) {
      if (i) out += ',';
      out += csv_field(row[i].csv);
    }
    out += "\n";
  }
  return out;
}

}  // namespace rgeval::reports
