#include "engine/matmul.h"

#include <oneapi/dnnl/dnnl.hpp>
#include <map>
#include <mutex>
#include <tuple>

#include "engine/compute.h"

namespace rgeval {

using dnnl::memory;
using tag = memory::format_tag;

void matmul(DType dt, int M, int K, int N, const void* A, const void* B, bool b_transposed, float* C) {
  static std::mutex mu;
  static std::map<std::tuple<int, int, int, int, bool>, dnnl::matmul> cache;
  const auto t = dt == DType::BF16 ? memory::data_type::bf16 : memory::data_type::f32;
  const memory::desc a_md({M, K}, t, tag::ab), b_md({K, N}, t, b_transposed ? tag::ba : tag::ab),
      c_md({M, N}, memory::data_type::f32, tag::ab);
  dnnl::matmul* prim;
  {
    std::lock_guard<std::mutex> lock(mu);
    const auto key = std::make_tuple(M, K, N, int(dt), b_transposed);
    auto it = cache.find(key);
    if (it == cache.end()) {
      auto pd = dnnl::matmul::primitive_desc(dnnl::matmul::desc(a_md, b_md, c_md), dnnl_engine());
      it = cache.emplace(key, dnnl::matmul(pd)).first;
    }
    prim = &it->second;
  }
  auto& eng = dnnl_engine();
  memory a(a_md, eng, const_cast<void*>(A)), b(b_md, eng, const_cast<void*>(B)), c(c_md, eng, C);
  prim->execute(dnnl_stream(), {{DNNL_ARG_SRC, a}, {DNNL_ARG_WEIGHTS, b}, {DNNL_ARG_DST, c}});
  dnnl_stream().wait();
}

}  // namespace rgeval
