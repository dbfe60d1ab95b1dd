// libFuzzer target: rgeval::parse_config on arbitrary text. Any exception other than
// rgeval::Error, any sanitizer report, or a broken invariant of an accepted config is a crash.
// Accepted configs of a plausible size also go through what `rgeval info` computes from them.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>

#include "engine/config.h"
#include "engine/error.h"
#include "engine/model_spec.h"

namespace {
void check(bool ok) {
  if (!ok) std::abort();
}
}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string text(reinterpret_cast<const char*>(data), size);
  rgeval::ModelConfig c;
  try {
    c = rgeval::parse_config(text, "fuzz/config.json");
  } catch (const rgeval::Error&) {
    return 0;
  }
  check(c.vocab_size > 0 && c.hidden > 0 && c.num_layers > 0 && c.num_heads > 0);
  check(c.num_kv_heads > 0 && c.num_heads % c.num_kv_heads == 0);
  check(c.head_dim > 0 && c.mlp_width > 0);
  check(int(c.blocks.size()) == c.num_layers);
  check(c.partial_rotary > 0.f && c.partial_rotary <= 1.f);
  check(c.rope_dims() > 0 && c.rope_dims() % 2 == 0 && c.rope_dims() <= c.head_dim);
  if (c.arch == rgeval::Arch::Griffin) {
    check(c.window > 0 && c.lru_width > 0 && c.conv_width > 0);
    check(c.lru_width % c.num_heads == 0);
    check(c.embed_scale == rgeval::round_to_bf16(c.embed_scale));
  }
  // Planning (parameter counts, state bytes) on configs whose sizes cannot overflow int64.
  const auto small = [](int v) { return v <= 1 << 16; };
  if (c.num_layers <= 512 && small(c.vocab_size) && small(c.hidden) && small(c.num_heads) &&
      small(c.num_kv_heads) && small(c.head_dim) && small(c.mlp_width) && small(c.lru_width) &&
      small(c.conv_width) && small(c.window)) {
    const auto p = rgeval::count_params(c);
    check(p.total > p.embedding && p.embedding == int64_t(c.vocab_size) * c.hidden);
    const int64_t s1 = rgeval::state_bytes(c, rgeval::DType::F32, 1);
    const int64_t s2 = rgeval::state_bytes(c, rgeval::DType::F32, 4096);
    check(s1 > 0 && s2 >= s1);
    if (c.arch == rgeval::Arch::Griffin) check(s1 == s2);
  }
  return 0;
}
