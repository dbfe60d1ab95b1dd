// Loading checkpoint directories: the golden models (names, shapes, dtypes, values), sharded
// checkpoints, built-in models, and every way a directory can be broken.
#include "engine/checkpoint.h"

#include <set>

#include "engine/builtin.h"
#include "engine/error.h"
#include "engine/model_spec.h"
#include "engine/tokenizer.h"
#include "tests/st_raw.h"
#include "tests/testing.h"

namespace rgeval {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;
using testing::RawFile;
using testing::RawTensor;
using testing::TempDir;

// The message of the Error load_checkpoint_dir(dir) throws ("" if it loads).
std::string load_error(const std::string& dir) {
  try {
    load_checkpoint_dir(dir);
  } catch (const Error& e) {
    return e.what();
  }
  return "";
}

#define EXPECT_CONTAINS(haystack, needle) \
  EXPECT_NE(std::string(haystack).find(needle), std::string::npos) << "message: " << (haystack) << "\nexpected: " << (needle)

void check_golden_checkpoint(const Checkpoint& ck, const std::string& dir, const std::string& dtype) {
  const std::string file = dir + "/model.safetensors";
  const RawFile raw = testing::raw_read(file);
  EXPECT_EQ(ck.source, dir);
  ASSERT_EQ(ck.files, std::vector<std::string>{file});
  EXPECT_EQ(ck.tokenizer_path, dir + "/tokenizer.model");
  EXPECT_FALSE(ck.generate);
  // Names: exactly the tensors the architecture needs, and exactly those in the file.
  const auto specs = expected_tensors(ck.config);
  std::set<std::string> want;
  for (const auto& s : specs) want.insert(s.name);
  EXPECT_EQ(want.size(), specs.size());
  std::set<std::string> have, in_file;
  for (const auto& [n, _] : ck.tensors) have.insert(n);
  for (const auto& [n, _] : raw.tensors) in_file.insert(n);
  EXPECT_EQ(have, want);
  EXPECT_EQ(in_file, want);
  int64_t bytes = 0;
  for (const auto& s : specs) {
    const TensorView& v = ck.get(s.name);
    EXPECT_EQ(v.shape, s.shape) << s.name;
    EXPECT_EQ(std::string(dtype_name(v.dtype)), dtype) << s.name;
    EXPECT_EQ(ck.tensor_file.at(s.name), file) << s.name;
    const RawTensor& rt = raw.tensors.at(s.name);
    EXPECT_EQ(v.shape, rt.shape) << s.name;
    ASSERT_EQ(v.nbytes, rt.bytes.size()) << s.name;
    bytes += int64_t(rt.bytes.size());
    const int64_t n = v.numel();
    for (int64_t i : {int64_t(0), int64_t(1), int64_t(2), n / 3, n - 1})
      EXPECT_EQ(element_f32(v, i), testing::raw_element(rt, size_t(i))) << s.name << "[" << i << "]";
    const auto f = ck.fetch(s.name);
    EXPECT_EQ(f.view.data, v.data) << "file-backed tensors are not copied";
    EXPECT_FALSE(f.owned);
  }
  EXPECT_EQ(ck.weight_bytes(), bytes);
  EXPECT_EQ(ck.weight_bytes(), count_params(ck.config).total * int64_t(dtype == "BF16" ? 2 : 4));
  EXPECT_EQ(count_params(ck.config).embedding, 512 * 128);
}

TEST(CheckpointGolden, LoadsEveryGoldenModel) {
  RGEVAL_REQUIRE_SHARED();
  for (const auto& m : testing::golden_models()) {
    SCOPED_TRACE(m.name);
    const std::string dir = testing::golden(m.name);
    check_golden_checkpoint(load_checkpoint_dir(dir), dir, m.dtype);
    check_golden_checkpoint(load_model(dir), dir, m.dtype);
  }
}

TEST(CheckpointGolden, SpecificValuesAndShapes) {
  RGEVAL_REQUIRE_SHARED();
  const std::string rg = testing::golden("recurrentgemma-tiny");
  const Checkpoint ck = load_model(rg, "/some/tokenizer.model");
  EXPECT_EQ(ck.tokenizer_path, "/some/tokenizer.model");
  EXPECT_EQ(ck.config.mlp_width, 384);
  EXPECT_EQ(ck.get("model.layers.0.mlp_block.gate_proj.weight").shape, (std::vector<int64_t>{384, 128}));
  EXPECT_EQ(ck.get("model.layers.0.temporal_block.conv_1d.weight").shape, (std::vector<int64_t>{128, 1, 4}));
  EXPECT_EQ(ck.get("model.layers.0.temporal_block.rg_lru.input_gate_weight").shape, (std::vector<int64_t>{2, 64, 64}));
  EXPECT_EQ(ck.get("model.layers.2.temporal_block.k_proj.weight").shape, (std::vector<int64_t>{64, 128}));
  EXPECT_EQ(ck.get("model.layers.2.temporal_block.o_proj.bias").shape, (std::vector<int64_t>{128}));
  EXPECT_EQ(ck.tensors.count("model.layers.2.temporal_block.linear_x.weight"), 0u);  // attention layer
  EXPECT_EQ(ck.tensors.count("lm_head.weight"), 0u);  // tied
  // Same values in the bf16 copy, rounded.
  const Checkpoint b = load_model(testing::golden("recurrentgemma-tiny-bf16"));
  const auto& e32 = ck.get("model.final_norm.weight");
  const auto& e16 = b.get("model.final_norm.weight");
  EXPECT_EQ(e16.dtype, DType::BF16);
  for (int64_t i = 0; i < 128; ++i) EXPECT_EQ(round_to_bf16(element_f32(e32, i)), element_f32(e16, i)) << i;
  // Gemma MHA: q/k/v have heads*head_dim = 192 rows, o_proj 192 columns.
  const Checkpoint mha = load_model(testing::golden("gemma-tiny-mha"));
  EXPECT_EQ(mha.get("model.layers.1.self_attn.q_proj.weight").shape, (std::vector<int64_t>{192, 128}));
  EXPECT_EQ(mha.get("model.layers.1.self_attn.v_proj.weight").shape, (std::vector<int64_t>{192, 128}));
  EXPECT_EQ(mha.get("model.layers.1.self_attn.o_proj.weight").shape, (std::vector<int64_t>{128, 192}));
  EXPECT_EQ(mha.get("model.norm.weight").shape, (std::vector<int64_t>{128}));
  const Checkpoint mqa = load_model(testing::golden("gemma-tiny-mqa"));
  EXPECT_EQ(mqa.get("model.layers.2.self_attn.k_proj.weight").shape, (std::vector<int64_t>{32, 128}));
  try {
    mqa.get("model.layers.9.self_attn.k_proj.weight");
    FAIL();
  } catch (const Error& e) {
    EXPECT_CONTAINS(e.what(), testing::golden("gemma-tiny-mqa") + ": missing tensor 'model.layers.9.self_attn.k_proj.weight'");
  }
}

// A copy of a golden model in a temporary directory, with its weights rewritten by `edit`.
struct EditedCopy {
  TempDir dir;
  std::string file;
  EditedCopy(const std::string& model, const std::function<void(std::map<std::string, RawTensor>&)>& edit) {
    testing::copy_golden_side_files(model, dir.path.string());
    RawFile raw = testing::raw_read(testing::golden(model + "/model.safetensors"));
    edit(raw.tensors);
    file = dir.file("model.safetensors");
    testing::write_file(file, testing::raw_serialize(raw.tensors, raw.metadata));
  }
  std::string path() const { return dir.path.string(); }
};

TEST(CheckpointGolden, RewrittenCopyStillLoads) {
  RGEVAL_REQUIRE_SHARED();
  EditedCopy c("gemma-tiny-mqa", [](auto&) {});
  EXPECT_EQ(load_error(c.path()), "");
  check_golden_checkpoint(load_checkpoint_dir(c.path()), c.path(), "F32");
}

TEST(CheckpointErrors, MissingTensor) {
  RGEVAL_REQUIRE_SHARED();
  const std::string gone = "model.layers.2.temporal_block.o_proj.bias";
  EditedCopy c("recurrentgemma-tiny", [&](auto& t) { ASSERT_EQ(t.erase(gone), 1u); });
  const std::string msg = load_error(c.path());
  EXPECT_EQ(msg, c.file + ": missing tensor '" + gone + "' (expected shape [128])");
}

TEST(CheckpointErrors, MissingTensorWhenConfigHasMoreLayers) {
  RGEVAL_REQUIRE_SHARED();
  EditedCopy c("gemma-tiny-mha", [](auto&) {});
  json cfg = json::parse(testing::read_file(c.dir.file("config.json")));
  cfg["num_hidden_layers"] = 3;
  testing::write_file(c.dir.file("config.json"), cfg.dump());
  const std::string msg = load_error(c.path());
  EXPECT_CONTAINS(msg, c.file + ": missing tensor 'model.layers.2.");
}

TEST(CheckpointErrors, WrongTensorShape) {
  RGEVAL_REQUIRE_SHARED();
  EditedCopy c("gemma-tiny-mqa", [](auto& t) { t.at("model.embed_tokens.weight").shape = {128, 512}; });
  EXPECT_EQ(load_error(c.path()), c.file + ": tensor 'model.embed_tokens.weight' has shape [128, 512], the config implies [512, 128]");
  // A config that disagrees with the weights: head_dim 48 instead of 32.
  EditedCopy d("gemma-tiny-mqa", [](auto&) {});
  json cfg = json::parse(testing::read_file(d.dir.file("config.json")));
  cfg["head_dim"] = 48;
  testing::write_file(d.dir.file("config.json"), cfg.dump());
  EXPECT_CONTAINS(load_error(d.path()), d.file + ": tensor 'model.layers.0.self_attn.q_proj.weight' has shape [128, 128], the config implies [192, 128]");
}

TEST(CheckpointErrors, NonFloatDtype) {
  RGEVAL_REQUIRE_SHARED();
  EditedCopy c("gemma-tiny-mqa", [](auto& t) { t.at("model.norm.weight").dtype = "I32"; });
  EXPECT_EQ(load_error(c.path()), c.file + ": tensor 'model.norm.weight' has dtype I32 (F32, BF16 or F16 expected)");
}

TEST(CheckpointErrors, CorruptSafetensors) {
  RGEVAL_REQUIRE_SHARED();
  EditedCopy c("gemma-tiny-mqa", [](auto&) {});
  const std::string bytes = testing::read_file(c.file);
  testing::write_file(c.file, bytes.substr(0, bytes.size() - 100));  // truncated data area
  EXPECT_CONTAINS(load_error(c.path()), c.file + ": tensor '");
  EXPECT_CONTAINS(load_error(c.path()), "beyond the data area");
  testing::write_file(c.file, "xyz");
  EXPECT_CONTAINS(load_error(c.path()), c.file + ": truncated");
}

TEST(CheckpointErrors, BadConfig) {
  RGEVAL_REQUIRE_SHARED();
  EditedCopy c("recurrentgemma-tiny", [](auto&) {});
  const std::string cfg_path = c.dir.file("config.json");
  const json good = json::parse(testing::read_file(cfg_path));
  json j = good;
  j["model_type"] = "llama";
  testing::write_file(cfg_path, j.dump());
  EXPECT_CONTAINS(load_error(c.path()), cfg_path + ": unknown model_type 'llama'");
  testing::write_file(cfg_path, "{\"model_type\": \"recurrent_gemma\", ");
  EXPECT_CONTAINS(load_error(c.path()), cfg_path + ": not valid JSON");
  j = good;
  j.erase("attention_window_size");
  testing::write_file(cfg_path, j.dump());
  EXPECT_EQ(load_error(c.path()), cfg_path + ": missing 'attention_window_size'");
  j = good;
  j.erase("hidden_size");
  testing::write_file(cfg_path, j.dump());
  EXPECT_EQ(load_error(c.path()), cfg_path + ": missing 'hidden_size'");
  fs::remove(cfg_path);
  EXPECT_EQ(load_error(c.path()), cfg_path + ": cannot open");
  try {
    load_model_config(c.path());
    FAIL();
  } catch (const Error& e) {
    EXPECT_EQ(std::string(e.what()), cfg_path + ": cannot open");
  }
}

TEST(CheckpointErrors, NotADirectoryOrNoWeights) {
  EXPECT_EQ(load_error("/nonexistent/model"), "/nonexistent/model: not a directory (expected a checkpoint folder or builtin:NAME)");
  TempDir t;
  testing::write_file(t.file("config.json"), R"({"model_type":"gemma","vocab_size":512,"hidden_size":128,
    "num_hidden_layers":1,"num_attention_heads":4,"intermediate_size":256})");
  EXPECT_EQ(load_error(t.path.string()), t.path.string() + ": no *.safetensors file");
  try {
    load_model("/nonexistent/model");
    FAIL();
  } catch (const Error& e) {
    EXPECT_CONTAINS(e.what(), "/nonexistent/model");
  }
}

TEST(CheckpointErrors, MissingTokenizer) {
  RGEVAL_REQUIRE_SHARED();
  EditedCopy c("gemma-tiny-mqa", [](auto&) {});
  fs::remove(c.dir.file("tokenizer.model"));
  const Checkpoint ck = load_checkpoint_dir(c.path());  // weights do not need it
  EXPECT_EQ(ck.tokenizer_path, c.dir.file("tokenizer.model"));
  try {
    Tokenizer::from_file(ck.tokenizer_path);
    FAIL();
  } catch (const Error& e) {
    EXPECT_EQ(std::string(e.what()), ck.tokenizer_path + ": tokenizer file not found");
  }
}

TEST(CheckpointErrors, CorruptTokenizer) {
  RGEVAL_REQUIRE_SHARED();
  EditedCopy c("gemma-tiny-mqa", [](auto&) {});
  std::string junk;
  uint32_t x = 12345;
  for (int i = 0; i < 4096; ++i) junk += char((x = x * 1664525u + 1013904223u) >> 24);
  testing::write_file(c.dir.file("tokenizer.model"), junk);
  const Checkpoint ck = load_checkpoint_dir(c.path());
  try {
    Tokenizer::from_file(ck.tokenizer_path);
    FAIL();
  } catch (const Error& e) {
    EXPECT_CONTAINS(e.what(), ck.tokenizer_path + ": not a valid SentencePiece model");
  }
}

TEST(CheckpointErrors, DuplicateTensorAcrossFiles) {
  RGEVAL_REQUIRE_SHARED();
  EditedCopy c("gemma-tiny-mqa", [](auto&) {});
  std::map<std::string, RawTensor> extra;
  extra["model.norm.weight"] = testing::raw_read(c.file).tensors.at("model.norm.weight");
  const std::string second = c.dir.file("more.safetensors");
  testing::write_file(second, testing::raw_serialize(extra));
  // Files are read in name order: model.safetensors, then more.safetensors.
  const std::string msg = load_error(c.path());
  EXPECT_CONTAINS(msg, second + ": tensor 'model.norm.weight' also appears in ");
  EXPECT_CONTAINS(msg, c.file);
}

// ------------------------------------------------------------------ sharded checkpoints

struct Sharded {
  TempDir dir;
  std::string shard1, shard2, index;
  json weight_map;
  // Splits a golden model into two shards: names in order, the first `first` into shard 1.
  explicit Sharded(const std::string& model) {
    testing::copy_golden_side_files(model, dir.path.string());
    const RawFile raw = testing::raw_read(testing::golden(model + "/model.safetensors"));
    std::map<std::string, RawTensor> a, b;
    size_t i = 0;
    for (const auto& [n, t] : raw.tensors) (i++ < raw.tensors.size() / 2 ? a : b)[n] = t;
    shard1 = dir.file("model-00001-of-00002.safetensors");
    shard2 = dir.file("model-00002-of-00002.safetensors");
    testing::write_file(shard1, testing::raw_serialize(a, raw.metadata));
    testing::write_file(shard2, testing::raw_serialize(b, raw.metadata));
    for (const auto& [n, _] : a) weight_map[n] = fs::path(shard1).filename().string();
    for (const auto& [n, _] : b) weight_map[n] = fs::path(shard2).filename().string();
    index = dir.file("model.safetensors.index.json");
    write_index();
  }
  void write_index() const {
    json j;
    j["metadata"] = {{"total_size", 0}};
    j["weight_map"] = weight_map;
    testing::write_file(index, j.dump(2));
  }
  std::string path() const { return dir.path.string(); }
};

TEST(CheckpointSharded, LoadsIdenticallyToSingleFile) {
  RGEVAL_REQUIRE_SHARED();
  for (const std::string model : {"recurrentgemma-tiny", "gemma-tiny-mqa-bf16"}) {
    SCOPED_TRACE(model);
    Sharded s(model);
    const Checkpoint a = load_checkpoint_dir(s.path());
    const Checkpoint b = load_checkpoint_dir(testing::golden(model));
    EXPECT_EQ(a.files, (std::vector<std::string>{s.shard1, s.shard2}));
    ASSERT_EQ(a.tensors.size(), b.tensors.size());
    size_t in1 = 0;
    for (const auto& [n, v] : b.tensors) {
      ASSERT_EQ(a.tensors.count(n), 1u) << n;
      const TensorView& w = a.tensors.at(n);
      EXPECT_EQ(w.dtype, v.dtype) << n;
      EXPECT_EQ(w.shape, v.shape) << n;
      ASSERT_EQ(w.nbytes, v.nbytes) << n;
      EXPECT_EQ(std::memcmp(w.data, v.data, v.nbytes), 0) << n;
      const std::string f = a.tensor_file.at(n);
      EXPECT_EQ(f, s.dir.file(s.weight_map[n].get<std::string>())) << n;
      in1 += f == s.shard1;
    }
    EXPECT_EQ(in1, b.tensors.size() / 2);
    EXPECT_EQ(a.weight_bytes(), b.weight_bytes());
    EXPECT_EQ(a.config.num_layers, b.config.num_layers);
  }
}

TEST(CheckpointSharded, IndexTakesPrecedenceOverStrayFiles) {
  RGEVAL_REQUIRE_SHARED();
  Sharded s("gemma-tiny-mqa");
  // A stray single-file copy beside the index is ignored (else every tensor would be duplicated).
  fs::copy_file(testing::golden("gemma-tiny-mqa/model.safetensors"), s.dir.file("model.safetensors"));
  const Checkpoint ck = load_checkpoint_dir(s.path());
  EXPECT_EQ(ck.files.size(), 2u);
}

TEST(CheckpointSharded, IndexNamesMissingFile) {
  RGEVAL_REQUIRE_SHARED();
  Sharded s("gemma-tiny-mqa");
  s.weight_map["model.norm.weight"] = "model-00003-of-00002.safetensors";
  s.write_index();
  const std::string msg = load_error(s.path());
  EXPECT_CONTAINS(msg, s.dir.file("model-00003-of-00002.safetensors") + ": cannot open");
}

TEST(CheckpointSharded, TensorMissingFromItsShard) {
  RGEVAL_REQUIRE_SHARED();
  Sharded s("gemma-tiny-mqa");
  // Claim a tensor of shard 2 lives in shard 1.
  std::string moved;
  for (auto it = s.weight_map.begin(); it != s.weight_map.end(); ++it)
    if (it.value() == fs::path(s.shard2).filename().string()) moved = it.key();
  ASSERT_FALSE(moved.empty());
  s.weight_map[moved] = fs::path(s.shard1).filename().string();
  s.write_index();
  EXPECT_EQ(load_error(s.path()), s.shard1 + ": tensor '" + moved + "' listed in " + s.index + " is missing");
}

TEST(CheckpointSharded, TensorAbsentFromIndex) {
  RGEVAL_REQUIRE_SHARED();
  Sharded s("gemma-tiny-mqa");
  s.weight_map.erase("model.layers.1.mlp.up_proj.weight");
  s.write_index();
  const std::string msg = load_error(s.path());
  EXPECT_CONTAINS(msg, s.path());
  EXPECT_CONTAINS(msg, "missing tensor 'model.layers.1.mlp.up_proj.weight'");
}

TEST(CheckpointSharded, BadIndex) {
  RGEVAL_REQUIRE_SHARED();
  Sharded s("gemma-tiny-mqa");
  testing::write_file(s.index, "{\"weight_map\": ");
  EXPECT_CONTAINS(load_error(s.path()), s.index + ": not valid JSON");
  testing::write_file(s.index, "{\"metadata\": {}}");
  EXPECT_EQ(load_error(s.path()), s.index + ": missing 'weight_map' object");
  testing::write_file(s.index, R"({"weight_map": {"model.norm.weight": 7}})");
  EXPECT_EQ(load_error(s.path()), s.index + ": weight_map entry 'model.norm.weight' is not a string");
  for (const char* bad : {"../model.safetensors", "sub/x.safetensors", "", ".."}) {
    testing::write_file(s.index, json{{"weight_map", {{"model.norm.weight", bad}}}}.dump());
    EXPECT_EQ(load_error(s.path()), s.index + ": weight_map entry 'model.norm.weight' names an invalid file '" + bad + "'");
  }
}

// ------------------------------------------------------------------ built-in models

TEST(CheckpointBuiltin, TinyModelsValidateAndGenerateDeterministically) {
  for (const std::string name : {"builtin:tiny-griffin", "builtin:tiny-gemma"}) {
    SCOPED_TRACE(name);
    const Checkpoint ck = load_model(name);
    EXPECT_EQ(ck.source, name);
    EXPECT_TRUE(ck.tokenizer_path.empty());
    EXPECT_NO_THROW(validate_tensors(ck));
    const auto specs = expected_tensors(ck.config);
    EXPECT_EQ(ck.tensors.size(), specs.size());
    const auto a = ck.fetch("model.embed_tokens.weight");
    const auto b = ck.fetch("model.embed_tokens.weight");
    ASSERT_TRUE(a.owned && b.owned);
    EXPECT_EQ(a.view.shape, (std::vector<int64_t>{512, 128}));
    ASSERT_EQ(a.view.nbytes, size_t(512 * 128 * 4));
    EXPECT_EQ(*a.owned, *b.owned);
    const auto v = to_f32(a.view);
    float lo = 1e9f, hi = -1e9f;
    for (float x : v) lo = std::min(lo, x), hi = std::max(hi, x);
    EXPECT_LT(lo, -0.1f);  // uniform(-sqrt(3/128), sqrt(3/128)) ~ +-0.153
    EXPECT_GT(hi, 0.1f);
    EXPECT_LE(hi, 0.154f);
    // Different tensors get different values.
    const auto n = ck.fetch(ck.config.arch == Arch::Griffin ? "model.final_norm.weight" : "model.norm.weight");
    EXPECT_NE(element_f32(n.view, 0), element_f32(a.view, 0));
  }
}

TEST(CheckpointBuiltin, BigModelsAreNotGeneratedUpFront) {
  const Checkpoint ck = load_model("builtin:gemma-2b");
  EXPECT_EQ(ck.get("model.embed_tokens.weight").data, nullptr);
  EXPECT_EQ(ck.get("model.embed_tokens.weight").dtype, DType::BF16);
  EXPECT_EQ(ck.weight_bytes(), 2 * count_params(ck.config).total);
  try {
    load_model("builtin:gemma-3b");
    FAIL();
  } catch (const Error& e) {
    EXPECT_CONTAINS(e.what(), "builtin:gemma-3b: unknown built-in model");
  }
}

}  // namespace
}  // namespace rgeval
