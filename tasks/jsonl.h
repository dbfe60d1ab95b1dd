// JSON Lines reader (one JSON object per line) and typed field access whose errors name the file
// and line: "path:LINE: field 'label': expected an integer".
#pragma once
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

namespace rgeval::tasks {

struct JsonRecord {
  std::string where;  // "path:LINE"
  int line = 0;       // 1-based line in the file
  nlohmann::json value;
};

// Every non-blank line of `path` parsed as a JSON object ("\r\n" tolerated; invalid UTF-8 or
// JSON, or a value that is not an object, throws rgeval::Error naming the file and line).
std::vector<JsonRecord> read_jsonl(const std::string& path);

// The field `key` of the record; throws naming the record when it is missing or of another type.
const nlohmann::json& json_field(const JsonRecord& r, const std::string& key);
std::string json_string(const JsonRecord& r, const std::string& key);
std::vector<std::string> json_string_list(const JsonRecord& r, const std::string& key);
// A JSON integer or a string of ASCII digits (Python int() of a dataset label).
long long json_int(const JsonRecord& r, const std::string& key);

}  // namespace rgeval::tasks
