#include "engine/compute.h"

#include <omp.h>

#include <fstream>

#include "engine/error.h"

namespace rgeval {

dnnl::engine& dnnl_engine() {
  static dnnl::engine e(dnnl::engine::kind::cpu, 0);
  return e;
}

dnnl::stream& dnnl_stream() {
  static dnnl::stream s(dnnl_engine());
  return s;
}

void set_threads(int n) { omp_set_num_threads(n > 0 ? n : omp_get_num_procs()); }
int num_threads() { return omp_get_max_threads(); }

bool cpu_has_bf16() {
  __builtin_cpu_init();
  return __builtin_cpu_supports("avx512bf16");
}

std::string dnnl_isa_name() {
  using isa = dnnl::cpu_isa;
  switch (dnnl::get_effective_cpu_isa()) {
    case isa::avx512_core_amx: return "avx512_core_amx";
    case isa::avx512_core_bf16: return "avx512_core_bf16";
    case isa::avx512_core_vnni: return "avx512_core_vnni";
    case isa::avx512_core: return "avx512_core";
    case isa::avx2_vnni: return "avx2_vnni";
    case isa::avx2: return "avx2";
    case isa::avx: return "avx";
    case isa::sse41: return "sse41";
    default: return "other";
  }
}

std::string cpu_model_name() {
  std::ifstream f("/proc/cpuinfo");
  std::string line;
  while (std::getline(f, line))
    if (line.rfind("model name", 0) == 0) {
      const auto p = line.find(':');
      return p == std::string::npos ? line : line.substr(p + 2);
    }
  return "unknown";
}

DType resolve_compute_dtype(const std::string& choice, DType weight_dtype) {
  if (choice == "f32") return DType::F32;
  if (choice == "bf16") {
    if (!cpu_has_bf16()) throw Error("--dtype bf16: this CPU has no native bf16 (avx512_bf16)");
    return DType::BF16;
  }
  if (choice == "auto" || choice.empty())
    return weight_dtype == DType::BF16 && cpu_has_bf16() ? DType::BF16 : DType::F32;
  throw Error("unknown compute dtype '" + choice + "' (auto, f32 or bf16)");
}

}  // namespace rgeval
