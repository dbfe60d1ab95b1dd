// The clustered (prompt-level) bootstrap: resample whole clusters with replacement, so that the
// correlated ratings of one prompt (several raters, 5-point margins) stay together and the
// interval reflects how many prompts were rated, not how many ratings. Deterministic for a seed
// (splitmix64 generator and Lemire's unbiased bounded integers: the same numbers on every
// platform, unlike std::uniform_int_distribution).
#pragma once
#include <cstdint>
#include <functional>
#include <utility>
#include <vector>

namespace rgeval::sidebyside {

struct BootstrapOptions {
  size_t samples = 2000;
  uint64_t seed = 20240411;
  double level = 0.95;
};

class SplitMix64 {
 public:
  explicit SplitMix64(uint64_t seed) : s_(seed) {}
  uint64_t next();
  uint64_t below(uint64_t n);  // uniform in [0, n), n > 0

 private:
  uint64_t s_;
};

// For each of opts.samples replicates, draws n_clusters cluster indices with replacement and calls
// `stat` with them; returns the replicates' statistics (each a vector of the same length).
std::vector<std::vector<double>> cluster_bootstrap(
    size_t n_clusters, const BootstrapOptions& opts,
    const std::function<std::vector<double>(const std::vector<size_t>&)>& stat);

// The percentile interval [q, 1-q] with q = (1-level)/2, linear interpolation between order
// statistics (numpy's default); NaN values are ignored; {NaN, NaN} when none is left.
std::pair<double, double> percentile_interval(std::vector<double> values, double level);

}  // namespace rgeval::sidebyside
