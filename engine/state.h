// The per-sequence state. RecurrentGemma: conv1d state + RG-LRU state per recurrent layer and a
// W-slot key/value ring per local-attention layer: a fixed size. Gemma: a key/value cache per
// layer that grows with every token. Copying a State forks the sequence.
#pragma once
#include <cstddef>
#include <cstdint>
#include <vector>

#include "engine/config.h"

namespace rgeval {

struct LayerState {
  std::vector<std::byte> conv;  // [conv_width-1, lru] in cache dtype, oldest input first
  std::vector<float> lru;       // [lru] RG-LRU hidden state, always fp32
  std::vector<std::byte> k, v;  // [rows, kv_heads*head_dim] in cache dtype (ring of W rows, or growing)
};

struct State {
  int64_t pos = 0;  // tokens processed so far
  DType cache_dtype = DType::F32;
  int window = 0;   // ring size for local attention; 0 = growing cache
  int64_t kv_row_bytes = 0;
  std::vector<LayerState> layers;

  // Exact bytes of the live state, as the reference counts them: the attention ring at W slots
  // once a token was processed, the growing cache at `pos` rows, the conv and RG-LRU state.
  int64_t bytes() const;
  // Allocated bytes (a growing cache may have reserved more rows than it holds).
  int64_t capacity_bytes() const;
  // Reserves cache rows for `tokens` tokens (Gemma), so long runs do not reallocate.
  void reserve(int64_t tokens);
};

State make_state(const ModelConfig& c, DType cache_dtype);

// Puts a fresh state at position `depth` with arbitrary (seeded) cache contents, without running
// the model: the cost of a decode step does not depend on the values, so throughput at depth 32K
// can be measured without a 32K-token prefill (`rgeval throughput --fill synthetic`).
void fill_synthetic(State& s, int64_t depth, uint64_t seed = 1);

}  // namespace rgeval
