#include "engine/dtype.h"

#include <cmath>

namespace rgeval {

namespace {
struct Entry {
  DType type;
  std::string_view name;
  size_t size;
};
constexpr Entry kTable[] = {
    {DType::F64, "F64", 8},         {DType::F32, "F32", 4},        {DType::F16, "F16", 2},
    {DType::BF16, "BF16", 2},       {DType::I64, "I64", 8},        {DType::I32, "I32", 4},
    {DType::I16, "I16", 2},         {DType::I8, "I8", 1},          {DType::U8, "U8", 1},
    {DType::Bool, "BOOL", 1},       {DType::F8_E4M3, "F8_E4M3", 1}, {DType::F8_E5M2, "F8_E5M2", 1},
};
}  // namespace

std::optional<DType> parse_dtype(std::string_view name) {
  for (const auto& e : kTable)
    if (e.name == name) return e.type;
  return std::nullopt;
}

std::string_view dtype_name(DType t) {
  for (const auto& e : kTable)
    if (e.type == t) return e.name;
  return "?";
}

size_t dtype_size(DType t) {
  for (const auto& e : kTable)
    if (e.type == t) return e.size;
  return 0;
}

float f16_to_f32(uint16_t h) {
  const uint32_t sign = (h >> 15) & 1, exp = (h >> 10) & 0x1f, mant = h & 0x3ff;
  float v;
  if (exp == 0)
    v = std::ldexp(float(mant), -24);
  else if (exp == 31)
    v = mant ? NAN : INFINITY;
  else
    v = std::ldexp(float(mant | 0x400), int(exp) - 25);
  return sign ? -v : v;
}

}  // namespace rgeval
