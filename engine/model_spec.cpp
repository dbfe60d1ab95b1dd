#include "engine/model_spec.h"

namespace rgeval {

int64_t TensorSpec::numel() const {
  int64_t n = 1;
  for (auto d : shape) n *= d;
  return n;
}

std::vector<TensorSpec> expected_tensors(const ModelConfig& c) {
  std::vector<TensorSpec> t;
  const int64_t H = c.hidden, V = c.vocab_size, M = c.mlp_width, hd = c.head_dim;
  const int64_t q_out = int64_t(c.num_heads) * hd, kv_out = int64_t(c.num_kv_heads) * hd;
  t.push_back({"model.embed_tokens.weight", {V, H}});
  for (int i = 0; i < c.num_layers; ++i) {
    const std::string p = "model.layers." + std::to_string(i) + ".";
    if (c.arch == Arch::Gemma) {
      t.push_back({p + "input_layernorm.weight", {H}});
      t.push_back({p + "self_attn.q_proj.weight", {q_out, H}});
      t.push_back({p + "self_attn.k_proj.weight", {kv_out, H}});
      t.push_back({p + "self_attn.v_proj.weight", {kv_out, H}});
      t.push_back({p + "self_attn.o_proj.weight", {H, q_out}});
      t.push_back({p + "post_attention_layernorm.weight", {H}});
      t.push_back({p + "mlp.gate_proj.weight", {M, H}});
      t.push_back({p + "mlp.up_proj.weight", {M, H}});
      t.push_back({p + "mlp.down_proj.weight", {H, M}});
      continue;
    }
    const std::string tb = p + "temporal_block.";
    t.push_back({p + "temporal_pre_norm.weight", {H}});
    if (c.blocks[size_t(i)] == BlockType::Recurrent) {
      const int64_t L = c.lru_width, nh = c.num_heads, bw = c.lru_width / c.num_heads;
      t.push_back({tb + "linear_y.weight", {L, H}});
      t.push_back({tb + "linear_y.bias", {L}});
      t.push_back({tb + "linear_x.weight", {L, H}});
      t.push_back({tb + "linear_x.bias", {L}});
      t.push_back({tb + "linear_out.weight", {H, L}});
      t.push_back({tb + "linear_out.bias", {H}});
      t.push_back({tb + "conv_1d.weight", {L, 1, c.conv_width}});
      t.push_back({tb + "conv_1d.bias", {L}});
      t.push_back({tb + "rg_lru.recurrent_param", {L}});
      t.push_back({tb + "rg_lru.input_gate_weight", {nh, bw, bw}});
      t.push_back({tb + "rg_lru.input_gate_bias", {nh, bw}});
      t.push_back({tb + "rg_lru.recurrent_gate_weight", {nh, bw, bw}});
      t.push_back({tb + "rg_lru.recurrent_gate_bias", {nh, bw}});
    } else {
      t.push_back({tb + "q_proj.weight", {q_out, H}});
      t.push_back({tb + "k_proj.weight", {kv_out, H}});
      t.push_back({tb + "v_proj.weight", {kv_out, H}});
      t.push_back({tb + "o_proj.weight", {H, q_out}});
      t.push_back({tb + "o_proj.bias", {H}});
    }
    t.push_back({p + "channel_pre_norm.weight", {H}});
    t.push_back({p + "mlp_block.gate_proj.weight", {M, H}});
    t.push_back({p + "mlp_block.gate_proj.bias", {M}});
    t.push_back({p + "mlp_block.up_proj.weight", {M, H}});
    t.push_back({p + "mlp_block.up_proj.bias", {M}});
    t.push_back({p + "mlp_block.down_proj.weight", {H, M}});
    t.push_back({p + "mlp_block.down_proj.bias", {H}});
  }
  t.push_back({c.arch == Arch::Gemma ? "model.norm.weight" : "model.final_norm.weight", {H}});
  return t;
}

ParamCounts count_params(const ModelConfig& c) {
  ParamCounts p;
  for (const auto& t : expected_tensors(c)) p.total += t.numel();
  p.embedding = int64_t(c.vocab_size) * c.hidden;
  return p;
}

int64_t state_bytes(const ModelConfig& c, DType cache_dtype, int64_t tokens) {
  if (tokens <= 0) return 0;
  const int64_t ds = int64_t(dtype_size(cache_dtype));
  const int64_t kv_row = 2 * int64_t(c.num_kv_heads) * c.head_dim * ds;  // keys + values
  int64_t total = 0;
  for (auto b : c.blocks) {
    if (b == BlockType::Recurrent)
      total += int64_t(c.conv_width - 1) * c.lru_width * ds + int64_t(c.lru_width) * 4;
    else
      total += kv_row * (c.arch == Arch::Griffin ? c.window : tokens);
  }
  return total;
}

}  // namespace rgeval
