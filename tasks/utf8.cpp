#include "tasks/utf8.h"

#include <cstdio>

#include "engine/error.h"

namespace rgeval::tasks {

namespace {

// Length of the well-formed sequence starting at s[i], or 0 if it is ill-formed (Unicode
// Table 3-7: well-formed UTF-8 byte sequences). `cp` receives the code point.
size_t seq_len(std::string_view s, size_t i, char32_t& cp) {
  const auto b = [&](size_t k) { return static_cast<unsigned char>(s[k]); };
  const unsigned char c = b(i);
  const size_t n = s.size() - i;
  if (c < 0x80) {
    cp = c;
    return 1;
  }
  auto cont = [&](size_t k, unsigned lo = 0x80, unsigned hi = 0xBF) {
    return k < n && b(i + k) >= lo && b(i + k) <= hi;
  };
  if (c >= 0xC2 && c <= 0xDF) {
    if (!cont(1)) return 0;
    cp = char32_t(c & 0x1F) << 6 | (b(i + 1) & 0x3F);
    return 2;
  }
  if (c >= 0xE0 && c <= 0xEF) {
    const unsigned lo = c == 0xE0 ? 0xA0 : 0x80, hi = c == 0xED ? 0x9F : 0xBF;
    if (!cont(1, lo, hi) || !cont(2)) return 0;
    cp = char32_t(c & 0x0F) << 12 | char32_t(b(i + 1) & 0x3F) << 6 | (b(i + 2) & 0x3F);
    return 3;
  }
  if (c >= 0xF0 && c <= 0xF4) {
    const unsigned lo = c == 0xF0 ? 0x90 : 0x80, hi = c == 0xF4 ? 0x8F : 0xBF;
    if (!cont(1, lo, hi) || !cont(2) || !cont(3)) return 0;
    cp = char32_t(c & 0x07) << 18 | char32_t(b(i + 1) & 0x3F) << 12 |
         char32_t(b(i + 2) & 0x3F) << 6 | (b(i + 3) & 0x3F);
    return 4;
  }
  return 0;
}

}  // namespace

size_t utf8_invalid_offset(std::string_view s) {
  char32_t cp;
  for (size_t i = 0; i < s.size();) {
    const size_t k = seq_len(s, i, cp);
    if (k == 0) return i;
    i += k;
  }
  return std::string_view::npos;
}

void utf8_check(std::string_view s, const std::string& file, int first_line) {
  const size_t bad = utf8_invalid_offset(s);
  if (bad == std::string_view::npos) return;
  int line = first_line;
  size_t line_start = 0;
  for (size_t i = 0; i < bad; ++i)
    if (s[i] == '\n') ++line, line_start = i + 1;
  char byte[8];
  std::snprintf(byte, sizeof byte, "0x%02X", static_cast<unsigned char>(s[bad]));
  fail(file + ":" + std::to_string(line), std::string("invalid UTF-8 (byte ") + byte +
                                              " at column " + std::to_string(bad - line_start + 1) + ")");
}

size_t utf8_length(std::string_view s) {
  size_t n = 0;
  char32_t cp;
  for (size_t i = 0; i < s.size(); ++n) {
    const size_t k = seq_len(s, i, cp);
    i += k ? k : 1;
  }
  return n;
}

std::vector<char32_t> utf8_decode(std::string_view s) {
  std::vector<char32_t> out;
  out.reserve(s.size());
  char32_t cp;
  for (size_t i = 0; i < s.size();) {
    const size_t k = seq_len(s, i, cp);
    out.push_back(k ? cp : U'\uFFFD');
    i += k ? k : 1;
  }
  return out;
}

void utf8_append(std::string& out, char32_t cp) {
  if (cp < 0x80) {
    out += char(cp);
  } else if (cp < 0x800) {
    out += char(0xC0 | (cp >> 6));
    out += char(0x80 | (cp & 0x3F));
  } else if (cp < 0x10000) {
    out += char(0xE0 | (cp >> 12));
    out += char(0x80 | ((cp >> 6) & 0x3F));
    out += char(0x80 | (cp & 0x3F));
  } else {
    out += char(0xF0 | (cp >> 18));
    out += char(0x80 | ((cp >> 12) & 0x3F));
    out += char(0x80 | ((cp >> 6) & 0x3F));
    out += char(0x80 | (cp & 0x3F));
  }
}

std::string utf8_encode(const std::vector<char32_t>& cps) {
  std::string out;
  out.reserve(cps.size());
  for (char32_t c : cps) utf8_append(out, c);
  return out;
}

}  // namespace rgeval::tasks
