#include "sidebyside/bootstrap.h"

#include <algorithm>
#include <cmath>

namespace rgeval::sidebyside {

uint64_t SplitMix64::next() {
  uint64_t z = (s_ += 0x9e3779b97f4a7c15ULL);
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
  return z ^ (z >> 31);
}

uint64_t SplitMix64::below(uint64_t n) {
  unsigned __int128 m = (unsigned __int128)next() * n;
  uint64_t l = uint64_t(m);
  if (l < n) {
    const uint64_t t = (0 - n) % n;
    while (l < t) {
      m = (unsigned __int128)next() * n;
      l = uint64_t(m);
    }
  }
  return uint64_t(m >> 64);
}

std::vector<std::vector<double>> cluster_bootstrap(
    size_t n_clusters, const BootstrapOptions& opts,
    const std::function<std::vector<double>(const std::vector<size_t>&)>& stat) {
  std::vector<std::vector<double>> reps;
  if (n_clusters == 0) return reps;
  SplitMix64 rng(opts.seed);
  std::vector<size_t> pick(n_clusters);
  reps.reserve(opts.samples);
  for (size_t s = 0; s < opts.samples; ++s) {
    for (auto& p : pick) p = size_t(rng.below(n_clusters));
    reps.push_back(stat(pick));
  }
  return reps;
}

std::pair<double, double> percentile_interval(std::vector<double> v, double level) {
  std::erase_if(v, [](double x) { return std::isnan(x); });
  if (v.empty()) return {NAN, NAN};
  std::sort(v.begin(), v.end());
  auto q = [&](double p) {
    const double pos = p * double(v.size() - 1);
    const size_t i = size_t(std::floor(pos));
    const double f = pos - double(i);
    return i + 1 < v.size() ? v[i] + f * (v[i + 1] - v[i]) : v[i];
  };
  const double tail = (1 - level) / 2;
  return {q(tail), q(1 - tail)};
}

}  // namespace rgeval::sidebyside
