#include "tasks/text_file.h"

#include <filesystem>
#include <fstream>
#include <sstream>

#include "engine/error.h"
#include "tasks/utf8.h"

namespace rgeval::tasks {

std::string read_bytes(const std::string& path) {
  std::error_code ec;
  if (!std::filesystem::is_regular_file(path, ec)) fail(path, "file not found");
  std::ifstream f(path, std::ios::binary);
  if (!f) fail(path, "cannot open file");
  std::ostringstream ss;
  ss << f.rdbuf();
  if (f.bad()) fail(path, "read error");
  return ss.str();
}

std::string read_utf8(const std::string& path) {
  std::string s = read_bytes(path);
  if (s.rfind("\xEF\xBB\xBF", 0) == 0) s.erase(0, 3);
  utf8_check(s, path);
  return s;
}

std::vector<std::string> read_lines(const std::string& path) {
  const std::string s = read_utf8(path);
  std::vector<std::string> lines;
  size_t i = 0;
  while (i < s.size()) {
    size_t j = s.find('\n', i);
    if (j == std::string::npos) j = s.size();
    size_t e = j;
    if (e > i && s[e - 1] == '\r') --e;
    lines.emplace_back(s, i, e - i);
    i = j + 1;
  }
  return lines;
}

}  // namespace rgeval::tasks
