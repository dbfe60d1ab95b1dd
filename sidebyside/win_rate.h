// Win rate of system `a` against `b` with ties counted as half:
//   win_rate = (wins + ties/2) / n      (imported soft preferences contribute their score)
// with two 95% intervals: the bootstrap over prompts (the one to report: several raters per
// prompt and similar prompts make ratings correlated, which the Wilson interval ignores) and the
// Wilson score interval on (wins + ties/2, n) for comparison (tasks/binomial.h).
#pragma once
#include <string>
#include <vector>

#include "sidebyside/bootstrap.h"
#include "sidebyside/comparisons.h"
#include "tasks/binomial.h"

namespace rgeval::sidebyside {

struct WinRate {
  std::string a, b;
  size_t n = 0, prompts = 0;
  size_t wins = 0, ties = 0, losses = 0;  // score 1 / 0.5 / 0 (soft scores: by which side of 0.5)
  double score = 0;                       // Σ score of a
  double win_rate = 0;                    // score / n (NaN when n == 0)
  tasks::Proportion wilson;
  double boot_lo = 0, boot_hi = 0;
};

// Over the rows that compare a and b (in either order).
WinRate win_rate(const std::vector<Comparison>& rows, const std::string& a, const std::string& b,
                 const BootstrapOptions& opts);

}  // namespace rgeval::sidebyside
