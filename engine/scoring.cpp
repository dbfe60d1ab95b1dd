#include "engine/scoring.h"

#include <algorithm>
#include <cmath>
#include <map>
#include <numeric>

#include "engine/error.h"
#include "engine/vmath.h"

namespace rgeval {

namespace {

size_t common_prefix(const std::vector<int>& a, const std::vector<int>& b) {
  const size_t n = std::min(a.size(), b.size());
  size_t i = 0;
  while (i < n && a[i] == b[i]) ++i;
  return i;
}

// Adds the logprob of `token` under one row of logits; returns whether it was the argmax.
bool accumulate(const float* row, int V, int token, ScoreResult& r) {
  float mx = row[0];
  int best = 0;
  for (int j = 1; j < V; ++j)
    if (row[j] > mx) mx = row[j], best = j;
  float sum = 0.f;
#pragma omp simd reduction(+ : sum)
  for (int j = 0; j < V; ++j) sum += vexp(row[j] - mx);
  const double lp = double(row[token] - mx - std::log(sum));
  r.token_logprobs.push_back(lp);
  r.sum_logprob += lp;
  return best == token;
}

}  // namespace

std::vector<ScoreResult> score(const Model& m, std::span<const ScoreRequest> reqs,
                               const ScoreOptions& opts, ScoreStats* stats) {
  const int V = m.vocab();
  for (size_t i = 0; i < reqs.size(); ++i) {
    if (reqs[i].context.empty() || reqs[i].continuation.empty())
      throw Error("score: request " + std::to_string(i) + " has an empty context or continuation");
  }
  std::vector<ScoreResult> out(reqs.size());
  ScoreStats st;
  for (const auto& r : reqs) st.tokens_naive += int64_t(r.context.size() + r.continuation.size()) - 1;

  if (!opts.share_prefixes) {  // one forward of context + continuation[:-1] per request
    std::vector<float> logits;
    for (size_t i = 0; i < reqs.size(); ++i) {
      const auto& r = reqs[i];
      std::vector<int> input = r.context;
      input.insert(input.end(), r.continuation.begin(), r.continuation.end() - 1);
      logits.resize(r.continuation.size() * size_t(V));
      State s = m.new_state();
      m.forward(s, input, r.context.size() - 1, logits.data());
      st.tokens_forwarded += int64_t(input.size());
      bool greedy = true;
      for (size_t k = 0; k < r.continuation.size(); ++k)
        greedy &= accumulate(logits.data() + k * size_t(V), V, r.continuation[k], out[i]);
      out[i].is_greedy = greedy;
      if (opts.on_result) opts.on_result(i, out[i]);
    }
    if (stats) *stats = st;
    return out;
  }

  // Groups of requests with the same context, ordered so that shared prefixes are adjacent.
  std::map<std::vector<int>, std::vector<size_t>> groups;
  for (size_t i = 0; i < reqs.size(); ++i) groups[reqs[i].context].push_back(i);
  std::vector<const std::vector<int>*> order;
  for (const auto& [ctx, _] : groups) order.push_back(&ctx);

  // lcp[i]: tokens the i-th and (i+1)-th contexts share. Sorted order makes the prefixes a later
  // context shares with this one the running minima of lcp from here on: the states at those
  // depths are kept on a stack (each a prefix of the current context, deepest on top).
  std::vector<size_t> lcp;
  for (size_t i = 0; i + 1 < order.size(); ++i) lcp.push_back(common_prefix(*order[i], *order[i + 1]));
  std::vector<std::pair<size_t, State>> stack;
  std::vector<float> logits;
  for (size_t gi = 0; gi < order.size(); ++gi) {
    const std::vector<int>& ctx = *order[gi];
    const auto& members = groups[ctx];
    if (gi > 0)
      while (!stack.empty() && stack.back().first > lcp[gi - 1]) stack.pop_back();
    State s = stack.empty() ? m.new_state() : stack.back().second;
    size_t start = stack.empty() ? 0 : stack.back().first;
    // Depths later contexts will resume from (at least one token stays to be forwarded, for
    // the logits that predict the first continuation token), deepest first.
    std::vector<size_t> keep;
    size_t mn = SIZE_MAX;
    for (size_t k = gi; k < lcp.size(); ++k) {
      mn = std::min(mn, lcp[k]);
      if (mn <= start) break;
      const size_t c = std::min(mn, ctx.size() - 1);
      if (c <= start) break;
      if (keep.empty() || c < keep.back()) keep.push_back(c);
    }
    for (auto it = keep.rbegin(); it != keep.rend(); ++it) {
      m.forward(s, std::span<const int>(ctx.data() + start, *it - start), *it - start, nullptr);
      st.tokens_forwarded += int64_t(*it - start);
      start = *it;
      stack.emplace_back(start, s);
    }
    // The rest of the context, with the logits of its last row.
    logits.resize(size_t(V));
    const size_t rest = ctx.size() - start;
    m.forward(s, std::span<const int>(ctx.data() + start, rest), rest - 1, logits.data());
    st.tokens_forwarded += int64_t(rest);
    const std::vector<float> last(logits.begin(), logits.begin() + V);

    // Every continuation of this context from a fork, as one batch.
    std::vector<State> forks(members.size(), s);
    std::vector<State*> ptrs;
    std::vector<std::span<const int>> toks;
    size_t rows = 0;
    for (size_t k = 0; k < members.size(); ++k) {
      const auto& c = reqs[members[k]].continuation;
      ptrs.push_back(&forks[k]);
      toks.emplace_back(c.data(), c.size() - 1);
      rows += c.size() - 1;
    }
    logits.resize(std::max<size_t>(1, rows) * size_t(V));
    if (rows) m.forward_batch(ptrs, toks, logits.data());
    st.tokens_forwarded += int64_t(rows);
    size_t row = 0;
    for (size_t k = 0; k < members.size(); ++k) {
      const auto& c = reqs[members[k]].continuation;
      ScoreResult& r = out[members[k]];
      bool greedy = accumulate(last.data(), V, c[0], r);
      for (size_t i = 1; i < c.size(); ++i, ++row)
        greedy &= accumulate(logits.data() + row * size_t(V), V, c[i], r);
      r.is_greedy = greedy;
      if (opts.on_result) opts.on_result(members[k], r);
    }
  }
  if (stats) *stats = st;
  return out;
}

}  // namespace rgeval
