// One status line of a long run on stderr: redrawn in place on a terminal, one line per update
// otherwise, at most twice a second except for the final update.
#pragma once
#include <chrono>
#include <string>

namespace rgeval::cli {

class ProgressLine {
 public:
  ProgressLine();
  void show(const std::string& text, bool final);

 private:
  bool tty_;
  std::chrono::steady_clock::time_point last_;
};

}  // namespace rgeval::cli
