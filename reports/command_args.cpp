#include "reports/command_args.h"

namespace rgeval::reports {

std::vector<std::string> split_shell_words(const std::string& line) {
  std::vector<std::string> out;
  std::string cur;
  bool in_word = false;
  for (size_t i = 0; i < line.size(); ++i) {
    const char c = line[i];
    if (c == ' ' || c == '\t' || c == '\n') {
      if (in_word) out.push_back(cur);
      cur.clear();
      in_word = false;
      continue;
    }
    in_word = true;
    if (c == '\'') {
      const size_t end = line.find('\'', i + 1);
      const size_t stop = end == std::string::npos ? line.size() : end;
      cur += line.substr(i + 1, stop - i - 1);
      i = stop;
    } else if (c == '"') {
      for (++i; i < line.size() && line[i] != '"'; ++i) {
        if (line[i] == '\\' && i + 1 < line.size()) ++i;
        cur += line[i];
      }
    } else if (c == '\\' && i + 1 < line.size()) {
      cur += line[++i];
    } else {
      cur += c;
    }
  }
  if (in_word) out.push_back(cur);
  return out;
}

std::optional<std::string> option_value(const std::vector<std::string>& words,
                                        const std::string& name) {
  std::optional<std::string> v;
  for (size_t i = 0; i < words.size(); ++i) {
    if (words[i] == name && i + 1 < words.size())
      v = words[i + 1];
    else if (words[i].rfind(name + "=", 0) == 0)
      v = words[i].substr(name.size() + 1);
  }
  return v;
}

}  // namespace rgeval::reports
