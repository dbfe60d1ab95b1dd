// Log-likelihood scoring: Σ log_softmax(logits)[continuation] (fp32 softmax, fp64 sum) and
// is_greedy, for many requests. Requests are ordered so that shared prefixes are adjacent; each
// shared prefix is computed once and continuations are scored from forked states.
#pragma once
#include <cstdint>
#include <functional>
#include <span>
#include <vector>

#include "engine/model.h"

namespace rgeval {

struct ScoreRequest {
  std::vector<int> context;       // non-empty (starts with BOS for Gemma models)
  std::vector<int> continuation;  // non-empty
};

struct ScoreResult {
  double sum_logprob = 0;
  bool is_greedy = false;
  std::vector<double> token_logprobs;
};

struct ScoreStats {
  int64_t tokens_forwarded = 0;  // rows actually run through the model
  int64_t tokens_naive = 0;      // what one forward per request would run: |ctx| + |cont| - 1
};

struct ScoreOptions {
  bool share_prefixes = true;  // false: one full forward per request (the naive path)
  // Called after each request is scored (index into the input, result), e.g. to store it.
  std::function<void(size_t, const ScoreResult&)> on_result;
};

std::vector<ScoreResult> score(const Model& m, std::span<const ScoreRequest> requests,
                               const ScoreOptions& opts = {}, ScoreStats* stats = nullptr);

}  // namespace rgeval
