// Helpers shared by the tests of tasks/ (test_tasks_*.cpp), besides those of tests/testing.h.
#pragma once
#include <string>

#include "tasks/registry.h"
#include "tests/testing.h"

namespace rgeval::testing {

// The message load_task throws for `task` under `dir` ("" when it does not throw).
inline std::string load_error(const std::string& task, const std::string& dir) {
  return error_of([&] { tasks::load_task(task, dir); });
}

}  // namespace rgeval::testing
