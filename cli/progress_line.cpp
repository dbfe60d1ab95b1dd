#include "cli/progress_line.h"

#include <unistd.h>

#include <iostream>

namespace rgeval::cli {

ProgressLine::ProgressLine()
    : tty_(::isatty(2)), last_(std::chrono::steady_clock::now() - std::chrono::seconds(1)) {}

void ProgressLine::show(const std::string& text, bool final) {
  const auto now = std::chrono::steady_clock::now();
  if (!final && now - last_ < std::chrono::milliseconds(500)) return;
  last_ = now;
  std::cerr << (tty_ ? "\r\033[K" : "") << text << (tty_ && !final ? "" : "\n") << std::flush;
}

}  // namespace rgeval::cli
