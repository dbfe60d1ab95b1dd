// `rgeval logits`, `generate` and `score` end to end against the golden files.
#include <nlohmann/json.hpp>

#include "tests/golden.h"

namespace rgeval {
namespace {

using testing::run_cli;

std::string join(const std::vector<int>& ids) {
  std::string s;
  for (size_t i = 0; i < ids.size(); ++i) {
    if (i) s += ',';
    s += std::to_string(ids[i]);
  }
  return s;
}

// Both paths of `rgeval logits`: one prefill, and prefill P then one decode step per token.
TEST(CliEngine, LogitsBothPathsMatchGolden) {
  RGEVAL_REQUIRE_SHARED();
  for (const char* name : {"recurrentgemma-tiny", "gemma-tiny-mqa-bf16"}) {
    testing::Golden g(name);
    const auto& sc = g.j.at("decode")[0];
    const auto tokens = sc.at("tokens").get<std::vector<int>>();
    const int P = sc.at("prompt_len").get<int>();
    const auto want = g.array(sc.at("logits").get<std::string>());  // rows P-1..T-1
    for (int prefill : {0, P}) {
      std::string args = "logits --dtype f32 --threads 1 --model " + g.dir + " --ids " + join(tokens);
      if (prefill) args += " --prefill " + std::to_string(prefill);
      const auto r = run_cli(args);
      ASSERT_EQ(r.code, 0) << r.err;
      const auto j = nlohmann::json::parse(r.out);
      ASSERT_EQ(j.at("shape")[0].get<size_t>(), tokens.size());
      ASSERT_EQ(j.at("shape")[1].get<int>(), 512);
      double worst = 0;
      for (size_t row = size_t(P - 1); row < tokens.size(); ++row)
        for (int v = 0; v < 512; ++v)
          worst = std::max(worst, std::abs(j.at("logits")[row][size_t(v)].get<double>() -
                                           double(want[(row - size_t(P - 1)) * 512 + size_t(v)])));
      EXPECT_LE(worst, g.tolerance()) << name << " prefill=" << prefill;
    }
  }
}

TEST(CliEngine, GenerateReproducesGoldenGreedyIds) {
  RGEVAL_REQUIRE_SHARED();
  testing::Golden g("recurrentgemma-tiny");
  const auto& gr = g.j.at("greedy")[0];
  const auto r = run_cli("generate --dtype f32 --threads 1 --model " + g.dir + " --prompt '" +
                         gr.at("prompt_text").get<std::string>() + "' --max-new-tokens 40 --no-stop --json");
  ASSERT_EQ(r.code, 0) << r.err;
  const auto j = nlohmann::json::parse(r.out);
  EXPECT_EQ(j.at("prompt_ids").get<std::vector<int>>(), gr.at("prompt_ids").get<std::vector<int>>());
  EXPECT_EQ(j.at("ids").get<std::vector<int>>(), gr.at("generated_ids").get<std::vector<int>>());
}

TEST(CliEngine, ScoreIdsAndTextRequests) {
  RGEVAL_REQUIRE_SHARED();
  testing::Golden g("gemma-tiny-mqa");
  testing::TempDir t;
  std::string lines;
  const auto& reqs = g.j.at("loglikelihood").at("requests");
  for (size_t i = 0; i < 3; ++i)
    lines += nlohmann::json({{"context_ids", reqs[i].at("context")}, {"continuation_ids", reqs[i].at("continuation")}}).dump() + "\n";
  lines += R"({"context": "Question: 2+2?\nAnswer:", "continuation": " 4"})" "\n";
  testing::write_file(t.file("r.jsonl"), lines);
  const auto r = run_cli("score --dtype f32 --threads 1 --model " + g.dir + " --requests " + t.file("r.jsonl"));
  ASSERT_EQ(r.code, 0) << r.err;
  std::istringstream out(r.out);
  std::string line;
  size_t i = 0;
  while (std::getline(out, line)) {
    const auto j = nlohmann::json::parse(line);
    if (i < 3) {
      EXPECT_NEAR(j.at("sum_logprob").get<double>(), reqs[i].at("sum_logprob").get<double>(),
                  2e-4 * double(reqs[i].at("continuation").size()));
      EXPECT_EQ(j.at("n_context_tokens").get<size_t>(), reqs[i].at("context").size());
    } else {
      EXPECT_LT(j.at("sum_logprob").get<double>(), 0.0);
      EXPECT_GE(j.at("n_continuation_tokens").get<int>(), 1);
    }
    ++i;
  }
  EXPECT_EQ(i, 4u);
}

TEST(CliEngine, BadInputGivesOneLineErrors) {
  auto r = run_cli("logits --model builtin:tiny-gemma --ids 2,x,5");
  EXPECT_EQ(r.code, 1);
  EXPECT_NE(r.err.find("--ids: 'x' is not a token id"), std::string::npos) << r.err;
  r = run_cli("logits --model builtin:tiny-gemma --ids 2,600");
  EXPECT_EQ(r.code, 1);
  EXPECT_NE(r.err.find("token id 600 outside the vocabulary"), std::string::npos) << r.err;
  r = run_cli("logits --model builtin:no-such --ids 2");
  EXPECT_EQ(r.code, 1);
  EXPECT_NE(r.err.find("unknown built-in model"), std::string::npos) << r.err;
  testing::TempDir t;
  testing::write_file(t.file("bad.jsonl"), "{\"context\": 1}\n");
  r = run_cli("score --model builtin:tiny-gemma --requests " + t.file("bad.jsonl"));
  EXPECT_EQ(r.code, 1);
  EXPECT_NE(r.err.find("bad.jsonl:1"), std::string::npos) << r.err;
  r = run_cli("generate --model builtin:tiny-gemma");
  EXPECT_EQ(r.code, 2);
}

}  // namespace
}  // namespace rgeval
