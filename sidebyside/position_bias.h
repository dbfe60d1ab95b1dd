// Position bias of the raters: among decided ratings (not ties) whose sides are known, the share
// won by the response shown on the left, with the exact two-sided binomial test against 1/2
// (a small p-value says raters favour one side; randomised sides keep the win rates unbiased
// anyway, but a strong bias wastes ratings).
#pragma once
#include <cstddef>
#include <vector>

#include "sidebyside/comparisons.h"

namespace rgeval::sidebyside {

struct PositionBias {
  size_t decided = 0, left_wins = 0, ties = 0;
  double left_rate = 0;  // left_wins / decided (NaN when none)
  double p_value = 1;    // exact two-sided binomial test, H0: left wins with probability 1/2
};

// Exact two-sided binomial test (as scipy.stats.binomtest): the probability under Binomial(n, p)
// of outcomes no more likely than k.
double binomial_test_two_sided(size_t k, size_t n, double p = 0.5);

PositionBias position_bias(const std::vector<Comparison>& rows);

}  // namespace rgeval::sidebyside
