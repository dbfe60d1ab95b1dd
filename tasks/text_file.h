// Reading whole data files: existence check, UTF-8 validation, line splitting.
#pragma once
#include <string>
#include <vector>

namespace rgeval::tasks {

// The bytes of `path`; throws rgeval::Error naming the file when it is missing or unreadable.
std::string read_bytes(const std::string& path);

// The bytes of `path`, checked to be valid UTF-8 (the error names file and line). A leading
// UTF-8 byte-order mark is dropped.
std::string read_utf8(const std::string& path);

// Lines of a UTF-8 text file without their terminators ("\n" or "\r\n"); a final newline does not
// start an extra line.
std::vector<std::string> read_lines(const std::string& path);

// "path:line" for error messages.
inline std::string at_line(const std::string& path, int line) {
  return path + ":" + std::to_string(line);
}

}  // namespace rgeval::tasks
