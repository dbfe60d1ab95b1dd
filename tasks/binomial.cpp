#include "tasks/binomial.h"

#include <algorithm>
#include <cmath>
#include <limits>

namespace rgeval::tasks {

Proportion wilson(double k, size_t n, double z) {
  Proportion p;
  p.k = k;
  p.n = n;
  if (n == 0) {
    p.rate = p.lo = p.hi = std::numeric_limits<double>::quiet_NaN();
    return p;
  }
  const double nn = double(n), phat = k / nn, z2 = z * z;
  const double denom = 1 + z2 / nn;
  const double centre = (phat + z2 / (2 * nn)) / denom;
  const double half = z / denom * std::sqrt(phat * (1 - phat) / nn + z2 / (4 * nn * nn));
  p.rate = phat;
  p.lo = std::max(0.0, centre - half);
  p.hi = std::min(1.0, centre + half);
  return p;
}

}  // namespace rgeval::tasks
