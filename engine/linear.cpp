#include "engine/linear.h"

#include <immintrin.h>
#include <sys/mman.h>

#include <algorithm>
#include <cstdlib>
#include <cstring>
#include <map>
#include <mutex>
#include <tuple>

#include "engine/compute.h"
#include "engine/error.h"
#include "engine/gemv.h"
#include "engine/scratch.h"

namespace rgeval {

using dnnl::memory;
using tag = memory::format_tag;

namespace {

memory::data_type dnnl_type(DType t) {
  return t == DType::BF16 ? memory::data_type::bf16 : memory::data_type::f32;
}

thread_local std::vector<uint16_t> tls_bf16;  // activations converted for a bf16 product

using ShapeKey = std::tuple<int, int, int, int>;  // K, N, dtype, M

std::mutex cache_mu;
std::map<ShapeKey, memory::desc> layouts;  // M = 0
std::map<ShapeKey, dnnl::matmul> primitives;

memory::desc packed_layout(int K, int N, memory::data_type dt) {
  std::lock_guard<std::mutex> lock(cache_mu);
  const ShapeKey key{K, N, int(dt), 0};
  auto it = layouts.find(key);
  if (it != layouts.end()) return it->second;
  // The layout oneDNN picks for a large product; the same layout serves every M.
  const memory::desc src({256, K}, dt, tag::ab), dst({256, N}, memory::data_type::f32, tag::ab);
  const memory::desc any({K, N}, dt, tag::any);
  auto pd = dnnl::matmul::primitive_desc(dnnl::matmul::desc(src, any, dst), dnnl_engine());
  return layouts.emplace(key, pd.weights_desc()).first->second;
}

const dnnl::matmul& primitive(int K, int N, memory::data_type dt, int M, const memory::desc& w) {
  std::lock_guard<std::mutex> lock(cache_mu);
  const ShapeKey key{K, N, int(dt), M};
  auto it = primitives.find(key);
  if (it != primitives.end()) return it->second;
  const memory::desc src({M, K}, dt, tag::ab), dst({M, N}, memory::data_type::f32, tag::ab);
  auto pd = dnnl::matmul::primitive_desc(dnnl::matmul::desc(src, w, dst), dnnl_engine());
  return primitives.emplace(key, dnnl::matmul(pd)).first->second;
}

}  // namespace

void to_bf16_serial(const float* x, uint16_t* y, size_t n) {
  size_t i = 0;
#if defined(__AVX512BF16__)
  for (; i + 16 <= n; i += 16) {
    const __m256bh v = _mm512_cvtneps_pbh(_mm512_loadu_ps(x + i));
    std::memcpy(y + i, &v, 32);
  }
#endif
  for (; i < n; ++i) y[i] = f32_to_bf16(x[i]);
}

void to_bf16(const float* x, uint16_t* y, size_t n) {
  constexpr size_t kBlock = size_t(1) << 16;  // parallel in blocks for prefill-sized inputs
  const int64_t blocks = int64_t((n + kBlock - 1) / kBlock);
#pragma omp parallel for schedule(static) if (blocks > 2)
  for (int64_t b = 0; b < blocks; ++b) {
    const size_t lo = size_t(b) * kBlock;
    to_bf16_serial(x + lo, y + lo, std::min(kBlock, n - lo));
  }
}

Linear::Linear(const TensorView& w, const TensorView* bias, DType compute, bool w_in_out)
    : dt_(compute == DType::BF16 ? DType::BF16 : DType::F32) {
  if (w.shape.size() != 2) throw Error("Linear: weight must be 2-D");
  N_ = int(w_in_out ? w.shape[1] : w.shape[0]);
  K_ = int(w_in_out ? w.shape[0] : w.shape[1]);
  if (K_ > kSliceK && !w_in_out) {  // [N, K]: each slice copies its columns, then packs them
    const int parts = (K_ + kSliceK - 1) / kSliceK;
    const int ks = (K_ / parts + 63) / 64 * 64;
    const size_t es = dtype_size(w.dtype);
    std::vector<std::byte> cols;
    for (int k0 = 0; k0 < K_; k0 += ks) {
      const int n = std::min(ks, K_ - k0);
      cols.resize(size_t(N_) * size_t(n) * es);
#pragma omp parallel for schedule(static)
      for (int64_t r = 0; r < N_; ++r)
        std::memcpy(cols.data() + size_t(r) * size_t(n) * es,
                    w.data + (size_t(r) * size_t(K_) + size_t(k0)) * es, size_t(n) * es);
      const TensorView part{w.dtype, {N_, n}, cols.data(), cols.size()};
      slices_.emplace_back(part, nullptr, compute);
    }
    if (bias) bias_ = to_f32(*bias);
    gemv_max_rows_ = slices_.front().gemv_max_rows_;
    return;
  }
  auto& eng = dnnl_engine();
  const auto dt = dnnl_type(dt_);
  packed_md_ = packed_layout(K_, N_, dt);
  // Our own allocation, so that big matrices sit on transparent huge pages: decoding streams
  // every weight once per token and 4 KiB pages would cost a TLB miss every 4 KiB.
  const size_t bytes = packed_md_.get_size(), huge = size_t(2) << 20;
  void* p = std::aligned_alloc(huge, (bytes + huge - 1) / huge * huge);
  if (!p) throw Error("Linear: cannot allocate " + std::to_string(bytes) + " bytes of weights");
  if (bytes >= huge) ::madvise(p, (bytes + huge - 1) / huge * huge, MADV_HUGEPAGE);
  storage_ = std::shared_ptr<void>(p, std::free);
  weights_ = memory(packed_md_, eng, p);

  // The weights as they are (when already in the compute dtype and aligned) or a converted
  // copy, then one reorder into the packed layout.
  const int64_t n = int64_t(K_) * N_;
  const memory::desc plain_md({K_, N_}, dt, w_in_out ? tag::ab : tag::ba);
  const size_t es = dtype_size(dt_);
  memory plain;
  if (w.dtype == dt_ && reinterpret_cast<uintptr_t>(w.data) % es == 0) {
    plain = memory(plain_md, eng, const_cast<std::byte*>(w.data));
  } else {
    plain = memory(plain_md, eng);
    if (dt_ == DType::BF16) {
      auto* p = static_cast<uint16_t*>(plain.get_data_handle());
#pragma omp parallel for schedule(static)
      for (int64_t i = 0; i < n; ++i) p[i] = f32_to_bf16(element_f32(w, i));
    } else {
      auto* p = static_cast<float*>(plain.get_data_handle());
#pragma omp parallel for schedule(static)
      for (int64_t i = 0; i < n; ++i) p[i] = element_f32(w, i);
    }
  }
  dnnl::reorder(plain, weights_).execute(dnnl_stream(), plain, weights_);
  dnnl_stream().wait();
  if (bias) bias_ = to_f32(*bias);
  gemv_max_rows_ = gemv_supported(*this) ? gemv_default_max_rows(dt_) : 0;
}

void Linear::forward(const float* x, float* y, int M, MatmulPath path) const {
  if (M <= 0) return;
  if (slices_.empty()) {
    product(x, y, M, path);
  } else {
    thread_local Scratch<float> xs, part;
    int k0 = 0;
    for (size_t i = 0; i < slices_.size(); ++i) {
      const Linear& sl = slices_[i];
      const int ks = sl.in();
      const float* xp = x + k0;
      if (M > 1) {                                    // the slice's columns as contiguous rows
        float* dst = xs.get(size_t(M) * size_t(ks));  // (a pointer: `xs` in the loop would name
                                                      // each thread's own buffer)
#pragma omp parallel for schedule(static) if (int64_t(M) * ks > 65536)
        for (int m = 0; m < M; ++m)
          std::memcpy(dst + size_t(m) * size_t(ks), x + size_t(m) * size_t(K_) + size_t(k0),
                      size_t(ks) * 4);
        xp = dst;
      }
      if (i == 0) {
        sl.product(xp, y, M, path);
      } else {
        float* pp = part.get(size_t(M) * size_t(N_));
        sl.product(xp, pp, M, path);
        const int64_t n = int64_t(M) * N_;
#pragma omp parallel for simd schedule(static) if (n > 65536)
        for (int64_t j = 0; j < n; ++j) y[j] += pp[j];
      }
      k0 += ks;
    }
  }
  if (!bias_.empty()) {
    const float* b = bias_.data();
#pragma omp parallel for schedule(static) if (int64_t(M) * N_ > 65536)
    for (int m = 0; m < M; ++m)
      for (int j = 0; j < N_; ++j) y[int64_t(m) * N_ + j] += b[j];
  }
}

void Linear::product(const float* x, float* y, int M, MatmulPath path) const {
  const bool use_gemv = gemv_max_rows_ > 0 && (path == MatmulPath::Gemv ||
                                               (path == MatmulPath::Auto && M <= gemv_max_rows_));
  if (use_gemv) {
    gemv(*this, x, y, M);
  } else {
    // Row counts are rounded up to powers of two (multiples of 512 beyond) so that a handful of
    // primitives serve every M (creating one JIT-compiles kernels: ~10 ms); padding rows are
    // zero and their outputs dropped.
    int Mp = 1;
    while (Mp < M && Mp < 512) Mp *= 2;
    if (M > 512) Mp = (M + 511) / 512 * 512;
    const auto dt = dnnl_type(dt_);
    auto& eng = dnnl_engine();
    const void* src_ptr = x;
    if (dt_ == DType::BF16) {
      tls_bf16.resize(size_t(Mp) * K_);  // padding rows zero, the rest converted
      std::fill(tls_bf16.begin() + int64_t(M) * K_, tls_bf16.end(), uint16_t(0));
      to_bf16(x, tls_bf16.data(), size_t(M) * K_);
      src_ptr = tls_bf16.data();
    } else if (Mp != M) {
      thread_local std::vector<float> padded;
      padded.assign(size_t(Mp) * K_, 0.f);
      std::memcpy(padded.data(), x, size_t(M) * K_ * 4);
      src_ptr = padded.data();
    }
    thread_local std::vector<float> out_pad;
    float* dst_ptr = y;
    if (Mp != M) {
      out_pad.resize(size_t(Mp) * N_);
      dst_ptr = out_pad.data();
    }
    memory src({{Mp, K_}, dt, tag::ab}, eng, const_cast<void*>(src_ptr));
    memory dst({{Mp, N_}, memory::data_type::f32, tag::ab}, eng, dst_ptr);
    primitive(K_, N_, dt, Mp, packed_md_)
        .execute(dnnl_stream(),
                 {{DNNL_ARG_SRC, src}, {DNNL_ARG_WEIGHTS, weights_}, {DNNL_ARG_DST, dst}});
    dnnl_stream().wait();
    if (Mp != M) std::memcpy(y, out_pad.data(), size_t(M) * N_ * 4);
  }
}

size_t Linear::weight_bytes() const {
  if (slices_.empty()) return packed_md_.get_size();
  size_t total = 0;
  for (const auto& sl : slices_) total += sl.weight_bytes();
  return total;
}

int64_t Linear::offset(int64_t k, int64_t n) const {
  const auto& d = packed_md_.data;
  const auto& b = d.format_desc.blocking;
  int64_t idx[2] = {k, n}, block[2] = {1, 1};
  for (int i = 0; i < b.inner_nblks; ++i) block[b.inner_idxs[i]] *= b.inner_blks[i];
  int64_t off = 0;
  for (int dim = 0; dim < 2; ++dim) off += (idx[dim] / block[dim]) * b.strides[dim];
  int64_t rem[2] = {idx[0] % block[0], idx[1] % block[1]}, mult = 1;
  for (int i = b.inner_nblks - 1; i >= 0; --i) {
    const int dim = b.inner_idxs[i];
    off += (rem[dim] % b.inner_blks[i]) * mult;
    rem[dim] /= b.inner_blks[i];
    mult *= b.inner_blks[i];
  }
  return off + d.offset0;
}

void Linear::row(int n, float* out) const {
  if (!slices_.empty()) {
    for (const auto& sl : slices_) sl.row(n, out), out += sl.in();
    return;
  }
  const void* base = weights_.get_data_handle();
  for (int k = 0; k < K_; ++k) {
    const int64_t o = offset(k, n);
    out[k] = dt_ == DType::BF16 ? bf16_to_f32(static_cast<const uint16_t*>(base)[o])
                                : static_cast<const float*>(base)[o];
  }
}

}  // namespace rgeval
