// SHA-256 (FIPS 180-4), for data-file hashes and run keys. Self-contained: no crypto library.
#pragma once
#include <array>
#include <cstdint>
#include <string>
#include <string_view>

namespace rgeval::store {

class Sha256 {
 public:
  Sha256();
  void update(const void* data, size_t n);
  void update(std::string_view s) { update(s.data(), s.size()); }
  std::array<uint8_t, 32> digest();  // finishes; the object must not be updated afterwards
  std::string hex();                 // digest() as 64 lowercase hex digits

 private:
  void block(const uint8_t* p);
  uint32_t h_[8];
  uint8_t buf_[64];
  size_t used_ = 0;
  uint64_t total_ = 0;
};

std::string sha256_hex(std::string_view bytes);
// Hash of a file's bytes; throws rgeval::Error naming the file when it cannot be read.
std::string sha256_file(const std::string& path);

}  // namespace rgeval::store
