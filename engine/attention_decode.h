// Attention for a few rows (decode steps): one pass over each visible key and value row, every
// query head of a KV group served by the same read, the keys split across threads when there are
// fewer (row, KV head) pairs than threads. Reading the cache at memory bandwidth is the goal: at
// depth 32K a Gemma-2B decode step reads 576 MiB of keys and values.
#pragma once
#include <cstdint>

#include "engine/attention.h"

namespace rgeval {

// Same contract as attend() for T < kAttendMatmulRows.
void attend_decode(const AttnShape& s, const LayerState& cache, DType cache_dtype, int64_t p0,
                   int T, const float* q, const float* k_new, const float* v_new, float* out);

}  // namespace rgeval
