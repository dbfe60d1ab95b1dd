#include "engine/builtin.h"

#include <cmath>
#include <cstring>
#include <map>

#include "engine/error.h"
#include "engine/model_spec.h"

namespace rgeval {

namespace {

constexpr const char* kPrefix = "builtin:";

// config.json text of each built-in model, in the Hugging Face form (so they go through the same
// parser as downloaded checkpoints). Big models carry the published shapes.
const std::map<std::string, std::string>& configs() {
  static const std::map<std::string, std::string> m = {
      {"tiny-griffin", R"({"model_type":"recurrent_gemma","vocab_size":512,"hidden_size":128,
        "num_hidden_layers":6,"num_attention_heads":2,"num_key_value_heads":1,"head_dim":64,
        "intermediate_size":768,"lru_width":128,"conv1d_width":4,"attention_window_size":32,
        "block_types":["recurrent","recurrent","attention"],"logits_soft_cap":30.0,
        "partial_rotary_factor":0.5,"rms_norm_eps":1e-6,"rope_theta":10000.0,
        "torch_dtype":"float32","bos_token_id":2,"eos_token_id":1,"pad_token_id":0})"},
      {"tiny-gemma", R"({"model_type":"gemma","vocab_size":512,"hidden_size":128,
        "num_hidden_layers":4,"num_attention_heads":4,"num_key_value_heads":1,"head_dim":32,
        "intermediate_size":384,"max_position_embeddings":8192,"rms_norm_eps":1e-6,
        "rope_theta":10000.0,"torch_dtype":"float32","bos_token_id":2,"eos_token_id":1,
        "pad_token_id":0,"hidden_activation":"gelu_pytorch_tanh"})"},
      {"recurrentgemma-2b", R"({"model_type":"recurrent_gemma","vocab_size":256000,
        "hidden_size":2560,"num_hidden_layers":26,"num_attention_heads":10,
        "num_key_value_heads":1,"head_dim":256,"intermediate_size":15360,"lru_width":2560,
        "conv1d_width":4,"attention_window_size":2048,
        "block_types":["recurrent","recurrent","attention"],"logits_soft_cap":30.0,
        "partial_rotary_factor":0.5,"rms_norm_eps":1e-6,"rope_theta":10000.0,
        "torch_dtype":"bfloat16"})"},
      {"recurrentgemma-9b", R"({"model_type":"recurrent_gemma","vocab_size":256000,
        "hidden_size":4096,"num_hidden_layers":38,"num_attention_heads":16,
        "num_key_value_heads":1,"head_dim":256,"intermediate_size":24576,"lru_width":4096,
        "conv1d_width":4,"attention_window_size":2048,
        "block_types":["recurrent","recurrent","attention"],"logits_soft_cap":30.0,
        "partial_rotary_factor":0.5,"rms_norm_eps":1e-6,"rope_theta":10000.0,
        "torch_dtype":"bfloat16"})"},
      {"gemma-2b", R"({"model_type":"gemma","vocab_size":256000,"hidden_size":2048,
        "num_hidden_layers":18,"num_attention_heads":8,"num_key_value_heads":1,"head_dim":256,
        "intermediate_size":16384,"max_position_embeddings":8192,"rms_norm_eps":1e-6,
        "rope_theta":10000.0,"torch_dtype":"bfloat16","hidden_act":"gelu"})"},
      {"gemma-7b", R"({"model_type":"gemma","vocab_size":256000,"hidden_size":3072,
        "num_hidden_layers":28,"num_attention_heads":16,"num_key_value_heads":16,"head_dim":256,
        "intermediate_size":24576,"max_position_embeddings":8192,"rms_norm_eps":1e-6,
        "rope_theta":10000.0,"torch_dtype":"bfloat16","hidden_act":"gelu"})"},
  };
  return m;
}

std::string strip(const std::string& spec) { return spec.substr(std::strlen(kPrefix)); }

uint64_t fnv1a(const std::string& s) {
  uint64_t h = 1469598103934665603ull;
  for (unsigned char c : s) h = (h ^ c) * 1099511628211ull;
  return h;
}

uint64_t splitmix(uint64_t x) {
  x += 0x9e3779b97f4a7c15ull;
  x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ull;
  x = (x ^ (x >> 27)) * 0x94d049bb133111ebull;
  return x ^ (x >> 31);
}

// Uniform in [lo, hi) for (tensor, index): independent of thread count and order.
inline float uniform(uint64_t seed, int64_t i, float lo, float hi) {
  const double u = double(splitmix(seed ^ uint64_t(i) * 0xd1b54a32d192ed03ull) >> 11) * 0x1.0p-53;
  return float(lo + (hi - lo) * u);
}

// Range of the uniform distribution for one tensor, chosen like the golden generator:
// matrices with std 1/sqrt(fan_in); norm scales, biases, conv and gate parameters non-zero.
std::pair<float, float> value_range(const ModelConfig& c, const TensorSpec& t) {
  const std::string& n = t.name;
  auto ends = [&](const char* s) {
    const size_t k = std::strlen(s);
    return n.size() >= k && n.compare(n.size() - k, k, s) == 0;
  };
  if (ends("recurrent_param")) return {-8.f, -4.f};  // a = exp(-8 softplus(p) gate) near 0.9..0.999
  // Random signs and magnitudes in the final norm keep a tied model from repeating its input.
  if (n == "model.final_norm.weight" || n == "model.norm.weight") return {-12.f, 12.f};
  if (ends("norm.weight")) return {-0.3f, 0.3f};
  if (ends("conv_1d.weight")) return {-0.8f, 0.8f};
  if (ends("gate_bias")) return {-0.5f, 0.5f};
  if (ends(".bias")) return {-0.1f, 0.1f};
  if (n == "model.embed_tokens.weight") {
    const float a = std::sqrt(3.f / float(c.hidden));
    return {-a, a};
  }
  const int64_t fan_in = t.shape.back();
  const float a = std::sqrt(3.f / float(fan_in));
  return {-a, a};
}

}  // namespace

bool is_builtin(const std::string& spec) { return spec.rfind(kPrefix, 0) == 0; }

std::vector<std::string> builtin_names() {
  std::vector<std::string> names;
  for (const auto& [k, _] : configs()) names.push_back(kPrefix + k);
  return names;
}

ModelConfig builtin_config(const std::string& spec) {
  const auto it = configs().find(strip(spec));
  if (it == configs().end()) {
    std::string known;
    for (const auto& n : builtin_names()) known += (known.empty() ? "" : ", ") + n;
    fail(spec, "unknown built-in model (known: " + known + ")");
  }
  ModelConfig c = parse_config(it->second, spec);
  c.name = spec;
  return c;
}

Checkpoint make_builtin(const std::string& spec) {
  Checkpoint ck;
  ck.source = spec;
  ck.config = builtin_config(spec);
  const ModelConfig cfg = ck.config;
  const DType dt = cfg.weight_dtype;
  for (const auto& t : expected_tensors(cfg)) {
    TensorView v{dt, t.shape, nullptr, size_t(t.numel()) * dtype_size(dt)};
    ck.tensors[t.name] = v;
    ck.tensor_file[t.name] = spec;
  }
  ck.generate = [cfg, dt](const std::string& name, const TensorView& v) {
    TensorSpec t{name, v.shape};
    const auto range = value_range(cfg, t);  // (no structured binding: clang 14 cannot
    const float lo = range.first, hi = range.second;  // capture one in the OpenMP regions below)
    const uint64_t seed = fnv1a(name) ^ 0x5eed;
    const int64_t n = t.numel();
    auto buf = std::make_shared<std::vector<std::byte>>(v.nbytes);
    if (dt == DType::BF16) {
      auto* p = reinterpret_cast<uint16_t*>(buf->data());
#pragma omp parallel for schedule(static)
      for (int64_t i = 0; i < n; ++i) p[i] = f32_to_bf16(uniform(seed, i, lo, hi));
    } else {
      auto* p = reinterpret_cast<float*>(buf->data());
#pragma omp parallel for schedule(static)
      for (int64_t i = 0; i < n; ++i) p[i] = uniform(seed, i, lo, hi);
    }
    return buf;
  };
  return ck;
}

}  // namespace rgeval
