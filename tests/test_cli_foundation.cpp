// The rgeval binary: exit codes, `info` and `tokenize`.
#include <nlohmann/json.hpp>

#include "engine/version.h"
#include "tests/st_raw.h"
#include "tests/testing.h"

namespace rgeval {
namespace {

using json = nlohmann::json;
using testing::run_cli;
using testing::TempDir;

int lines(const std::string& s) { return int(std::count(s.begin(), s.end(), '\n')); }

json info_json(const std::string& model) {
  const auto r = run_cli("info --model '" + model + "' --json");
  EXPECT_EQ(r.code, 0) << r.err;
  EXPECT_EQ(r.err, "");
  return json::parse(r.out);
}

TEST(Cli, Version) {
  const auto r = run_cli("--version");
  EXPECT_EQ(r.code, 0);
  EXPECT_EQ(
      r.out.rfind(std::string("rgeval ") + rgeval::version() + " (" + rgeval::commit() + ")", 0),
      0u)
      << r.out;
  EXPECT_NE(std::string(rgeval::commit()), "");
}

TEST(Cli, UsageErrorsExitTwo) {
  for (const std::string args : {"", "--bogus", "frobnicate", "info", "info --model",
                                 "info --model builtin:tiny-gemma --nope", "tokenize --text hi",
                                 "tokenize --model builtin:tiny-gemma",
                                 "tokenize --model builtin:tiny-gemma --tokenizer x --text hi"}) {
    const auto r = run_cli(args);
    EXPECT_EQ(r.code, 2) << "args: '" << args << "'\nstdout: " << r.out << "\nstderr: " << r.err;
    EXPECT_FALSE(r.err.empty() && r.out.empty()) << args;
  }
}

TEST(Cli, HelpExitsZero) {
  const auto r = run_cli("--help");
  EXPECT_EQ(r.code, 0);
  EXPECT_NE(r.out.find("info"), std::string::npos);
  EXPECT_NE(r.out.find("tokenize"), std::string::npos);
}

TEST(CliInfo, RecurrentGemma2bPublishedCounts) {
  const json j = info_json("builtin:recurrentgemma-2b");
  EXPECT_EQ(j["architecture"], "recurrent_gemma");
  EXPECT_EQ(j["layers"], 26);
  EXPECT_EQ(j["block_pattern"], "RRARRARRARRARRARRARRARRARR");
  EXPECT_EQ(j["params"]["total"].get<int64_t>(), 2682862080);     // published 2.683B
  EXPECT_EQ(j["params"]["embedding"].get<int64_t>(), 655360000);  // published 0.655B
  EXPECT_EQ(j["params"]["non_embedding"].get<int64_t>(), 2682862080 - 655360000);
  EXPECT_EQ(j["weight_dtype"], "BF16");
  EXPECT_EQ(j["weight_bytes"].get<int64_t>(), 2 * 2682862080LL);
  EXPECT_EQ(j["attention_window"], 2048);
  EXPECT_EQ(j["mlp_width"], 7680);
  // Fixed-size state: the same number of bytes whatever the length.
  ASSERT_GE(j["state_bytes"].size(), 5u);
  const int64_t first = j["state_bytes"][0]["bytes"].get<int64_t>();
  // 18 recurrent layers x (3x2560 bf16 + 2560 fp32) + 8 attention layers x 2x2048x256 bf16.
  EXPECT_EQ(first, 18 * (3 * 2560 * 2 + 2560 * 4) + 8 * (2 * 2048 * 256 * 2));
  int64_t max_tokens = 0;
  for (const auto& row : j["state_bytes"]) {
    EXPECT_EQ(row["bytes"].get<int64_t>(), first) << row["tokens"];
    max_tokens = std::max(max_tokens, row["tokens"].get<int64_t>());
  }
  EXPECT_GE(max_tokens, 8192);
  // The text form carries the same numbers.
  const auto r = run_cli("info --model builtin:recurrentgemma-2b");
  EXPECT_EQ(r.code, 0);
  EXPECT_NE(r.out.find("2.683B (2682862080)"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("0.655B (655360000)"), std::string::npos) << r.out;
}

TEST(CliInfo, Gemma2bPublishedCountsAndGrowingState) {
  const json j = info_json("builtin:gemma-2b");
  EXPECT_EQ(j["architecture"], "gemma");
  EXPECT_EQ(j["params"]["total"].get<int64_t>(), 2506172416);  // published 2.506B
  EXPECT_EQ(j["params"]["embedding"].get<int64_t>(), 256000LL * 2048);
  EXPECT_EQ(j["state_dtype"], "BF16");
  ASSERT_GE(j["state_bytes"].size(), 5u);
  for (const auto& row : j["state_bytes"]) {
    const int64_t n = row["tokens"].get<int64_t>();
    // 18 layers x 2 (K, V) x 1 KV head x 256 x 2 bytes = 18432 bytes per token.
    EXPECT_EQ(row["bytes"].get<int64_t>(), 18432 * n) << n;
  }
  const json g7 = info_json("builtin:gemma-7b");
  EXPECT_EQ(g7["params"]["total"].get<int64_t>(), 8537680896);  // published 8.54B
}

TEST(CliInfo, GoldenFolders) {
  RGEVAL_REQUIRE_SHARED();
  struct Want {
    const char* model;
    const char* dtype;
    const char* pattern;
    int64_t state_at_1, per_token;  // per_token 0: constant
  };
  for (const Want& w : {Want{"recurrentgemma-tiny", "F32", "RRARRA", 24576, 0},
                        Want{"recurrentgemma-tiny-bf16", "BF16", "RRARRA", 13312, 0},
                        Want{"gemma-tiny-mqa", "F32", "AAA", 768, 768},
                        Want{"gemma-tiny-mqa-bf16", "BF16", "AAA", 384, 384},
                        Want{"gemma-tiny-mha", "F32", "AA", 3072, 3072}}) {
    SCOPED_TRACE(w.model);
    const std::string dir = testing::golden(w.model);
    const json j = info_json(dir);
    EXPECT_EQ(j["model"], dir);
    EXPECT_EQ(j["block_pattern"], w.pattern);
    EXPECT_EQ(j["weight_dtype"], w.dtype);
    EXPECT_EQ(j["state_dtype"], w.dtype);
    EXPECT_EQ(j["vocab_size"], 512);
    const int64_t wb = j["weight_bytes"].get<int64_t>();
    EXPECT_EQ(wb, j["params"]["total"].get<int64_t>() * (std::string(w.dtype) == "BF16" ? 2 : 4));
    // The file holds exactly the weights plus the header.
    const auto raw = testing::raw_read(dir + "/model.safetensors");
    EXPECT_EQ(uint64_t(wb) + 8 + raw.header_len,
              std::filesystem::file_size(dir + "/model.safetensors"));
    for (const auto& row : j["state_bytes"]) {
      const int64_t n = row["tokens"].get<int64_t>();
      EXPECT_EQ(row["bytes"].get<int64_t>(), w.per_token ? w.per_token * n : w.state_at_1) << n;
    }
    const auto r = run_cli("info --model '" + dir + "'");
    EXPECT_EQ(r.code, 0) << r.err;
    EXPECT_NE(r.out.find(w.pattern), std::string::npos);
  }
  const json rg = info_json(testing::golden("recurrentgemma-tiny"));
  EXPECT_EQ(rg["attention_window"], 16);
  EXPECT_EQ(rg["mlp_width"], 384);
  EXPECT_EQ(rg["head_dim"], 64);
  const json mha = info_json(testing::golden("gemma-tiny-mha"));
  EXPECT_EQ(mha["head_dim"], 48);
  EXPECT_EQ(mha["num_kv_heads"], 4);
}

TEST(CliInfo, RuntimeErrorsExitOneWithOneLine) {
  auto check = [](const std::string& args, const std::string& needle) {
    const auto r = run_cli(args);
    EXPECT_EQ(r.code, 1) << args << "\n" << r.err;
    EXPECT_EQ(r.out, "") << args;
    EXPECT_EQ(lines(r.err), 1) << args << "\n" << r.err;
    EXPECT_EQ(r.err.rfind("rgeval: ", 0), 0u) << r.err;
    EXPECT_NE(r.err.find(needle), std::string::npos) << args << "\n" << r.err;
  };
  check("info --model /nonexistent", "/nonexistent: not a directory");
  check("info --model /nonexistent --json", "/nonexistent");
  check("info --model builtin:nope", "builtin:nope: unknown built-in model");
  TempDir t;
  testing::write_file(t.file("config.json"), "{not json");
  check("info --model " + t.path.string(), t.file("config.json") + ": not valid JSON");
  check("tokenize --tokenizer /nonexistent/tok.model --text hi",
        "/nonexistent/tok.model: tokenizer file not found");
  check("tokenize --model " + t.path.string() + " --text hi",
        t.path.string() + ": no tokenizer.model");
  testing::write_file(t.file("tokenizer.model"), std::string(300, '\x07') + "garbage");
  check("tokenize --model " + t.path.string() + " --text hi",
        t.file("tokenizer.model") + ": not a valid SentencePiece model");
}

TEST(CliInfo, BrokenCheckpointNamesFileAndTensor) {
  RGEVAL_REQUIRE_SHARED();
  TempDir t;
  testing::copy_golden_side_files("gemma-tiny-mqa", t.path.string());
  auto raw = testing::raw_read(testing::golden("gemma-tiny-mqa/model.safetensors"));
  raw.tensors.erase("model.layers.1.mlp.down_proj.weight");
  testing::write_file(t.file("model.safetensors"),
                      testing::raw_serialize(raw.tensors, raw.metadata));
  const auto r = run_cli("info --model " + t.path.string());
  EXPECT_EQ(r.code, 1);
  EXPECT_EQ(lines(r.err), 1) << r.err;
  EXPECT_NE(r.err.find(t.file("model.safetensors") +
                       ": missing tensor 'model.layers.1.mlp.down_proj.weight'"),
            std::string::npos)
      << r.err;
}

TEST(CliTokenize, GoldenHelloWorld) {
  RGEVAL_REQUIRE_SHARED();
  const json g = json::parse(testing::read_file(testing::golden("tokenizer/golden.json")));
  json want;
  for (const auto& c : g["cases"])
    if (c["text"] == "Hello world") want = c;
  ASSERT_FALSE(want.is_null());
  const auto r = run_cli("tokenize --tokenizer " + testing::golden("tokenizer/tokenizer.model") +
                         " --text 'Hello world' --json");
  ASSERT_EQ(r.code, 0) << r.err;
  const json j = json::parse(r.out);
  EXPECT_EQ(j["ids"], want["ids"]);
  EXPECT_EQ(j["pieces"], want["pieces"]);
  EXPECT_EQ(j["bos_id"], 2);
  EXPECT_EQ(j["eos_id"], 1);
  // Through a model folder, and the text form (id TAB piece per line).
  const auto m =
      run_cli("tokenize --model " + testing::golden("gemma-tiny-mqa") + " --text 'Hello world'");
  ASSERT_EQ(m.code, 0) << m.err;
  std::string expect;
  for (size_t i = 0; i < want["ids"].size(); ++i)
    expect += std::to_string(want["ids"][i].get<int>()) + "\t" +
              want["pieces"][i].get<std::string>() + "\n";
  EXPECT_EQ(m.out, expect);
}

TEST(CliTokenize, Builtin) {
  const auto r = run_cli("tokenize --model builtin:tiny-griffin --text 'Hello world' --json");
  ASSERT_EQ(r.code, 0) << r.err;
  const json j = json::parse(r.out);
  ASSERT_FALSE(j["ids"].empty());
  EXPECT_EQ(j["ids"].size(), j["pieces"].size());
  EXPECT_EQ(j["bos_id"], 2);
  const auto e = run_cli("tokenize --model builtin:tiny-griffin --text ''");
  EXPECT_EQ(e.code, 0) << e.err;
  EXPECT_EQ(e.out, "");
}

}  // namespace
}  // namespace rgeval
