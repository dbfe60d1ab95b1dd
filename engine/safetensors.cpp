#include "engine/safetensors.h"

#include <algorithm>
#include <cstring>
#include <nlohmann/json.hpp>

#include "engine/error.h"

namespace rgeval {

using json = nlohmann::json;

namespace {

uint64_t read_u64_le(const std::byte* p) {
  uint64_t v = 0;
  for (int i = 7; i >= 0; --i) v = (v << 8) | uint64_t(p[i]);
  return v;
}

TensorInfo parse_entry(const std::string& name, const json& e, uint64_t data_size,
                       const std::string& where) {
  auto bad = [&](const std::string& what) { fail(where, "tensor '" + name + "': " + what); };
  if (!e.is_object()) bad("entry is not an object");
  if (!e.contains("dtype") || !e["dtype"].is_string()) bad("missing or non-string 'dtype'");
  if (!e.contains("shape") || !e["shape"].is_array()) bad("missing or non-array 'shape'");
  if (!e.contains("data_offsets") || !e["data_offsets"].is_array() || e["data_offsets"].size() != 2)
    bad("'data_offsets' must be an array of two integers");
  TensorInfo t;
  t.name = name;
  const std::string dt = e["dtype"].get<std::string>();
  auto parsed = parse_dtype(dt);
  if (!parsed) bad("unknown dtype '" + dt + "'");
  t.dtype = *parsed;
  uint64_t count = 1;
  for (const auto& d : e["shape"]) {
    if (!d.is_number_unsigned()) bad("shape has a non-integer or negative dimension");
    uint64_t v = d.get<uint64_t>();
    if (v > (uint64_t(1) << 48) || (v != 0 && count > (uint64_t(1) << 62) / v))
      bad("shape is too large");
    count *= v;
    t.shape.push_back(int64_t(v));
  }
  for (const auto& o : e["data_offsets"])
    if (!o.is_number_unsigned()) bad("data_offsets must be non-negative integers");
  t.begin = e["data_offsets"][0].get<uint64_t>();
  t.end = e["data_offsets"][1].get<uint64_t>();
  if (t.begin > t.end) bad("data_offsets begin " + std::to_string(t.begin) + " > end " +
                           std::to_string(t.end));
  if (t.end > data_size)
    bad("data_offsets end " + std::to_string(t.end) + " is beyond the data area (" +
        std::to_string(data_size) + " bytes; file truncated?)");
  if (count > UINT64_MAX / dtype_size(t.dtype)) bad("shape is too large");  // bytes would wrap
  const uint64_t want = count * dtype_size(t.dtype);
  if (want != t.end - t.begin)
    bad("shape x dtype size = " + std::to_string(want) + " bytes but data_offsets span " +
        std::to_string(t.end - t.begin) + " bytes");
  return t;
}

}  // namespace

SafetensorsHeader parse_safetensors_header(const std::byte* data, size_t size,
                                           const std::string& where) {
  if (size < 8)
    fail(where, "truncated: " + std::to_string(size) +
                    " bytes, a safetensors file starts with an 8-byte header length");
  const uint64_t n = read_u64_le(data);
  if (n > kMaxSafetensorsHeader)
    fail(where, "header length " + std::to_string(n) + " exceeds the limit of " +
                    std::to_string(kMaxSafetensorsHeader) + " bytes (not a safetensors file?)");
  if (n > size - 8)
    fail(where, "header length " + std::to_string(n) + " is larger than the file (" +
                    std::to_string(size) + " bytes; truncated?)");
  SafetensorsHeader h;
  h.data_offset = 8 + n;
  const uint64_t data_size = size - h.data_offset;
  json j;
  try {
    j = json::parse(reinterpret_cast<const char*>(data + 8),
                    reinterpret_cast<const char*>(data + 8 + n));
  } catch (const json::exception& e) {
    fail(where, std::string("header is not valid JSON: ") + e.what());
  }
  if (!j.is_object()) fail(where, "header is not a JSON object");
  for (auto it = j.begin(); it != j.end(); ++it) {
    if (it.key() == "__metadata__") {
      if (!it.value().is_object()) fail(where, "__metadata__ is not an object");
      for (auto m = it.value().begin(); m != it.value().end(); ++m) {
        if (!m.value().is_string()) fail(where, "__metadata__ value '" + m.key() + "' is not a string");
        h.metadata[m.key()] = m.value().get<std::string>();
      }
      continue;
    }
    h.tensors.push_back(parse_entry(it.key(), it.value(), data_size, where));
  }
  std::sort(h.tensors.begin(), h.tensors.end(), [](const TensorInfo& a, const TensorInfo& b) {
    return a.begin != b.begin ? a.begin < b.begin : a.end < b.end;
  });
  const TensorInfo* reach = nullptr;  // the non-empty tensor reaching furthest so far
  for (const auto& cur : h.tensors) {
    if (cur.end == cur.begin) continue;
    if (reach && cur.begin < reach->end)
      fail(where, "tensors '" + reach->name + "' and '" + cur.name + "' overlap in the data area");
    if (!reach || cur.end > reach->end) reach = &cur;
  }
  return h;
}

int64_t TensorView::numel() const {
  int64_t n = 1;
  for (auto d : shape) n *= d;
  return n;
}

float element_f32(const TensorView& t, int64_t i) {
  switch (t.dtype) {
    case DType::F32: {
      float f;
      std::memcpy(&f, t.data + 4 * i, 4);
      return f;
    }
    case DType::BF16: {
      uint16_t b;
      std::memcpy(&b, t.data + 2 * i, 2);
      return bf16_to_f32(b);
    }
    case DType::F16: {
      uint16_t b;
      std::memcpy(&b, t.data + 2 * i, 2);
      return f16_to_f32(b);
    }
    default:
      throw Error("tensor of dtype " + std::string(dtype_name(t.dtype)) + " is not a float tensor");
  }
}

std::vector<float> to_f32(const TensorView& t) {
  const int64_t n = t.numel();
  std::vector<float> out(static_cast<size_t>(n));
  if (t.dtype == DType::F32) {
    if (n) std::memcpy(out.data(), t.data, size_t(n) * 4);
    return out;
  }
  for (int64_t i = 0; i < n; ++i) out[size_t(i)] = element_f32(t, i);
  return out;
}

SafetensorsFile::SafetensorsFile(const std::string& path)
    : map_(std::make_shared<MappedFile>(path)),
      header_(parse_safetensors_header(map_->data(), map_->size(), path)) {}

std::map<std::string, TensorView> SafetensorsFile::tensors() const {
  std::map<std::string, TensorView> out;
  const std::byte* base = map_->data() + header_.data_offset;
  for (const auto& t : header_.tensors)
    out[t.name] = TensorView{t.dtype, t.shape, base + t.begin, size_t(t.end - t.begin)};
  return out;
}

}  // namespace rgeval
