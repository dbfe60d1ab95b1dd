// AlpacaEval's own convention, so imported annotations can be checked against its leaderboard:
// for each (generator_2 = the model, generator_1 = the reference) pair of source "alpaca_eval",
//   alpaca_eval_win_rate       = 100 · mean(preference - 1, with 0 counted as 0.5)
//   alpaca_eval_standard_error = 100 · stdev(ddof = 1) / sqrt(n)
// (preference - 1 is the model's score, 1 - score_a).
#pragma once
#include <string>
#include <vector>

#include "sidebyside/comparisons.h"

namespace rgeval::sidebyside {

struct AlpacaEvalScore {
  std::string model, reference;
  size_t n = 0;
  double win_rate = 0, standard_error = 0;
};

std::vector<AlpacaEvalScore> alpaca_eval_scores(const std::vector<Comparison>& rows);

}  // namespace rgeval::sidebyside
