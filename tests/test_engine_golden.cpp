// The engine against the official reference implementations' outputs (../shared/golden).
#include <cmath>

#include "engine/checkpoint.h"
#include "engine/compute.h"
#include "engine/model.h"
#include "engine/model_spec.h"
#include "tests/golden.h"

namespace rgeval {
namespace {

using testing::Golden;

class GoldenModel : public ::testing::TestWithParam<std::string> {
 protected:
  void SetUp() override {
    RGEVAL_REQUIRE_SHARED();
    g = std::make_unique<Golden>(GetParam());
    ck = std::make_unique<Checkpoint>(load_model(g->dir));
    EngineOptions o;
    o.dtype = "f32";
    o.prefill_chunk = 32;  // several chunks on the longer sequences
    model = std::make_unique<Model>(*ck, o);
  }
  std::unique_ptr<Golden> g;
  std::unique_ptr<Checkpoint> ck;
  std::unique_ptr<Model> model;
};

TEST_P(GoldenModel, FullSequenceLogits) {
  for (const auto& seq : g->j.at("full_sequence")) {
    const auto tokens = seq.at("tokens").get<std::vector<int>>();
    const auto want = g->array(seq.at("logits").get<std::string>());
    std::vector<float> got(want.size());
    State s = model->new_state();
    model->forward(s, tokens, 0, got.data());
    const double d = testing::max_abs_diff(got.data(), want.data(), want.size());
    std::printf("  %s %s: max |d logit| %.2e\n", GetParam().c_str(), seq.at("name").get<std::string>().c_str(), d);
    EXPECT_LE(d, g->tolerance()) << seq.at("name");
  }
}

TEST_P(GoldenModel, DecodePathLogits) {
  const int V = model->vocab();
  for (const auto& sc : g->j.at("decode")) {
    const auto tokens = sc.at("tokens").get<std::vector<int>>();
    const int P = sc.at("prompt_len").get<int>(), D = sc.at("decode_steps").get<int>();
    const auto want = g->array(sc.at("logits").get<std::string>());
    ASSERT_EQ(want.size(), size_t(D + 1) * V);
    std::vector<float> got(want.size());
    State s = model->new_state();
    model->prefill(s, std::span<const int>(tokens.data(), size_t(P)), got.data());
    for (int j = 1; j <= D; ++j) {
      State* sp = &s;
      model->decode({&sp, 1}, std::span<const int>(&tokens[size_t(P - 1 + j)], 1), got.data() + size_t(j) * V);
    }
    const double d = testing::max_abs_diff(got.data(), want.data(), want.size());
    std::printf("  %s %s: max |d logit| %.2e\n", GetParam().c_str(), sc.at("name").get<std::string>().c_str(), d);
    EXPECT_LE(d, g->tolerance()) << sc.at("name");
  }
}

TEST_P(GoldenModel, GreedyGeneration) {
  const int V = model->vocab();
  for (const auto& gr : g->j.at("greedy")) {
    const auto prompt = gr.at("prompt_ids").get<std::vector<int>>();
    const auto want = gr.at("generated_ids").get<std::vector<int>>();
    State s = model->new_state();
    std::vector<float> logits(static_cast<size_t>(V));
    model->prefill(s, prompt, logits.data());
    std::vector<int> got;
    for (size_t i = 0; i < want.size(); ++i) {
      const int next = argmax(logits.data(), V);
      got.push_back(next);
      State* sp = &s;
      model->decode({&sp, 1}, std::span<const int>(&next, 1), logits.data());
    }
    EXPECT_EQ(got, want) << gr.at("prompt_text");
  }
}

TEST_P(GoldenModel, StateBytes) {
  // (tokens, dtype, golden bytes); the engine's formula and a real State after a prefill.
  std::vector<std::tuple<int64_t, DType, int64_t>> rows;
  const auto& sb = g->j.at("state_bytes");
  if (ck->config.arch == Arch::Griffin) {
    for (const auto& r : sb.at("fp32_model"))
      rows.emplace_back(r.at("tokens_processed").get<int64_t>(), DType::F32,
                        r.at("total_state_bytes_excluding_num_tokens").get<int64_t>());
    const auto& pl = sb.at("bf16_model_per_layer");
    const int64_t bf16_total =
        ck->config.count(BlockType::Recurrent) *
            (pl.at("recurrent").at("conv1d_state_bytes").get<int64_t>() +
             pl.at("recurrent").at("rg_lru_state_bytes").get<int64_t>()) +
        ck->config.count(BlockType::Attention) * pl.at("attention").at("kv_bytes_per_layer").get<int64_t>();
    rows.emplace_back(40, DType::BF16, bf16_total);
  } else {
    for (const auto& r : sb.at("rows")) {
      const int64_t n = r.at("tokens_processed").get<int64_t>();
      rows.emplace_back(n, DType::F32, r.at("kv_bytes_total_fp32").get<int64_t>());
      rows.emplace_back(n, DType::BF16, r.at("kv_bytes_total_bf16").get<int64_t>());
    }
  }
  ASSERT_GE(rows.size(), 4u);
  for (const auto& [n, dt, want] : rows) {
    EXPECT_EQ(state_bytes(ck->config, dt, n), want) << n << " tokens, " << dtype_name(dt);
    if (dt == DType::F32) {
      State s = model->new_state();
      std::vector<int> toks(size_t(n), 7);
      toks[0] = 2;
      model->forward(s, toks, toks.size(), nullptr);
      EXPECT_EQ(s.bytes(), want) << n << " tokens after a prefill";
    }
  }
}

// bf16 weights x bf16 activations (f32 accumulation, f32 everywhere else): close to the fp32
// reference, within the README's bound for native bf16 compute (~1.1 RG / ~0.32 Gemma).
TEST_P(GoldenModel, Bf16ComputeIsClose) {
  if (!cpu_has_bf16()) GTEST_SKIP() << "no native bf16 on this CPU";
  EngineOptions o;
  o.dtype = "bf16";
  const Model m(*ck, o);
  const auto& seq = g->j.at("full_sequence")[2];
  const auto tokens = seq.at("tokens").get<std::vector<int>>();
  const auto want = g->array(seq.at("logits").get<std::string>());
  std::vector<float> got(want.size());
  State s = m.new_state();
  m.forward(s, tokens, 0, got.data());
  double sum = 0;
  for (size_t i = 0; i < got.size(); ++i) sum += std::abs(got[i] - want[i]);
  const double bound = 1.5 * (ck->config.arch == Arch::Griffin ? 1.1 : 0.32);
  const double d = testing::max_abs_diff(got.data(), want.data(), want.size());
  std::printf("  %s bf16 compute: max |d logit| %.3f, mean %.4f\n", GetParam().c_str(), d, sum / double(got.size()));
  EXPECT_LE(d, bound);
  EXPECT_LE(sum / double(got.size()), bound / 10);
}

INSTANTIATE_TEST_SUITE_P(Shared, GoldenModel, ::testing::ValuesIn(testing::golden_models()),
                         [](const auto& info) {
                           std::string n = info.param;
                           for (auto& c : n) if (c == '-') c = '_';
                           return n;
                         });

}  // namespace
}  // namespace rgeval
