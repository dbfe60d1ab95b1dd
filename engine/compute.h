// Process-wide compute context: the oneDNN engine and stream, the thread count, and the
// compute dtype choice (f32 everywhere, or bf16 weights x bf16 activations with f32 accumulation).
#pragma once
#include <oneapi/dnnl/dnnl.hpp>
#include <string>

#include "engine/dtype.h"

namespace rgeval {

dnnl::engine& dnnl_engine();
dnnl::stream& dnnl_stream();

void set_threads(int n);  // 0 = all cores
int num_threads();

// True where the CPU multiplies bf16 natively (avx512_bf16 or AMX).
bool cpu_has_bf16();
// The ISA oneDNN dispatches to, e.g. "avx512_core_amx".
std::string dnnl_isa_name();
std::string cpu_model_name();

// "auto": bf16 when the checkpoint stores bf16 and the CPU has native bf16, else f32.
DType resolve_compute_dtype(const std::string& choice, DType weight_dtype);

}  // namespace rgeval
