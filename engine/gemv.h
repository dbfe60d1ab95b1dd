// Hand-written small-M products over oneDNN's packed weight layouts (BA16a64b for f32,
// BA16a64b2a for bf16). Batch-1 decoding is bound by reading the weights once; the kernel streams
// each 64-column strip once (bench/bench_kernels measures it against oneDNN at every M).
#pragma once
#include "engine/dtype.h"

namespace rgeval {

class Linear;

// Whether the hand-written kernel handles this layer's layout on this CPU.
bool gemv_supported(const Linear& l);
// Rows up to which the kernel is used by default (measured; see docs/performance.md).
int gemv_default_max_rows(DType compute);
// y[M, N] = x[M, K] · Wᵀ (no bias).
void gemv(const Linear& l, const float* x, float* y, int M);

}  // namespace rgeval
