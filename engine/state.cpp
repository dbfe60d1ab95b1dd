#include "engine/state.h"

#include <cstring>

namespace rgeval {

State make_state(const ModelConfig& c, DType cache_dtype) {
  State s;
  s.cache_dtype = cache_dtype;
  s.window = c.arch == Arch::Griffin ? c.window : 0;
  const size_t ds = dtype_size(cache_dtype);
  s.kv_row_bytes = int64_t(c.num_kv_heads) * c.head_dim * int64_t(ds);
  s.layers.resize(c.blocks.size());
  for (size_t i = 0; i < c.blocks.size(); ++i) {
    auto& l = s.layers[i];
    if (c.blocks[i] == BlockType::Recurrent) {
      l.conv.assign(size_t(c.conv_width - 1) * size_t(c.lru_width) * ds, std::byte{0});
      l.lru.assign(size_t(c.lru_width), 0.f);
    } else if (s.window > 0) {
      l.k.assign(size_t(s.window * s.kv_row_bytes), std::byte{0});
      l.v.assign(size_t(s.window * s.kv_row_bytes), std::byte{0});
    }
  }
  return s;
}

void fill_synthetic(State& s, int64_t depth, uint64_t seed) {
  uint64_t x = seed * 0x9e3779b97f4a7c15ull + 1;
  auto next = [&x] {  // xorshift64*: small values in [-0.5, 0.5)
    x ^= x >> 12, x ^= x << 25, x ^= x >> 27;
    return float(double((x * 0x2545f4914f6cdd1dull) >> 40) / double(1ull << 24)) - 0.5f;
  };
  auto fill = [&](std::vector<std::byte>& buf) {
    if (s.cache_dtype == DType::F32) {
      for (size_t i = 0; i + 4 <= buf.size(); i += 4) {
        const float f = next();
        std::memcpy(buf.data() + i, &f, 4);
      }
    } else {
      for (size_t i = 0; i + 2 <= buf.size(); i += 2) {
        const uint16_t b = f32_to_bf16(next());
        std::memcpy(buf.data() + i, &b, 2);
      }
    }
  };
  s.pos = depth;
  for (auto& l : s.layers) {
    fill(l.conv);
    for (auto& h : l.lru) h = next();
    const bool attention = l.conv.empty();
    if (!attention) continue;
    if (s.window == 0) {  // the growing cache holds `depth` rows
      l.k.resize(size_t(depth * s.kv_row_bytes));
      l.v.resize(size_t(depth * s.kv_row_bytes));
    }
    fill(l.k);
    fill(l.v);
  }
}

int64_t State::bytes() const {
  if (pos == 0) return 0;
  int64_t total = 0;
  for (const auto& l : layers) {
    total += int64_t(l.conv.size()) + int64_t(l.lru.size() * sizeof(float));
    // Griffin: the ring of W rows (empty in recurrent layers); Gemma: every layer attends.
    total += window > 0 ? int64_t(l.k.size() + l.v.size()) : 2 * pos * kv_row_bytes;
  }
  return total;
}

int64_t State::capacity_bytes() const {
  int64_t total = 0;
  for (const auto& l : layers)
    total += int64_t(l.conv.capacity() + l.lru.capacity() * sizeof(float) + l.k.capacity() +
                     l.v.capacity());
  return total;
}

void State::reserve(int64_t tokens) {
  if (window > 0) return;
  for (auto& l : layers) {
    l.k.reserve(size_t(tokens * kv_row_bytes));
    l.v.reserve(size_t(tokens * kv_row_bytes));
  }
}

}  // namespace rgeval
