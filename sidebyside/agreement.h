// Inter-rater agreement on units rated by two or more raters, on three categories (the pair's
// first system better / tie / second better):
//   raw agreement  share of agreeing pairs of ratings within units: Σ_u Σ_c n_uc(n_uc-1) / Σ_u
//   n_u(n_u-1) Cohen's kappa  two raters: (p_o - p_e) / (1 - p_e), p_e = Σ_c p1_c p2_c (their
//   marginals) Fleiss' kappa  m ratings per unit: P̄ = mean_u Σ_c n_uc(n_uc-1)/(m(m-1)), P̄_e = Σ_c
//   p_c²,
//                  κ = (P̄ - P̄_e)/(1 - P̄_e); on the units with the most common number of ratings
//   Krippendorff's alpha (nominal)  any number of ratings per unit: α = 1 - D_o/D_e from the
//                  coincidence matrix o_ck = Σ_u (pairs c,k in u)/(m_u - 1), n_c = Σ_k o_ck,
//                  D_o = Σ_{c≠k} o_ck / n, D_e = Σ_{c≠k} n_c n_k / (n(n-1))
#pragma once
#include <cstddef>
#include <vector>

#include "sidebyside/comparisons.h"

namespace rgeval::sidebyside {

// Categories are 0..categories-1. NaN when undefined (no data, or p_e == 1).
double cohen_kappa(const std::vector<int>& r1, const std::vector<int>& r2, int categories);
// counts[unit][category]; every unit must have the same total >= 2 (otherwise NaN).
double fleiss_kappa(const std::vector<std::vector<int>>& counts);
// values[unit] = the categories given to that unit (units with fewer than 2 are ignored).
double krippendorff_alpha_nominal(const std::vector<std::vector<int>>& values, int categories);
// Σ_u Σ_c n_uc(n_uc-1) / Σ_u n_u(n_u-1) over units with >= 2 values.
double raw_agreement(const std::vector<std::vector<int>>& values, int categories);

struct Agreement {
  size_t units = 0;   // units with >= 2 ratings
  size_t raters = 0;  // distinct raters among them
  double raw = 0, cohen_kappa = 0, fleiss_kappa = 0, krippendorff_alpha = 0;
  size_t fleiss_units = 0, fleiss_m = 0;  // units used by Fleiss' kappa and their number of ratings
  size_t cohen_units = 0;  // units both raters rated (Cohen's kappa: only with 2 raters)
};

Agreement agreement(const std::vector<Comparison>& rows);

}  // namespace rgeval::sidebyside
