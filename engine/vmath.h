// exp, tanh and sigmoid written so that the compiler vectorizes loops over them (the libm calls
// do not vectorize here). exp follows Cephes' expf (range reduction by ln 2, degree-6
// polynomial): relative error about 2e-7 over the whole float range it clamps to.
#pragma once
#include <cmath>
#include <cstdint>
#include <cstring>

namespace rgeval {

inline float vexp(float x) {
  x = x < -87.3f ? -87.3f : (x > 88.7f ? 88.7f : x);
  const float n = std::floor(x * 1.44269504088896341f + 0.5f);
  const float r = x - n * 0.693359375f + n * 2.12194440e-4f;
  float p = 1.9875691500e-4f;
  p = p * r + 1.3981999507e-3f;
  p = p * r + 8.3334519073e-3f;
  p = p * r + 4.1665795894e-2f;
  p = p * r + 1.6666665459e-1f;
  p = p * r + 5.0000001201e-1f;
  const float y = p * r * r + r + 1.f;
  const int32_t bits = (int32_t(n) + 127) << 23;
  float scale;
  std::memcpy(&scale, &bits, 4);
  return y * scale;
}

inline float vtanh(float x) {
  const float a = std::fabs(x);
  const float t = 1.f - 2.f / (vexp(2.f * a) + 1.f);
  return std::copysign(t, x);
}

inline float vsigmoid(float x) { return 1.f / (1.f + vexp(-x)); }

}  // namespace rgeval
