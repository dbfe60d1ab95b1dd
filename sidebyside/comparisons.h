// The common input of every statistic: one pairwise outcome per row, from the study's ratings
// (sxs_ratings) and from imported judgments (sxs_judgments).
#pragma once
#include <string>
#include <vector>

#include "store/sqlite_db.h"

namespace rgeval::sidebyside {

struct Comparison {
  std::string source;  // "ratings" or the import format ("alpaca_eval", "fastchat")
  std::string prompt;  // prompt_key: the bootstrap's cluster (ratings of one prompt stay together)
  std::string category;  // the prompt's category
  std::string rater;     // rater name, or the judge of an imported judgment
  std::string unit;      // what several raters rated alike (an item; for imports prompt+pair+turn)
  std::string a, b;      // the two systems
  double score_a = 0.5;  // 1: a preferred, 0.5: tie, 0: b preferred (imports may be fractional)
  int margin = -1;       // ratings: 2 much better, 1 better, 0 tie; imports: -1
  int a_left = -1;      // ratings: 1 when a was shown on the left, 0 when on the right; imports: -1
  double seconds = -1;  // ratings: time spent
};

// Score of `sys` in `c` (which involves it): score_a or 1 - score_a.
inline double score_of(const Comparison& c, const std::string& sys) {
  return c.a == sys ? c.score_a : 1 - c.score_a;
}

struct LoadedComparisons {
  std::vector<Comparison> rows;
  size_t dropped_identity =
      0;  // ratings left out: flagged by the rater, or a response flagged by the admin
};

LoadedComparisons load_comparisons(store::Db& db);

}  // namespace rgeval::sidebyside
