// Reading back a stored command line (shell-quoted by cli::shell_quote): its words, and the value
// of an option such as --data, so a report can find the data files a run read.
#pragma once
#include <optional>
#include <string>
#include <vector>

namespace rgeval::reports {

// Words of a POSIX-shell-quoted line: whitespace separates, '...' is literal, "..." and \ escape.
std::vector<std::string> split_shell_words(const std::string& line);

// The value of `--name VALUE` or `--name=VALUE` (the last one given), if any.
std::optional<std::string> option_value(const std::vector<std::string>& words,
                                        const std::string& name);

}  // namespace rgeval::reports
