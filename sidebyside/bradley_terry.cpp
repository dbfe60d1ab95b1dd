#include "sidebyside/bradley_terry.h"

#include <algorithm>
#include <cmath>
#include <map>
#include <numeric>

namespace rgeval::sidebyside {

namespace {

BtFit fit_once(size_t k, const std::vector<BtGame>& games, bool regularise) {
  std::vector<double> w(k, 0);
  std::vector<std::vector<double>> n(k, std::vector<double>(k, 0));
  for (const auto& g : games) {
    w[g.i] += g.score_i;
    w[g.j] += 1 - g.score_i;
    n[g.i][g.j] += 1;
    n[g.j][g.i] += 1;
  }
  if (regularise)
    for (size_t i = 0; i < k; ++i)
      for (size_t j = 0; j < k; ++j)
        if (i != j && n[i][j] > 0) {
          n[i][j] += 1;
          w[i] += 0.5;
        }
  BtFit f;
  f.p.assign(k, 1.0);
  f.regularised = regularise;
  for (f.iterations = 1; f.iterations <= 100000; ++f.iterations) {
    std::vector<double> q(k);
    for (size_t i = 0; i < k; ++i) {
      double d = 0;
      for (size_t j = 0; j < k; ++j)
        if (j != i && n[i][j] > 0) d += n[i][j] / (f.p[i] + f.p[j]);
      q[i] = d > 0 ? w[i] / d : 1.0;
    }
    double lg = 0;
    for (double x : q) lg += std::log(x);
    const double g = std::exp(lg / double(k));
    double change = 0;
    for (size_t i = 0; i < k; ++i) {
      q[i] /= g;
      change = std::max(change, std::abs(std::log(q[i] / f.p[i])));
    }
    f.p = q;
    if (change < 1e-12) break;
  }
  return f;
}

}  // namespace

BtFit bradley_terry_fit(size_t k, const std::vector<BtGame>& games) {
  if (k == 0) return {};
  std::vector<double> w(k, 0), total(k, 0);
  for (const auto& g : games) {
    w[g.i] += g.score_i;
    w[g.j] += 1 - g.score_i;
    total[g.i] += 1;
    total[g.j] += 1;
  }
  bool degenerate = false;
  for (size_t i = 0; i < k; ++i)
    if (total[i] > 0 && (w[i] <= 0 || w[i] >= total[i])) degenerate = true;
  return fit_once(k, games, degenerate);
}

BradleyTerry bradley_terry(const std::vector<Comparison>& rows, const BootstrapOptions& opts) {
  std::map<std::string, size_t> index;
  for (const auto& c : rows) {
    index.emplace(c.a, 0);
    index.emplace(c.b, 0);
  }
  std::vector<std::string> names;
  for (auto& [name, i] : index) {
    i = names.size();
    names.push_back(name);
  }
  std::map<std::string, std::vector<BtGame>> by_prompt;
  std::vector<BtGame> all;
  for (const auto& c : rows) {
    const BtGame g{index[c.a], index[c.b], c.score_a};
    by_prompt[c.prompt].push_back(g);
    all.push_back(g);
  }
  auto to_rating = [](double p) { return 1000 + 400 * std::log10(p); };
  const BtFit fit = bradley_terry_fit(names.size(), all);
  std::vector<std::vector<BtGame>> clusters;
  for (auto& [k, v] : by_prompt) clusters.push_back(std::move(v));
  const auto reps = cluster_bootstrap(clusters.size(), opts, [&](const std::vector<size_t>& pick) {
    std::vector<BtGame> g;
    for (size_t i : pick) g.insert(g.end(), clusters[i].begin(), clusters[i].end());
    const BtFit f = bradley_terry_fit(names.size(), g);
    std::vector<double> r;
    for (double p : f.p) r.push_back(to_rating(p));
    return r;
  });
  BradleyTerry bt;
  bt.regularised = fit.regularised;
  std::vector<size_t> order(names.size());
  std::iota(order.begin(), order.end(), 0);
  std::stable_sort(order.begin(), order.end(),
                   [&](size_t x, size_t y) { return fit.p[x] > fit.p[y]; });
  for (size_t i : order) {
    bt.systems.push_back(names[i]);
    bt.rating.push_back(to_rating(fit.p[i]));
    std::vector<double> v;
    for (const auto& r : reps) v.push_back(r[i]);
    const auto [lo, hi] = percentile_interval(v, opts.level);
    bt.lo.push_back(lo);
    bt.hi.push_back(hi);
  }
  return bt;
}

}  // namespace rgeval::sidebyside
