#include "engine/linear.h"

#include <immintrin.h>

#include <cstring>

#include "engine/compute.h"
#include "engine/error.h"
#include "engine/gemv.h"

namespace rgeval {

using dnnl::memory;
using tag = memory::format_tag;

namespace {

memory::data_type dnnl_type(DType t) {
  return t == DType::BF16 ? memory::data_type::bf16 : memory::data_type::f32;
}

thread_local std::vector<uint16_t> tls_bf16;  // activations converted for a bf16 product

}  // namespace

void to_bf16(const float* x, uint16_t* y, size_t n) {
  size_t i = 0;
#if defined(__AVX512BF16__)
  for (; i + 16 <= n; i += 16) {
    const __m256bh v = _mm512_cvtneps_pbh(_mm512_loadu_ps(x + i));
    std::memcpy(y + i, &v, 32);
  }
#endif
  for (; i < n; ++i) y[i] = f32_to_bf16(x[i]);
}

Linear::Linear(const TensorView& w, const TensorView* bias, DType compute, bool w_in_out)
    : dt_(compute == DType::BF16 ? DType::BF16 : DType::F32) {
  if (w.shape.size() != 2) throw Error("Linear: weight must be 2-D");
  N_ = int(w_in_out ? w.shape[1] : w.shape[0]);
  K_ = int(w_in_out ? w.shape[0] : w.shape[1]);
  auto& eng = dnnl_engine();
  const auto dt = dnnl_type(dt_);
  // The packed layout oneDNN picks for a large product; the same layout serves every M.
  const memory::desc src({256, K_}, dt, tag::ab), dst({256, N_}, memory::data_type::f32, tag::ab);
  const memory::desc any({K_, N_}, dt, tag::any);
  auto pd = dnnl::matmul::primitive_desc(dnnl::matmul::desc(src, any, dst), eng);
  packed_md_ = pd.weights_desc();
  weights_ = memory(packed_md_, eng);

  // Plain copy in the compute dtype (aligned), then one reorder into the packed layout.
  const int64_t n = int64_t(K_) * N_;
  memory plain({{K_, N_}, dt, w_in_out ? tag::ab : tag::ba}, eng);
  if (dt_ == DType::BF16) {
    auto* p = static_cast<uint16_t*>(plain.get_data_handle());
    if (w.dtype == DType::BF16) {
      std::memcpy(p, w.data, size_t(n) * 2);
    } else {
#pragma omp parallel for schedule(static)
      for (int64_t i = 0; i < n; ++i) p[i] = f32_to_bf16(element_f32(w, i));
    }
  } else {
    auto* p = static_cast<float*>(plain.get_data_handle());
#pragma omp parallel for schedule(static)
    for (int64_t i = 0; i < n; ++i) p[i] = element_f32(w, i);
  }
  dnnl::reorder(plain, weights_).execute(dnnl_stream(), plain, weights_);
  dnnl_stream().wait();
  if (bias) bias_ = to_f32(*bias);
  gemv_max_rows_ = gemv_supported(*this) ? gemv_default_max_rows(dt_) : 0;
}

const dnnl::matmul& Linear::primitive(int M) const {
  std::lock_guard<std::mutex> lock(*mu_);
  auto it = prims_.find(M);
  if (it != prims_.end()) return it->second;
  const auto dt = dnnl_type(dt_);
  const memory::desc src({M, K_}, dt, tag::ab), dst({M, N_}, memory::data_type::f32, tag::ab);
  auto pd = dnnl::matmul::primitive_desc(dnnl::matmul::desc(src, packed_md_, dst), dnnl_engine());
  return prims_.emplace(M, dnnl::matmul(pd)).first->second;
}

void Linear::forward(const float* x, float* y, int M, MatmulPath path) const {
  if (M <= 0) return;
  const bool use_gemv = gemv_max_rows_ > 0 && (path == MatmulPath::Gemv ||
                                               (path == MatmulPath::Auto && M <= gemv_max_rows_));
  if (use_gemv) {
    gemv(*this, x, y, M);
  } else {
    const auto dt = dnnl_type(dt_);
    auto& eng = dnnl_engine();
    const void* src_ptr = x;
    if (dt_ == DType::BF16) {
      tls_bf16.resize(size_t(M) * K_);
      to_bf16(x, tls_bf16.data(), tls_bf16.size());
      src_ptr = tls_bf16.data();
    }
    memory src({{M, K_}, dt, tag::ab}, eng, const_cast<void*>(src_ptr));
    memory dst({{M, N_}, memory::data_type::f32, tag::ab}, eng, y);
    primitive(M).execute(dnnl_stream(), {{DNNL_ARG_SRC, src},
                                         {DNNL_ARG_WEIGHTS, weights_},
                                         {DNNL_ARG_DST, dst}});
    dnnl_stream().wait();
  }
  if (!bias_.empty()) {
    const float* b = bias_.data();
#pragma omp parallel for schedule(static) if (int64_t(M) * N_ > 65536)
    for (int m = 0; m < M; ++m)
      for (int j = 0; j < N_; ++j) y[int64_t(m) * N_ + j] += b[j];
  }
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
  const void* base = weights_.get_data_handle();
  for (int k = 0; k < K_; ++k) {
    const int64_t o = offset(k, n);
    out[k] = dt_ == DType::BF16 ? bf16_to_f32(static_cast<const uint16_t*>(base)[o])
                                : static_cast<const float*>(base)[o];
  }
}

}  // namespace rgeval
