// Scoring, forks, generation and the small-M kernel, on golden and built-in models.
#include <cmath>
#include <random>

#include "engine/builtin.h"
#include "engine/compute.h"
#include "engine/error.h"
#include "engine/generate.h"
#include "engine/linear.h"
#include "engine/model_spec.h"
#include "engine/scoring.h"
#include "tests/golden.h"

namespace rgeval {
namespace {

std::unique_ptr<Model> load_f32(const Checkpoint& ck) {
  EngineOptions o;
  o.dtype = "f32";
  return std::make_unique<Model>(ck, o);
}

TEST(Scoring, GoldenLoglikelihoodRequests) {
  RGEVAL_REQUIRE_SHARED();
  for (const auto& name : testing::golden_models()) {
    testing::Golden g(name);
    const Checkpoint ck = load_model(g.dir);
    const auto m = load_f32(ck);
    std::vector<ScoreRequest> reqs;
    for (const auto& r : g.j.at("loglikelihood").at("requests"))
      reqs.push_back(
          {r.at("context").get<std::vector<int>>(), r.at("continuation").get<std::vector<int>>()});
    ASSERT_EQ(reqs.size(), 14u);
    for (bool share : {true, false}) {
      ScoreOptions so;
      so.share_prefixes = share;
      const auto res = score(*m, reqs, so);
      double worst = 0;
      for (size_t i = 0; i < reqs.size(); ++i) {
        const auto& want = g.j.at("loglikelihood").at("requests")[i];
        const double tol = g.tolerance() * double(reqs[i].continuation.size());
        const double d = std::abs(res[i].sum_logprob - want.at("sum_logprob").get<double>());
        worst = std::max(worst, d);
        EXPECT_LE(d, tol) << name << " request " << i;
        EXPECT_EQ(res[i].is_greedy, want.at("is_greedy").get<bool>()) << name << " request " << i;
      }
      std::printf("  %s share=%d: max |d sum_logprob| %.2e\n", name.c_str(), int(share), worst);
    }
  }
}

// Requests that share long prefixes: the shared path must give the naive path's numbers
// while forwarding fewer tokens.
TEST(Scoring, ForkedPrefixesEqualRecomputation) {
  for (const char* name : {"builtin:tiny-griffin", "builtin:tiny-gemma"}) {
    const Checkpoint ck = load_model(name);
    const auto m = load_f32(ck);
    std::mt19937 rng(7);
    std::uniform_int_distribution<int> tok(7, 500);
    std::vector<int> shared(70);  // longer than tiny-griffin's window (32)
    for (auto& t : shared) t = tok(rng);
    shared[0] = 2;
    std::vector<ScoreRequest> reqs;
    for (int q = 0; q < 3; ++q) {
      std::vector<int> ctx = shared;
      for (int i = 0; i < 5 + q; ++i) ctx.push_back(tok(rng));
      for (int c = 0; c < 4; ++c) {
        std::vector<int> cont;
        for (int i = 0; i <= c; ++i) cont.push_back(tok(rng));
        reqs.push_back({ctx, cont});
      }
    }
    ScoreStats shared_st, naive_st;
    ScoreOptions naive;
    naive.share_prefixes = false;
    const auto a = score(*m, reqs, {}, &shared_st);
    const auto b = score(*m, reqs, naive, &naive_st);
    for (size_t i = 0; i < reqs.size(); ++i) {
      EXPECT_NEAR(a[i].sum_logprob, b[i].sum_logprob, 1e-3) << name << " " << i;
      EXPECT_EQ(a[i].is_greedy, b[i].is_greedy);
      ASSERT_EQ(a[i].token_logprobs.size(), reqs[i].continuation.size());
    }
    EXPECT_EQ(naive_st.tokens_forwarded, naive_st.tokens_naive);
    EXPECT_LT(shared_st.tokens_forwarded * 3, naive_st.tokens_forwarded) << name;
  }
}

// Contexts A = P+X+Y1, B = P+X+Y2, C = P+Z: B resumes from P+X, C from P (a stack of prefixes),
// so exactly |P+X+Y1| + |Y2| + |Z| tokens are forwarded.
TEST(Scoring, NestedSharedPrefixesAreComputedOnce) {
  const Checkpoint ck = load_model("builtin:tiny-griffin");
  const auto m = load_f32(ck);
  auto run = [](int first, int n) {
    std::vector<int> v;
    for (int i = 0; i < n; ++i) v.push_back(first + i);
    return v;
  };
  auto cat = [](std::vector<int> a, const std::vector<int>& b) {
    a.insert(a.end(), b.begin(), b.end());
    return a;
  };
  std::vector<int> P = cat({2}, run(100, 69)), X = run(10, 10), Z = run(400, 6);
  const std::vector<ScoreRequest> reqs = {
      {cat(P, Z), {7}}, {cat(cat(P, X), run(30, 5)), {8}}, {cat(cat(P, X), run(20, 5)), {9}}};
  ScoreStats st, naive_st;
  ScoreOptions naive;
  naive.share_prefixes = false;
  const auto a = score(*m, reqs, {}, &st);
  const auto b = score(*m, reqs, naive, &naive_st);
  EXPECT_EQ(st.tokens_forwarded, 85 + 5 + 6);
  EXPECT_EQ(naive_st.tokens_forwarded, 76 + 85 + 85);
  for (size_t i = 0; i < reqs.size(); ++i) EXPECT_NEAR(a[i].sum_logprob, b[i].sum_logprob, 1e-3);
}

TEST(Scoring, ForkedStateContinuesLikeTheOriginal) {
  const Checkpoint ck = load_model("builtin:tiny-griffin");
  const auto m = load_f32(ck);
  std::vector<int> prompt = {2, 40, 41, 42, 43, 44, 45, 46, 47, 48};
  State s = m->new_state();
  m->forward(s, prompt, prompt.size(), nullptr);
  State fork = s;
  const std::vector<int> more = {50, 51, 52};
  std::vector<float> a(3 * 512), b(3 * 512);
  m->forward(s, more, 0, a.data());
  m->forward(fork, more, 0, b.data());
  EXPECT_EQ(a, b);
  EXPECT_EQ(s.bytes(), fork.bytes());
}

TEST(Scoring, RejectsEmptyContinuation) {
  const Checkpoint ck = load_model("builtin:tiny-gemma");
  const auto m = load_f32(ck);
  std::vector<ScoreRequest> reqs = {{{2, 5}, {}}};
  EXPECT_THROW(score(*m, reqs), Error);
}

TEST(Generation, GreedyMatchesArgmaxAndStopsAtEos) {
  const Checkpoint ck = load_model("builtin:tiny-gemma");
  const auto m = load_f32(ck);
  SamplingOptions o;
  o.max_new_tokens = 12;
  const std::vector<int> prompt = {2, 100, 101};
  const Generation g = generate(*m, prompt, o);
  ASSERT_EQ(g.ids.size(), 12u);
  EXPECT_EQ(g.stop_reason, "max_new_tokens");
  // The same ids step by step.
  State s = m->new_state();
  std::vector<float> logits(512);
  m->prefill(s, prompt, logits.data());
  for (int id : g.ids) {
    EXPECT_EQ(argmax(logits.data(), 512), id);
    State* sp = &s;
    m->decode({&sp, 1}, std::span<const int>(&id, 1), logits.data());
  }
  // Declaring a later generated token (not seen before it) a stop id stops right before it.
  size_t k = 1;
  while (k < g.ids.size() && std::count(g.ids.begin(), g.ids.begin() + int64_t(k), g.ids[k])) ++k;
  ASSERT_LT(k, g.ids.size());
  o.stop_ids = {g.ids[k]};
  const Generation stopped = generate(*m, prompt, o);
  EXPECT_EQ(stopped.stop_reason, "eos");
  EXPECT_EQ(stopped.ids, std::vector<int>(g.ids.begin(), g.ids.begin() + int64_t(k)));
}

TEST(Generation, SamplingIsSeededAndRespectsTopK) {
  std::vector<float> logits = {0.f, 5.f, 4.9f, -3.f, 4.8f};
  SamplingOptions o;
  o.temperature = 1.f;
  o.top_k = 2;
  uint64_t a = 42, b = 42;
  std::vector<int> seen(5);
  for (int i = 0; i < 200; ++i) {
    const int x = sample_token(logits.data(), 5, o, a);
    EXPECT_EQ(x, sample_token(logits.data(), 5, o, b));
    ++seen[size_t(x)];
  }
  EXPECT_EQ(seen[0] + seen[3] + seen[4], 0);
  EXPECT_GT(seen[1], 50);
  EXPECT_GT(seen[2], 50);
  o.top_k = 0;
  o.top_p = 0.3f;  // only the most likely token carries 30 % of the mass
  for (int i = 0; i < 50; ++i) EXPECT_EQ(sample_token(logits.data(), 5, o, a), 1);
}

// The hand-written small-M kernel against oneDNN on odd shapes, f32 and bf16.
TEST(Linear, GemvMatchesOneDnn) {
  std::mt19937 rng(1);
  std::uniform_real_distribution<float> u(-1.f, 1.f);
  for (DType dt : {DType::F32, DType::BF16}) {
    if (dt == DType::BF16 && !cpu_has_bf16()) continue;
    for (auto [N, K] :
         std::vector<std::pair<int, int>>{{64, 128}, {100, 130}, {32, 48}, {384, 256}}) {
      std::vector<float> w(static_cast<size_t>(N) * K), b(static_cast<size_t>(N));
      for (auto& x : w) x = u(rng);
      for (auto& x : b) x = u(rng);
      TensorView wv{DType::F32, {N, K}, reinterpret_cast<const std::byte*>(w.data()), w.size() * 4};
      TensorView bv{DType::F32, {N}, reinterpret_cast<const std::byte*>(b.data()), b.size() * 4};
      const Linear l(wv, &bv, dt);
      if (l.gemv_max_rows() == 0) continue;
      for (int M : {1, 3, 4, 5, 9}) {
        std::vector<float> x(size_t(M) * K), y1(size_t(M) * N), y2(y1.size());
        for (auto& v : x) v = u(rng);
        l.forward(x.data(), y1.data(), M, MatmulPath::Dnnl);
        l.forward(x.data(), y2.data(), M, MatmulPath::Gemv);
        const double tol = dt == DType::F32 ? 1e-4 : 2e-2;
        EXPECT_LE(testing::max_abs_diff(y1.data(), y2.data(), y1.size()), tol)
            << dtype_name(dt) << " N=" << N << " K=" << K << " M=" << M;
      }
      // The packed layout still yields the original rows (tied embedding lookup).
      std::vector<float> row(static_cast<size_t>(K));
      l.row(N - 1, row.data());
      for (int k = 0; k < K; ++k)
        EXPECT_NEAR(row[size_t(k)], w[size_t(N - 1) * K + k], dt == DType::F32 ? 0.f : 1e-2f);
    }
  }
}

// A product longer than Linear::kSliceK is held as K slices whose partial sums are added: the
// result equals the direct product (odd K, bias, every path, the embedding-row lookup).
TEST(Linear, KSlicesSumLikeOneProduct) {
  std::mt19937 rng(2);
  std::uniform_real_distribution<float> u(-1.f, 1.f);
  const int N = 72, K = 2 * Linear::kSliceK + 333;
  std::vector<float> w(size_t(N) * K), b(static_cast<size_t>(N));
  for (auto& x : w) x = u(rng);
  for (auto& x : b) x = u(rng);
  TensorView wv{DType::F32, {N, K}, reinterpret_cast<const std::byte*>(w.data()), w.size() * 4};
  TensorView bv{DType::F32, {N}, reinterpret_cast<const std::byte*>(b.data()), b.size() * 4};
  for (DType dt : {DType::F32, DType::BF16}) {
    if (dt == DType::BF16 && !cpu_has_bf16()) continue;
    const Linear l(wv, &bv, dt);
    ASSERT_EQ(l.k_slices().size(), 3u);
    EXPECT_EQ(l.in(), K);
    size_t bytes = 0;
    for (const auto& s : l.k_slices()) bytes += s.weight_bytes();
    EXPECT_EQ(l.weight_bytes(), bytes);
    const auto r = [&](float x) {
      return dt == DType::F32 ? double(x) : double(bf16_to_f32(f32_to_bf16(x)));
    };
    for (int M : {1, 3, 40}) {
      std::vector<float> x(size_t(M) * K), y(size_t(M) * N);
      for (auto& v : x) v = u(rng);
      for (MatmulPath path : {MatmulPath::Auto, MatmulPath::Dnnl}) {
        l.forward(x.data(), y.data(), M, path);
        double err = 0;
        for (int m = 0; m < M; ++m)
          for (int n = 0; n < N; ++n) {
            double want = b[size_t(n)];
            for (int k = 0; k < K; ++k) want += r(x[size_t(m) * K + k]) * r(w[size_t(n) * K + k]);
            err = std::max(err, std::abs(want - double(y[size_t(m) * N + n])));
          }
        EXPECT_LT(err, 2e-3) << dtype_name(dt) << " M=" << M;  // sums of 8525 products ~ +-50
      }
    }
    std::vector<float> row(static_cast<size_t>(K));
    l.row(N - 1, row.data());
    for (int k = 0; k < K; ++k) ASSERT_EQ(row[size_t(k)], float(r(w[size_t(N - 1) * K + k]))) << k;
  }
}

}  // namespace
}  // namespace rgeval

namespace rgeval {
namespace {

// A decode batch of sequences at different positions gives each sequence's own logits.
TEST(BatchDecode, EqualsOneSequenceAtATime) {
  for (const char* name : {"builtin:tiny-griffin", "builtin:tiny-gemma"}) {
    const Checkpoint ck = load_model(name);
    const auto m = load_f32(ck);
    const int V = m->vocab();
    std::vector<State> batch, single;
    for (int i = 0; i < 3; ++i) {
      std::vector<int> prompt(size_t(5 + 20 * i), 9 + i);  // 5, 25, 45 tokens (window 32)
      prompt[0] = 2;
      State s = m->new_state();
      m->forward(s, prompt, prompt.size(), nullptr);
      batch.push_back(s);
      single.push_back(s);
    }
    const std::vector<int> next = {30, 31, 32};
    std::vector<float> got(3 * size_t(V)), want(got.size());
    std::vector<State*> ptrs = {&batch[0], &batch[1], &batch[2]};
    for (int step = 0; step < 3; ++step) {
      m->decode(ptrs, next, got.data());
      for (size_t i = 0; i < 3; ++i) {
        State* sp = &single[i];
        m->decode({&sp, 1}, std::span<const int>(&next[i], 1), want.data() + i * size_t(V));
      }
      EXPECT_LE(testing::max_abs_diff(got.data(), want.data(), got.size()), 1e-4)
          << name << " step " << step;
    }
  }
}

TEST(State, SyntheticFillHasTheShapeOfARealOne) {
  for (const char* name : {"builtin:tiny-griffin", "builtin:tiny-gemma"}) {
    const Checkpoint ck = load_model(name);
    const auto m = load_f32(ck);
    State real = m->new_state(), synth = m->new_state();
    std::vector<int> prompt(100, 11);
    prompt[0] = 2;
    m->forward(real, prompt, prompt.size(), nullptr);
    fill_synthetic(synth, 100);
    EXPECT_EQ(synth.pos, real.pos);
    EXPECT_EQ(synth.bytes(), real.bytes()) << name;
    EXPECT_EQ(synth.bytes(), state_bytes(ck.config, DType::F32, 100));
    std::vector<float> logits(512);
    State* sp = &synth;
    const int tok = 5;
    m->decode({&sp, 1}, std::span<const int>(&tok, 1), logits.data());  // decodes from there
    EXPECT_EQ(synth.pos, 101);
  }
}

}  // namespace
}  // namespace rgeval
