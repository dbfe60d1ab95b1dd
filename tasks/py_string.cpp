#include "tasks/py_string.h"

#include <algorithm>
#include <vector>

#include "tasks/utf8.h"

namespace rgeval::tasks {

namespace {

struct CaseMapping {
  char32_t cp;
  char32_t to[3];  // zero-terminated unless all three are used
};
struct CodeRange {
  char32_t lo, hi;
};

#include "tasks/unicode_case_data.inc"

template <size_t N>
const CaseMapping* find_mapping(const CaseMapping (&table)[N], char32_t cp) {
  const auto* end = table + N;
  const auto* it =
      std::lower_bound(table, end, cp, [](const CaseMapping& m, char32_t c) { return m.cp < c; });
  return it != end && it->cp == cp ? it : nullptr;
}

template <size_t N>
bool in_ranges(const CodeRange (&table)[N], char32_t cp) {
  const auto* end = table + N;
  const auto* it =
      std::lower_bound(table, end, cp, [](const CodeRange& r, char32_t c) { return r.hi < c; });
  return it != end && it->lo <= cp;
}

template <size_t N>
void append_mapped(std::string& out, const CaseMapping (&table)[N], char32_t cp) {
  const CaseMapping* m = find_mapping(table, cp);
  if (!m) return utf8_append(out, cp);
  for (char32_t c : m->to) {
    if (c == 0) break;
    utf8_append(out, c);
  }
}

// CPython handle_capital_sigma: U+03A3 lowers to final U+03C2 when preceded by a cased letter
// and not followed by one (case-ignorable characters skipped both ways).
char32_t lower_sigma(const std::vector<char32_t>& cps, size_t i) {
  size_t j = i;
  while (j > 0 && in_ranges(kCaseIgnorable, cps[j - 1])) --j;
  if (j == 0 || !in_ranges(kCased, cps[j - 1])) return U'\u03C3';
  j = i + 1;
  while (j < cps.size() && in_ranges(kCaseIgnorable, cps[j])) ++j;
  return j == cps.size() || !in_ranges(kCased, cps[j]) ? U'\u03C2' : U'\u03C3';
}

std::string lower_from(const std::vector<char32_t>& cps, size_t first, std::string out) {
  for (size_t i = first; i < cps.size(); ++i) {
    if (cps[i] == U'\u03A3')
      utf8_append(out, lower_sigma(cps, i));
    else
      append_mapped(out, kLower, cps[i]);
  }
  return out;
}

// Length in bytes of the well-formed code point at s[i] (1 for an invalid byte) and its value
// (0xFFFFFFFF for an invalid byte).
size_t next_cp(std::string_view s, size_t i, char32_t& cp) {
  const unsigned char c = static_cast<unsigned char>(s[i]);
  size_t n = c < 0x80 ? 1 : (c >> 5) == 6 ? 2 : (c >> 4) == 14 ? 3 : (c >> 3) == 30 ? 4 : 0;
  if (n == 0 || i + n > s.size() || !utf8_valid(s.substr(i, n))) {
    cp = 0xFFFFFFFF;
    return 1;
  }
  cp = utf8_decode(s.substr(i, n))[0];
  return n;
}

// Byte offset after leading whitespace / of the end of the content before trailing whitespace.
size_t lead_end(std::string_view s) {
  size_t i = 0;
  char32_t cp;
  while (i < s.size()) {
    const size_t k = next_cp(s, i, cp);
    if (!py_isspace(cp)) break;
    i += k;
  }
  return i;
}

size_t trail_begin(std::string_view s) {
  size_t end = s.size();
  while (end > 0) {
    size_t start = end - 1;  // back up to the lead byte of the last code point
    while (start > 0 && end - start < 4 && (static_cast<unsigned char>(s[start]) & 0xC0) == 0x80)
      --start;
    char32_t cp;
    const size_t k = next_cp(s, start, cp);
    if (start + k != end || !py_isspace(cp)) break;
    end = start;
  }
  return end;
}

}  // namespace

bool py_isspace(char32_t c) {
  return (c >= 0x09 && c <= 0x0D) || (c >= 0x1C && c <= 0x20) || c == 0x85 || c == 0xA0 ||
         c == 0x1680 || (c >= 0x2000 && c <= 0x200A) || c == 0x2028 || c == 0x2029 || c == 0x202F ||
         c == 0x205F || c == 0x3000;
}

std::string py_lstrip(std::string_view s) { return std::string(s.substr(lead_end(s))); }

std::string py_rstrip(std::string_view s) { return std::string(s.substr(0, trail_begin(s))); }

std::string py_strip(std::string_view s) {
  const size_t b = lead_end(s);
  if (b == s.size()) return "";
  return std::string(s.substr(b, trail_begin(s) - b));
}

std::string py_lower(std::string_view s) { return lower_from(utf8_decode(s), 0, ""); }

std::string py_capitalize(std::string_view s) {
  const auto cps = utf8_decode(s);
  if (cps.empty()) return "";
  std::string out;
  append_mapped(out, kTitle, cps[0]);
  return lower_from(cps, 1, std::move(out));
}

std::string py_replace(std::string_view s, std::string_view from, std::string_view to) {
  if (from.empty()) return std::string(s);
  std::string out;
  size_t i = 0;
  for (size_t j; (j = s.find(from, i)) != std::string_view::npos; i = j + from.size()) {
    out.append(s.substr(i, j - i));
    out.append(to);
  }
  out.append(s.substr(i));
  return out;
}

std::vector<std::string> py_split(std::string_view s, std::string_view sep) {
  std::vector<std::string> out;
  size_t i = 0;
  if (!sep.empty())
    for (size_t j; (j = s.find(sep, i)) != std::string_view::npos; i = j + sep.size())
      out.emplace_back(s.substr(i, j - i));
  out.emplace_back(s.substr(i));
  return out;
}

}  // namespace rgeval::tasks
