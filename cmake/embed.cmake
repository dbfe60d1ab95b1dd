# Writes a C++ source defining `const std::string& NAME()` with the bytes of INPUT.
# Usage: cmake -DINPUT=... -DOUTPUT=... -DNAME=... -P embed.cmake
file(READ "${INPUT}" hex HEX)
string(LENGTH "${hex}" n)
string(REGEX REPLACE "([0-9a-f][0-9a-f])" "'\\\\x\\1'," body "${hex}")
file(WRITE "${OUTPUT}" "// Generated from ${INPUT}; do not edit.\n#include <string>\nnamespace rgeval {\nstatic const char kData[] = {${body}};\nconst std::string& ${NAME}() {\n  static const std::string s(kData, sizeof(kData));\n  return s;\n}\n}  // namespace rgeval\n")
