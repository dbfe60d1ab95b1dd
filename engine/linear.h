// A linear layer y = x·Wᵀ + b on oneDNN matmul. The weights are reordered once, at load, into
// the blocked layout oneDNN prefers (format_tag::any), in the compute dtype; primitives are
// created once per row count M and reused. Small M (decoding) goes to a hand-written kernel
// over the same packed layout where it is faster (see gemv.h and bench/). Layouts and primitives
// are shared by every layer of the same shape.
#pragma once
#include <memory>
#include <oneapi/dnnl/dnnl.hpp>
#include <vector>

#include "engine/dtype.h"
#include "engine/safetensors.h"

namespace rgeval {

enum class MatmulPath { Auto, Dnnl, Gemv };

class Linear {
 public:
  Linear() = default;
  // `w` is [N, K] (nn.Linear [out, in]) or, with `w_in_out`, [K, N]. `bias` may be null.
  Linear(const TensorView& w, const TensorView* bias, DType compute, bool w_in_out = false);

  // y[M, N] = x[M, K] · Wᵀ + b, row-major fp32 in and out.
  void forward(const float* x, float* y, int M, MatmulPath path = MatmulPath::Auto) const;

  int in() const { return K_; }
  int out() const { return N_; }
  DType dtype() const { return dt_; }
  size_t weight_bytes() const;  // bytes read per product
  // Row n of the original [N, K] weight, as fp32 (the tied embedding lookup).
  void row(int n, float* out) const;
  // Largest M that goes to the hand-written kernel under MatmulPath::Auto (0 = never).
  int gemv_max_rows() const { return gemv_max_rows_; }
  const dnnl::memory::desc& packed_desc() const { return packed_md_; }
  const void* packed_data() const { return weights_.get_data_handle(); }
  // Long products (K > kSliceK) are held as a sum of products over K slices, each a Linear of
  // its own (then this one holds no packed weights itself); empty otherwise.
  const std::vector<Linear>& k_slices() const { return slices_; }
  static constexpr int kSliceK = 4096;

 private:
  int64_t offset(int64_t k, int64_t n) const;  // element offset of W[k, n] in the packed layout
  void product(const float* x, float* y, int M, MatmulPath path) const;  // one slice, no bias

  int K_ = 0, N_ = 0;
  DType dt_ = DType::F32;
  dnnl::memory::desc packed_md_;
  std::shared_ptr<void> storage_;  // the packed weights (2 MiB-aligned, huge pages advised)
  dnnl::memory weights_;
  std::vector<float> bias_;
  int gemv_max_rows_ = 0;
  // oneDNN 2.6's bf16 products at M = 512 here: ~860 GFLOP/s at K = 16384, ~1130 at 8192, ~1310
  // at 4096 (docs/performance.md); the slices' partial sums are added in fp32.
  std::vector<Linear> slices_;
};

// Converts n floats to bf16 (round to nearest even); large inputs in parallel.
void to_bf16(const float* x, uint16_t* y, size_t n);
// The same on the calling thread (inside a parallel loop).
void to_bf16_serial(const float* x, uint16_t* y, size_t n);

}  // namespace rgeval
