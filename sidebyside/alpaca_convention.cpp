#include "sidebyside/alpaca_convention.h"

#include <cmath>
#include <map>

namespace rgeval::sidebyside {

std::vector<AlpacaEvalScore> alpaca_eval_scores(const std::vector<Comparison>& rows) {
  std::map<std::pair<std::string, std::string>, std::vector<double>> by_pair;  // (model, reference)
  for (const auto& c : rows)
    if (c.source == "alpaca_eval") by_pair[{c.b, c.a}].push_back(1 - c.score_a);
  std::vector<AlpacaEvalScore> out;
  for (const auto& [key, v] : by_pair) {
    AlpacaEvalScore s;
    s.model = key.first;
    s.reference = key.second;
    s.n = v.size();
    double sum = 0;
    for (double x : v) sum += x;
    const double mean = sum / double(s.n);
    double ss = 0;
    for (double x : v) ss += (x - mean) * (x - mean);
    s.win_rate = 100 * mean;
    s.standard_error =
        s.n > 1 ? 100 * std::sqrt(ss / double(s.n - 1)) / std::sqrt(double(s.n)) : NAN;
    out.push_back(s);
  }
  return out;
}

}  // namespace rgeval::sidebyside
