// attend() against a direct double-precision computation over the visible keys, for the shapes
// the kernels special-case: one pass per query (decode: SIMD, AMX tile scores for bf16 caches,
// keys split across threads) and the matrix-product path (T >= kAttendMatmulRows); global and
// windowed (ring wrap) caches, f32 and bf16, head groups of 1..16 (one per KV head: the rows
// walked in order, every head together), head_dim not a multiple of 16.
#include <gtest/gtest.h>
#include <omp.h>

#include <cmath>
#include <random>
#include <vector>

#include "engine/attention.h"
#include "engine/dtype.h"

namespace rgeval {
namespace {

struct Case {
  AttnShape s;
  DType dt;
  int64_t p0;
  int T;
};

float cache_value(const LayerState& c, bool value, DType dt, int64_t index) {
  const auto& buf = value ? c.v : c.k;
  if (dt == DType::F32) return reinterpret_cast<const float*>(buf.data())[index];
  return bf16_to_f32(reinterpret_cast<const uint16_t*>(buf.data())[index]);
}

// The reference's semantics: query at p sees keys max(0, p - W)..p (W + 1 keys) or 0..p.
std::vector<double> reference(const Case& c, const LayerState& cache, const std::vector<float>& q,
                              const std::vector<float>& k, const std::vector<float>& v) {
  const auto& s = c.s;
  const int hd = s.head_dim, group = s.heads / s.kv_heads;
  const int64_t q_ld = int64_t(s.heads) * hd, kv_ld = int64_t(s.kv_heads) * hd;
  std::vector<double> out(size_t(c.T) * size_t(q_ld));
  for (int t = 0; t < c.T; ++t)
    for (int h = 0; h < s.heads; ++h) {
      const int kh = h / group;
      const int64_t p = c.p0 + t, lo = s.window > 0 ? std::max<int64_t>(0, p - s.window) : 0;
      auto key = [&](int64_t pos, int d, bool value) -> double {
        if (pos >= c.p0) return (value ? v : k)[size_t((pos - c.p0) * kv_ld + kh * hd + d)];
        const int64_t row = s.window > 0 ? pos % s.window : pos;
        return cache_value(cache, value, c.dt, row * kv_ld + kh * hd + d);
      };
      std::vector<double> sc;
      double mx = -1e300;
      for (int64_t pos = lo; pos <= p; ++pos) {
        double dot = 0;
        for (int d = 0; d < hd; ++d)
          dot += double(q[size_t(t * q_ld + h * hd + d)]) * key(pos, d, false);
        sc.push_back(dot / std::sqrt(double(hd)));
        mx = std::max(mx, sc.back());
      }
      double sum = 0;
      for (double& x : sc) sum += (x = std::exp(x - mx));
      for (int d = 0; d < hd; ++d) {
        double acc = 0;
        for (int64_t pos = lo; pos <= p; ++pos) acc += sc[size_t(pos - lo)] * key(pos, d, true);
        out[size_t(t * q_ld + h * hd + d)] = acc / sum;
      }
    }
  return out;
}

// Largest |attend - reference| with `threads` OpenMP threads.
double max_error(const Case& c, int threads) {
  const auto& s = c.s;
  const int64_t kv_ld = int64_t(s.kv_heads) * s.head_dim, q_ld = int64_t(s.heads) * s.head_dim;
  const int64_t rows = s.window > 0 ? s.window : c.p0;
  std::mt19937 rng(7);
  std::uniform_real_distribution<float> u(-1.f, 1.f);
  LayerState cache;
  const size_t es = dtype_size(c.dt);
  cache.k.resize(size_t(rows * kv_ld) * es);
  cache.v.resize(cache.k.size());
  for (auto* buf : {&cache.k, &cache.v})
    for (int64_t i = 0; i < rows * kv_ld; ++i) {
      const float x = 2.f * u(rng);  // scores up to a few units: a peaked softmax
      if (c.dt == DType::F32)
        reinterpret_cast<float*>(buf->data())[i] = x;
      else
        reinterpret_cast<uint16_t*>(buf->data())[i] = f32_to_bf16(x);
    }
  std::vector<float> q(size_t(c.T * q_ld)), k(size_t(c.T * kv_ld)), v(k.size()), out(q.size());
  for (auto* x : {&q, &k, &v})
    for (float& f : *x) f = 2.f * u(rng);
  const auto want = reference(c, cache, q, k, v);
  const int saved = omp_get_max_threads();
  omp_set_num_threads(threads);
  attend(s, cache, c.dt, c.p0, c.T, q.data(), k.data(), v.data(), out.data());
  omp_set_num_threads(saved);
  double err = 0;
  for (size_t i = 0; i < out.size(); ++i) err = std::max(err, std::abs(double(out[i]) - want[i]));
  return err;
}

TEST(Attention, MatchesDirectComputation) {
  const Case cases[] = {
      {{8, 1, 256, 0}, DType::F32, 700, 1},     // Gemma-2B decode, keys split across threads
      {{8, 1, 256, 0}, DType::BF16, 700, 1},    // the same on a bf16 cache (AMX scores)
      {{8, 1, 256, 0}, DType::BF16, 333, 3},    // a few rows at once, odd key counts
      {{10, 1, 256, 64}, DType::BF16, 150, 1},  // RecurrentGemma: ring wrapped
      {{10, 1, 256, 64}, DType::F32, 150, 2},
      {{16, 1, 64, 0}, DType::BF16, 257, 1},  // 16 heads per KV head
      {{4, 4, 256, 0},
       DType::BF16,
       300,
       1},  // multi-head (Gemma-7B-like): rows in order, all heads
      {{3, 3, 128, 0}, DType::BF16, 301, 1},   // the same, head_dim 128, odd key counts per thread
      {{4, 4, 256, 64}, DType::BF16, 150, 1},  // the same on a wrapped ring
      {{4, 4, 256, 0}, DType::BF16, 300, 2},   // two rows: one task per (row, KV head)
      {{4, 2, 32, 40}, DType::F32, 95, 5},     // tiny model shape, window shorter than T history
      {{6, 2, 24, 0}, DType::F32, 77, 2},      // head_dim not a multiple of 16: scalar kernels
      {{6, 2, 24, 0}, DType::BF16, 77, 2},
      {{8, 1, 256, 0}, DType::BF16, 100, 20},  // matrix-product path
      {{10, 1, 64, 48}, DType::F32, 130, 40},  // matrix-product path, window
  };
  for (const auto& c : cases)
    for (int threads : {1, 2}) {
      // bf16 caches: the kernels may round the query and the new rows to bf16 as the cache
      // holds them (as the matrix-product path does): measured up to 3e-3 on outputs of magnitude
      // ~1 (f32: 1e-6).
      const double tol = c.dt == DType::F32 ? 5e-6 : 1e-2;
      EXPECT_LT(max_error(c, threads), tol)
          << "heads " << c.s.heads << " kv " << c.s.kv_heads << " hd " << c.s.head_dim << " window "
          << c.s.window << (c.dt == DType::F32 ? " f32" : " bf16") << " p0 " << c.p0 << " T " << c.T
          << " threads " << threads;
    }
}

}  // namespace
}  // namespace rgeval
