// Element-wise and row-wise operations of both architectures, fp32.
#pragma once
#include <cstdint>
#include <vector>

#include "engine/vmath.h"

namespace rgeval {

// y[r] = x[r] * rsqrt(mean(x[r]²) + eps) * (1 + scale), for `rows` rows of `n`.
void rms_norm(const float* x, const float* scale, float* y, int rows, int n, float eps);
// tanh-approximated GELU (what Gemma and RecurrentGemma use).
inline float gelu_tanh(float x) {
  constexpr float k = 0.7978845608028654f;  // sqrt(2/pi)
  return 0.5f * x * (1.f + vtanh(k * (x + 0.044715f * x * x * x)));
}
// a[i] = gelu_tanh(a[i]) * b[i]
void gelu_mul(float* a, const float* b, int64_t n);
// x[i] = cap * tanh(x[i] / cap)
void soft_cap(float* x, int64_t n, float cap);

// Rotary embedding on the first `rot` dims of each of `heads` heads of `head_dim` values,
// rotate-half pairing inside those dims (i with i + rot/2).
struct Rope {
  Rope() = default;
  Rope(int rot, float theta);
  void apply(float* x, int heads, int head_dim, int64_t position) const;
  int rot = 0;
  std::vector<float> inv_freq;
};

// log_softmax(x)[i] for one row of n.
double log_softmax_at(const float* x, int n, int i);
int argmax(const float* x, int n);

}  // namespace rgeval
