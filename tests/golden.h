// Reading ../shared/golden/<model>/golden.json and its float arrays in golden.bin.
#pragma once
#include <cstring>
#include <fstream>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "tests/testing.h"

namespace rgeval::testing {

struct Golden {
  std::string dir;
  nlohmann::json j;
  std::string bin;

  explicit Golden(const std::string& model) : dir(golden(model)) {
    std::ifstream f(dir + "/golden.json");
    j = nlohmann::json::parse(f);
    bin = read_file(dir + "/golden.bin");
  }
  // A float32 array by key, with its shape.
  std::vector<float> array(const std::string& key, std::vector<int64_t>* shape = nullptr) const {
    const auto& a = j.at("arrays").at(key);
    const size_t off = a.at("offset").get<size_t>();
    size_t n = 1;
    std::vector<int64_t> s;
    for (const auto& d : a.at("shape")) s.push_back(d.get<int64_t>()), n *= d.get<size_t>();
    if (shape) *shape = s;
    std::vector<float> out(n);
    std::memcpy(out.data(), bin.data() + off, n * 4);
    return out;
  }
  double tolerance() const { return j.at("architecture") == "recurrent_gemma" ? 5e-4 : 2e-4; }
};

inline const std::vector<std::string>& golden_models() {
  static const std::vector<std::string> m = {"recurrentgemma-tiny", "recurrentgemma-tiny-bf16",
                                             "gemma-tiny-mqa", "gemma-tiny-mqa-bf16",
                                             "gemma-tiny-mha"};
  return m;
}

inline double max_abs_diff(const float* a, const float* b, size_t n) {
  double m = 0;
  for (size_t i = 0; i < n; ++i) m = std::max(m, double(std::abs(a[i] - b[i])));
  return m;
}

}  // namespace rgeval::testing
