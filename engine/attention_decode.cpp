#include "engine/attention_decode.h"

#include <omp.h>

#if defined(__AVX512F__)
#include <immintrin.h>
#endif

#include <algorithm>
#include <cmath>
#include <limits>
#include <numeric>
#include <type_traits>
#include <vector>

#include "engine/amx.h"
#include "engine/linear.h"
#include "engine/scratch.h"
#include "engine/vmath.h"

namespace rgeval {

namespace {

// Keys (and their values) with consecutive indices in the order the query sees them, rows
// `stride` elements apart: the cache (two runs when the ring wraps), then the new rows.
struct Run {
  const void* k = nullptr;
  const void* v = nullptr;
  bool bf16 = false;
  int64_t stride = 0, first = 0, n = 0;
};

struct Keys {
  Run run[3];
  int count = 0;
  int64_t n = 0;
};

// The new rows are f32, or bf16 when new_bf16.
Keys visible_keys(const AttnShape& s, const LayerState& c, DType dt, int64_t p0, int t, int kh,
                  const void* k_new, const void* v_new, bool new_bf16) {
  const int64_t hd = s.head_dim, kv_ld = int64_t(s.kv_heads) * hd;
  const int64_t p = p0 + t;
  const int64_t lo = s.window > 0 ? std::max<int64_t>(0, p - s.window) : 0;
  const int64_t n_cache = std::max<int64_t>(0, p0 - lo);  // cache keys at positions lo..p0-1
  const size_t es = dtype_size(dt);
  Keys ks;
  auto add = [&](const void* k, const void* v, bool bf16, int64_t n) {
    if (n <= 0) return;
    ks.run[ks.count++] = Run{k, v, bf16, kv_ld, ks.n, n};
    ks.n += n;
  };
  auto at = [&](const std::vector<std::byte>& buf, int64_t row) {
    return buf.data() + size_t(row * kv_ld + kh * hd) * es;
  };
  const bool bf16 = dt == DType::BF16;
  if (n_cache > 0 && s.window > 0) {
    const int64_t r0 = lo % s.window, n1 = std::min<int64_t>(n_cache, s.window - r0);
    add(at(c.k, r0), at(c.v, r0), bf16, n1);
    add(at(c.k, 0), at(c.v, 0), bf16, n_cache - n1);
  } else if (n_cache > 0) {
    add(at(c.k, lo), at(c.v, lo), bf16, n_cache);
  }
  const int64_t new_lo = std::max<int64_t>(0, lo - p0);  // new rows new_lo..t
  const size_t new_off = size_t(new_lo * kv_ld + kh * hd) * (new_bf16 ? 2 : 4);
  add(static_cast<const char*>(k_new) + new_off, static_cast<const char*>(v_new) + new_off,
      new_bf16, t - new_lo + 1);
  return ks;
}

inline float elem(const float* p) { return *p; }
inline float elem(const uint16_t* p) { return bf16_to_f32(*p); }

// S[h*ld + i] = q_h · k_i for g heads (q rows hd apart) and n keys.
template <typename E>
void scores_scalar(const float* q, int g, int hd, const E* k, int64_t stride, int64_t n, float* S,
                   int64_t ld) {
  for (int64_t i = 0; i < n; ++i)
    for (int h = 0; h < g; ++h) {
      float acc = 0.f;
      for (int d = 0; d < hd; ++d) acc += q[h * hd + d] * elem(k + i * stride + d);
      S[h * ld + i] = acc;
    }
}

// O[h*hd + d] += sum_i P[h*ld + i] * v_i[d].
template <typename E>
void pv_scalar(const float* P, int64_t ld, int g, const E* v, int64_t stride, int64_t n, int hd,
               float* O) {
  for (int64_t i = 0; i < n; ++i)
    for (int h = 0; h < g; ++h) {
      const float p = P[h * ld + i];
      for (int d = 0; d < hd; ++d) O[h * hd + d] += p * elem(v + i * stride + d);
    }
}

#if defined(__AVX512F__)
inline __m512 load16(const float* p) { return _mm512_loadu_ps(p); }
inline __m512 load16(const uint16_t* p) {
  const __m256i b = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(p));
  // The masked forms: the unmasked ones trip GCC 12's -Wmaybe-uninitialized.
  return _mm512_castsi512_ps(
      _mm512_maskz_slli_epi32(0xFFFF, _mm512_maskz_cvtepu16_epi32(0xFFFF, b), 16));
}

// Horizontal sum. The masked (maskz, all lanes) forms: the unmasked shuffles and
// _mm512_reduce_add_ps trip GCC 12's -Wmaybe-uninitialized.
inline float hsum(__m512 v) {
  v = _mm512_add_ps(v, _mm512_maskz_shuffle_f32x4(0xFFFF, v, v, 0x4E));  // 256-bit halves
  v = _mm512_add_ps(v, _mm512_maskz_shuffle_f32x4(0xFFFF, v, v, 0xB1));  // 128-bit lanes
  v = _mm512_add_ps(v, _mm512_maskz_permute_ps(0xFFFF, v, 0x4E));        // 64-bit pairs
  v = _mm512_add_ps(v, _mm512_maskz_permute_ps(0xFFFF, v, 0xB1));        // neighbours
  return _mm512_cvtss_f32(v);
}

// Two keys at a time, every head of the group on each 16-wide slice of them: 2 x G chains.
template <int G, typename E>
void scores_simd(const float* q, int hd, const E* k, int64_t stride, int64_t n, float* S,
                 int64_t ld) {
  int64_t i = 0;
  for (; i + 2 <= n; i += 2) {
    const E* k0 = k + i * stride;
    const E* k1 = k0 + stride;
    __m512 a[G], b[G];
    for (int h = 0; h < G; ++h) a[h] = b[h] = _mm512_setzero_ps();
    for (int c = 0; c < hd; c += 16) {
      const __m512 x0 = load16(k0 + c), x1 = load16(k1 + c);
      for (int h = 0; h < G; ++h) {
        const __m512 qv = _mm512_loadu_ps(q + h * hd + c);
        a[h] = _mm512_fmadd_ps(qv, x0, a[h]);
        b[h] = _mm512_fmadd_ps(qv, x1, b[h]);
      }
    }
    for (int h = 0; h < G; ++h) {
      S[h * ld + i] = hsum(a[h]);
      S[h * ld + i + 1] = hsum(b[h]);
    }
  }
  if (i < n) {
    const E* k0 = k + i * stride;
    __m512 a[G];
    for (int h = 0; h < G; ++h) a[h] = _mm512_setzero_ps();
    for (int c = 0; c < hd; c += 16) {
      const __m512 x0 = load16(k0 + c);
      for (int h = 0; h < G; ++h) a[h] = _mm512_fmadd_ps(_mm512_loadu_ps(q + h * hd + c), x0, a[h]);
    }
    for (int h = 0; h < G; ++h) S[h * ld + i] = hsum(a[h]);
  }
}

// A 32-wide (or, last, 16-wide) column slice of the outputs of every head stays in registers
// while the block's value rows stream through it.
template <int G, typename E>
void pv_simd(const float* P, int64_t ld, const E* v, int64_t stride, int64_t n, int hd, float* O) {
  int c = 0;
  for (; c + 32 <= hd; c += 32) {
    __m512 a[G], b[G];
    for (int h = 0; h < G; ++h) {
      a[h] = _mm512_loadu_ps(O + h * hd + c);
      b[h] = _mm512_loadu_ps(O + h * hd + c + 16);
    }
    for (int64_t i = 0; i < n; ++i) {
      const E* vi = v + i * stride + c;
      const __m512 x0 = load16(vi), x1 = load16(vi + 16);
      for (int h = 0; h < G; ++h) {
        const __m512 p = _mm512_set1_ps(P[h * ld + i]);
        a[h] = _mm512_fmadd_ps(p, x0, a[h]);
        b[h] = _mm512_fmadd_ps(p, x1, b[h]);
      }
    }
    for (int h = 0; h < G; ++h) {
      _mm512_storeu_ps(O + h * hd + c, a[h]);
      _mm512_storeu_ps(O + h * hd + c + 16, b[h]);
    }
  }
  if (c < hd) {
    __m512 a[G];
    for (int h = 0; h < G; ++h) a[h] = _mm512_loadu_ps(O + h * hd + c);
    for (int64_t i = 0; i < n; ++i) {
      const __m512 x0 = load16(v + i * stride + c);
      for (int h = 0; h < G; ++h) a[h] = _mm512_fmadd_ps(_mm512_set1_ps(P[h * ld + i]), x0, a[h]);
    }
    for (int h = 0; h < G; ++h) _mm512_storeu_ps(O + h * hd + c, a[h]);
  }
}

template <typename F>
void with_group(int g, const F& f) {
  switch (g) {
    case 1:
      return f(std::integral_constant<int, 1>{});
    case 2:
      return f(std::integral_constant<int, 2>{});
    case 3:
      return f(std::integral_constant<int, 3>{});
    case 4:
      return f(std::integral_constant<int, 4>{});
    case 5:
      return f(std::integral_constant<int, 5>{});
    case 6:
      return f(std::integral_constant<int, 6>{});
    case 7:
      return f(std::integral_constant<int, 7>{});
    default:
      return f(std::integral_constant<int, 8>{});
  }
}
#endif

constexpr int kMaxHeads = 8;  // heads served together by one pass over a block of keys
constexpr int64_t kBlock = 64;

template <typename E>
void scores_block(const float* q, int G, int hd, const E* k, int64_t stride, int64_t n, float* S,
                  int64_t ld) {
  for (int h0 = 0; h0 < G; h0 += kMaxHeads) {
    const int g = std::min(kMaxHeads, G - h0);
#if defined(__AVX512F__)
    if (hd % 16 == 0) {
      with_group(g, [&](auto c) {
        scores_simd<decltype(c)::value>(q + h0 * hd, hd, k, stride, n, S + h0 * ld, ld);
      });
      continue;
    }
#endif
    scores_scalar(q + h0 * hd, g, hd, k, stride, n, S + h0 * ld, ld);
  }
}

template <typename E>
void pv_block(const float* P, int64_t ld, int G, const E* v, int64_t stride, int64_t n, int hd,
              float* O) {
  for (int h0 = 0; h0 < G; h0 += kMaxHeads) {
    const int g = std::min(kMaxHeads, G - h0);
#if defined(__AVX512F__)
    if (hd % 16 == 0) {
      with_group(g, [&](auto c) {
        pv_simd<decltype(c)::value>(P + h0 * ld, ld, v, stride, n, hd, O + h0 * hd);
      });
      continue;
    }
#endif
    pv_scalar(P + h0 * ld, ld, g, v, stride, n, hd, O + h0 * hd);
  }
}

#if defined(__AMX_BF16__)
// Scores of n (a multiple of 16) bf16 keys by tile products, 16 keys at a time, written
// key-major: S[key][g], the layout of the score tile, stored straight from it. Scattering each
// tile into per-head rows (128 KiB apart at depth 32K) held a tile-load loop from memory at
// 15.5 GB/s against 22.8 with the direct store (a standalone loop, 2 threads, 1 GiB of keys).
// Four accumulators over 64 keys at a time were faster from cache but slower from memory (17.8
// GB/s: four 8 KiB streams), and a software prefetch no longer helps. Tile 0: the scores
// [16 keys][g heads] in f32; tile 1: 16 key rows x 32 dims; tile 2: the query's same 32 dims as
// 16 pairs x g heads (qt: [hd/32][16][g][2], as VNNI lays out the B operand).
void scores_amx(const uint16_t* qt, int g, int hd, const uint16_t* k, int64_t stride, int64_t n,
                float* S) {
  TileConfig cfg;
  cfg.rows[0] = cfg.rows[1] = cfg.rows[2] = 16;
  cfg.colsb[0] = cfg.colsb[2] = uint16_t(g * 4);
  cfg.colsb[1] = 64;
  _tile_loadconfig(&cfg);
  for (int64_t i = 0; i < n; i += 16) {
    _tile_zero(0);
    for (int kk = 0; kk < hd / 32; ++kk) {
      _tile_loadd(1, k + i * stride + kk * 32, stride * 2);
      _tile_loadd(2, qt + kk * 16 * g * 2, g * 4);
      _tile_dpbf16ps(0, 1, 2);
    }
    _tile_stored(0, S + i * g, g * 4);
  }
  _tile_release();
}

// O += P x V for n value rows, 32 keys per tile product: tile 1 = P [g heads][32 keys] (bf16),
// tile 2 = 16 columns of the 32 rows as VNNI pairs, tile 0 = O [g heads][16 columns] (f32).
// The pairs are formed by unpacklo/unpackhi of two rows, which interleave within 128-bit lanes:
// O's columns come out permuted within each 32-column slice (see stored_column), the same way
// for every key, and are put back in order once at the end. Rows past n count as zeros.
void pv_amx(const uint16_t* P, int64_t ldp, int g, const uint16_t* v, int64_t stride, int64_t n,
            int hd, float* O) {
  TileConfig cfg;
  cfg.rows[0] = cfg.rows[1] = uint8_t(g);
  cfg.colsb[0] = cfg.colsb[1] = 64;
  cfg.rows[2] = 16;
  cfg.colsb[2] = 64;
  thread_local Scratch<uint16_t> bt;  // hd/16 B tiles of 16 x 32
  uint16_t* b = bt.get(size_t(hd) / 16 * 512 + 32);
  b += (64 - reinterpret_cast<uintptr_t>(b) % 64) % 64 / 2;
  alignas(64) uint16_t a[16 * 32];
  _tile_loadconfig(&cfg);
  for (int64_t i = 0; i < n; i += 32) {
    const int64_t m = std::min<int64_t>(32, n - i);
    const uint16_t* ap = P + i;
    int64_t a_stride = ldp * 2;
    if (m < 32) {
      for (int h = 0; h < g; ++h)
        for (int kk = 0; kk < 32; ++kk) a[h * 32 + kk] = kk < m ? P[h * ldp + i + kk] : 0;
      ap = a, a_stride = 64;
    }
    for (int r = 0; r < 16; ++r) {
      const int64_t k0 = 2 * r, k1 = k0 + 1;
      const uint16_t* v0 = v + (i + k0) * stride;
      const uint16_t* v1 = v0 + stride;
      for (int sl = 0; sl < hd / 32; ++sl) {
        const __m512i x0 = k0 < m ? _mm512_loadu_si512(v0 + sl * 32) : _mm512_setzero_si512();
        const __m512i x1 = k1 < m ? _mm512_loadu_si512(v1 + sl * 32) : _mm512_setzero_si512();
        _mm512_store_si512(b + (2 * sl * 16 + r) * 32, _mm512_unpacklo_epi16(x0, x1));
        _mm512_store_si512(b + ((2 * sl + 1) * 16 + r) * 32, _mm512_unpackhi_epi16(x0, x1));
      }
    }
    _tile_loadd(1, ap, a_stride);
    for (int t = 0; t < hd / 16; ++t) {
      _tile_loadd(0, O + t * 16, hd * 4);
      _tile_loadd(2, b + t * 512, 64);
      _tile_dpbf16ps(0, 1, 2);
      _tile_stored(0, O + t * 16, hd * 4);
    }
  }
  _tile_release();
}
#endif

// Where pv_amx leaves column e (0..31) of a 32-column slice: unpacklo takes columns 0-3 of each
// 8-column group into pairs 4l..4l+3 of the first tile, unpackhi columns 4-7 into the second.
inline int stored_column(int e) {
  const int l = e / 8, r = e % 8;
  return r < 4 ? 4 * l + r : 16 + 4 * l + (r - 4);
}

// Calls f(run, offset in run, key index, count) for the keys of [i0, i1) run by run, in blocks
// of `block` keys.
template <typename F>
void for_blocks(const Keys& ks, int64_t i0, int64_t i1, int64_t block, const F& f) {
  for (int r = 0; r < ks.count; ++r) {
    const Run& run = ks.run[r];
    const int64_t a = std::max(i0, run.first), b = std::min(i1, run.first + run.n);
    for (int64_t j = a; j < b; j += block) f(run, j - run.first, j, std::min(block, b - j));
  }
}

struct Task {
  Keys keys;
  const float* q = nullptr;      // G query rows, scaled
  const uint16_t* qt = nullptr;  // the same in bf16 as AMX B operands (AMX path), or null
  float* out = nullptr;          // G output rows
  int G = 0, hd = 0;
  bool amx() const { return qt != nullptr; }  // then every run is bf16
};

void scores_range(const Task& t, int64_t i0, int64_t i1, float* S) {
  const int64_t ld = t.keys.n;
  for_blocks(t.keys, i0, i1, i1 - i0, [&](const Run& run, int64_t off, int64_t j, int64_t n) {
    if (!run.bf16) {
      scores_block(t.q, t.G, t.hd, static_cast<const float*>(run.k) + off * run.stride, run.stride,
                   n, S + j, ld);
      return;
    }
    const auto* k = static_cast<const uint16_t*>(run.k) + off * run.stride;
#if defined(__AMX_BF16__)
    if (t.amx()) {  // key-major scores; the last n % 16 keys by the SIMD kernel, transposed
      const int64_t done = n / 16 * 16;
      if (done > 0) scores_amx(t.qt, t.G, t.hd, k, run.stride, done, S + j * t.G);
      if (done < n) {
        float tmp[16 * 16];
        scores_block(t.q, t.G, t.hd, k + done * run.stride, run.stride, n - done, tmp, 16);
        for (int64_t r = 0; r < n - done; ++r)
          for (int h = 0; h < t.G; ++h) S[(j + done + r) * t.G + h] = tmp[h * 16 + r];
      }
      return;
    }
#endif
    scores_block(t.q, t.G, t.hd, k, run.stride, n, S + j, ld);
  });
}

// O = S x V over the keys of [i0, i1) (S: unnormalized probabilities; Pb: the same in bf16 on
// the AMX path, where O's columns come out as stored_column places them).
void pv_range(const Task& t, int64_t i0, int64_t i1, const float* S, const uint16_t* Pb, float* O) {
  std::fill(O, O + int64_t(t.G) * t.hd, 0.f);
#if defined(__AMX_BF16__)
  if (t.amx()) {
    for_blocks(t.keys, i0, i1, i1 - i0, [&](const Run& run, int64_t off, int64_t j, int64_t n) {
      pv_amx(Pb + j, t.keys.n, t.G, static_cast<const uint16_t*>(run.v) + off * run.stride,
             run.stride, n, t.hd, O);
    });
    return;
  }
#else
  (void)Pb;
#endif
  for_blocks(t.keys, i0, i1, kBlock, [&](const Run& run, int64_t off, int64_t j, int64_t n) {
    if (run.bf16)
      pv_block(S + j, t.keys.n, t.G, static_cast<const uint16_t*>(run.v) + off * run.stride,
               run.stride, n, t.hd, O);
    else
      pv_block(S + j, t.keys.n, t.G, static_cast<const float*>(run.v) + off * run.stride,
               run.stride, n, t.hd, O);
  });
}

// Where column j of the [heads][hd] outputs sits in O as pv_range left it (permuted: the AMX
// path's column order).
inline int64_t o_index(bool permuted, int hd, int64_t j) {
  if (!permuted) return j;
  const int64_t col = j % hd;
  return j - col + col / 32 * 32 + stored_column(int(col % 32));
}

#if defined(__AVX512F__)
// The masked form: _mm512_max_ps trips GCC 12's -Wmaybe-uninitialized.
inline __m512 max16(__m512 a, __m512 b) { return _mm512_mask_max_ps(a, __mmask16(0xFFFF), a, b); }
#endif

float range_max(const float* s, int64_t n) {
#if defined(__AVX512F__)
  // Four independent maxima. GCC 12 made the `omp simd` max reduction this replaced a scalar
  // chain of dependent VMAXSS, 17% of the attention time of a Gemma-2B decode step at depth 8K.
  const __m512 lo = _mm512_set1_ps(-std::numeric_limits<float>::infinity());
  __m512 m0 = lo, m1 = lo, m2 = lo, m3 = lo;
  int64_t i = 0;
  for (; i + 64 <= n; i += 64) {
    m0 = max16(m0, _mm512_loadu_ps(s + i));
    m1 = max16(m1, _mm512_loadu_ps(s + i + 16));
    m2 = max16(m2, _mm512_loadu_ps(s + i + 32));
    m3 = max16(m3, _mm512_loadu_ps(s + i + 48));
  }
  for (; i < n; i += 16) {
    const __mmask16 k = n - i >= 16 ? __mmask16(0xFFFF) : __mmask16((1u << (n - i)) - 1);
    m0 = max16(m0, _mm512_mask_loadu_ps(lo, k, s + i));
  }
  alignas(64) float r[16];
  _mm512_store_ps(r, max16(max16(m0, m1), max16(m2, m3)));
  return *std::max_element(r, r + 16);
#else
  float m = -std::numeric_limits<float>::infinity();
  for (int64_t i = 0; i < n; ++i) m = std::max(m, s[i]);
  return m;
#endif
}

// s[i] = exp(s[i] - mx), also in bf16 into pb when given; returns the sum.
float exp_in_place(float* s, uint16_t* pb, int64_t n, float mx) {
  float sum = 0.f;
#pragma omp simd reduction(+ : sum)
  for (int64_t i = 0; i < n; ++i) {
    s[i] = vexp(s[i] - mx);
    sum += s[i];
  }
  if (pb)
    for (int64_t i = 0; i < n; ++i) pb[i] = f32_to_bf16(s[i]);
  return sum;
}

// The softmax of `rows` keys of key-major scores s[key][g] (the AMX path): per head the maximum
// (mx) and, with s[i] = exp(s[i] - mx), the sum (sum); the probabilities also go to pb in bf16,
// head-major (pb[h * ldp + key]), the rows of pv_amx's A tiles. The flat array repeats its head
// pattern every L = lcm(16, g) floats, so per-position maxima and sums over whole periods are
// plain vector loops; they are folded per head at the end.
void softmax_keys(float* s, int64_t rows, int g, float* mx, float* sum, uint16_t* pb, int64_t ldp) {
  const int L = 16 * g / std::gcd(16, g);  // <= 256 for g <= 16
  alignas(64) float mf[256], sf[256];
  const int64_t total = rows * g, full = total / L * L;
  for (int q = 0; q < L; ++q) mf[q] = -std::numeric_limits<float>::infinity(), sf[q] = 0.f;
  for (int64_t p = 0; p < full; p += L) {
    const float* x = s + p;
#pragma omp simd
    for (int q = 0; q < L; ++q) mf[q] = x[q] > mf[q] ? x[q] : mf[q];
  }
  for (int64_t f = full; f < total; ++f) mf[f - full] = std::max(mf[f - full], s[f]);
  for (int h = 0; h < g; ++h) mx[h] = -std::numeric_limits<float>::infinity();
  for (int q = 0; q < L; ++q) mx[q % g] = std::max(mx[q % g], mf[q]);
  for (int q = 0; q < L; ++q) mf[q] = mx[q % g];
  for (int64_t p = 0; p < full; p += L) {
    float* x = s + p;
#pragma omp simd
    for (int q = 0; q < L; ++q) {
      x[q] = vexp(x[q] - mf[q]);
      sf[q] += x[q];
    }
  }
  for (int64_t f = full; f < total; ++f) {
    s[f] = vexp(s[f] - mf[f - full]);
    sf[f - full] += s[f];
  }
  for (int h = 0; h < g; ++h) sum[h] = 0.f;
  for (int q = 0; q < L; ++q) sum[q % g] += sf[q];
  for (int64_t i = 0; i < rows; ++i)
    for (int h = 0; h < g; ++h) pb[h * ldp + i] = f32_to_bf16(s[i * g + h]);
}

// One task on the calling thread.
void run_task(const Task& t) {
  thread_local Scratch<float> S_s, O_s, iv_s;
  thread_local Scratch<uint16_t> Pb_s;
  const int64_t n = t.keys.n;
  float* S = S_s.get(size_t(t.G * n));
  uint16_t* Pb = t.amx() ? Pb_s.get(size_t(t.G * n)) : nullptr;
  float* O = O_s.get(size_t(t.G * t.hd));
  float* iv = iv_s.get(size_t(t.G));
  scores_range(t, 0, n, S);
  if (t.amx()) {
    float mx[16];
    softmax_keys(S, n, t.G, mx, iv, Pb, n);
    for (int h = 0; h < t.G; ++h) iv[h] = 1.f / iv[h];
  } else {
    for (int h = 0; h < t.G; ++h) {
      float* sh = S + h * n;
      iv[h] = 1.f / exp_in_place(sh, nullptr, n, range_max(sh, n));
    }
  }
  pv_range(t, 0, n, S, Pb, O);
  const int64_t m = int64_t(t.G) * t.hd;
  for (int64_t j = 0; j < m; ++j) t.out[j] = O[o_index(t.amx(), t.hd, j)] * iv[j / t.hd];
}

// After the barrier of a split: thread `id` of P writes its share of the NH x hd outputs, each
// head's P parts rescaled by exp(part maximum - overall maximum) and summed. pm, ps: [P][NH]
// maxima and sums; po: [P][NH][hd] partial outputs, columns as pv_amx leaves them if permuted.
void combine_parts(int P, int id, int NH, int hd, bool permuted, const float* pm, const float* ps,
                   const float* po, float* out) {
  const int64_t m = int64_t(NH) * hd, j0 = m * id / P, j1 = m * (id + 1) / P;
  float w[64];  // per part: exp(its max - overall max), for the head of column j
  int wh = -1;
  float total = 0.f;
  for (int64_t j = j0; j < j1; ++j) {
    const int h = int(j / hd);
    if (h != wh) {
      float mx = -std::numeric_limits<float>::infinity();
      for (int p = 0; p < P; ++p) mx = std::max(mx, pm[p * NH + h]);
      total = 0.f;
      for (int p = 0; p < P; ++p) {
        w[p] = ps[p * NH + h] > 0.f ? vexp(pm[p * NH + h] - mx) : 0.f;
        total += w[p] * ps[p * NH + h];
      }
      wh = h;
    }
    const int64_t src = o_index(permuted, hd, j);
    float acc = 0.f;
    for (int p = 0; p < P; ++p) acc += w[p] * po[int64_t(p) * m + src];
    out[j] = acc / total;
  }
}

// One task, its keys split across the threads of a parallel region. Each thread normalizes its
// own part by its own maximum; one barrier, then the parts are combined, each rescaled by
// exp(its maximum - the overall maximum).
void run_task_split(const Task& t, int threads) {
  thread_local Scratch<float> S, part_o, part_max, part_sum;
  thread_local Scratch<uint16_t> Pb;
  const int64_t n = t.keys.n;
  const int G = t.G, hd = t.hd;
  float* Sd = S.get(size_t(G * n));
  uint16_t* Pbd = t.amx() ? Pb.get(size_t(G * n)) : nullptr;
  float* po = part_o.get(size_t(threads) * G * hd);
  float* pm = part_max.get(size_t(threads) * G);
  float* ps = part_sum.get(size_t(threads) * G);
#pragma omp parallel num_threads(threads)
  {
    const int P = omp_get_num_threads(), id = omp_get_thread_num();
    const int64_t i0 = n * id / P, i1 = n * (id + 1) / P;
    scores_range(t, i0, i1, Sd);
    if (Pbd) {
      softmax_keys(Sd + i0 * G, i1 - i0, G, pm + id * G, ps + id * G, Pbd + i0, n);
    } else {
      for (int h = 0; h < G; ++h) {
        float* sh = Sd + h * n + i0;
        pm[id * G + h] = range_max(sh, i1 - i0);
        ps[id * G + h] = i1 > i0 ? exp_in_place(sh, nullptr, i1 - i0, pm[id * G + h]) : 0.f;
      }
    }
    pv_range(t, i0, i1, Sd, Pbd, po + int64_t(id) * G * hd);
#pragma omp barrier
    combine_parts(P, id, G, hd, t.amx(), pm, ps, po, t.out);
  }
}

#if defined(__AMX_BF16__) && defined(__AVX512BF16__)
// One decode row on a bf16 cache with one query head per KV head (multi-head attention: Gemma-7B's
// 16 KV heads of 256 dims). A task per KV head read 512 bytes of every 8 KiB cache row, a new
// 4 KiB page for every key, and ran at 10-11 GB/s from memory. Here the keys are split across the
// threads and each thread walks its rows in memory order, every head of a row together: 18-19
// GB/s (bench_kernels attend_gemma7b, cold). The dot products are VDPBF16PS on pairs of dims (a
// tile product would fill one column of sixteen); the values go in as pairs of rows, unpacked as
// pv_amx does (the same column order, see stored_column). The same walk for Gemma-2B's 8 heads
// per KV head ran at 7 GB/s against the tile kernels' 14, so it serves one head per KV head only.
// tk: one task per KV head (G = 1), their keys the same runs `h * hd` elements apart, their
// outputs adjacent.
template <int SL>  // head_dim / 32
void run_mha_split(const Task* tk, int H, int threads) {
  static_assert(SL % 2 == 0, "the dot products run as two chains of dim pairs");
  constexpr int hd = 32 * SL;
  const int64_t n = tk[0].keys.n;
  thread_local Scratch<float> S, part_o, part_max, part_sum;
  thread_local Scratch<uint16_t> Pb, qb;
  float* Sd = S.get(size_t(H) * size_t(n));
  uint16_t* Pbd = Pb.get(size_t(H) * size_t(n));
  uint16_t* qbw = qb.get(size_t(H) * hd);
  float* po = part_o.get(size_t(threads) * H * hd);
  float* pm = part_max.get(size_t(threads) * H);
  float* ps = part_sum.get(size_t(threads) * H);
  for (int h = 0; h < H; ++h) to_bf16(tk[h].q, qbw + size_t(h) * hd, size_t(hd));
  const uint16_t* qbd = qbw;
  const Keys& ks = tk[0].keys;
#pragma omp parallel num_threads(threads) if (threads > 1)
  {
    const int P = omp_get_num_threads(), id = omp_get_thread_num();
    const int64_t i0 = n * id / P, i1 = n * (id + 1) / P;
    for_blocks(ks, i0, i1, i1 - i0, [&](const Run& run0, int64_t off, int64_t j, int64_t cnt) {
      const int r = int(&run0 - ks.run);
      for (int64_t x = 0; x < cnt; ++x)
        for (int h = 0; h < H; ++h) {
          const Run& run = tk[h].keys.run[r];
          const uint16_t* k = static_cast<const uint16_t*>(run.k) + (off + x) * run.stride;
          const uint16_t* qh = qbd + size_t(h) * hd;
          __m512 a = _mm512_setzero_ps(), b = a;  // two chains
          for (int c = 0; c < SL; c += 2) {
            a = _mm512_dpbf16_ps(a, (__m512bh)_mm512_loadu_si512(k + 32 * c),
                                 (__m512bh)_mm512_loadu_si512(qh + 32 * c));
            b = _mm512_dpbf16_ps(b, (__m512bh)_mm512_loadu_si512(k + 32 * c + 32),
                                 (__m512bh)_mm512_loadu_si512(qh + 32 * c + 32));
          }
          Sd[h * n + j + x] = hsum(_mm512_add_ps(a, b));
        }
    });
    for (int h = 0; h < H; ++h) {
      float* sh = Sd + h * n + i0;
      pm[id * H + h] = range_max(sh, i1 - i0);
      ps[id * H + h] = i1 > i0 ? exp_in_place(sh, Pbd + h * n + i0, i1 - i0, pm[id * H + h]) : 0.f;
    }
    float* O = po + int64_t(id) * H * hd;
    std::fill(O, O + int64_t(H) * hd, 0.f);
    for_blocks(ks, i0, i1, i1 - i0, [&](const Run& run0, int64_t off, int64_t j, int64_t cnt) {
      const int r = int(&run0 - ks.run);
      for (int64_t x = 0; x < cnt; x += 2) {
        const bool two = x + 1 < cnt;
        for (int h = 0; h < H; ++h) {
          const Run& run = tk[h].keys.run[r];
          const uint16_t* v0 = static_cast<const uint16_t*>(run.v) + (off + x) * run.stride;
          const uint16_t* p = Pbd + h * n + j + x;
          const __m512bh pp =
              (__m512bh)_mm512_set1_epi32(int(uint32_t(p[0]) | (two ? uint32_t(p[1]) << 16 : 0u)));
          float* o = O + h * hd;
          for (int sl = 0; sl < SL; ++sl) {
            const __m512i x0 = _mm512_loadu_si512(v0 + 32 * sl);
            const __m512i x1 =
                two ? _mm512_loadu_si512(v0 + run.stride + 32 * sl) : _mm512_setzero_si512();
            _mm512_storeu_ps(o + 32 * sl,
                             _mm512_dpbf16_ps(_mm512_loadu_ps(o + 32 * sl),
                                              (__m512bh)_mm512_unpacklo_epi16(x0, x1), pp));
            _mm512_storeu_ps(o + 32 * sl + 16,
                             _mm512_dpbf16_ps(_mm512_loadu_ps(o + 32 * sl + 16),
                                              (__m512bh)_mm512_unpackhi_epi16(x0, x1), pp));
          }
        }
      }
    });
#pragma omp barrier
    combine_parts(P, id, H, hd, true, pm, ps, po, tk[0].out);
  }
}
#endif

}  // namespace

void attend_decode(const AttnShape& s, const LayerState& cache, DType dt, int64_t p0, int T,
                   const float* q, const float* k_new, const float* v_new, float* out) {
  const int hd = s.head_dim, G = s.heads / s.kv_heads;
  const int64_t q_ld = int64_t(s.heads) * hd;
  const float scale = 1.f / std::sqrt(float(hd));
  const int tasks = T * s.kv_heads;
  // The caller's buffers, taken as pointers before any parallel region (a thread_local name
  // there would mean another object on each thread).
  thread_local Scratch<float> qs;
  float* qsw = qs.get(size_t(T) * q_ld);
  for (int64_t i = 0; i < T * q_ld; ++i) qsw[i] = q[i] * scale;
  const float* qsd = qsw;
  // bf16 caches: keys scored by tile products when the CPU has AMX; the new rows then go in as
  // the cache will hold them, bf16.
  const bool amx = dt == DType::BF16 && hd % 32 == 0 && G <= 16 && amx_bf16_usable();
  thread_local Scratch<uint16_t> qt_s, kb_s, vb_s;
  const void *kn = k_new, *vn = v_new;
  uint16_t* qt = nullptr;
  if (amx) {
    const size_t kv = size_t(T) * size_t(s.kv_heads) * size_t(hd);
    uint16_t *kb = kb_s.get(kv), *vb = vb_s.get(kv);
    qt = qt_s.get(size_t(T) * q_ld);
    to_bf16(k_new, kb, kv);
    to_bf16(v_new, vb, kv);
    kn = kb, vn = vb;
    // Per (row, KV head): [hd/32][16 dim pairs][G heads][2].
    for (int i = 0; i < tasks; ++i) {
      const float* src = qsd + int64_t(i) * G * hd;  // rows then KV heads: the q layout
      uint16_t* dst = qt + int64_t(i) * G * hd;
      for (int kk = 0; kk < hd / 32; ++kk)
        for (int r = 0; r < 16; ++r)
          for (int h = 0; h < G; ++h)
            for (int e = 0; e < 2; ++e)
              dst[((kk * 16 + r) * G + h) * 2 + e] = f32_to_bf16(src[h * hd + kk * 32 + 2 * r + e]);
    }
  }
  const uint16_t* qtd = qt;
  auto task = [&](int i) {
    const int t = i / s.kv_heads, kh = i % s.kv_heads;
    Task tk;
    tk.keys = visible_keys(s, cache, dt, p0, t, kh, kn, vn, amx);
    tk.q = qsd + t * q_ld + int64_t(kh) * G * hd;
    tk.qt = qtd ? qtd + t * q_ld + int64_t(kh) * G * hd : nullptr;
    tk.out = out + t * q_ld + int64_t(kh) * G * hd;
    tk.G = G;
    tk.hd = hd;
    return tk;
  };
  // Enough work to share: keys x heads x dims summed over the tasks.
  const int64_t work = int64_t(T) * (p0 + T) * s.heads * hd;
  const int threads = omp_in_parallel() || work < 65536 ? 1 : std::min(64, omp_get_max_threads());
  if (threads > 1 && tasks < threads) {
    for (int i = 0; i < tasks; ++i) run_task_split(task(i), threads);
    return;
  }
#if defined(__AMX_BF16__) && defined(__AVX512BF16__)
  if (amx && G == 1 && T == 1 && s.heads <= 64 && (hd == 256 || hd == 128)) {
    thread_local Scratch<Task> tv_s;
    Task* tv = tv_s.get(size_t(s.kv_heads));
    for (int i = 0; i < s.kv_heads; ++i) tv[i] = task(i);
    const int P = std::max(1, threads);
    if (hd == 256)
      run_mha_split<8>(tv, s.kv_heads, P);
    else
      run_mha_split<4>(tv, s.kv_heads, P);
    return;
  }
#endif
#pragma omp parallel for schedule(dynamic) if (threads > 1)
  for (int i = 0; i < tasks; ++i) run_task(task(i));
}

}  // namespace rgeval
