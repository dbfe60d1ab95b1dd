// Python str semantics on UTF-8 strings, for building lm-eval-identical prompts.
#pragma once
#include <string>
#include <string_view>
#include <vector>

namespace rgeval::tasks {

// Python str.isspace() for one code point: U+0009-000D, U+001C-001F, U+0020, U+0085, U+00A0,
// U+1680, U+2000-200A, U+2028, U+2029, U+202F, U+205F, U+3000.
bool py_isspace(char32_t cp);

// str.strip() / lstrip() / rstrip() with no argument (the py_isspace set). Invalid UTF-8 bytes
// are never stripped.
std::string py_strip(std::string_view s);
std::string py_lstrip(std::string_view s);
std::string py_rstrip(std::string_view s);

// str.lower(): full lowercase mapping incl. the Final_Sigma rule. `s` must be valid UTF-8 here
// and in py_capitalize (invalid bytes become U+FFFD).
std::string py_lower(std::string_view s);

// str.capitalize() (CPython >= 3.8): first character to its full titlecase mapping, the rest
// lowered as str.lower() does. Tables generated from Python 3.11 (tools/gen_unicode_case.py).
std::string py_capitalize(std::string_view s);

// str.replace(from, to) (non-overlapping, left to right, single pass); `from` must not be empty.
std::string py_replace(std::string_view s, std::string_view from, std::string_view to);

// str.split(sep) with a non-empty separator: every piece, empty ones included ("a,,b" -> a, "", b).
std::vector<std::string> py_split(std::string_view s, std::string_view sep);

}  // namespace rgeval::tasks
