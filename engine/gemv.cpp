#include "engine/gemv.h"

#include <immintrin.h>

#include <algorithm>
#include <cstring>
#include <vector>

#include "engine/linear.h"

namespace rgeval {

namespace {

struct Layout {
  int64_t Kp = 0, Np = 0;              // padded dims
  int64_t k_stride = 0, n_stride = 0;  // element strides of one K-block / N-block
  int kblk = 0;                        // K elements per block: 16 (f32) or 32 (bf16)
};

bool read_layout(const Linear& l, Layout& out) {
  const auto& d = l.packed_desc().data;
  if (d.format_kind != dnnl_blocked || d.ndims != 2 || d.offset0 != 0) return false;
  const auto& b = d.format_desc.blocking;
  if (l.dtype() == DType::BF16) {
    if (b.inner_nblks != 3 || b.inner_blks[0] != 16 || b.inner_idxs[0] != 0 ||
        b.inner_blks[1] != 64 || b.inner_idxs[1] != 1 || b.inner_blks[2] != 2 ||
        b.inner_idxs[2] != 0)
      return false;
    out.kblk = 32;
  } else {
    if (b.inner_nblks != 2 || b.inner_blks[0] != 16 || b.inner_idxs[0] != 0 ||
        b.inner_blks[1] != 64 || b.inner_idxs[1] != 1)
      return false;
    out.kblk = 16;
  }
  out.Kp = d.padded_dims[0];
  out.Np = d.padded_dims[1];
  out.k_stride = b.strides[0];
  out.n_stride = b.strides[1];
  return out.Kp % out.kblk == 0 && out.Np % 64 == 0;
}

constexpr int kRowTile = 4;

#if defined(__AVX512F__)
inline void store_row(float* y, int64_t n0, int64_t N, const __m512* acc) {
  for (int j = 0; j < 4; ++j) {
    const int64_t c = n0 + 16 * j;
    if (c + 16 <= N) {
      _mm512_storeu_ps(y + c, acc[j]);
    } else if (c < N) {
      _mm512_mask_storeu_ps(y + c, __mmask16((1u << (N - c)) - 1), acc[j]);
    }
  }
}

template <int R>
void f32_tile(const float* W, const Layout& L, const float* x, int64_t ldx, float* y, int64_t N,
              int64_t nb) {
  __m512 acc[R][4];
  for (int r = 0; r < R; ++r)
    for (int j = 0; j < 4; ++j) acc[r][j] = _mm512_setzero_ps();
  const float* strip = W + nb * L.n_stride;
  for (int64_t kb = 0; kb < L.Kp / 16; ++kb) {
    const float* blk = strip + kb * L.k_stride;
    for (int k = 0; k < 16; ++k) {
      const __m512 w0 = _mm512_loadu_ps(blk + k * 64), w1 = _mm512_loadu_ps(blk + k * 64 + 16),
                   w2 = _mm512_loadu_ps(blk + k * 64 + 32), w3 = _mm512_loadu_ps(blk + k * 64 + 48);
      for (int r = 0; r < R; ++r) {
        const __m512 xb = _mm512_set1_ps(x[r * ldx + kb * 16 + k]);
        acc[r][0] = _mm512_fmadd_ps(w0, xb, acc[r][0]);
        acc[r][1] = _mm512_fmadd_ps(w1, xb, acc[r][1]);
        acc[r][2] = _mm512_fmadd_ps(w2, xb, acc[r][2]);
        acc[r][3] = _mm512_fmadd_ps(w3, xb, acc[r][3]);
      }
    }
  }
  for (int r = 0; r < R; ++r) store_row(y + r * N, nb * 64, N, acc[r]);
}

// One row: two K steps per iteration into two accumulator sets (8 independent chains), so that
// the loads of 512 bytes are in flight together; a contiguous strip is walked as one stream with
// a small loop body (see bf16_row; docs/performance.md).
void f32_row(const float* W, const Layout& L, const float* x, float* y, int64_t N, int64_t nb) {
  __m512 a0 = _mm512_setzero_ps(), a1 = a0, a2 = a0, a3 = a0, b0 = a0, b1 = a0, b2 = a0, b3 = a0;
  const float* w = W + nb * L.n_stride;
  auto step = [&](const float* wk, const float* xk) {
    const __m512 x0 = _mm512_set1_ps(xk[0]), x1 = _mm512_set1_ps(xk[1]);
    a0 = _mm512_fmadd_ps(_mm512_loadu_ps(wk), x0, a0);
    a1 = _mm512_fmadd_ps(_mm512_loadu_ps(wk + 16), x0, a1);
    a2 = _mm512_fmadd_ps(_mm512_loadu_ps(wk + 32), x0, a2);
    a3 = _mm512_fmadd_ps(_mm512_loadu_ps(wk + 48), x0, a3);
    b0 = _mm512_fmadd_ps(_mm512_loadu_ps(wk + 64), x1, b0);
    b1 = _mm512_fmadd_ps(_mm512_loadu_ps(wk + 80), x1, b1);
    b2 = _mm512_fmadd_ps(_mm512_loadu_ps(wk + 96), x1, b2);
    b3 = _mm512_fmadd_ps(_mm512_loadu_ps(wk + 112), x1, b3);
  };
  if (L.k_stride == 16 * 64) {  // contiguous strip
#pragma GCC unroll 1
    for (int64_t k = 0; k < L.Kp; k += 2) step(w + k * 64, x + k);
  } else {
    for (int64_t kb = 0; kb < L.Kp / 16; ++kb)
#pragma GCC unroll 1
      for (int k = 0; k < 16; k += 2) step(w + kb * L.k_stride + k * 64, x + kb * 16 + k);
  }
  __m512 acc[4] = {_mm512_add_ps(a0, b0), _mm512_add_ps(a1, b1), _mm512_add_ps(a2, b2),
                   _mm512_add_ps(a3, b3)};
  store_row(y, nb * 64, N, acc);
}
#endif

#if defined(__AVX512BF16__)
template <int R>
void bf16_tile(const uint16_t* W, const Layout& L, const uint16_t* x, int64_t ldx, float* y,
               int64_t N, int64_t nb) {
  __m512 acc[R][4];
  for (int r = 0; r < R; ++r)
    for (int j = 0; j < 4; ++j) acc[r][j] = _mm512_setzero_ps();
  const uint16_t* strip = W + nb * L.n_stride;
  for (int64_t kb = 0; kb < L.Kp / 32; ++kb) {
    const uint16_t* blk = strip + kb * L.k_stride;
    for (int p = 0; p < 16; ++p) {
      const uint16_t* wp = blk + p * 128;
      const __m512bh w0 = (__m512bh)_mm512_loadu_si512(wp),
                     w1 = (__m512bh)_mm512_loadu_si512(wp + 32),
                     w2 = (__m512bh)_mm512_loadu_si512(wp + 64),
                     w3 = (__m512bh)_mm512_loadu_si512(wp + 96);
      for (int r = 0; r < R; ++r) {
        uint32_t pair;
        std::memcpy(&pair, x + r * ldx + kb * 32 + 2 * p, 4);
        const __m512bh xb = (__m512bh)_mm512_set1_epi32(int(pair));
        acc[r][0] = _mm512_dpbf16_ps(acc[r][0], w0, xb);
        acc[r][1] = _mm512_dpbf16_ps(acc[r][1], w1, xb);
        acc[r][2] = _mm512_dpbf16_ps(acc[r][2], w2, xb);
        acc[r][3] = _mm512_dpbf16_ps(acc[r][3], w3, xb);
      }
    }
  }
  for (int r = 0; r < R; ++r) store_row(y + r * N, nb * 64, N, acc[r]);
}

// One row, two K pairs per iteration (8 independent chains; see f32_row). oneDNN's strips are
// contiguous (K-blocks of 16 pairs x 64 columns one after another), so the loop walks the strip
// as one stream of 512-byte steps: a small loop body measured 34 GB/s where the same loads
// unrolled over a 4 KiB K-block reached 26 (stalls at every block start; docs/performance.md).
void bf16_row(const uint16_t* W, const Layout& L, const uint16_t* x, float* y, int64_t N,
              int64_t nb) {
  __m512 a0 = _mm512_setzero_ps(), a1 = a0, a2 = a0, a3 = a0, b0 = a0, b1 = a0, b2 = a0, b3 = a0;
  const uint16_t* w = W + nb * L.n_stride;
  auto step = [&](const uint16_t* wp, const uint16_t* xp) {
    uint32_t p0, p1;
    std::memcpy(&p0, xp, 4);
    std::memcpy(&p1, xp + 2, 4);
    const __m512bh x0 = (__m512bh)_mm512_set1_epi32(int(p0)),
                   x1 = (__m512bh)_mm512_set1_epi32(int(p1));
    a0 = _mm512_dpbf16_ps(a0, (__m512bh)_mm512_loadu_si512(wp), x0);
    a1 = _mm512_dpbf16_ps(a1, (__m512bh)_mm512_loadu_si512(wp + 32), x0);
    a2 = _mm512_dpbf16_ps(a2, (__m512bh)_mm512_loadu_si512(wp + 64), x0);
    a3 = _mm512_dpbf16_ps(a3, (__m512bh)_mm512_loadu_si512(wp + 96), x0);
    b0 = _mm512_dpbf16_ps(b0, (__m512bh)_mm512_loadu_si512(wp + 128), x1);
    b1 = _mm512_dpbf16_ps(b1, (__m512bh)_mm512_loadu_si512(wp + 160), x1);
    b2 = _mm512_dpbf16_ps(b2, (__m512bh)_mm512_loadu_si512(wp + 192), x1);
    b3 = _mm512_dpbf16_ps(b3, (__m512bh)_mm512_loadu_si512(wp + 224), x1);
  };
  if (L.k_stride == 32 * 64) {  // contiguous strip
    const int64_t pairs = L.Kp / 2;
#pragma GCC unroll 1
    for (int64_t kp = 0; kp < pairs; kp += 2) step(w + kp * 128, x + 2 * kp);
  } else {
    for (int64_t kb = 0; kb < L.Kp / 32; ++kb)
#pragma GCC unroll 1
      for (int p = 0; p < 16; p += 2) step(w + kb * L.k_stride + p * 128, x + kb * 32 + 2 * p);
  }
  __m512 acc[4] = {_mm512_add_ps(a0, b0), _mm512_add_ps(a1, b1), _mm512_add_ps(a2, b2),
                   _mm512_add_ps(a3, b3)};
  store_row(y, nb * 64, N, acc);
}
#endif

template <typename T, typename Tile>
void run_tiles(int M, int64_t nblocks, int64_t work, Tile tile) {
  // Each N-block strip is read once per row tile (later tiles hit cache); threads split N.
#pragma omp parallel for schedule(static) if (work > (1 << 16))
  for (int64_t nb = 0; nb < nblocks; ++nb)
    for (int m0 = 0; m0 < M; m0 += kRowTile) tile(m0, std::min(kRowTile, M - m0), nb);
}

}  // namespace

bool gemv_supported(const Linear& l) {
  Layout L;
  if (!read_layout(l, L)) return false;
#if defined(__AVX512BF16__)
  if (l.dtype() == DType::BF16) return true;
#endif
#if defined(__AVX512F__)
  if (l.dtype() == DType::F32) return true;
#endif
  return false;
}

// Measured (docs/performance.md): at M = 1 the kernel matches or slightly beats oneDNN 2.6's
// brgemm (bf16 16384x2048: 5.64 vs 5.73 ms on 1 thread, 8.0 vs 8.5 ms on 2); from M = 4 oneDNN
// (AMX) is faster (6.0 vs 7.9 ms). So it serves single-row products only.
int gemv_default_max_rows(DType) { return 1; }

void gemv(const Linear& l, const float* x, float* y, int M) {
  Layout L;
  read_layout(l, L);
  const int64_t K = l.in(), N = l.out(), nblocks = L.Np / 64;
  const int64_t work = int64_t(M) * L.Kp * L.Np;
#if defined(__AVX512BF16__)
  if (l.dtype() == DType::BF16) {
    thread_local std::vector<uint16_t> xb;
    xb.assign(size_t(M) * L.Kp, 0);
    for (int m = 0; m < M; ++m)
      to_bf16(x + int64_t(m) * K, xb.data() + int64_t(m) * L.Kp, size_t(K));
    const auto* W = static_cast<const uint16_t*>(l.packed_data());
    const uint16_t* xp = xb.data();
    run_tiles<uint16_t>(M, nblocks, work, [&](int m0, int r, int64_t nb) {
      const uint16_t* xr = xp + int64_t(m0) * L.Kp;
      float* yr = y + int64_t(m0) * N;
      switch (r) {
        case 1:
          bf16_row(W, L, xr, yr, N, nb);
          break;
        case 2:
          bf16_tile<2>(W, L, xr, L.Kp, yr, N, nb);
          break;
        case 3:
          bf16_tile<3>(W, L, xr, L.Kp, yr, N, nb);
          break;
        default:
          bf16_tile<4>(W, L, xr, L.Kp, yr, N, nb);
          break;
      }
    });
    return;
  }
#endif
#if defined(__AVX512F__)
  thread_local std::vector<float> xf;
  xf.assign(size_t(M) * L.Kp, 0.f);
  for (int m = 0; m < M; ++m)
    std::memcpy(xf.data() + int64_t(m) * L.Kp, x + int64_t(m) * K, size_t(K) * 4);
  const auto* W = static_cast<const float*>(l.packed_data());
  const float* xp = xf.data();
  run_tiles<float>(M, nblocks, work, [&](int m0, int r, int64_t nb) {
    const float* xr = xp + int64_t(m0) * L.Kp;
    float* yr = y + int64_t(m0) * N;
    switch (r) {
      case 1:
        f32_row(W, L, xr, yr, N, nb);
        break;
      case 2:
        f32_tile<2>(W, L, xr, L.Kp, yr, N, nb);
        break;
      case 3:
        f32_tile<3>(W, L, xr, L.Kp, yr, N, nb);
        break;
      default:
        f32_tile<4>(W, L, xr, L.Kp, yr, N, nb);
        break;
    }
  });
#else
  (void)K, (void)N, (void)nblocks, (void)work, (void)x, (void)y, (void)M;
#endif
}

}  // namespace rgeval
