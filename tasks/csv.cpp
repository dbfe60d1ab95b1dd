#include "tasks/csv.h"

#include "engine/error.h"
#include "tasks/text_file.h"

namespace rgeval::tasks {

std::vector<CsvRecord> parse_csv(std::string_view s, const std::string& where) {
  std::vector<CsvRecord> out;
  const size_t n = s.size();
  size_t i = 0;
  int line = 1;
  // Is there a record terminator ("\n" or "\r\n") at i? Sets its length.
  auto at_eol = [&](size_t k, size_t& len) {
    if (k < n && s[k] == '\n') return len = 1, true;
    if (k + 1 < n && s[k] == '\r' && s[k + 1] == '\n') return len = 2, true;
    return false;
  };
  while (i < n) {
    size_t eol_len;
    if (at_eol(i, eol_len)) {  // empty line
      i += eol_len;
      ++line;
      continue;
    }
    CsvRecord rec;
    rec.line = line;
    for (;;) {  // one field per iteration
      std::string field;
      if (i < n && s[i] == '"') {
        const int open_line = line;
        ++i;
        for (;;) {
          if (i >= n)
            fail(at_line(where, open_line), "unterminated quoted field (missing closing '\"')");
          const char c = s[i];
          if (c == '"') {
            if (i + 1 < n && s[i + 1] == '"') {
              field += '"';
              i += 2;
              continue;
            }
            ++i;
            break;
          }
          if (c == '\n') ++line;
          field += c;
          ++i;
        }
        if (i < n && s[i] != ',' && !at_eol(i, eol_len))
          fail(at_line(where, line), "bad CSV quoting: unexpected character after a closing quote");
      } else {
        while (i < n && s[i] != ',' && !at_eol(i, eol_len)) {
          if (s[i] == '"') fail(at_line(where, line), "bad CSV quoting: '\"' inside an unquoted field");
          field += s[i++];
        }
      }
      rec.fields.push_back(std::move(field));
      if (i < n && s[i] == ',') {
        ++i;
        continue;
      }
      if (at_eol(i, eol_len)) {
        i += eol_len;
        ++line;
      }
      break;  // end of record (line end or end of file)
    }
    out.push_back(std::move(rec));
  }
  return out;
}

std::vector<CsvRecord> read_csv(const std::string& path) { return parse_csv(read_utf8(path), path); }

}  // namespace rgeval::tasks
