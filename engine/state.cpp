#include "engine/state.h"

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
