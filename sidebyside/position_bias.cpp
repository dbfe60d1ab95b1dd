#include "sidebyside/position_bias.h"

#include <algorithm>
#include <cmath>

namespace rgeval::sidebyside {

double binomial_test_two_sided(size_t k, size_t n, double p) {
  if (n == 0) return 1;
  auto logpmf = [&](size_t i) {
    return std::lgamma(double(n) + 1) - std::lgamma(double(i) + 1) -
           std::lgamma(double(n - i) + 1) + (i ? double(i) * std::log(p) : 0) +
           (n - i ? double(n - i) * std::log1p(-p) : 0);
  };
  const double lk = logpmf(k);
  double total = 0;
  for (size_t i = 0; i <= n; ++i) {
    const double l = logpmf(i);
    if (l <= lk + 1e-7 * std::abs(lk) + 1e-12) total += std::exp(l);
  }
  return std::min(1.0, total);
}

PositionBias position_bias(const std::vector<Comparison>& rows) {
  PositionBias pb;
  for (const auto& c : rows) {
    if (c.a_left < 0) continue;
    if (c.score_a == 0.5) {
      ++pb.ties;
      continue;
    }
    ++pb.decided;
    const bool a_won = c.score_a > 0.5;
    if (a_won == (c.a_left == 1)) ++pb.left_wins;
  }
  pb.left_rate = pb.decided ? double(pb.left_wins) / double(pb.decided) : NAN;
  pb.p_value = binomial_test_two_sided(pb.left_wins, pb.decided);
  return pb;
}

}  // namespace rgeval::sidebyside
