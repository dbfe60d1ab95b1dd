// Helpers shared by the tests: the shared/ folder, temporary files, running the rgeval binary.
#pragma once
#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

#include "engine/error.h"

namespace rgeval::testing {

// ../shared beside the clone, or "" when absent.
inline std::string shared_dir() {
  const std::string d = RGEVAL_SHARED_DIR;
  return std::filesystem::is_directory(d) ? d : "";
}

// Use at the top of a test that needs ../shared.
#define RGEVAL_REQUIRE_SHARED()                                               \
  do {                                                                        \
    if (::rgeval::testing::shared_dir().empty())                              \
      GTEST_SKIP() << "../shared is absent (" RGEVAL_SHARED_DIR "): skipped"; \
  } while (0)

inline std::string golden(const std::string& rel) { return shared_dir() + "/golden/" + rel; }

// A fresh temporary directory, removed at destruction.
struct TempDir {
  std::filesystem::path path;
  TempDir() {
    char tmpl[] = "/tmp/rgeval-test-XXXXXX";
    path = ::mkdtemp(tmpl);
  }
  ~TempDir() { std::filesystem::remove_all(path); }
  std::string file(const std::string& name) const { return (path / name).string(); }
};

inline void write_file(const std::string& path, const std::string& bytes) {
  std::ofstream(path, std::ios::binary) << bytes;
}

// Writes `bytes` to the file `rel` under `t`, creating the folders on the way.
inline void write_under(const TempDir& t, const std::string& rel, const std::string& bytes) {
  const std::filesystem::path p = t.path / rel;
  std::filesystem::create_directories(p.parent_path());
  write_file(p.string(), bytes);
}

// The message of the rgeval::Error `f` throws ("" if none).
template <class F>
std::string error_of(F&& f) {
  try {
    f();
  } catch (const Error& e) {
    return e.what();
  }
  return "";
}

inline std::string read_file(const std::string& path) {
  std::ifstream f(path, std::ios::binary);
  std::stringstream ss;
  ss << f.rdbuf();
  return ss.str();
}

struct CliResult {
  int code = -1;
  std::string out, err;
};

// Runs the rgeval binary with a shell-quoted argument string.
inline CliResult run_cli(const std::string& args, const std::string& stdin_text = "") {
  TempDir t;
  const std::string in = t.file("in"), out = t.file("out"), err = t.file("err");
  write_file(in, stdin_text);
  const std::string cmd =
      std::string(RGEVAL_BIN) + " " + args + " <" + in + " >" + out + " 2>" + err;
  const int status = std::system(cmd.c_str());
  CliResult r;
  r.code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
  r.out = read_file(out);
  r.err = read_file(err);
  return r;
}

}  // namespace rgeval::testing
