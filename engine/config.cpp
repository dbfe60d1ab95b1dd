#include "engine/config.h"

#include <cmath>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "engine/error.h"

namespace rgeval {

using json = nlohmann::json;

int ModelConfig::count(BlockType t) const {
  int n = 0;
  for (auto b : blocks) n += b == t;
  return n;
}

std::string_view arch_name(Arch a) { return a == Arch::Griffin ? "recurrent_gemma" : "gemma"; }

float round_to_bf16(float x) { return bf16_to_f32(f32_to_bf16(x)); }

namespace {

struct Reader {
  const json& j;
  const std::string& where;

  int req_int(const char* key, int min = 1) const {
    if (!j.contains(key)) fail(where, std::string("missing '") + key + "'");
    const auto& v = j[key];
    if (!v.is_number_integer()) fail(where, std::string("'") + key + "' must be an integer");
    const int64_t x = v.get<int64_t>();
    if (x < min || x > (int64_t(1) << 30))
      fail(where, std::string("'") + key + "' = " + std::to_string(x) + " is out of range");
    return int(x);
  }
  int opt_int(const char* key, int def, int min = 1) const {
    return j.contains(key) && !j[key].is_null() ? req_int(key, min) : def;
  }
  float opt_float(const char* key, float def) const {
    if (!j.contains(key) || j[key].is_null()) return def;
    if (!j[key].is_number()) fail(where, std::string("'") + key + "' must be a number");
    const double v = j[key].get<double>();
    if (!std::isfinite(v)) fail(where, std::string("'") + key + "' is not finite");
    return float(v);
  }
};

void check_activation(const json& j, const std::string& where) {
  // Gemma/RecurrentGemma use tanh-approximated GELU whatever `hidden_act` says (HF reads
  // `hidden_activation`); anything that is not a GELU is a model this engine does not run.
  for (const char* key : {"hidden_activation", "hidden_act"}) {
    if (!j.contains(key) || j[key].is_null()) continue;
    if (!j[key].is_string()) fail(where, std::string("'") + key + "' must be a string");
    const auto v = j[key].get<std::string>();
    if (v != "gelu" && v != "gelu_pytorch_tanh" && v != "gelu_new" && v != "gelu_tanh")
      fail(where, std::string("unsupported ") + key + " '" + v + "' (expected a GELU)");
  }
}

}  // namespace

ModelConfig parse_config(const std::string& text, const std::string& where) {
  json j;
  try {
    j = json::parse(text);
  } catch (const json::exception& e) {
    fail(where, std::string("not valid JSON: ") + e.what());
  }
  if (!j.is_object()) fail(where, "not a JSON object");
  if (!j.contains("model_type") || !j["model_type"].is_string())
    fail(where, "missing 'model_type'");
  const std::string mt = j["model_type"].get<std::string>();
  Reader r{j, where};
  ModelConfig c;
  c.name = where;
  if (mt == "recurrent_gemma")
    c.arch = Arch::Griffin;
  else if (mt == "gemma")
    c.arch = Arch::Gemma;
  else
    fail(where, "unknown model_type '" + mt + "' (rgeval runs 'recurrent_gemma' and 'gemma')");
  check_activation(j, where);

  c.vocab_size = r.req_int("vocab_size");
  c.hidden = r.req_int("hidden_size");
  c.num_layers = r.req_int("num_hidden_layers");
  if (c.num_layers > 65536)  // (blocks holds one entry per layer: don't allocate gigabytes)
    fail(where, "'num_hidden_layers' = " + std::to_string(c.num_layers) + " is out of range (at most 65536)");
  c.num_heads = r.req_int("num_attention_heads");
  c.rms_eps = r.opt_float("rms_norm_eps", 1e-6f);
  c.rope_theta = r.opt_float("rope_theta", 10000.f);
  c.bos_id = r.opt_int("bos_token_id", 2, 0);
  c.eos_id = r.opt_int("eos_token_id", 1, 0);
  c.pad_id = r.opt_int("pad_token_id", 0, 0);
  if (j.contains("tie_word_embeddings") && j["tie_word_embeddings"].is_boolean() &&
      !j["tie_word_embeddings"].get<bool>())
    fail(where, "tie_word_embeddings=false is not supported (Gemma models tie them)");
  if (j.contains("torch_dtype") && j["torch_dtype"].is_string()) {
    const auto d = j["torch_dtype"].get<std::string>();
    c.weight_dtype = d == "bfloat16" ? DType::BF16 : d == "float16" ? DType::F16 : DType::F32;
  }

  if (c.arch == Arch::Griffin) {
    c.head_dim = r.opt_int("head_dim", c.hidden / c.num_heads);
    c.num_kv_heads = r.opt_int("num_key_value_heads", 1);
    const int inter = r.req_int("intermediate_size", 2);
    if (inter % 2) fail(where, "intermediate_size must be even (HF splits it into two branches)");
    c.mlp_width = inter / 2;
    c.lru_width = r.opt_int("lru_width", c.hidden);
    c.conv_width = r.opt_int("conv1d_width", 4);
    c.window = r.req_int("attention_window_size");
    c.partial_rotary = r.opt_float("partial_rotary_factor", 0.5f);
    if (!(c.partial_rotary > 0.f && c.partial_rotary <= 1.f))
      fail(where, "'partial_rotary_factor' must be in (0, 1]");
    c.soft_cap = r.opt_float("logits_soft_cap", 30.f);
    c.embed_scale = round_to_bf16(std::sqrt(float(c.hidden)));
    const char* key = j.contains("block_types") ? "block_types" : "_block_types";
    if (!j.contains(key) || !j[key].is_array() || j[key].empty())
      fail(where, "missing 'block_types' (or '_block_types')");
    std::vector<BlockType> pattern;
    for (const auto& b : j[key]) {
      const std::string s = b.is_string() ? b.get<std::string>() : "";
      if (s == "recurrent")
        pattern.push_back(BlockType::Recurrent);
      else if (s == "attention")
        pattern.push_back(BlockType::Attention);
      else
        fail(where, std::string(key) + " has an unknown block type '" + b.dump() + "'");
    }
    for (int i = 0; i < c.num_layers; ++i) c.blocks.push_back(pattern[size_t(i) % pattern.size()]);
    if (c.hidden % c.num_heads) fail(where, "hidden_size is not a multiple of num_attention_heads");
    if (c.lru_width % c.num_heads) fail(where, "lru_width is not a multiple of num_attention_heads");
  } else {
    c.head_dim = r.opt_int("head_dim", c.hidden / c.num_heads);
    c.num_kv_heads = r.opt_int("num_key_value_heads", c.num_heads);
    c.mlp_width = r.req_int("intermediate_size");
    c.max_positions = r.opt_int("max_position_embeddings", 0, 0);
    c.partial_rotary = 1.f;
    c.embed_scale = std::sqrt(float(c.hidden));
    c.blocks.assign(size_t(c.num_layers), BlockType::Attention);
  }
  if (c.num_heads % c.num_kv_heads)
    fail(where, "num_attention_heads is not a multiple of num_key_value_heads");
  if (c.rope_dims() % 2 || c.rope_dims() <= 0) fail(where, "rotary dimensions must be even and > 0");
  return c;
}

ModelConfig load_config(const std::string& path) {
  std::ifstream f(path, std::ios::binary);
  if (!f) fail(path, "cannot open");
  std::stringstream ss;
  ss << f.rdbuf();
  return parse_config(ss.str(), path);
}

}  // namespace rgeval
