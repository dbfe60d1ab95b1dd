// ModelConfig: one description of both architectures, read from a Hugging Face config.json.
#pragma once
#include <cstdint>
#include <string>
#include <vector>

#include "engine/dtype.h"

namespace rgeval {

enum class Arch { Griffin, Gemma };  // RecurrentGemma ("recurrent_gemma"), Gemma v1 ("gemma")
enum class BlockType { Recurrent, Attention };

struct ModelConfig {
  std::string name;  // model directory or builtin name, for messages
  Arch arch = Arch::Gemma;
  int vocab_size = 0;
  int hidden = 0;
  int num_layers = 0;
  int num_heads = 0;
  int num_kv_heads = 0;
  int head_dim = 0;
  int mlp_width = 0;      // per GeGLU branch (RecurrentGemma: HF intermediate_size / 2)
  int lru_width = 0;      // Griffin only
  int conv_width = 0;     // Griffin only
  int window = 0;         // Griffin local attention window W (query sees W+1 keys); 0 = global
  std::vector<BlockType> blocks;  // one per layer (Gemma: all Attention)
  float rms_eps = 1e-6f;
  float rope_theta = 10000.f;
  float partial_rotary = 1.f;  // fraction of head_dim that RoPE rotates
  float soft_cap = 0.f;        // 0 = none
  float embed_scale = 1.f;     // multiplier of the embedding (Griffin: bf16-rounded sqrt(hidden))
  int bos_id = 2, eos_id = 1, pad_id = 0;
  int max_positions = 0;   // 0 = unbounded
  DType weight_dtype = DType::F32;  // "torch_dtype"
  bool has_biases() const { return arch == Arch::Griffin; }
  int rope_dims() const { return int(head_dim * partial_rotary); }
  int count(BlockType t) const;
};

std::string_view arch_name(Arch a);

// Parses config.json text; `where` names the file in errors.
ModelConfig parse_config(const std::string& json_text, const std::string& where);
ModelConfig load_config(const std::string& path);

// float(bf16(x)): the reference rounds Griffin's embedding scale to bfloat16.
float round_to_bf16(float x);

}  // namespace rgeval
