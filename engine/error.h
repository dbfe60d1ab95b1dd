// The one exception type rgeval throws for bad input and runtime failures.
// Messages name the file (or object) and the problem: "path: what is wrong".
#pragma once
#include <stdexcept>
#include <string>

namespace rgeval {

struct Error : std::runtime_error {
  using std::runtime_error::runtime_error;
};

// Throws Error("where: what").
[[noreturn]] inline void fail(const std::string& where, const std::string& what) {
  throw Error(where.empty() ? what : where + ": " + what);
}

}  // namespace rgeval
