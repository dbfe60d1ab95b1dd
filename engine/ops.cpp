#include "engine/ops.h"

#include <cmath>

#include "engine/vmath.h"

namespace rgeval {

void rms_norm(const float* x, const float* scale, float* y, int rows, int n, float eps) {
#pragma omp parallel for schedule(static) if (int64_t(rows) * n > 65536)
  for (int r = 0; r < rows; ++r) {
    const float* xr = x + int64_t(r) * n;
    float* yr = y + int64_t(r) * n;
    float ss = 0.f;
#pragma omp simd reduction(+ : ss)
    for (int i = 0; i < n; ++i) ss += xr[i] * xr[i];
    const float inv = 1.f / std::sqrt(ss / float(n) + eps);
    for (int i = 0; i < n; ++i) yr[i] = xr[i] * inv * (1.f + scale[i]);
  }
}

void gelu_mul(float* a, const float* b, int64_t n) {
#pragma omp parallel for simd schedule(static) if (n > 65536)
  for (int64_t i = 0; i < n; ++i) a[i] = gelu_tanh(a[i]) * b[i];
}

void soft_cap(float* x, int64_t n, float cap) {
  const float inv = 1.f / cap;
#pragma omp parallel for simd schedule(static) if (n > 65536)
  for (int64_t i = 0; i < n; ++i) x[i] = cap * vtanh(x[i] * inv);
}

Rope::Rope(int rot_dims, float theta) : rot(rot_dims) {
  for (int i = 0; i < rot / 2; ++i)
    inv_freq.push_back(float(1.0 / std::pow(double(theta), 2.0 * i / rot)));
}

void Rope::apply(float* x, int heads, int head_dim, int64_t position) const {
  const int half = rot / 2;
  for (int i = 0; i < half; ++i) {
    const float angle = float(position) * inv_freq[size_t(i)];
    const float c = std::cos(angle), s = std::sin(angle);
    for (int h = 0; h < heads; ++h) {
      float* v = x + int64_t(h) * head_dim;
      const float a = v[i], b = v[i + half];
      v[i] = a * c - b * s;
      v[i + half] = b * c + a * s;
    }
  }
}

double log_softmax_at(const float* x, int n, int i) {
  float mx = x[0];
  for (int j = 1; j < n; ++j) mx = std::max(mx, x[j]);
  float sum = 0.f;
#pragma omp simd reduction(+ : sum)
  for (int j = 0; j < n; ++j) sum += vexp(x[j] - mx);
  return double(x[i] - mx - std::log(sum));
}

int argmax(const float* x, int n) {
  int best = 0;
  for (int j = 1; j < n; ++j)
    if (x[j] > x[best]) best = j;
  return best;
}

}  // namespace rgeval
