#include "sidebyside/win_rate.h"

#include <cmath>
#include <map>

namespace rgeval::sidebyside {

WinRate win_rate(const std::vector<Comparison>& rows, const std::string& a, const std::string& b,
                 const BootstrapOptions& opts) {
  WinRate w;
  w.a = a;
  w.b = b;
  std::map<std::string, std::pair<double, double>> by_prompt;  // Σ score, count
  for (const auto& c : rows) {
    if (!((c.a == a && c.b == b) || (c.a == b && c.b == a))) continue;
    const double s = score_of(c, a);
    ++w.n;
    w.score += s;
    if (s > 0.5)
      ++w.wins;
    else if (s < 0.5)
      ++w.losses;
    else
      ++w.ties;
    auto& p = by_prompt[c.prompt];
    p.first += s;
    p.second += 1;
  }
  w.prompts = by_prompt.size();
  w.win_rate = w.n ? w.score / double(w.n) : NAN;
  w.wilson = tasks::wilson(w.score, w.n);
  std::vector<std::pair<double, double>> clusters;
  for (const auto& [k, v] : by_prompt) clusters.push_back(v);
  const auto reps = cluster_bootstrap(clusters.size(), opts, [&](const std::vector<size_t>& pick) {
    double s = 0, n = 0;
    for (size_t i : pick) {
      s += clusters[i].first;
      n += clusters[i].second;
    }
    return std::vector<double>{s / n};
  });
  std::vector<double> v;
  for (const auto& r : reps) v.push_back(r[0]);
  std::tie(w.boot_lo, w.boot_hi) = percentile_interval(v, opts.level);
  return w;
}

}  // namespace rgeval::sidebyside
