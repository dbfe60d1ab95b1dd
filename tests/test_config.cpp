// config.json parsing (ModelConfig), including the quirks of the Hugging Face files, and what a
// configuration implies (model_spec: state bytes, block pattern).
#include "engine/config.h"

#include <cmath>
#include <nlohmann/json.hpp>

#include "engine/builtin.h"
#include "engine/checkpoint.h"
#include "engine/error.h"
#include "engine/model_spec.h"
#include "tests/testing.h"

namespace rgeval {
namespace {

using json = nlohmann::json;
using testing::TempDir;

std::string pattern(const ModelConfig& c) {
  std::string s;
  for (auto b : c.blocks) s += b == BlockType::Recurrent ? 'R' : 'A';
  return s;
}

// A small valid RecurrentGemma config (HF form).
json griffin_json() {
  return json::parse(R"({"model_type":"recurrent_gemma","vocab_size":512,"hidden_size":128,
    "num_hidden_layers":6,"num_attention_heads":2,"num_key_value_heads":1,"head_dim":64,
    "intermediate_size":768,"lru_width":128,"conv1d_width":4,"attention_window_size":16,
    "block_types":["recurrent","recurrent","attention"],"logits_soft_cap":30.0,
    "partial_rotary_factor":0.5,"torch_dtype":"float32"})");
}

json gemma_json() {
  return json::parse(R"({"model_type":"gemma","vocab_size":512,"hidden_size":128,
    "num_hidden_layers":2,"num_attention_heads":4,"num_key_value_heads":4,"head_dim":48,
    "intermediate_size":256,"max_position_embeddings":8192,"hidden_act":"gelu"})");
}

// Expects parse_config(text, "cfg/where.json") to fail naming the file and `problem`.
void expect_config_error(const std::string& text, const std::string& problem) {
  const std::string where = "cfg/where.json";
  try {
    parse_config(text, where);
    ADD_FAILURE() << "accepted: " << text << "\nexpected: " << problem;
  } catch (const Error& e) {
    const std::string msg = e.what();
    EXPECT_EQ(msg.rfind(where + ": ", 0), 0u) << msg;
    EXPECT_NE(msg.find(problem), std::string::npos) << "message: " << msg << "\nexpected: " << problem;
  }
}

void expect_config_error(const json& j, const std::string& problem) { expect_config_error(j.dump(), problem); }

TEST(Config, ParsesGriffin) {
  const ModelConfig c = parse_config(griffin_json().dump(), "g.json");
  EXPECT_EQ(c.name, "g.json");
  EXPECT_EQ(c.arch, Arch::Griffin);
  EXPECT_EQ(arch_name(c.arch), "recurrent_gemma");
  EXPECT_EQ(c.vocab_size, 512);
  EXPECT_EQ(c.hidden, 128);
  EXPECT_EQ(c.num_layers, 6);
  EXPECT_EQ(c.num_heads, 2);
  EXPECT_EQ(c.num_kv_heads, 1);
  EXPECT_EQ(c.head_dim, 64);
  EXPECT_EQ(c.mlp_width, 384);  // HF intermediate_size / 2
  EXPECT_EQ(c.lru_width, 128);
  EXPECT_EQ(c.conv_width, 4);
  EXPECT_EQ(c.window, 16);
  EXPECT_EQ(pattern(c), "RRARRA");
  EXPECT_EQ(c.count(BlockType::Recurrent), 4);
  EXPECT_EQ(c.count(BlockType::Attention), 2);
  EXPECT_EQ(c.partial_rotary, 0.5f);
  EXPECT_EQ(c.rope_dims(), 32);
  EXPECT_EQ(c.soft_cap, 30.f);
  EXPECT_EQ(c.embed_scale, 11.3125f);
  EXPECT_NE(c.embed_scale, std::sqrt(128.f));
  EXPECT_TRUE(c.has_biases());
  EXPECT_EQ(c.weight_dtype, DType::F32);
  EXPECT_EQ(c.bos_id, 2);
  EXPECT_EQ(c.eos_id, 1);
  EXPECT_EQ(c.pad_id, 0);
  EXPECT_FLOAT_EQ(c.rms_eps, 1e-6f);
  EXPECT_EQ(c.rope_theta, 10000.f);
}

TEST(Config, GriffinDefaults) {
  json j = griffin_json();
  for (const char* k : {"num_key_value_heads", "head_dim", "lru_width", "conv1d_width", "logits_soft_cap",
                        "partial_rotary_factor", "torch_dtype"})
    j.erase(k);
  j["hidden_size"] = 192;
  j["num_attention_heads"] = 3;
  const ModelConfig c = parse_config(j.dump(), "g");
  EXPECT_EQ(c.num_kv_heads, 1);
  EXPECT_EQ(c.head_dim, 64);
  EXPECT_EQ(c.lru_width, 192);
  EXPECT_EQ(c.conv_width, 4);
  EXPECT_EQ(c.soft_cap, 30.f);
  EXPECT_EQ(c.partial_rotary, 0.5f);
  EXPECT_EQ(c.embed_scale, 13.875f);  // bf16(sqrt(192))
  EXPECT_EQ(c.weight_dtype, DType::F32);
}

TEST(Config, EmbedScaleIsBf16RoundedForGriffinOnly) {
  EXPECT_EQ(round_to_bf16(std::sqrt(128.f)), 11.3125f);
  EXPECT_EQ(round_to_bf16(std::sqrt(2560.f)), 50.5f);
  EXPECT_EQ(round_to_bf16(std::sqrt(4096.f)), 64.f);
  EXPECT_EQ(builtin_config("builtin:recurrentgemma-2b").embed_scale, 50.5f);
  EXPECT_EQ(builtin_config("builtin:recurrentgemma-9b").embed_scale, 64.f);
  const ModelConfig g = parse_config(gemma_json().dump(), "x");
  EXPECT_EQ(g.embed_scale, std::sqrt(128.f));  // Gemma: not rounded
}

TEST(Config, ParsesGemmaWithHeadDimNotHiddenOverHeads) {
  const ModelConfig c = parse_config(gemma_json().dump(), "m.json");
  EXPECT_EQ(c.arch, Arch::Gemma);
  EXPECT_EQ(c.head_dim, 48);
  EXPECT_NE(c.num_heads * c.head_dim, c.hidden);
  EXPECT_EQ(c.num_kv_heads, 4);
  EXPECT_EQ(c.mlp_width, 256);  // Gemma: intermediate_size as is
  EXPECT_EQ(c.partial_rotary, 1.f);
  EXPECT_EQ(c.rope_dims(), 48);
  EXPECT_EQ(c.soft_cap, 0.f);
  EXPECT_EQ(c.window, 0);
  EXPECT_EQ(c.max_positions, 8192);
  EXPECT_EQ(pattern(c), "AA");
  EXPECT_FALSE(c.has_biases());
}

TEST(Config, GemmaDefaults) {
  json j = gemma_json();
  j.erase("head_dim");
  j.erase("num_key_value_heads");
  j.erase("max_position_embeddings");
  const ModelConfig c = parse_config(j.dump(), "m");
  EXPECT_EQ(c.head_dim, 32);
  EXPECT_EQ(c.num_kv_heads, 4);
  EXPECT_EQ(c.max_positions, 0);
}

TEST(Config, BlockTypesKeyEitherSpelling) {
  json j = griffin_json();
  j["num_hidden_layers"] = 5;
  j["block_types"] = {"attention", "recurrent"};
  const ModelConfig a = parse_config(j.dump(), "new");
  EXPECT_EQ(pattern(a), "ARARA");
  j["_block_types"] = j["block_types"];
  j.erase("block_types");
  const ModelConfig b = parse_config(j.dump(), "old");
  EXPECT_EQ(pattern(b), "ARARA");
  j.erase("_block_types");
  expect_config_error(j, "missing 'block_types' (or '_block_types')");
}

TEST(Config, TorchDtype) {
  json j = griffin_json();
  j["torch_dtype"] = "bfloat16";
  EXPECT_EQ(parse_config(j.dump(), "x").weight_dtype, DType::BF16);
  j["torch_dtype"] = "float16";
  EXPECT_EQ(parse_config(j.dump(), "x").weight_dtype, DType::F16);
}

TEST(Config, AcceptsGeluSpellings) {
  for (const char* act : {"gelu", "gelu_pytorch_tanh", "gelu_new", "gelu_tanh"}) {
    json j = gemma_json();
    j["hidden_act"] = act;
    j["hidden_activation"] = act;
    EXPECT_NO_THROW(parse_config(j.dump(), "x")) << act;
  }
}

TEST(ConfigErrors, NotJson) {
  expect_config_error(std::string("{\"model_type\": "), "not valid JSON");
  expect_config_error(std::string(""), "not valid JSON");
  expect_config_error(std::string("\x89PNG\r\n", 6), "not valid JSON");
}

TEST(ConfigErrors, NotAnObject) {
  expect_config_error(std::string("[1, 2]"), "not a JSON object");
  expect_config_error(std::string("\"gemma\""), "not a JSON object");
}

TEST(ConfigErrors, UnknownOrMissingModelType) {
  json j = gemma_json();
  j["model_type"] = "llama";
  expect_config_error(j, "unknown model_type 'llama'");
  j["model_type"] = 3;
  expect_config_error(j, "missing 'model_type'");
  j.erase("model_type");
  expect_config_error(j, "missing 'model_type'");
}

TEST(ConfigErrors, MissingRequiredKeys) {
  for (const char* key : {"vocab_size", "hidden_size", "num_hidden_layers", "num_attention_heads",
                          "intermediate_size", "attention_window_size"}) {
    json j = griffin_json();
    j.erase(key);
    expect_config_error(j, std::string("missing '") + key + "'");
  }
  for (const char* key : {"vocab_size", "hidden_size", "num_hidden_layers", "num_attention_heads",
                          "intermediate_size"}) {
    json j = gemma_json();
    j.erase(key);
    expect_config_error(j, std::string("missing '") + key + "'");
  }
}

TEST(ConfigErrors, BadValues) {
  auto with = [](json j, const char* key, json v) {
    j[key] = v;
    return j;
  };
  expect_config_error(with(gemma_json(), "hidden_size", "128"), "'hidden_size' must be an integer");
  expect_config_error(with(gemma_json(), "hidden_size", 128.5), "'hidden_size' must be an integer");
  expect_config_error(with(gemma_json(), "num_hidden_layers", 0), "'num_hidden_layers' = 0 is out of range");
  expect_config_error(with(gemma_json(), "vocab_size", -5), "'vocab_size' = -5 is out of range");
  expect_config_error(with(gemma_json(), "vocab_size", int64_t(1) << 40), "is out of range");
  // A layer count in the billions must be rejected, not allocated (one block entry per layer).
  expect_config_error(with(gemma_json(), "num_hidden_layers", 1 << 30), "'num_hidden_layers' = 1073741824 is out of range");
  expect_config_error(with(griffin_json(), "num_hidden_layers", 65537), "'num_hidden_layers' = 65537 is out of range");
  expect_config_error(with(gemma_json(), "num_key_value_heads", 3), "num_attention_heads is not a multiple of num_key_value_heads");
  expect_config_error(with(gemma_json(), "head_dim", 3), "rotary dimensions must be even");
  expect_config_error(with(gemma_json(), "rope_theta", "big"), "'rope_theta' must be a number");
  expect_config_error(with(gemma_json(), "hidden_act", "relu"), "unsupported hidden_act 'relu'");
  expect_config_error(with(gemma_json(), "hidden_activation", "silu"), "unsupported hidden_activation 'silu'");
  expect_config_error(with(gemma_json(), "hidden_act", 1), "'hidden_act' must be a string");
  expect_config_error(with(gemma_json(), "tie_word_embeddings", false), "tie_word_embeddings=false is not supported");
  expect_config_error(with(gemma_json(), "bos_token_id", -1), "'bos_token_id' = -1 is out of range");
  expect_config_error(with(griffin_json(), "intermediate_size", 767), "intermediate_size must be even");
  expect_config_error(with(griffin_json(), "block_types", json::array({"recurrent", "mlp"})), "unknown block type '\"mlp\"'");
  expect_config_error(with(griffin_json(), "block_types", json::array()), "missing 'block_types'");
  expect_config_error(with(griffin_json(), "block_types", "recurrent"), "missing 'block_types'");
  expect_config_error(with(griffin_json(), "num_attention_heads", 3), "is not a multiple of num_attention_heads");
  expect_config_error(with(griffin_json(), "attention_window_size", 0), "'attention_window_size' = 0 is out of range");
}

// A rotary fraction outside (0, 1] would rotate more features than a head has.
TEST(ConfigErrors, PartialRotaryOutOfRange) {
  for (double f : {1.5, 2.0, 1e30, -0.5, 0.0}) {
    json j = griffin_json();
    j["partial_rotary_factor"] = f;
    expect_config_error(j, "partial_rotary_factor");
  }
}

TEST(ConfigErrors, LoadConfigNamesMissingFile) {
  try {
    load_config("/nonexistent/config.json");
    FAIL();
  } catch (const Error& e) {
    EXPECT_EQ(std::string(e.what()), "/nonexistent/config.json: cannot open");
  }
}

TEST(ConfigErrors, LoadConfigNamesTheFile) {
  TempDir t;
  const std::string p = t.file("config.json");
  testing::write_file(p, R"({"model_type":"mamba"})");
  try {
    load_config(p);
    FAIL();
  } catch (const Error& e) {
    EXPECT_EQ(std::string(e.what()).rfind(p + ": unknown model_type 'mamba'", 0), 0u) << e.what();
  }
}

TEST(Config, BuiltinPatternsTruncate) {
  const ModelConfig c = builtin_config("builtin:recurrentgemma-2b");
  ASSERT_EQ(c.num_layers, 26);
  EXPECT_EQ(pattern(c), "RRARRARRARRARRARRARRARRARR");
  EXPECT_EQ(c.count(BlockType::Attention), 8);
  EXPECT_EQ(c.mlp_width, 7680);
  EXPECT_EQ(c.window, 2048);
  EXPECT_EQ(c.weight_dtype, DType::BF16);
  EXPECT_EQ(builtin_config("builtin:recurrentgemma-9b").count(BlockType::Attention), 12);
  try {
    builtin_config("builtin:nope");
    FAIL();
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("builtin:nope: unknown built-in model"), std::string::npos) << e.what();
  }
}

// ------------------------------------------------------------------ golden config.json files

TEST(ConfigGolden, RecurrentGemmaTiny) {
  RGEVAL_REQUIRE_SHARED();
  for (const std::string m : {"recurrentgemma-tiny", "recurrentgemma-tiny-bf16"}) {
    SCOPED_TRACE(m);
    const std::string path = testing::golden(m + "/config.json");
    const ModelConfig c = load_config(path);
    EXPECT_EQ(c.name, path);
    EXPECT_EQ(c.arch, Arch::Griffin);
    EXPECT_EQ(c.vocab_size, 512);
    EXPECT_EQ(c.hidden, 128);
    EXPECT_EQ(c.num_layers, 6);
    EXPECT_EQ(c.num_heads, 2);
    EXPECT_EQ(c.num_kv_heads, 1);
    EXPECT_EQ(c.head_dim, 64);
    EXPECT_EQ(c.mlp_width, 384);
    EXPECT_EQ(c.lru_width, 128);
    EXPECT_EQ(c.conv_width, 4);
    EXPECT_EQ(c.window, 16);
    EXPECT_EQ(pattern(c), "RRARRA");
    EXPECT_EQ(c.embed_scale, 11.3125f);
    EXPECT_EQ(c.soft_cap, 30.f);
    EXPECT_EQ(c.partial_rotary, 0.5f);
    EXPECT_EQ(c.rope_dims(), 32);
    EXPECT_EQ(c.weight_dtype, m.ends_with("bf16") ? DType::BF16 : DType::F32);
    const ModelConfig d = load_model_config(testing::golden(m));
    EXPECT_EQ(pattern(d), "RRARRA");
    EXPECT_EQ(d.mlp_width, 384);
  }
}

TEST(ConfigGolden, GemmaTiny) {
  RGEVAL_REQUIRE_SHARED();
  const ModelConfig mqa = load_config(testing::golden("gemma-tiny-mqa/config.json"));
  EXPECT_EQ(mqa.arch, Arch::Gemma);
  EXPECT_EQ(mqa.num_layers, 3);
  EXPECT_EQ(mqa.num_heads, 4);
  EXPECT_EQ(mqa.num_kv_heads, 1);
  EXPECT_EQ(mqa.head_dim, 32);
  EXPECT_EQ(mqa.mlp_width, 384);
  EXPECT_EQ(mqa.weight_dtype, DType::F32);
  EXPECT_EQ(mqa.embed_scale, std::sqrt(128.f));
  EXPECT_EQ(load_config(testing::golden("gemma-tiny-mqa-bf16/config.json")).weight_dtype, DType::BF16);
  const ModelConfig mha = load_config(testing::golden("gemma-tiny-mha/config.json"));
  EXPECT_EQ(mha.num_layers, 2);
  EXPECT_EQ(mha.num_heads, 4);
  EXPECT_EQ(mha.num_kv_heads, 4);
  EXPECT_EQ(mha.head_dim, 48);
  EXPECT_EQ(mha.num_heads * mha.head_dim, 192);
  EXPECT_NE(mha.num_heads * mha.head_dim, mha.hidden);
  EXPECT_EQ(mha.mlp_width, 256);
  EXPECT_EQ(mha.rope_dims(), 48);
}

// The hub recurrentgemma files carry only one of the two block-pattern keys.
TEST(ConfigGolden, OnlyOneBlockTypesKey) {
  RGEVAL_REQUIRE_SHARED();
  const json full = json::parse(testing::read_file(testing::golden("recurrentgemma-tiny/config.json")));
  ASSERT_TRUE(full.contains("block_types") && full.contains("_block_types"));
  for (const char* drop : {"block_types", "_block_types"}) {
    json j = full;
    j.erase(drop);
    const ModelConfig c = parse_config(j.dump(), drop);
    EXPECT_EQ(pattern(c), "RRARRA") << "without " << drop;
  }
}

// state_bytes against the numbers in each golden.json.
TEST(ConfigGolden, StateBytesMatchGolden) {
  RGEVAL_REQUIRE_SHARED();
  {
    const ModelConfig c = load_config(testing::golden("recurrentgemma-tiny/config.json"));
    const json g = json::parse(testing::read_file(testing::golden("recurrentgemma-tiny/golden.json")))["state_bytes"];
    ASSERT_GE(g["fp32_model"].size(), 5u);
    for (const auto& row : g["fp32_model"])
      EXPECT_EQ(state_bytes(c, DType::F32, row["tokens_processed"].get<int64_t>()),
                row["total_state_bytes_excluding_num_tokens"].get<int64_t>());
    const auto& pl = g["bf16_model_per_layer"];
    const int64_t bf16 = 4 * (pl["recurrent"]["conv1d_state_bytes"].get<int64_t>() +
                              pl["recurrent"]["rg_lru_state_bytes"].get<int64_t>()) +
                         2 * pl["attention"]["kv_bytes_per_layer"].get<int64_t>();
    EXPECT_EQ(bf16, 13312);
    for (int64_t n : {1, 16, 17, 1000}) EXPECT_EQ(state_bytes(c, DType::BF16, n), bf16);
    EXPECT_EQ(state_bytes(c, DType::F32, 0), 0);
  }
  for (const std::string m : {"gemma-tiny-mqa", "gemma-tiny-mqa-bf16", "gemma-tiny-mha"}) {
    const ModelConfig c = load_config(testing::golden(m + "/config.json"));
    const json g = json::parse(testing::read_file(testing::golden(m + "/golden.json")))["state_bytes"];
    ASSERT_GE(g["rows"].size(), 3u) << m;
    for (const auto& row : g["rows"]) {
      const int64_t n = row["tokens_processed"].get<int64_t>();
      EXPECT_EQ(state_bytes(c, DType::F32, n), row["kv_bytes_total_fp32"].get<int64_t>()) << m << " " << n;
      EXPECT_EQ(state_bytes(c, DType::BF16, n), row["kv_bytes_total_bf16"].get<int64_t>()) << m << " " << n;
    }
  }
}

}  // namespace
}  // namespace rgeval
