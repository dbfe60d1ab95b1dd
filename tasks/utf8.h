// UTF-8 helpers: validation (with the line of the first bad byte), decoding, code-point counts.
#pragma once
#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

namespace rgeval::tasks {

// Byte offset of the first byte that is not part of well-formed UTF-8 (overlongs, surrogates and
// code points above U+10FFFF are ill-formed), or std::string_view::npos when `s` is valid.
size_t utf8_invalid_offset(std::string_view s);
inline bool utf8_valid(std::string_view s) { return utf8_invalid_offset(s) == std::string_view::npos; }

// Throws rgeval::Error("file:LINE: invalid UTF-8 (byte 0x.. at column C)") when `s` (the content
// of `file`, whose first line is `first_line`) is not valid UTF-8.
void utf8_check(std::string_view s, const std::string& file, int first_line = 1);

// Code points of valid UTF-8 (Python len()). Ill-formed bytes count one each.
size_t utf8_length(std::string_view s);

// Decodes valid UTF-8 to code points (ill-formed bytes become U+FFFD) and back.
std::vector<char32_t> utf8_decode(std::string_view s);
std::string utf8_encode(const std::vector<char32_t>& cps);
void utf8_append(std::string& out, char32_t cp);

}  // namespace rgeval::tasks
