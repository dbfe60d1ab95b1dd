// Element types of checkpoint tensors and of engine buffers.
#pragma once
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <optional>
#include <string_view>

namespace rgeval {

enum class DType { F64, F32, F16, BF16, I64, I32, I16, I8, U8, Bool, F8_E4M3, F8_E5M2 };

std::optional<DType> parse_dtype(std::string_view safetensors_name);
std::string_view dtype_name(DType t);
size_t dtype_size(DType t);

inline float bf16_to_f32(uint16_t b) {
  uint32_t u = uint32_t(b) << 16;
  float f;
  std::memcpy(&f, &u, 4);
  return f;
}

// Round to nearest even, as torch and oneDNN do (NaN stays NaN).
inline uint16_t f32_to_bf16(float f) {
  uint32_t u;
  std::memcpy(&u, &f, 4);
  if ((u & 0x7fffffffu) > 0x7f800000u) return uint16_t((u >> 16) | 0x40);
  u += 0x7fffu + ((u >> 16) & 1u);
  return uint16_t(u >> 16);
}

float f16_to_f32(uint16_t h);

}  // namespace rgeval
