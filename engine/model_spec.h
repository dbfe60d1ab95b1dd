// What a configuration implies: the tensors a checkpoint must hold (HF names and shapes),
// parameter counts, and the bytes of the per-sequence state.
#pragma once
#include <cstdint>
#include <string>
#include <vector>

#include "engine/config.h"

namespace rgeval {

struct TensorSpec {
  std::string name;
  std::vector<int64_t> shape;
  int64_t numel() const;
};

std::vector<TensorSpec> expected_tensors(const ModelConfig& c);

struct ParamCounts {
  int64_t total = 0, embedding = 0;
  int64_t non_embedding() const { return total - embedding; }
};
ParamCounts count_params(const ModelConfig& c);

// Bytes of one sequence's state after `tokens` tokens, with the cache in `cache_dtype`
// (the recurrent RG-LRU state is always fp32). RecurrentGemma: constant for tokens >= 1
// (the attention ring is allocated at W slots); Gemma: 2·tokens·kv_heads·head_dim per layer.
int64_t state_bytes(const ModelConfig& c, DType cache_dtype, int64_t tokens);

}  // namespace rgeval
