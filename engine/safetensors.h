// Safetensors reader: the header is validated in full before any tensor data is touched;
// tensors are views into a read-only memory mapping (no copy on load).
#pragma once
#include <cstddef>
#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "engine/dtype.h"
#include "engine/mapped_file.h"

namespace rgeval {

// Largest header accepted (the format's own limit is 100 MB).
inline constexpr uint64_t kMaxSafetensorsHeader = 100u << 20;

struct TensorInfo {
  std::string name;
  DType dtype = DType::F32;
  std::vector<int64_t> shape;
  uint64_t begin = 0, end = 0;  // byte offsets inside the data area
};

struct SafetensorsHeader {
  std::vector<TensorInfo> tensors;  // in offset order
  std::map<std::string, std::string> metadata;
  uint64_t data_offset = 0;  // 8 + header length
};

// Parses and validates the header of a safetensors file held in [data, data+size).
// `where` names the file in error messages.
SafetensorsHeader parse_safetensors_header(const std::byte* data, size_t size,
                                           const std::string& where);

// A tensor's bytes, wherever they live. `data` may be unaligned: read it with memcpy.
struct TensorView {
  DType dtype = DType::F32;
  std::vector<int64_t> shape;
  const std::byte* data = nullptr;
  size_t nbytes = 0;
  int64_t numel() const;
};

// Converts any float tensor (F32, BF16, F16) to float32.
std::vector<float> to_f32(const TensorView& t);
// Element i as float (F32, BF16, F16).
float element_f32(const TensorView& t, int64_t i);

class SafetensorsFile {
 public:
  explicit SafetensorsFile(const std::string& path);
  const std::string& path() const { return map_->path(); }
  const SafetensorsHeader& header() const { return header_; }
  const std::map<std::string, std::string>& metadata() const { return header_.metadata; }
  std::map<std::string, TensorView> tensors() const;
  std::shared_ptr<const MappedFile> mapping() const { return map_; }

 private:
  std::shared_ptr<const MappedFile> map_;
  SafetensorsHeader header_;
};

}  // namespace rgeval
