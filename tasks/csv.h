// RFC-4180 CSV reader (the dialect of Python's csv.writer): fields separated by ',', records by
// "\n" or "\r\n"; a field that starts with '"' is quoted, may contain ',', newlines and '""'
// (an escaped quote), and must end with '"' followed by ',', a line end or the end of the file.
// Strict where Python's csv.reader is lenient: a '"' inside an unquoted field, text after a
// closing quote and an unterminated quoted field are errors naming the file and line.
// Empty lines between records are skipped. A lone '\r' is kept as data.
#pragma once
#include <string>
#include <string_view>
#include <vector>

namespace rgeval::tasks {

struct CsvRecord {
  int line = 0;  // 1-based line on which the record starts
  std::vector<std::string> fields;
};

// `where` names the source (a file path) in error messages: "where:LINE: problem".
std::vector<CsvRecord> parse_csv(std::string_view text, const std::string& where);

// read_utf8(path) (validated UTF-8) then parse_csv.
std::vector<CsvRecord> read_csv(const std::string& path);

}  // namespace rgeval::tasks
