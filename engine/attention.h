// Multi-query / multi-head attention over a sequence's cache plus the keys of the rows being
// processed. Global (Gemma: query at p sees keys 0..p) or local (RecurrentGemma: keys p-W..p,
// W+1 keys, as the reference; the cache is a W-slot ring, slot = position mod W).
#pragma once
#include <cstdint>

#include "engine/dtype.h"
#include "engine/state.h"

namespace rgeval {

struct AttnShape {
  int heads = 0, kv_heads = 0, head_dim = 0;
  int window = 0;  // 0 = global
};

// q: [T, heads*head_dim] for positions p0..p0+T-1 (RoPE applied, not scaled); k_new, v_new:
// [T, kv_heads*head_dim] of the same rows; `cache` holds the sequence's earlier keys/values.
// Writes out: [T, heads*head_dim].
// Row counts from which attend() runs as oneDNN matrix products (below: one pass per query).
constexpr int kAttendMatmulRows = 16;

void attend(const AttnShape& s, const LayerState& cache, DType cache_dtype, int64_t p0, int T,
            const float* q, const float* k_new, const float* v_new, float* out);

// Stores the rows' keys/values in the cache (ring slot p mod W, or appended at row p).
void cache_append(const AttnShape& s, LayerState& cache, DType cache_dtype, int64_t p0, int T,
                  const float* k_new, const float* v_new);

}  // namespace rgeval
