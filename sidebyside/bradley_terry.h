// Bradley-Terry model for three or more systems, as Chatbot Arena ranks models:
//   P(i beats j) = p_i / (p_i + p_j), ties counted as half a win for each side,
// fitted by maximum likelihood with Hunter's (2004) MM iteration
//   p_i <- W_i / Σ_j N_ij / (p_i + p_j)   (W_i: score of i, N_ij: comparisons of i and j),
// normalised to geometric mean 1 and reported on the Elo scale, rating_i = 1000 + 400·log10(p_i).
// When a system has won all or none of its comparisons the MLE does not exist; then every
// compared pair gets one extra virtual tie (and `regularised` is set). Intervals: percentile
// bootstrap that resamples prompts.
#pragma once
#include <string>
#include <vector>

#include "sidebyside/bootstrap.h"
#include "sidebyside/comparisons.h"

namespace rgeval::sidebyside {

struct BtGame {
  size_t i = 0, j = 0;
  double score_i = 0.5;  // 1, 0.5, 0 (or a soft score)
};

struct BtFit {
  std::vector<double> p;  // strengths, geometric mean 1
  bool regularised = false;
  int iterations = 0;
};

BtFit bradley_terry_fit(size_t n_systems, const std::vector<BtGame>& games);

struct BradleyTerry {
  std::vector<std::string> systems;  // sorted by rating, best first
  std::vector<double> rating, lo, hi;
  bool regularised = false;
};

BradleyTerry bradley_terry(const std::vector<Comparison>& rows, const BootstrapOptions& opts);

}  // namespace rgeval::sidebyside
