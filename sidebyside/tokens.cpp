#include "sidebyside/tokens.h"

#include <sys/random.h>

#include "engine/error.h"
#include "store/sha256.h"

namespace rgeval::sidebyside {

namespace {

void fill_random(void* p, size_t n) {
  auto* b = static_cast<unsigned char*>(p);
  while (n > 0) {
    const ssize_t got = ::getrandom(b, n, 0);
    if (got < 0) fail("getrandom", "cannot read random bytes");
    b += got;
    n -= size_t(got);
  }
}

}  // namespace

std::string new_token() {
  unsigned char b[16];
  fill_random(b, sizeof b);
  static const char* hex = "0123456789abcdef";
  std::string t;
  for (unsigned char c : b) {
    t += hex[c >> 4];
    t += hex[c & 15];
  }
  return t;
}

uint64_t random_u64() {
  uint64_t v = 0;
  fill_random(&v, sizeof v);
  return v;
}

std::string token_hash(std::string_view token) { return store::sha256_hex(token); }

bool token_well_formed(std::string_view token) {
  if (token.size() != 32) return false;
  for (char c : token)
    if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) return false;
  return true;
}

bool constant_time_equal(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  unsigned char d = 0;
  for (size_t i = 0; i < a.size(); ++i) d |= static_cast<unsigned char>(a[i] ^ b[i]);
  return d == 0;
}

}  // namespace rgeval::sidebyside
