// rgeval's version and the git commit it was built from (generated at build time by
// cmake/version.cmake, so that a new commit recompiles one file).
#pragma once

namespace rgeval {

const char* version();  // "0.1.0"
const char* commit();   // short hash, "-dirty" when built with uncommitted changes, or "unknown"

}  // namespace rgeval
