// Intervals for a binomial proportion (refusal rates, win rates): Wilson's score interval, which
// keeps its coverage near 0 and 1 and for small n where the normal ("Wald") interval does not.
#pragma once
#include <cstddef>

namespace rgeval::tasks {

struct Proportion {
  double k = 0;                     // successes (may be fractional: ties counted as half)
  size_t n = 0;                     // trials
  double rate = 0, lo = 0, hi = 0;  // NaN when n == 0
};

// Wilson score interval at the normal quantile z (1.959964 = 95%):
//   centre = (p + z²/2n) / (1 + z²/n), half = z/(1 + z²/n) · sqrt(p(1-p)/n + z²/4n²)
Proportion wilson(double k, size_t n, double z = 1.959963984540054);

}  // namespace rgeval::tasks
