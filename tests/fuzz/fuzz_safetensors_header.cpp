// libFuzzer target: rgeval::parse_safetensors_header on arbitrary bytes.
// Any exception other than rgeval::Error, any sanitizer report, or a broken invariant of an
// accepted header is a crash. Each input is tried twice: as a whole file, and as a bare header
// JSON wrapped in a valid length prefix followed by a small data area (so that mutations of the
// JSON reach the per-tensor checks instead of dying on the length field).
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <string>
#include <vector>

#include "engine/error.h"
#include "engine/safetensors.h"

namespace {

void check(bool ok) {
  if (!ok) std::abort();
}

void run(const std::byte* data, size_t size) {
  rgeval::SafetensorsHeader h;
  try {
    h = rgeval::parse_safetensors_header(data, size, "fuzz.safetensors");
  } catch (const rgeval::Error&) {
    return;
  }
  // Invariants of an accepted header.
  check(h.data_offset >= 8 && h.data_offset <= size);
  const uint64_t area = size - h.data_offset;
  const rgeval::TensorInfo* prev = nullptr;
  for (const auto& t : h.tensors) {
    check(t.begin <= t.end && t.end <= area);
    unsigned __int128 n = 1;
    for (int64_t d : t.shape) {
      check(d >= 0);
      n *= uint64_t(d);
    }
    check(n * rgeval::dtype_size(t.dtype) == t.end - t.begin);
    if (prev) check(prev->begin <= t.begin);  // offset order
    prev = &t;
    // Read the first and last element of float tensors (must stay inside the buffer).
    if (t.dtype == rgeval::DType::F32 || t.dtype == rgeval::DType::BF16 || t.dtype == rgeval::DType::F16) {
      rgeval::TensorView v{t.dtype, t.shape, data + h.data_offset + t.begin, size_t(t.end - t.begin)};
      const int64_t numel = v.numel();
      if (numel > 0) {
        volatile float a = rgeval::element_f32(v, 0);
        volatile float b = rgeval::element_f32(v, numel - 1);
        (void)a, (void)b;
      }
    }
  }
  // Non-empty tensors do not overlap (they are sorted by begin).
  uint64_t reach = 0;
  for (const auto& t : h.tensors) {
    if (t.begin == t.end) continue;
    check(t.begin >= reach);
    reach = t.end;
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  // As a file: copy into an exactly-sized heap buffer so ASan sees any read past the end.
  std::vector<std::byte> file(size);
  if (size) std::memcpy(file.data(), data, size);
  run(file.data(), file.size());

  // As a header JSON with a correct length prefix and a 256-byte data area.
  std::vector<std::byte> wrapped(8 + size + 256);
  for (int i = 0; i < 8; ++i) wrapped[size_t(i)] = std::byte((uint64_t(size) >> (8 * i)) & 0xff);
  if (size) std::memcpy(wrapped.data() + 8, data, size);
  for (size_t i = 0; i < 256; ++i) wrapped[8 + size + i] = std::byte(i);
  run(wrapped.data(), wrapped.size());
  return 0;
}
