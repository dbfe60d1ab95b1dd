#include "engine/attention.h"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <memory>
#include <type_traits>
#include <vector>

#include "engine/attention_decode.h"
#include "engine/linear.h"
#include "engine/matmul.h"
#include "engine/scratch.h"
#include "engine/vmath.h"

namespace rgeval {

namespace {

// Copies the hd elements at `index` of a cache (as stored) or of the new rows `fresh`
// (converted) into dst, in the compute dtype.
template <typename E>
void gather_row(const std::byte* cache, const float* fresh, int64_t index, int hd, E* dst) {
  if (fresh) {
    if constexpr (std::is_same_v<E, float>)
      std::memcpy(dst, fresh + index, size_t(hd) * 4);
    else
      to_bf16_serial(fresh + index, dst, size_t(hd));
    return;
  }
  std::memcpy(dst, cache + size_t(index) * sizeof(E), size_t(hd) * sizeof(E));
}

// Rows (a chunk of prefill) go through matrix products: per KV head, S = Q·Kᵀ over every key
// any of the rows may see, the causal/window mask and softmax on S, then O = P·V. Shapes are
// padded (rows as in Linear, keys to a multiple of 256) so that few primitives serve. Operands
// are gathered straight into the compute dtype (bf16 cache rows are copied, not converted twice)
// and the probabilities written in it by the softmax pass.
template <typename E>
void attend_matmul_t(const AttnShape& s, const LayerState& cache, DType dt, int64_t p0, int T,
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
  thread_local Scratch<E> qg_s;
  E* qg = qg_s.get(size_t(int64_t(Mp) * hd));
  thread_local Scratch<E> kall_s;
  E* kall = kall_s.get(size_t(int64_t(Np) * hd));
  thread_local Scratch<E> vall_s;
  E* vall = vall_s.get(size_t(int64_t(Np) * hd));
  thread_local Scratch<float> sc_s;
  float* sc = sc_s.get(size_t(int64_t(Mp) * Np));
  thread_local Scratch<E> pr_s;
  E* pr = pr_s.get(size_t(std::is_same_v<E, float> ? 0 : int64_t(Mp) * Np));
  thread_local Scratch<float> o_s;
  float* o = o_s.get(size_t(int64_t(Mp) * hd));
  E* probs = std::is_same_v<E, float> ? reinterpret_cast<E*>(sc) : pr;

  for (int kh = 0; kh < s.kv_heads; ++kh) {
#pragma omp parallel for schedule(static)
    for (int64_t j = 0; j < Np; ++j) {
      E* kd = kall + j * hd;
      E* vd = vall + j * hd;
      if (j >= n_keys) {  // padding keys: zero (their probabilities are zero too)
        std::memset(static_cast<void*>(kd), 0, size_t(hd) * sizeof(E));
        std::memset(static_cast<void*>(vd), 0, size_t(hd) * sizeof(E));
      } else if (j < n_cache) {
        const int64_t row = s.window > 0 ? (lo + j) % s.window : lo + j;
        const int64_t at = row * kv_ld + int64_t(kh) * hd;
        gather_row<E>(cache.k.data(), nullptr, at, hd, kd);
        gather_row<E>(cache.v.data(), nullptr, at, hd, vd);
      } else {
        const int64_t at = (j - n_cache) * kv_ld + int64_t(kh) * hd;
        gather_row<E>(nullptr, k_new, at, hd, kd);
        gather_row<E>(nullptr, v_new, at, hd, vd);
      }
    }
#pragma omp parallel for schedule(static)
    for (int r = 0; r < Mp; ++r) {
      E* dst = qg + int64_t(r) * hd;
      if (r >= M) {
        std::memset(static_cast<void*>(dst), 0, size_t(hd) * sizeof(E));
        continue;
      }
      const float* src = q + int64_t(r / group) * q_ld + int64_t(kh * group + r % group) * hd;
      if constexpr (std::is_same_v<E, float>) {
        for (int i = 0; i < hd; ++i) dst[i] = src[i] * scale;
      } else {
        float tmp[512];
        for (int i0 = 0; i0 < hd; i0 += 512) {
          const int n = std::min(512, hd - i0);
          for (int i = 0; i < n; ++i) tmp[i] = src[i0 + i] * scale;
          to_bf16_serial(tmp, dst + i0, size_t(n));
        }
      }
    }
    matmul(dt, Mp, hd, Np, qg, kall, /*b_transposed=*/true, sc);
#pragma omp parallel for schedule(dynamic, 16)
    for (int r = 0; r < Mp; ++r) {
      float* row = sc + int64_t(r) * Np;
      E* prow = probs + int64_t(r) * Np;
      if (r >= M) {
        std::fill(prow, prow + Np, E(0));
        continue;
      }
      const int64_t p = p0 + r / group;  // the row's position; key j is at position lo + j
      const int64_t j1 = p - lo;         // last visible key
      const int64_t j0 = s.window > 0 ? std::max<int64_t>(0, p - s.window - lo) : 0;
      float mx = row[j0];
#pragma omp simd reduction(max : mx)
      for (int64_t j = j0 + 1; j <= j1; ++j) mx = std::max(mx, row[j]);
      float sum = 0.f;
#pragma omp simd reduction(+ : sum)
      for (int64_t j = j0; j <= j1; ++j) {
        row[j] = vexp(row[j] - mx);
        sum += row[j];
      }
      const float inv = 1.f / sum;
      std::fill(row, row + j0, 0.f);
#pragma omp simd
      for (int64_t j = j0; j <= j1; ++j) row[j] *= inv;
      std::fill(row + j1 + 1, row + Np, 0.f);
      if constexpr (!std::is_same_v<E, float>) to_bf16_serial(row, prow, size_t(Np));
    }
    matmul(dt, Mp, Np, hd, probs, vall, false, o);
#pragma omp parallel for schedule(static)
    for (int r = 0; r < M; ++r)
      std::memcpy(out + int64_t(r / group) * q_ld + int64_t(kh * group + r % group) * hd,
                  o + int64_t(r) * hd, size_t(hd) * 4);
  }
}

void attend_matmul(const AttnShape& s, const LayerState& cache, DType dt, int64_t p0, int T,
                   const float* q, const float* k_new, const float* v_new, float* out) {
  if (dt == DType::BF16)
    attend_matmul_t<uint16_t>(s, cache, dt, p0, T, q, k_new, v_new, out);
  else
    attend_matmul_t<float>(s, cache, dt, p0, T, q, k_new, v_new, out);
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
