// This process's command line, shell-quoted, for the provenance of stored results.
#pragma once
#include <string>

namespace rgeval::cli {

std::string shell_quote(const std::string& s);
std::string command_line();  // from /proc/self/cmdline

}  // namespace rgeval::cli
