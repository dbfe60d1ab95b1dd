#include "sidebyside/agreement.h"

#include <cmath>
#include <map>
#include <set>
#include <string>

namespace rgeval::sidebyside {

double cohen_kappa(const std::vector<int>& r1, const std::vector<int>& r2, int k) {
  const size_t n = std::min(r1.size(), r2.size());
  if (n == 0) return NAN;
  std::vector<double> m1(size_t(k), 0), m2(size_t(k), 0);
  double agree = 0;
  for (size_t i = 0; i < n; ++i) {
    m1[size_t(r1[i])] += 1;
    m2[size_t(r2[i])] += 1;
    if (r1[i] == r2[i]) agree += 1;
  }
  const double po = agree / double(n);
  double pe = 0;
  for (int c = 0; c < k; ++c) pe += (m1[size_t(c)] / double(n)) * (m2[size_t(c)] / double(n));
  return pe >= 1 ? NAN : (po - pe) / (1 - pe);
}

double fleiss_kappa(const std::vector<std::vector<int>>& counts) {
  if (counts.empty()) return NAN;
  const size_t k = counts[0].size();
  double m = 0;
  for (int c : counts[0]) m += c;
  if (m < 2) return NAN;
  std::vector<double> p(k, 0);
  double pbar = 0;
  for (const auto& row : counts) {
    double tot = 0, s = 0;
    for (size_t c = 0; c < k; ++c) {
      tot += row[c];
      s += double(row[c]) * (row[c] - 1);
      p[c] += row[c];
    }
    if (tot != m) return NAN;
    pbar += s / (m * (m - 1));
  }
  const double n = double(counts.size());
  pbar /= n;
  double pe = 0;
  for (double& x : p) {
    x /= n * m;
    pe += x * x;
  }
  return pe >= 1 ? NAN : (pbar - pe) / (1 - pe);
}

double krippendorff_alpha_nominal(const std::vector<std::vector<int>>& values, int k) {
  std::vector<std::vector<double>> o(size_t(k), std::vector<double>(size_t(k), 0));
  for (const auto& u : values) {
    const size_t m = u.size();
    if (m < 2) continue;
    for (size_t i = 0; i < m; ++i)
      for (size_t j = 0; j < m; ++j)
        if (i != j) o[size_t(u[i])][size_t(u[j])] += 1.0 / double(m - 1);
  }
  std::vector<double> nc(size_t(k), 0);
  double n = 0, disagree = 0;
  for (int c = 0; c < k; ++c)
    for (int d = 0; d < k; ++d) {
      nc[size_t(c)] += o[size_t(c)][size_t(d)];
      if (c != d) disagree += o[size_t(c)][size_t(d)];
    }
  for (double x : nc) n += x;
  if (n <= 1) return NAN;
  double expected = 0;
  for (int c = 0; c < k; ++c)
    for (int d = 0; d < k; ++d)
      if (c != d) expected += nc[size_t(c)] * nc[size_t(d)];
  expected /= n * (n - 1);
  const double observed = disagree / n;
  return expected == 0 ? NAN : 1 - observed / expected;
}

double raw_agreement(const std::vector<std::vector<int>>& values, int k) {
  double agree = 0, pairs = 0;
  for (const auto& u : values) {
    if (u.size() < 2) continue;
    std::vector<double> cnt(size_t(k), 0);
    for (int v : u) cnt[size_t(v)] += 1;
    for (double c : cnt) agree += c * (c - 1);
    pairs += double(u.size()) * double(u.size() - 1);
  }
  return pairs ? agree / pairs : NAN;
}

Agreement agreement(const std::vector<Comparison>& rows) {
  constexpr int kCats = 3;
  // unit -> (rater -> category from the point of view of the alphabetically first system)
  std::map<std::string, std::map<std::string, int>> units;
  for (const auto& c : rows) {
    const double s = c.a < c.b ? c.score_a : 1 - c.score_a;
    units[c.unit][c.rater] = s > 0.5 ? 0 : s < 0.5 ? 2 : 1;
  }
  Agreement ag;
  std::vector<std::vector<int>> values;
  std::set<std::string> raters;
  std::map<size_t, size_t> size_count;
  for (const auto& [u, rs] : units) {
    if (rs.size() < 2) continue;
    std::vector<int> v;
    for (const auto& [r, cat] : rs) {
      v.push_back(cat);
      raters.insert(r);
    }
    ++size_count[v.size()];
    values.push_back(std::move(v));
  }
  ag.units = values.size();
  ag.raters = raters.size();
  ag.raw = raw_agreement(values, kCats);
  ag.krippendorff_alpha = krippendorff_alpha_nominal(values, kCats);
  size_t m = 0, most = 0;
  for (const auto& [sz, cnt] : size_count)
    if (cnt > most) most = cnt, m = sz;
  std::vector<std::vector<int>> counts;
  for (const auto& v : values) {
    if (v.size() != m) continue;
    std::vector<int> row(kCats, 0);
    for (int c : v) ++row[size_t(c)];
    counts.push_back(row);
  }
  ag.fleiss_units = counts.size();
  ag.fleiss_m = m;
  ag.fleiss_kappa = fleiss_kappa(counts);
  ag.cohen_kappa = NAN;
  if (raters.size() == 2) {
    const std::string r1 = *raters.begin(), r2 = *raters.rbegin();
    std::vector<int> x, y;
    for (const auto& [u, rs] : units) {
      const auto i = rs.find(r1), j = rs.find(r2);
      if (i == rs.end() || j == rs.end()) continue;
      x.push_back(i->second);
      y.push_back(j->second);
    }
    ag.cohen_units = x.size();
    ag.cohen_kappa = cohen_kappa(x, y, kCats);
  }
  return ag;
}

}  // namespace rgeval::sidebyside
