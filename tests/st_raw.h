// A tiny, independent safetensors reader/writer for the tests: it does not use the engine's
// parser, so values read through rgeval can be checked against the bytes on disk.
#pragma once
#include <cstdint>
#include <cstring>
#include <map>
#include <nlohmann/json.hpp>
#include <stdexcept>
#include <string>
#include <vector>

#include "tests/testing.h"

namespace rgeval::testing {

struct RawTensor {
  std::string dtype;
  std::vector<int64_t> shape;
  std::string bytes;  // the tensor's data
};

struct RawFile {
  std::map<std::string, RawTensor> tensors;
  nlohmann::json metadata;  // null when absent
  uint64_t header_len = 0;
};

inline uint64_t raw_u64_le(const std::string& b, size_t at) {
  uint64_t v = 0;
  for (int i = 7; i >= 0; --i) v = (v << 8) | uint8_t(b[at + size_t(i)]);
  return v;
}

inline RawFile raw_read(const std::string& path) {
  const std::string b = read_file(path);
  if (b.size() < 8) throw std::runtime_error(path + ": too short");
  RawFile f;
  f.header_len = raw_u64_le(b, 0);
  const auto j = nlohmann::json::parse(b.substr(8, size_t(f.header_len)));
  const size_t base = 8 + size_t(f.header_len);
  for (auto it = j.begin(); it != j.end(); ++it) {
    if (it.key() == "__metadata__") {
      f.metadata = it.value();
      continue;
    }
    RawTensor t;
    t.dtype = it.value()["dtype"].get<std::string>();
    t.shape = it.value()["shape"].get<std::vector<int64_t>>();
    const auto off = it.value()["data_offsets"].get<std::vector<uint64_t>>();
    t.bytes = b.substr(base + size_t(off[0]), size_t(off[1] - off[0]));
    f.tensors[it.key()] = t;
  }
  return f;
}

// Element i of a raw F32 or BF16 tensor, decoded by hand.
inline float raw_element(const RawTensor& t, size_t i) {
  if (t.dtype == "F32") {
    float f;
    std::memcpy(&f, t.bytes.data() + 4 * i, 4);
    return f;
  }
  if (t.dtype == "BF16") {
    uint16_t h;
    std::memcpy(&h, t.bytes.data() + 2 * i, 2);
    const uint32_t u = uint32_t(h) << 16;
    float f;
    std::memcpy(&f, &u, 4);
    return f;
  }
  throw std::runtime_error("raw_element: dtype " + t.dtype);
}

// Serializes tensors (in name order, packed) with an optional metadata object.
inline std::string raw_serialize(const std::map<std::string, RawTensor>& tensors,
                                 const nlohmann::json& metadata = nullptr) {
  nlohmann::ordered_json h = nlohmann::ordered_json::object();
  if (!metadata.is_null()) h["__metadata__"] = metadata;
  std::string data;
  for (const auto& [name, t] : tensors) {
    h[name] = {{"dtype", t.dtype}, {"shape", t.shape}, {"data_offsets", {data.size(), data.size() + t.bytes.size()}}};
    data += t.bytes;
  }
  const std::string hs = h.dump();
  std::string out(8, '\0');
  const uint64_t n = hs.size();
  for (int i = 0; i < 8; ++i) out[size_t(i)] = char((n >> (8 * i)) & 0xff);
  return out + hs + data;
}

// A safetensors file from a header JSON text and a data area.
inline std::string st_bytes(const std::string& header, const std::string& data) {
  std::string out(8, '\0');
  const uint64_t n = header.size();
  for (int i = 0; i < 8; ++i) out[size_t(i)] = char((n >> (8 * i)) & 0xff);
  return out + header + data;
}

// The golden model folders and their weight dtype.
struct GoldenModel {
  const char* name;
  const char* dtype;
};
inline const std::vector<GoldenModel>& golden_models() {
  static const std::vector<GoldenModel> m = {{"recurrentgemma-tiny", "F32"},
                                             {"recurrentgemma-tiny-bf16", "BF16"},
                                             {"gemma-tiny-mqa", "F32"},
                                             {"gemma-tiny-mqa-bf16", "BF16"},
                                             {"gemma-tiny-mha", "F32"}};
  return m;
}

// Copies config.json and tokenizer.model of a golden folder into `dir` (no weights).
inline void copy_golden_side_files(const std::string& model, const std::string& dir) {
  namespace fs = std::filesystem;
  for (const char* f : {"config.json", "tokenizer.model"}) {
    const std::string to = dir + "/" + f;
    fs::copy_file(golden(model + "/" + f), to, fs::copy_options::overwrite_existing);
    fs::permissions(to, fs::perms::owner_read | fs::perms::owner_write);  // golden files are read-only
  }
}

}  // namespace rgeval::testing
