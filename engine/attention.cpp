#include "engine/attention.h"

#include <omp.h>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <vector>

#include "engine/attention_decode.h"
#include "engine/linear.h"
#include "engine/matmul.h"
#include "engine/vmath.h"

namespace rgeval {

namespace {

inline void load_row(const std::byte* base, DType dt, int64_t index, int n, float* out) {
  if (dt == DType::F32) {
    std::memcpy(out, base + index * 4, size_t(n) * 4);
  } else {
    const auto* p = reinterpret_cast<const uint16_t*>(base) + index;
#pragma omp simd
    for (int i = 0; i < n; ++i) out[i] = bf16_to_f32(p[i]);
  }
}

// Rows (a chunk of prefill) go through matrix products: per KV head, S = Q·Kᵀ over every key
// any of the rows may see, the causal/window mask and softmax on S, then O = P·V. Shapes are
// padded (rows as in Linear, keys to a multiple of 256) so that few primitives serve.
void attend_matmul(const AttnShape& s, const LayerState& cache, DType dt, int64_t p0, int T,
                   const float* q, const float* k_new, const float* v_new, float* out) {
  const int hd = s.head_dim, group = s.heads / s.kv_heads;
  const int64_t q_ld = int64_t(s.heads) * hd, kv_ld = int64_t(s.kv_heads) * hd;
  const float scale = 1.f / std::sqrt(float(hd));
  const int64_t lo = s.window > 0 ? std::max<int64_t>(0, p0 - s.window) : 0;
  const int64_t n_cache = p0 - lo;
  const int n_keys = int(n_cache + T), M = T * group;
  int Mp = 1;  // as Linear: powers of two up to 512, multiples of 512 beyond
  while (Mp < M && Mp < 512) Mp *= 2;
  if (M > 512) Mp = (M + 511) / 512 * 512;
  const int Np = (n_keys + 255) / 256 * 256;
  const bool bf16 = dt == DType::BF16;
  std::vector<float> qg(size_t(Mp) * hd, 0.f), kall(size_t(Np) * hd, 0.f), vall(kall.size(), 0.f),
      sc(size_t(Mp) * Np), o(size_t(Mp) * hd);
  std::vector<uint16_t> qb, kb, vb, pb;
  for (int kh = 0; kh < s.kv_heads; ++kh) {
#pragma omp parallel for schedule(static)
    for (int64_t j = 0; j < n_keys; ++j) {
      float* kd = kall.data() + j * hd;
      float* vd = vall.data() + j * hd;
      if (j < n_cache) {
        const int64_t row = s.window > 0 ? (lo + j) % s.window : lo + j;
        load_row(cache.k.data(), dt, row * kv_ld + int64_t(kh) * hd, hd, kd);
        load_row(cache.v.data(), dt, row * kv_ld + int64_t(kh) * hd, hd, vd);
      } else {
        std::memcpy(kd, k_new + (j - n_cache) * kv_ld + int64_t(kh) * hd, size_t(hd) * 4);
        std::memcpy(vd, v_new + (j - n_cache) * kv_ld + int64_t(kh) * hd, size_t(hd) * 4);
      }
    }
    for (int r = 0; r < M; ++r) {
      const float* src = q + int64_t(r / group) * q_ld + int64_t(kh * group + r % group) * hd;
      for (int i = 0; i < hd; ++i) qg[size_t(r) * hd + size_t(i)] = src[i] * scale;
    }
    if (bf16) {
      qb.resize(qg.size()), kb.resize(kall.size()), vb.resize(vall.size());
      to_bf16(qg.data(), qb.data(), qg.size());
      to_bf16(kall.data(), kb.data(), kall.size());
      to_bf16(vall.data(), vb.data(), vall.size());
      matmul(dt, Mp, hd, Np, qb.data(), kb.data(), /*b_transposed=*/true, sc.data());
    } else {
      matmul(dt, Mp, hd, Np, qg.data(), kall.data(), /*b_transposed=*/true, sc.data());
    }
#pragma omp parallel for schedule(static)
    for (int r = 0; r < Mp; ++r) {
      float* row = sc.data() + size_t(r) * Np;
      if (r >= M) {
        std::fill(row, row + Np, 0.f);
        continue;
      }
      const int64_t p = p0 + r / group;  // the row's position; key j is at position lo + j
      const int64_t j1 = p - lo;         // last visible key
      const int64_t j0 = s.window > 0 ? std::max<int64_t>(0, p - s.window - lo) : 0;
      float mx = row[j0];
      for (int64_t j = j0 + 1; j <= j1; ++j) mx = std::max(mx, row[j]);
      float sum = 0.f;
#pragma omp simd reduction(+ : sum)
      for (int64_t j = j0; j <= j1; ++j) {
        row[j] = vexp(row[j] - mx);
        sum += row[j];
      }
      const float inv = 1.f / sum;
      for (int64_t j = 0; j < Np; ++j) row[j] = (j >= j0 && j <= j1) ? row[j] * inv : 0.f;
    }
    if (bf16) {
      pb.resize(sc.size());
      to_bf16(sc.data(), pb.data(), sc.size());
      matmul(dt, Mp, Np, hd, pb.data(), vb.data(), false, o.data());
    } else {
      matmul(dt, Mp, Np, hd, sc.data(), vall.data(), false, o.data());
    }
    for (int r = 0; r < M; ++r)
      std::memcpy(out + int64_t(r / group) * q_ld + int64_t(kh * group + r % group) * hd,
                  o.data() + size_t(r) * hd, size_t(hd) * 4);
  }
}

}  // namespace

void attend(const AttnShape& s, const LayerState& cache, DType dt, int64_t p0, int T,
            const float* q, const float* k_new, const float* v_new, float* out) {
  if (T >= kAttendMatmulRows) return attend_matmul(s, cache, dt, p0, T, q, k_new, v_new, out);
  attend_decode(s, cache, dt, p0, T, q, k_new, v_new, out);
}

void cache_append(const AttnShape& s, LayerState& cache, DType dt, int64_t p0, int T,
                  const float* k_new, const float* v_new) {
  const int64_t n = int64_t(s.kv_heads) * s.head_dim;
  const int64_t row_bytes = n * int64_t(dtype_size(dt));
  // Only the last W rows of a long segment survive in a ring.
  const int first = s.window > 0 ? std::max(0, T - s.window) : 0;
  if (s.window == 0) {
    const size_t need = size_t((p0 + T) * row_bytes);
    if (cache.k.capacity() < need) {
      cache.k.reserve(std::max(need, cache.k.capacity() * 2));
      cache.v.reserve(std::max(need, cache.v.capacity() * 2));
    }
    cache.k.resize(need);
    cache.v.resize(need);
  }
  for (int t = first; t < T; ++t) {
    const int64_t row = s.window > 0 ? (p0 + t) % s.window : p0 + t;
    std::byte* kd = cache.k.data() + row * row_bytes;
    std::byte* vd = cache.v.data() + row * row_bytes;
    if (dt == DType::F32) {
      std::memcpy(kd, k_new + t * n, size_t(row_bytes));
      std::memcpy(vd, v_new + t * n, size_t(row_bytes));
    } else {
      to_bf16(k_new + t * n, reinterpret_cast<uint16_t*>(kd), size_t(n));
      to_bf16(v_new + t * n, reinterpret_cast<uint16_t*>(vd), size_t(n));
    }
  }
}

}  // namespace rgeval
