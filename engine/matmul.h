// Plain row-major matrix products on oneDNN for operands that change every call (attention's
// Q·Kᵀ and P·V), with primitives cached by shape. C[M,N] = A[M,K] · B, where B is [K,N] or,
// with `b_transposed`, given as [N,K]. A and B are fp32 or bf16 (same type); C is fp32.
#pragma once
#include "engine/dtype.h"

namespace rgeval {

void matmul(DType dt, int M, int K, int N, const void* A, const void* B, bool b_transposed, float* C);

}  // namespace rgeval
