#include "tasks/jsonl.h"

#include "engine/error.h"
#include "tasks/text_file.h"

namespace rgeval::tasks {

namespace {

[[noreturn]] void field_error(const JsonRecord& r, const std::string& key, const std::string& what) {
  fail(r.where, "field '" + key + "': " + what);
}

}  // namespace

std::vector<JsonRecord> read_jsonl(const std::string& path) {
  const std::string s = read_utf8(path);
  std::vector<JsonRecord> out;
  int line = 0;
  for (size_t i = 0; i < s.size();) {
    ++line;
    size_t j = s.find('\n', i);
    if (j == std::string::npos) j = s.size();
    std::string_view text(s.data() + i, j - i);
    i = j + 1;
    if (!text.empty() && text.back() == '\r') text.remove_suffix(1);
    if (text.find_first_not_of(" \t") == std::string_view::npos) continue;
    JsonRecord r;
    r.where = at_line(path, line);
    r.line = line;
    try {
      r.value = nlohmann::json::parse(text);
    } catch (const nlohmann::json::parse_error& e) {
      std::string msg = e.what();  // "[json.exception.parse_error.101] parse error at line 1, ..."
      const size_t p = msg.find("] ");
      if (p != std::string::npos) msg.erase(0, p + 2);
      fail(r.where, "invalid JSON (" + msg + ")");
    }
    if (!r.value.is_object()) fail(r.where, "expected a JSON object");
    out.push_back(std::move(r));
  }
  return out;
}

const nlohmann::json& json_field(const JsonRecord& r, const std::string& key) {
  const auto it = r.value.find(key);
  if (it == r.value.end()) field_error(r, key, "missing");
  return *it;
}

std::string json_string(const JsonRecord& r, const std::string& key) {
  const auto& v = json_field(r, key);
  if (!v.is_string()) field_error(r, key, "expected a string");
  return v.get<std::string>();
}

std::vector<std::string> json_string_list(const JsonRecord& r, const std::string& key) {
  const auto& v = json_field(r, key);
  if (!v.is_array()) field_error(r, key, "expected a list of strings");
  std::vector<std::string> out;
  for (const auto& e : v) {
    if (!e.is_string()) field_error(r, key, "expected a list of strings");
    out.push_back(e.get<std::string>());
  }
  return out;
}

long long json_int(const JsonRecord& r, const std::string& key) {
  const auto& v = json_field(r, key);
  if (v.is_number_integer()) return v.get<long long>();
  if (v.is_string()) {
    const std::string s = v.get<std::string>();
    if (!s.empty() && s.size() <= 18 && s.find_first_not_of("0123456789") == std::string::npos)
      return std::stoll(s);
  }
  field_error(r, key, "expected an integer, got " + v.dump());
}

}  // namespace rgeval::tasks
