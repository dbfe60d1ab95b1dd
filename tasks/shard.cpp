#include "tasks/shard.h"

#include <algorithm>
#include <numeric>

#include "engine/error.h"

namespace rgeval::tasks {

namespace {

int64_t unit_total(const ShardUnit& u) {
  return u.prefix_tokens + std::accumulate(u.doc_tokens.begin(), u.doc_tokens.end(), int64_t(0));
}

// Hands the documents of the `split` units, in order, to the ranks in `order`: each rank takes
// documents while its load stays at most `level` (the last rank takes the rest); a rank that
// starts on a unit pays the unit's prefix. Adds to `loads`; returns the largest load.
int64_t fill(const std::vector<ShardUnit>& units, const std::vector<size_t>& split,
             const std::vector<int>& order, int64_t level, std::vector<int64_t>& loads,
             std::vector<ShardPiece>* out) {
  size_t si = 0, doc = 0;  // the next document: split[si], doc
  for (size_t oi = 0; oi < order.size() && si < split.size(); ++oi) {
    int64_t& load = loads[size_t(order[oi])];
    const bool last = oi + 1 == order.size();
    while (si < split.size()) {
      const ShardUnit& u = units[split[si]];
      const size_t begin = doc;
      int64_t piece = u.prefix_tokens;
      while (doc < u.doc_tokens.size() && (last || load + piece + u.doc_tokens[doc] <= level))
        piece += u.doc_tokens[doc++];
      if (doc == begin) break;  // this rank is full
      if (out) out->push_back({split[si], begin, doc, order[oi]});
      load += piece;
      if (doc < u.doc_tokens.size()) break;  // full in the middle of the unit
      ++si;
      doc = 0;
    }
  }
  return *std::max_element(loads.begin(), loads.end());
}

// Whole units, largest first, each to the least loaded rank (ties: lower unit, lower rank).
void assign_whole(const std::vector<ShardUnit>& units, const std::vector<int64_t>& cost,
                  std::vector<size_t> list, ShardPlan& plan) {
  std::stable_sort(list.begin(), list.end(), [&](size_t a, size_t b) { return cost[a] > cost[b]; });
  for (size_t u : list) {
    const auto r = std::min_element(plan.tokens_per_rank.begin(), plan.tokens_per_rank.end());
    *r += cost[u];
    plan.pieces.push_back(
        {u, 0, units[u].doc_tokens.size(), int(r - plan.tokens_per_rank.begin())});
  }
}

// The documents of the `split` units, in order, fill the ranks (least loaded first) up to the
// lowest level at which everything fits, prefixes paid again per piece.
void assign_split(const std::vector<ShardUnit>& units, const std::vector<int64_t>& cost,
                  const std::vector<size_t>& split, int64_t total, ShardPlan& plan) {
  std::vector<int> order(plan.tokens_per_rank.size());
  std::iota(order.begin(), order.end(), 0);
  std::stable_sort(order.begin(), order.end(), [&](int a, int b) {
    return plan.tokens_per_rank[size_t(a)] < plan.tokens_per_rank[size_t(b)];
  });
  int64_t lo = *std::max_element(plan.tokens_per_rank.begin(), plan.tokens_per_rank.end()), hi = lo;
  for (size_t u : split) hi += cost[u];
  lo = std::max(lo, total / int64_t(order.size()));
  while (lo < hi) {  // the smallest level that fits (hi always does: the first rank takes all)
    const int64_t mid = lo + (hi - lo) / 2;
    std::vector<int64_t> loads = plan.tokens_per_rank;
    if (fill(units, split, order, mid, loads, nullptr) <= mid)
      hi = mid;
    else
      lo = mid + 1;
  }
  fill(units, split, order, hi, plan.tokens_per_rank, &plan.pieces);
}

int64_t max_load(const ShardPlan& p) {
  return *std::max_element(p.tokens_per_rank.begin(), p.tokens_per_rank.end());
}

}  // namespace

double max_over_mean(const std::vector<int64_t>& values) {
  if (values.empty()) return 1.0;
  const double sum = double(std::accumulate(values.begin(), values.end(), int64_t(0)));
  if (sum <= 0) return 1.0;
  return double(*std::max_element(values.begin(), values.end())) / (sum / double(values.size()));
}

ShardPlan plan_shards(const std::vector<ShardUnit>& units, int ranks) {
  if (ranks < 1) fail("shard", "need at least one rank, got " + std::to_string(ranks));
  std::vector<int64_t> cost(units.size());
  int64_t total = 0;
  for (size_t u = 0; u < units.size(); ++u) total += cost[u] = unit_total(units[u]);
  const double fair = double(total) / double(ranks);
  std::vector<size_t> all, small, large;  // large: more than a fair share, more than one document
  for (size_t u = 0; u < units.size(); ++u) {
    if (units[u].doc_tokens.empty()) continue;
    all.push_back(u);
    (double(cost[u]) > fair && units[u].doc_tokens.size() > 1 ? large : small).push_back(u);
  }
  ShardPlan plan;
  plan.tokens_per_rank.assign(size_t(ranks), 0);
  assign_whole(units, cost, all, plan);
  if (!large.empty()) {  // splitting the large units, if that lowers the largest load
    ShardPlan split;
    split.tokens_per_rank.assign(size_t(ranks), 0);
    assign_whole(units, cost, small, split);
    assign_split(units, cost, large, total, split);
    if (max_load(split) < max_load(plan)) plan = std::move(split);
  }
  std::sort(plan.pieces.begin(), plan.pieces.end(), [](const ShardPiece& a, const ShardPiece& b) {
    return a.unit != b.unit ? a.unit < b.unit : a.begin < b.begin;
  });
  return plan;
}

ShardUnit unit_cost(const std::vector<const Doc*>& docs, const Tokenizer& tok, bool naive) {
  ShardUnit u;
  std::vector<std::vector<int>> ctx;
  for (const Doc* d : docs) {
    ctx.push_back({tok.bos_id()});
    const std::vector<int> ids = tok.encode(d->context);
    ctx.back().insert(ctx.back().end(), ids.begin(), ids.end());
  }
  // The tokens every context shares; at least one context token per document runs past it (its
  // logits score the first continuation token), as in rgeval::score.
  size_t prefix = 0;
  if (!naive && !ctx.empty()) {
    prefix = ctx.front().size() - 1;
    for (const std::vector<int>& c : ctx) {
      const size_t n = std::min(prefix, c.size() - 1);
      size_t k = 0;
      while (k < n && c[k] == ctx.front()[k]) ++k;
      prefix = k;
    }
  }
  u.prefix_tokens = int64_t(prefix);
  for (size_t i = 0; i < docs.size(); ++i) {
    int64_t t = naive ? 0 : int64_t(ctx[i].size() - prefix);
    for (const std::string& choice : docs[i]->choices) {
      const int64_t cont = std::max<int64_t>(1, int64_t(tok.encode(choice).size()));
      t += naive ? int64_t(ctx[i].size()) + cont - 1 : cont - 1;
    }
    u.doc_tokens.push_back(t);
  }
  return u;
}

ShardPlan plan_units(const std::vector<std::vector<const Doc*>>& units, const Tokenizer& tok,
                     bool naive, int ranks) {
  std::vector<ShardUnit> costs;
  for (const std::vector<const Doc*>& u : units) costs.push_back(unit_cost(u, tok, naive));
  return plan_shards(costs, ranks);
}

}  // namespace rgeval::tasks
