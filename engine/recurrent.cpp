#include "engine/recurrent.h"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <vector>

#include "engine/linear.h"
#include "engine/vmath.h"

namespace rgeval {

namespace {

float load(const std::byte* base, DType dt, int64_t i) {
  if (dt == DType::F32) {
    float f;
    std::memcpy(&f, base + i * 4, 4);
    return f;
  }
  uint16_t b;
  std::memcpy(&b, base + i * 2, 2);
  return bf16_to_f32(b);
}

void store(std::byte* base, DType dt, int64_t i, float v) {
  if (dt == DType::F32) {
    std::memcpy(base + i * 4, &v, 4);
  } else {
    const uint16_t b = f32_to_bf16(v);
    std::memcpy(base + i * 2, &b, 2);
  }
}

}  // namespace

// Both loops run over time outside and over channels inside, so that the channel loop is
// contiguous and vectorizes (bench_kernels rg_lru/conv1d; docs/performance.md).
void conv1d(const Conv1D& c, std::byte* state, DType dt, const float* x, float* y, int T) {
  const int W = c.width, C = c.channels, S = W - 1;
  // hist rows 0..S-1: the state; rows S..S+T-1: this call's inputs.
  thread_local std::vector<float> hist;
  hist.resize(size_t(S + T) * C);
  for (int64_t i = 0; i < int64_t(S) * C; ++i) hist[size_t(i)] = load(state, dt, i);
  std::memcpy(hist.data() + size_t(S) * C, x, size_t(T) * C * 4);
  const float* hp = hist.data();
  const float* w = c.w.data();
  const float* b = c.b.data();
#pragma omp parallel for schedule(static) if (int64_t(T) * C > 65536)
  for (int t = 0; t < T; ++t) {
    float* yt = y + int64_t(t) * C;
#pragma omp simd
    for (int ch = 0; ch < C; ++ch) yt[ch] = b[ch];
    for (int k = 0; k < W; ++k) {
      const float* in = hp + int64_t(t + k) * C;  // input at t - S + k
      const float* wk = w + int64_t(k) * C;
#pragma omp simd
      for (int ch = 0; ch < C; ++ch) yt[ch] += wk[ch] * in[ch];
    }
  }
  for (int64_t i = 0; i < int64_t(S) * C; ++i) store(state, dt, i, hp[int64_t(T) * C + i]);
}

void rg_lru(const RgLru& r, float* h, int64_t p0, const float* u, const float* gate_x,
            const float* gate_a, float* y, int T) {
  const int C = r.width;
  constexpr int kBlock = 256;  // channels per task; the scan runs down time inside a block
  const int nblocks = (C + kBlock - 1) / kBlock;
  const float* sp = r.softplus_a.data();
#pragma omp parallel for schedule(static) if (int64_t(T) * C > 65536)
  for (int blk = 0; blk < nblocks; ++blk) {
    const int c0 = blk * kBlock, cn = std::min(kBlock, C - c0);
    float hb[kBlock];
    std::memcpy(hb, h + c0, size_t(cn) * 4);
    for (int t = 0; t < T; ++t) {
      const int64_t o = int64_t(t) * C + c0;
      const bool reset = p0 + t == 0;  // state reset at the start of a sequence
#pragma omp simd
      for (int j = 0; j < cn; ++j) {
        const float log_a = -8.f * gate_a[o + j] * sp[c0 + j];
        float a = vexp(log_a);
        float mult = std::sqrt(1.f - vexp(2.f * log_a));
        if (reset) a = 0.f, mult = 1.f;
        hb[j] = a * hb[j] + u[o + j] * gate_x[o + j] * mult;
        y[o + j] = hb[j];
      }
    }
    std::memcpy(h + c0, hb, size_t(cn) * 4);
  }
}

}  // namespace rgeval
