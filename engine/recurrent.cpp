#include "engine/recurrent.h"

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

void conv1d(const Conv1D& c, std::byte* state, DType dt, const float* x, float* y, int T) {
  const int W = c.width, C = c.channels, S = W - 1;
#pragma omp parallel for schedule(static) if (int64_t(T) * C > 65536)
  for (int ch = 0; ch < C; ++ch) {
    // history[0..S-1] = state, then the inputs of this call
    auto input = [&](int64_t j) {  // input at row j (negative: from the state)
      return j >= 0 ? x[j * C + ch] : load(state, dt, (S + j) * C + ch);
    };
    for (int t = 0; t < T; ++t) {
      float acc = c.b[size_t(ch)];
      for (int k = 0; k < W; ++k) acc += c.w[size_t(k) * C + ch] * input(int64_t(t) - S + k);
      y[int64_t(t) * C + ch] = acc;
    }
    float last[8];
    for (int s = 0; s < S; ++s) last[s] = input(int64_t(T) - S + s);
    for (int s = 0; s < S; ++s) store(state, dt, int64_t(s) * C + ch, last[s]);
  }
}

void rg_lru(const RgLru& r, float* h, int64_t p0, const float* u, const float* gate_x,
            const float* gate_a, float* y, int T) {
  const int C = r.width;
#pragma omp parallel for schedule(static) if (int64_t(T) * C > 65536)
  for (int c = 0; c < C; ++c) {
    float hc = h[c];
    const float sp = r.softplus_a[size_t(c)];
    for (int t = 0; t < T; ++t) {
      const int64_t i = int64_t(t) * C + c;
      const float log_a = -8.f * gate_a[i] * sp;
      float a = vexp(log_a);
      float mult = std::sqrt(1.f - vexp(2.f * log_a));
      if (p0 + t == 0) a = 0.f, mult = 1.f;  // state reset at the start of a sequence
      hc = a * hc + u[i] * gate_x[i] * mult;
      y[i] = hc;
    }
    h[c] = hc;
  }
}

}  // namespace rgeval
