// Side-by-side studies (sidebyside/): statistics on hand-computed and textbook cases, the
// AlpacaEval convention on the shared judgments, importers, ratings, the web app's security
// properties, and a concurrency + kill -9 durability test of `rgeval sxs serve`.
#include <httplib.h>
#include <signal.h>
#include <sys/wait.h>

#include <atomic>
#include <cmath>
#include <map>
#include <mutex>
#include <set>
#include <thread>

#include "engine/error.h"
#include "sidebyside/agreement.h"
#include "sidebyside/alpaca_convention.h"
#include "sidebyside/assignment.h"
#include "sidebyside/bootstrap.h"
#include "sidebyside/bradley_terry.h"
#include "sidebyside/comparisons.h"
#include "sidebyside/html.h"
#include "sidebyside/judgments_import.h"
#include "sidebyside/position_bias.h"
#include "sidebyside/prompts_import.h"
#include "sidebyside/raters.h"
#include "sidebyside/ratings.h"
#include "sidebyside/responses_import.h"
#include "sidebyside/results.h"
#include "sidebyside/server.h"
#include "sidebyside/study_db.h"
#include "sidebyside/terminal_rate.h"
#include "sidebyside/win_rate.h"
#include "tests/testing.h"

namespace sxs = rgeval::sidebyside;
using rgeval::testing::TempDir;
using rgeval::testing::write_file;

namespace {

// prefix + number (not `"p" + std::to_string(i)`, on which GCC 12 -O3 warns falsely: -Wrestrict).
std::string name(const char* prefix, long n) {
  std::string s = prefix;
  s += std::to_string(n);
  return s;
}

sxs::Comparison cmp(const std::string& prompt, const std::string& a, const std::string& b,
                    double score_a, const std::string& rater = "r", int a_left = -1) {
  sxs::Comparison c;
  c.source = "ratings";
  c.prompt = prompt;
  c.unit = prompt + "|" + std::min(a, b) + "|" + std::max(a, b);
  c.a = a;
  c.b = b;
  c.score_a = score_a;
  c.rater = rater;
  c.a_left = a_left;
  return c;
}

// A study with `n_prompts` JSONL prompts answered by two systems, X's answer containing markup.
struct Study {
  TempDir dir;
  std::string db_path;
  std::string admin;
  Study(int n_prompts, int scale = 5) {
    db_path = dir.file("study.db");
    std::string prompts, responses;
    for (int i = 0; i < n_prompts; ++i) {
      const std::string id = name("p", i);
      prompts += R"({"id":")" + id + R"(","category":")" + (i % 2 ? "coding" : "writing") +
                 R"(","prompt":"Question )" + std::to_string(i) + "\"}\n";
      responses += R"({"prompt_id":")" + id +
                   R"(","system":"sysX","response":"<script>alert(1)</script> X)" +
                   std::to_string(i) + "\"}\n";
      responses += R"({"prompt_id":")" + id + R"(","system":"sysY","response":"plain Y)" +
                   std::to_string(i) + "\"}\n";
    }
    write_file(dir.file("prompts.jsonl"), prompts);
    write_file(dir.file("responses.jsonl"), responses);
    rgeval::store::Db db(db_path);
    admin = sxs::create_study(db, "Test study", scale, 42).admin_token;
    sxs::store_prompts(db, sxs::read_prompts(dir.file("prompts.jsonl"), "jsonl"));
    sxs::import_responses(db, dir.file("responses.jsonl"));
  }
};

}  // namespace

// ---------------------------------------------------------------- statistics

TEST(SxsStats, WinRateTiesAsHalfAndWilson) {
  std::vector<sxs::Comparison> rows;
  for (int i = 0; i < 3; ++i) rows.push_back(cmp(name("p", i), "A", "B", 1));
  rows.push_back(cmp("p3", "B", "A", 0.5));  // the pair in the other order
  rows.push_back(cmp("p4", "A", "B", 0.5));
  rows.push_back(cmp("p5", "B", "A", 1));  // a loss of A
  rows.push_back(cmp("p6", "A", "C", 1));  // another pair: ignored
  const auto w = sxs::win_rate(rows, "A", "B", {});
  EXPECT_EQ(w.n, 6u);
  EXPECT_EQ(w.wins, 3u);
  EXPECT_EQ(w.ties, 2u);
  EXPECT_EQ(w.losses, 1u);
  EXPECT_DOUBLE_EQ(w.win_rate, 4.0 / 6.0);
  // Wilson for k = 4 of n = 6 by hand: p = 2/3, z² = 3.8415, centre = (p + z²/12)/(1 + z²/6),
  // half = z/(1 + z²/6)·sqrt(p(1-p)/6 + z²/144)
  const double z = 1.959963984540054, p = 4.0 / 6, zz = z * z;
  const double centre = (p + zz / 12) / (1 + zz / 6),
               half = z / (1 + zz / 6) * std::sqrt(p * (1 - p) / 6 + zz / 144);
  EXPECT_NEAR(w.wilson.lo, centre - half, 1e-12);
  EXPECT_NEAR(w.wilson.hi, centre + half, 1e-12);
  EXPECT_NEAR(w.wilson.lo, 0.2999, 1e-3);
  EXPECT_NEAR(w.wilson.hi, 0.9032, 1e-3);
}

TEST(SxsStats, BootstrapDeterministicForASeed) {
  std::vector<sxs::Comparison> rows;
  for (int i = 0; i < 40; ++i)
    rows.push_back(cmp(name("p", i), "A", "B", i % 3 == 0 ? 0.0 : i % 3 == 1 ? 0.5 : 1.0));
  sxs::BootstrapOptions o;
  o.samples = 500;
  o.seed = 7;
  const auto a = sxs::win_rate(rows, "A", "B", o), b = sxs::win_rate(rows, "A", "B", o);
  EXPECT_EQ(a.boot_lo, b.boot_lo);
  EXPECT_EQ(a.boot_hi, b.boot_hi);
  EXPECT_LT(a.boot_lo, a.win_rate);
  EXPECT_GT(a.boot_hi, a.win_rate);
  o.seed = 8;
  const auto c = sxs::win_rate(rows, "A", "B", o);
  EXPECT_TRUE(c.boot_lo != a.boot_lo || c.boot_hi != a.boot_hi);
  // The generator itself: the first outputs of splitmix64 from seed 0 (reference values).
  sxs::SplitMix64 g(0);
  EXPECT_EQ(g.next(), 0xe220a8397b1dcdafULL);
  EXPECT_EQ(g.next(), 0x6e789e6aa1b965f4ULL);
}

TEST(SxsStats, BootstrapResamplesPromptsNotRatings) {
  // Two prompts, ten ratings each: all wins on one, all losses on the other. Resampling prompts
  // gives 0, 1/2 or 1: the interval is [0, 1]; resampling the 20 ratings would give about ±0.22.
  std::vector<sxs::Comparison> rows;
  for (int r = 0; r < 10; ++r) {
    rows.push_back(cmp("win", "A", "B", 1, name("r", r)));
    rows.push_back(cmp("loss", "A", "B", 0, name("r", r)));
  }
  const auto w = sxs::win_rate(rows, "A", "B", {});
  EXPECT_EQ(w.prompts, 2u);
  EXPECT_DOUBLE_EQ(w.win_rate, 0.5);
  EXPECT_DOUBLE_EQ(w.boot_lo, 0.0);
  EXPECT_DOUBLE_EQ(w.boot_hi, 1.0);
}

TEST(SxsStats, PercentileInterval) {
  const auto [lo, hi] =
      sxs::percentile_interval({5, 1, 4, 2, 3}, 0.5);  // numpy.percentile(.., [25, 75]) = 2, 4
  EXPECT_DOUBLE_EQ(lo, 2);
  EXPECT_DOUBLE_EQ(hi, 4);
  const auto [l2, h2] = sxs::percentile_interval({0, 10}, 0.9);  // 5th, 95th: 0.5, 9.5
  EXPECT_DOUBLE_EQ(l2, 0.5);
  EXPECT_DOUBLE_EQ(h2, 9.5);
}

TEST(SxsStats, BinomialTestAndPositionBias) {
  EXPECT_NEAR(sxs::binomial_test_two_sided(2, 10), 112.0 / 1024, 1e-12);  // 2·(1+10+45)/2^10
  EXPECT_NEAR(sxs::binomial_test_two_sided(5, 10), 1.0, 1e-12);
  EXPECT_NEAR(sxs::binomial_test_two_sided(0, 5), 2.0 / 32, 1e-12);
  std::vector<sxs::Comparison> rows;
  // 8 decided ratings, left won 7 (a on the left and winning, or b on the left and winning), 1 tie.
  for (int i = 0; i < 4; ++i) rows.push_back(cmp("p", "A", "B", 1, "r", 1));
  for (int i = 0; i < 3; ++i) rows.push_back(cmp("p", "A", "B", 0, "r", 0));
  rows.push_back(cmp("p", "A", "B", 0, "r", 1));
  rows.push_back(cmp("p", "A", "B", 0.5, "r", 1));
  rows.push_back(cmp("p", "A", "B", 1, "r", -1));  // unknown sides: not counted
  const auto pb = sxs::position_bias(rows);
  EXPECT_EQ(pb.decided, 8u);
  EXPECT_EQ(pb.left_wins, 7u);
  EXPECT_EQ(pb.ties, 1u);
  EXPECT_DOUBLE_EQ(pb.left_rate, 7.0 / 8);
  EXPECT_NEAR(pb.p_value, 2.0 * 9 / 256, 1e-12);  // 2·(1+8)/2^8
}

TEST(SxsStats, CohenKappaTextbook) {
  // Wikipedia's example: 50 proposals, both yes 20, A yes B no 5, A no B yes 10, both no 15: κ =
  // 0.4.
  std::vector<int> a, b;
  auto add = [&](int x, int y, int n) {
    for (int i = 0; i < n; ++i) a.push_back(x), b.push_back(y);
  };
  add(0, 0, 20);
  add(0, 1, 5);
  add(1, 0, 10);
  add(1, 1, 15);
  EXPECT_NEAR(sxs::cohen_kappa(a, b, 2), 0.4, 1e-12);
}

TEST(SxsStats, FleissKappaTextbook) {
  // Fleiss (1971) as on Wikipedia: 10 subjects, 14 raters, 5 categories: κ = 0.210. By hand:
  // Σ_i Σ_j n_ij(n_ij - 1) = 688 over 10·14·13 = 1820 pairs, so P̄ = 688/1820; column totals
  // 20, 28, 39, 21, 32 of 140, so P̄e = (20² + 28² + 39² + 21² + 32²)/140² = 4170/19600.
  const std::vector<std::vector<int>> t = {
      {0, 0, 0, 0, 14}, {0, 2, 6, 4, 2}, {0, 0, 3, 5, 6}, {0, 3, 9, 2, 0}, {2, 2, 8, 1, 1},
      {7, 7, 0, 0, 0},  {3, 2, 6, 3, 0}, {2, 5, 3, 2, 2}, {6, 5, 2, 1, 0}, {0, 2, 2, 3, 7}};
  const double pbar = 688.0 / 1820, pe = 4170.0 / 19600;
  EXPECT_NEAR(sxs::fleiss_kappa(t), (pbar - pe) / (1 - pe), 1e-9);
  EXPECT_NEAR(sxs::fleiss_kappa(t), 0.20993, 1e-5);
}

TEST(SxsStats, KrippendorffAlphaTextbook) {
  // Krippendorff (2011), "Computing Krippendorff's alpha-reliability", 4 coders, 12 units with
  // missing values, values 1-5 (here 0-4): nominal α = 0.743.
  const std::vector<std::vector<int>> units = {
      {0, 0, 0},    {1, 1, 2, 1}, {2, 2, 2, 2}, {2, 2, 2, 2}, {1, 1, 1, 1}, {0, 1, 2, 3},
      {3, 3, 3, 3}, {0, 0, 1, 0}, {1, 1, 1, 1}, {4, 4, 4},    {0, 0},       {2}};
  EXPECT_NEAR(sxs::krippendorff_alpha_nominal(units, 5), 0.743421052631579, 1e-12);
}

TEST(SxsStats, AgreementOfStudyRatings) {
  // Two raters on four units, agreeing on three: raw 3/4; Cohen's kappa by hand:
  // categories (first system better, tie, second better): r1 = [0,0,1,2], r2 = [0,0,1,0]
  // p_o = 3/4, p_e = (2/4·3/4) + (1/4·1/4) + (1/4·0) = 7/16, κ = (12/16-7/16)/(9/16) = 5/9.
  std::vector<sxs::Comparison> rows;
  const double r1[] = {1, 1, 0.5, 0}, r2[] = {1, 1, 0.5, 1};
  for (int u = 0; u < 4; ++u) {
    rows.push_back(cmp(name("u", u), "A", "B", r1[u], "one"));
    rows.push_back(cmp(name("u", u), "B", "A", 1 - r2[u], "two"));  // the same pair, other order
  }
  const auto ag = sxs::agreement(rows);
  EXPECT_EQ(ag.units, 4u);
  EXPECT_EQ(ag.raters, 2u);
  EXPECT_DOUBLE_EQ(ag.raw, 0.75);
  EXPECT_NEAR(ag.cohen_kappa, 5.0 / 9, 1e-12);
  EXPECT_EQ(ag.fleiss_units, 4u);
}

TEST(SxsStats, BradleyTerryKnownCase) {
  // Strengths 4:2:1 give P(A>B) = 2/3, P(B>C) = 2/3, P(A>C) = 4/5; counts in exactly those
  // proportions make 4:2:1 the maximum-likelihood solution: ratings 400·log10 apart.
  std::vector<sxs::BtGame> g;
  auto add = [&](size_t i, size_t j, int wi, int wj) {
    for (int k = 0; k < wi; ++k) g.push_back({i, j, 1});
    for (int k = 0; k < wj; ++k) g.push_back({i, j, 0});
  };
  add(0, 1, 20, 10);
  add(1, 2, 20, 10);
  add(0, 2, 40, 10);
  const auto f = sxs::bradley_terry_fit(3, g);
  EXPECT_FALSE(f.regularised);
  EXPECT_NEAR(f.p[0] / f.p[1], 2.0, 1e-9);
  EXPECT_NEAR(f.p[1] / f.p[2], 2.0, 1e-9);
  EXPECT_NEAR(f.p[0] * f.p[1] * f.p[2], 1.0, 1e-9);  // geometric mean 1

  // Through the Comparison interface, with ties as half: 20 ties between B and C count as 10:10.
  std::vector<sxs::Comparison> rows;
  int k = 0;
  auto addc = [&](const std::string& a, const std::string& b, double s, int n) {
    for (int i = 0; i < n; ++i) rows.push_back(cmp(name("p", k++), a, b, s));
  };
  addc("A", "B", 1, 20);
  addc("A", "B", 0, 10);
  addc("B", "C", 0.5, 20);
  addc("A", "C", 1, 20);
  addc("A", "C", 0, 10);
  sxs::BootstrapOptions o;
  o.samples = 200;
  const auto bt = sxs::bradley_terry(rows, o);
  ASSERT_EQ(bt.systems.size(), 3u);
  EXPECT_EQ(bt.systems[0], "A");
  // B and C tie throughout and lose to A alike: equal ratings, A 400·log10(2) above them.
  const double d = 400 * std::log10(2.0);
  EXPECT_NEAR(bt.rating[0] - bt.rating[1], d, 1e-6);
  EXPECT_NEAR(bt.rating[1], bt.rating[2], 1e-6);
  for (size_t i = 0; i < 3; ++i) {
    EXPECT_LE(bt.lo[i], bt.rating[i] + 1e-9);
    EXPECT_GE(bt.hi[i], bt.rating[i] - 1e-9);
  }
}

TEST(SxsStats, BradleyTerryUndefeatedIsRegularised) {
  std::vector<sxs::BtGame> g = {{0, 1, 1}, {0, 1, 1}, {1, 2, 1}, {0, 2, 1}};
  const auto f = sxs::bradley_terry_fit(3, g);
  EXPECT_TRUE(f.regularised);
  for (double p : f.p) EXPECT_TRUE(std::isfinite(p) && p > 0);
  EXPECT_GT(f.p[0], f.p[1]);
  EXPECT_GT(f.p[1], f.p[2]);
}

TEST(SxsStats, AlpacaEvalConventionHandComputed) {
  std::vector<sxs::Comparison> rows;
  // preferences 2, 2, 1, 0 -> model scores 1, 1, 0, 0.5: mean 0.625, stdev(ddof=1) = sqrt(0.22917)
  for (double s : {0.0, 0.0, 1.0, 0.5}) {
    auto c = cmp("x", "ref", "model", s);
    c.source = "alpaca_eval";
    rows.push_back(c);
  }
  const auto r = sxs::alpaca_eval_scores(rows);
  ASSERT_EQ(r.size(), 1u);
  EXPECT_EQ(r[0].model, "model");
  EXPECT_NEAR(r[0].win_rate, 62.5, 1e-12);
  const double sd = std::sqrt((0.375 * 0.375 * 2 + 0.625 * 0.625 + 0.125 * 0.125) / 3);
  EXPECT_NEAR(r[0].standard_error, 100 * sd / 2, 1e-12);
}

TEST(SxsShared, AlpacaEvalConventionOnSharedJudgments) {
  RGEVAL_REQUIRE_SHARED();
  const std::string file = rgeval::testing::shared_dir() +
                           "/data/alpaca_eval/results/gpt4/alpaca_eval_gpt4/annotations.json";
  // The expected numbers, computed independently from the file by Python's statistics module.
  const std::string py =
      "python3 -c \"import json,statistics as s,sys;a=json.load(open(sys.argv[1]));"
      "p=[0.5 if float(x['preference'])==0 else float(x['preference'])-1 for x in a];"
      "print(len(p), repr(100*s.mean(p)), repr(100*s.stdev(p)/len(p)**0.5))\" '" +
      file + "'";
  FILE* f = popen(py.c_str(), "r");
  ASSERT_NE(f, nullptr);
  char buf[256] = {0};
  const bool got = fgets(buf, sizeof buf, f) != nullptr;
  const int rc = pclose(f);
  if (!got || rc != 0) GTEST_SKIP() << "python3 is not available to compute the expected value";
  size_t n = 0;
  double want_rate = 0, want_se = 0;
  ASSERT_EQ(std::sscanf(buf, "%zu %lf %lf", &n, &want_rate, &want_se), 3) << buf;
  ASSERT_EQ(n, 200u);

  TempDir t;
  rgeval::store::Db db(t.file("ae.db"));
  sxs::ensure_schema(db);
  const auto imp = sxs::import_judgments(db, file, "alpaca_eval");
  EXPECT_EQ(imp.added, 200u);
  const auto scores = sxs::alpaca_eval_scores(sxs::load_comparisons(db).rows);
  ASSERT_EQ(scores.size(), 1u);
  EXPECT_EQ(scores[0].model, "gpt4");
  EXPECT_EQ(scores[0].reference, "text_davinci_003");
  EXPECT_EQ(scores[0].n, 200u);
  EXPECT_NEAR(scores[0].win_rate, want_rate, 1e-9);
  EXPECT_NEAR(scores[0].standard_error, want_se, 1e-9);
  EXPECT_NEAR(scores[0].win_rate, 98.0, 1e-9);  // 195 + 2/2 of 200
  // The same bytes a second time are refused.
  EXPECT_THROW(sxs::import_judgments(db, file, "alpaca_eval"), rgeval::Error);
  // And through the CLI's JSON.
  const auto r =
      rgeval::testing::run_cli("sxs results --db " + t.file("ae.db") + " --json --bootstrap 100");
  ASSERT_EQ(r.code, 0) << r.err;
  const auto j = nlohmann::json::parse(r.out);
  EXPECT_NEAR(j["alpaca_eval"][0]["alpaca_eval_win_rate"].get<double>(), want_rate, 1e-9);
  EXPECT_NEAR(j["alpaca_eval"][0]["alpaca_eval_standard_error"].get<double>(), want_se, 1e-9);
}

// ---------------------------------------------------------------- importers

TEST(SxsShared, PromptSetsFromSharedData) {
  RGEVAL_REQUIRE_SHARED();
  const std::string d = rgeval::testing::shared_dir() + "/data/";
  struct Case {
    const char* format;
    std::string path;
    size_t n;
    const char* first_key;
    const char* first_category;
  };
  const Case cases[] = {
      {"mt_bench", d + "mt_bench/question.jsonl", 16, "mt_bench/81", "writing"},
      {"vicuna", d + "vicuna_bench/question.jsonl", 18, "vicuna/1", "generic"},
      {"alpaca_eval", d + "alpaca_eval/results/text_davinci_003/model_outputs.json", 200,
       "alpaca_eval/0", "helpful_base"},
      {"humaneval", d + "humaneval/HumanEval.jsonl.gz", 40, "HumanEval/0", "coding"},
      {"xstest", d + "xstest/xstest_prompts.csv", 90, "xstest/1", "xstest_safe"},
      {"advbench", d + "advbench/harmful_behaviors.csv", 104, "advbench/1", "advbench"},
  };
  TempDir t;
  rgeval::store::Db db(t.file("p.db"));
  for (const auto& c : cases) {
    const auto p = sxs::read_prompts(c.path, c.format);
    EXPECT_EQ(p.size(), c.n) << c.format;
    ASSERT_FALSE(p.empty());
    EXPECT_EQ(p[0].key, c.first_key);
    EXPECT_EQ(p[0].category, c.first_category);
    EXPECT_FALSE(p[0].text.empty());
    EXPECT_EQ(sxs::store_prompts(db, p).added, c.n);
    EXPECT_EQ(sxs::store_prompts(db, p).unchanged, c.n);  // idempotent
  }
  EXPECT_EQ(sxs::read_prompts(cases[0].path, "mt_bench")[0].text.rfind(
                "Compose an engaging travel blog", 0),
            0u);
  EXPECT_EQ(sxs::read_prompts(cases[3].path, "humaneval", 3).size(), 3u);
}

TEST(SxsImport, ErrorsNameFileAndLine) {
  TempDir t;
  write_file(
      t.file("p.jsonl"),
      "{\"id\":\"a\",\"category\":\"c\",\"prompt\":\"x\"}\n{\"id\":\"b\",\"prompt\":\"\"}\n");
  try {
    sxs::read_prompts(t.file("p.jsonl"), "jsonl");
    FAIL() << "empty prompt accepted";
  } catch (const rgeval::Error& e) {
    EXPECT_NE(std::string(e.what()).find("p.jsonl"), std::string::npos) << e.what();
    EXPECT_NE(std::string(e.what()).find("empty prompt"), std::string::npos) << e.what();
  }
  write_file(t.file("p.jsonl"), "{\"id\":\"a\",\"category\":\"c\",\"prompt\":\"x\"}\n");
  rgeval::store::Db db(t.file("s.db"));
  sxs::create_study(db, "s", 5, 1);
  sxs::store_prompts(db, sxs::read_prompts(t.file("p.jsonl"), "jsonl"));
  write_file(t.file("r.jsonl"),
             "{\"prompt_id\":\"a\",\"system\":\"X\",\"response\":\"r\"}\n{\"prompt_id\":\"zz\","
             "\"system\":\"Y\",\"response\":\"r\"}\n");
  try {
    sxs::import_responses(db, t.file("r.jsonl"));
    FAIL() << "unknown prompt accepted";
  } catch (const rgeval::Error& e) {
    EXPECT_NE(std::string(e.what()).find("r.jsonl:2"), std::string::npos) << e.what();
  }
  rgeval::store::Stmt n(db, "SELECT COUNT(*) FROM sxs_responses");
  ASSERT_TRUE(n.step());
  EXPECT_EQ(n.column_int(0), 0);  // one transaction: nothing of the bad file was stored
  write_file(
      t.file("j.json"),
      "[{\"instruction\":\"i\",\"generator_1\":\"a\",\"generator_2\":\"b\",\"preference\":7}]");
  EXPECT_THROW(sxs::import_judgments(db, t.file("j.json"), "alpaca_eval"), rgeval::Error);
  EXPECT_THROW(sxs::add_rater(db, "bad name<>"), rgeval::Error);
  EXPECT_THROW(sxs::create_study(db, "again", 5, 1), rgeval::Error);
}

TEST(SxsImport, FastChatJudgments) {
  TempDir t;
  write_file(t.file("h.jsonl"),
             "{\"question_id\":81,\"model_a\":\"m1\",\"model_b\":\"m2\",\"winner\":\"model_a\","
             "\"judge\":\"expert_1\",\"turn\":1}\n"
             "{\"question_id\":81,\"model_a\":\"m1\",\"model_b\":\"m2\",\"winner\":\"tie "
             "(bothbad)\",\"judge\":\"expert_2\",\"turn\":1}\n"
             "{\"question_id\":82,\"model_1\":\"m2\",\"model_2\":\"m1\",\"g1_winner\":\"model_1\","
             "\"g2_winner\":\"model_1\",\"judge\":[\"gpt-4\",\"pair-v2\"],\"turn\":1}\n"
             "{\"question_id\":83,\"model_1\":\"m2\",\"model_2\":\"m1\",\"g1_winner\":\"model_1\","
             "\"g2_winner\":\"model_2\",\"judge\":[\"gpt-4\",\"pair-v2\"],\"turn\":1}\n"
             "{\"question_id\":84,\"model_1\":\"m2\",\"model_2\":\"m1\",\"g1_winner\":\"error\","
             "\"g2_winner\":\"model_2\",\"judge\":[\"gpt-4\",\"pair-v2\"],\"turn\":1}\n");
  rgeval::store::Db db(t.file("f.db"));
  sxs::ensure_schema(db);
  const auto r = sxs::import_judgments(db, t.file("h.jsonl"), "fastchat");
  EXPECT_EQ(r.added, 4u);
  EXPECT_EQ(r.skipped, 1u);
  const auto rows = sxs::load_comparisons(db).rows;
  const auto w = sxs::win_rate(rows, "m1", "m2", {});
  // m1: win, tie, loss (m2 won both orders), tie (inconsistent orders) -> (1 + 0.5 + 0 + 0.5)/4
  EXPECT_EQ(w.wins, 1u);
  EXPECT_EQ(w.ties, 2u);
  EXPECT_EQ(w.losses, 1u);
  EXPECT_DOUBLE_EQ(w.win_rate, 0.5);
  const auto ag = sxs::agreement(rows);  // question 81: expert_1 and expert_2 disagree
  EXPECT_EQ(ag.units, 1u);
  EXPECT_DOUBLE_EQ(ag.raw, 0.0);
}

// ---------------------------------------------------------------- ratings

TEST(SxsRatings, StoredOnceWithRecordedSides) {
  Study s(6);
  rgeval::store::Db db(s.db_path);
  const auto info = sxs::study_info(db);
  const std::string tok = sxs::add_rater(db, "ann");
  const auto rater = sxs::rater_by_token(db, tok);
  ASSERT_TRUE(rater);
  EXPECT_FALSE(sxs::rater_by_token(db, "not-a-token"));
  EXPECT_FALSE(sxs::rater_by_token(db, std::string(32, 'a')));
  auto p = sxs::rater_progress(db, rater->id);
  EXPECT_EQ(p.done, 0u);
  EXPECT_EQ(p.total, 6u);
  std::set<int64_t> seen;
  int a_left = 0;
  for (int k = 0; k < 6; ++k) {
    const auto it = sxs::next_item(db, info, rater->id);
    ASSERT_TRUE(it);
    EXPECT_TRUE(seen.insert(it->item_id).second);
    // The same item, asked again, has the same sides.
    const auto again = sxs::item_for(db, info, rater->id, it->item_id);
    EXPECT_EQ(again->left, it->left);
    EXPECT_EQ(it->seed, sxs::item_seed(info.seed, rater->id, it->item_id));
    a_left += it->left.find("<script>") != std::string::npos;
    sxs::RatingInput in;
    in.item_id = it->item_id;
    in.choice = 1 + k % 5;
    in.seconds = 3;
    EXPECT_EQ(sxs::submit_rating(db, info, rater->id, in).status, sxs::SubmitStatus::stored);
    EXPECT_EQ(sxs::submit_rating(db, info, rater->id, in).status, sxs::SubmitStatus::already_rated);
  }
  EXPECT_GT(a_left, 0);  // both sides occur for six items with this seed
  EXPECT_LT(a_left, 6);
  EXPECT_FALSE(sxs::next_item(db, info, rater->id));
  sxs::RatingInput bad;
  bad.item_id = 1;
  bad.choice = 6;
  EXPECT_EQ(sxs::submit_rating(db, info, rater->id, bad).status, sxs::SubmitStatus::invalid);
  bad.item_id = 999;
  bad.choice = 3;
  EXPECT_EQ(sxs::submit_rating(db, info, rater->id, bad).status, sxs::SubmitStatus::no_such_item);
  bad.item_id = 1;
  bad.comment = std::string(sxs::kMaxCommentBytes + 1, 'x');
  EXPECT_EQ(sxs::submit_rating(db, info, rater->id, bad).status, sxs::SubmitStatus::invalid);
  // Stored: winner and margin follow the choice and the sides.
  rgeval::store::Stmt q(
      db, "SELECT choice, winner, margin, left_system, right_system FROM sxs_ratings");
  int rows = 0;
  while (q.step()) {
    ++rows;
    const int c = int(q.column_int(0));
    EXPECT_EQ(q.column_int(2), std::abs(c - 3));
    if (c < 3) {
      EXPECT_EQ(q.column_int(1), q.column_int(3));
    } else if (c > 3) {
      EXPECT_EQ(q.column_int(1), q.column_int(4));
    } else {
      EXPECT_TRUE(q.column_is_null(1));
    }
  }
  EXPECT_EQ(rows, 6);
}

TEST(SxsRatings, IdentityFlagsLeaveTheStatistics) {
  Study s(4, 3);
  rgeval::store::Db db(s.db_path);
  const auto info = sxs::study_info(db);
  const auto rater = sxs::rater_by_token(db, sxs::add_rater(db, "bo"));
  for (int k = 0; k < 4; ++k) {
    const auto it = sxs::next_item(db, info, rater->id);
    sxs::RatingInput in;
    in.item_id = it->item_id;
    in.choice = 2;
    in.flag_identity = k == 0;
    ASSERT_EQ(sxs::submit_rating(db, info, rater->id, in).status, sxs::SubmitStatus::stored);
  }
  sxs::flag_response(db, "p3", "sysY", true);
  const auto lc = sxs::load_comparisons(db);
  EXPECT_GE(lc.dropped_identity, 1u);
  EXPECT_EQ(lc.rows.size() + lc.dropped_identity, 4u);
  EXPECT_THROW(sxs::flag_response(db, "p3", "nobody", true), rgeval::Error);
}

TEST(SxsRender, EscapesEverythingAndKeepsCode) {
  EXPECT_EQ(sxs::html_escape("<script>alert('x')</script>&\""),
            "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;&amp;&quot;");
  const std::string h =
      sxs::render_text("Hi <b>\n```python\nif a < b:\n    print(\"<x>\")\n```\nbye");
  EXPECT_EQ(h,
            "<div class=\"text\">Hi &lt;b&gt;\n</div><pre class=\"code\"><code>if a &lt; b:\n    "
            "print(&quot;&lt;x&gt;&quot;)\n"
            "</code></pre><div class=\"text\">bye</div>");
  EXPECT_EQ(sxs::render_text("```\nunterminated <"),
            "<pre class=\"code\"><code>unterminated &lt;</code></pre>");
  EXPECT_EQ(sxs::terminal_safe("a\x1b[2Jb\tc\n"), "a\xEF\xBF\xBD[2Jb\tc\n");
}

// ---------------------------------------------------------------- the web app

namespace {

struct Running {
  httplib::Server server;
  std::shared_ptr<sxs::App> app;
  std::thread thread;
  int port = 0;
  explicit Running(const std::string& db) {
    app = sxs::install_routes(server, db);
    port = server.bind_to_any_port("127.0.0.1");
    thread = std::thread([this] { server.listen_after_bind(); });
  }
  ~Running() {
    server.stop();
    thread.join();
  }
};

const char* kForm = "application/x-www-form-urlencoded";

void expect_security_headers(const httplib::Result& r) {
  ASSERT_TRUE(r);
  const std::string csp = r->get_header_value("Content-Security-Policy");
  EXPECT_NE(csp.find("default-src 'none'"), std::string::npos) << csp;
  EXPECT_NE(csp.find("frame-ancestors 'none'"), std::string::npos) << csp;
  EXPECT_EQ(csp.find("unsafe-inline"), std::string::npos) << csp;
  EXPECT_EQ(r->get_header_value("X-Content-Type-Options"), "nosniff");
  EXPECT_EQ(r->get_header_value("X-Frame-Options"), "DENY");
  EXPECT_EQ(r->get_header_value("Referrer-Policy"), "same-origin");
  EXPECT_EQ(r->get_header_value("Cache-Control"), "no-store");
}

std::string field(const std::string& page, const std::string& name) {
  const std::string key = "name=\"" + name + "\" value=\"";
  const size_t p = page.find(key);
  if (p == std::string::npos) return "";
  const size_t s = p + key.size();
  return page.substr(s, page.find('"', s) - s);
}

}  // namespace

TEST(SxsServer, SignInRateAndSecurityHeaders) {
  Study s(3);
  std::string tok;
  {
    rgeval::store::Db db(s.db_path);
    tok = sxs::add_rater(db, "cy");
  }
  Running srv(s.db_path);
  httplib::Client c("127.0.0.1", srv.port);
  expect_security_headers(c.Get("/"));

  // Without a cookie /rate sends to sign-in; a wrong token is refused.
  auto r = c.Get("/rate");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 303);
  r = c.Post("/login", "token=" + std::string(32, '0'), kForm);
  EXPECT_EQ(r->status, 403);
  r = c.Post("/login", "token=" + tok, kForm);
  ASSERT_EQ(r->status, 303);
  const std::string set_cookie = r->get_header_value("Set-Cookie");
  EXPECT_NE(set_cookie.find("HttpOnly"), std::string::npos);
  EXPECT_NE(set_cookie.find("SameSite=Strict"), std::string::npos);

  const httplib::Headers cookie = {{"Cookie", "sxs_rater=" + tok}};
  r = c.Get("/rate", cookie);
  ASSERT_TRUE(r);
  ASSERT_EQ(r->status, 200);
  expect_security_headers(r);
  const std::string nonce_csp = r->get_header_value("Content-Security-Policy");
  // The nonce of the header is the one on the inline script; the response's <script> is text.
  const size_t np = nonce_csp.find("'nonce-");
  ASSERT_NE(np, std::string::npos);
  const std::string nonce = nonce_csp.substr(np + 7, 32);
  EXPECT_NE(r->body.find("<script nonce=\"" + nonce + "\">"), std::string::npos);
  EXPECT_NE(r->body.find("&lt;script&gt;alert(1)&lt;/script&gt;"), std::string::npos);
  EXPECT_EQ(r->body.find("<script>alert"), std::string::npos);
  EXPECT_EQ(r->body.find("sysX"), std::string::npos);  // system names never reach the rater
  EXPECT_EQ(r->body.find("sysY"), std::string::npos);
  EXPECT_NE(r->body.find("0 / 3"), std::string::npos);
  const std::string item = field(r->body, "item"), served = field(r->body, "served");
  ASSERT_FALSE(item.empty());
  const std::string good =
      "token=" + tok + "&item=" + item + "&choice=2&served=" + served + "&comment=fine";

  // CSRF and validation: each bad variant is refused with a 4xx and stores nothing.
  EXPECT_EQ(c.Post("/rate", cookie, "item=" + item + "&choice=2&served=1", kForm)->status,
            403);  // cookie alone: no
  EXPECT_EQ(c.Post("/rate", cookie, good, "text/plain")->status, 415);
  EXPECT_EQ(c.Post("/rate", {{"Origin", "http://evil.example"}}, good, kForm)->status, 403);
  EXPECT_EQ(c.Post("/rate?x=1", good, kForm)->status, 400);
  EXPECT_EQ(c.Post("/rate", good + "&extra=1", kForm)->status, 400);
  EXPECT_EQ(c.Post("/rate", good + "&choice=3", kForm)->status, 400);  // repeated field
  EXPECT_EQ(c.Post("/rate", "token=" + tok + "&item=" + item + "&choice=9&served=1", kForm)->status,
            400);
  EXPECT_EQ(c.Post("/rate", "token=" + tok + "&item=-1&choice=2&served=1", kForm)->status, 400);
  EXPECT_EQ(c.Post("/rate", "token=" + tok + "&item=12345&choice=2&served=1", kForm)->status, 404);
  EXPECT_EQ(c.Post("/rate", good + "&flag=yes", kForm)->status, 400);
  EXPECT_EQ(c.Post("/rate", good + "X" + std::string(3000, 'x'), kForm)->status,
            400);  // comment too long
  EXPECT_EQ(c.Post("/rate", std::string(sxs::kMaxBodyBytes + 10, 'a'), kForm)->status, 413);
  {
    rgeval::store::Db db(s.db_path);
    rgeval::store::Stmt n(db, "SELECT COUNT(*) FROM sxs_ratings");
    n.step();
    EXPECT_EQ(n.column_int(0), 0);
  }
  // The good submission, from the same origin; a second time it is a conflict.
  r = c.Post("/rate", {{"Origin", "http://127.0.0.1:" + std::to_string(srv.port)}}, good, kForm);
  EXPECT_EQ(r->status, 303);
  EXPECT_EQ(r->get_header_value("Location"), "/rate");
  EXPECT_EQ(c.Post("/rate", good, kForm)->status, 409);
  r = c.Get("/rate", cookie);
  EXPECT_NE(r->body.find("1 / 3"), std::string::npos);

  // No file is served, whatever the path.
  for (const char* p : {"/../../etc/passwd", "/%2e%2e/%2e%2e/etc/passwd",
                        "/static/../../etc/passwd", "/study.db", "/admin/../study.db"}) {
    r = c.Get(p);
    ASSERT_TRUE(r) << p;
    EXPECT_GE(r->status, 400) << p;
    EXPECT_LT(r->status, 500) << p;
    EXPECT_EQ(r->body.find("root:"), std::string::npos) << p;
    expect_security_headers(r);
  }
  // Admin: results need the admin token; a rater's token is not enough.
  EXPECT_EQ(c.Get("/admin/results.json", cookie)->status, 403);
  EXPECT_EQ(c.Get("/admin/results.json", {{"Cookie", "sxs_admin=" + tok}})->status, 403);
  EXPECT_EQ(c.Post("/admin/login", "token=" + tok, kForm)->status, 403);
  EXPECT_EQ(c.Post("/admin/login", "token=" + s.admin, kForm)->status, 303);
  r = c.Get("/admin/results.json", {{"Cookie", "sxs_admin=" + s.admin}});
  ASSERT_EQ(r->status, 200);
  const auto j = nlohmann::json::parse(r->body);
  EXPECT_EQ(j["pairs"][0]["n"], 1);
  r = c.Get("/admin", {{"Cookie", "sxs_admin=" + s.admin}});
  EXPECT_NE(r->body.find("cy</td><td>1 / 3"), std::string::npos);
  expect_security_headers(r);
  // Logout needs the token in the form too.
  EXPECT_EQ(c.Post("/logout", cookie, "", kForm)->status, 403);
  r = c.Post("/logout", "token=" + tok, kForm);
  EXPECT_EQ(r->status, 303);
  EXPECT_NE(r->get_header_value("Set-Cookie").find("Max-Age=0"), std::string::npos);
}

// ---------------------------------------------------------------- the CLI

TEST(SxsCli, SetUpRateInTerminalAndResults) {
  TempDir t;
  const std::string db = t.file("cli.db");
  write_file(t.file("p.jsonl"),
             "{\"id\":\"q1\",\"category\":\"c\",\"prompt\":\"P1\"}\n{\"id\":\"q2\",\"category\":"
             "\"c\",\"prompt\":\"P2\"}\n");
  write_file(t.file("r.jsonl"),
             "{\"prompt_id\":\"q1\",\"system\":\"S1\",\"response\":\"one "
             "\\u001b[31m\"}\n{\"prompt_id\":\"q1\",\"system\":\"S2\",\"response\":\"two\"}\n"
             "{\"prompt_id\":\"q2\",\"system\":\"S1\",\"response\":\"three\"}\n{\"prompt_id\":"
             "\"q2\",\"system\":\"S2\",\"response\":\"four\"}\n");
  using rgeval::testing::run_cli;
  auto r = run_cli("sxs create --db " + db + " --name cli --scale 3 --seed 5");
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_NE(r.out.find("admin token"), std::string::npos);
  EXPECT_EQ(run_cli("sxs create --db " + db + " --name again").code, 1);
  EXPECT_EQ(run_cli("sxs create --db " + t.file("x.db") + " --name x --scale 4").code, 2);
  ASSERT_EQ(run_cli("sxs import-prompts --db " + db + " --format jsonl " + t.file("p.jsonl")).code,
            0);
  r = run_cli("sxs import-responses --db " + db + " " + t.file("r.jsonl"));
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_NE(r.out.find("2 items to rate"), std::string::npos) << r.out;
  r = run_cli("sxs add-rater --db " + db + " --name dee");
  ASSERT_EQ(r.code, 0) << r.err;
  const size_t p = r.out.find("/#t=");
  ASSERT_NE(p, std::string::npos);
  const std::string tok = r.out.substr(p + 4, 32);
  EXPECT_EQ(run_cli("sxs rate --db " + db + " --rater " + std::string(32, 'f')).code, 1);
  r = run_cli("sxs rate --db " + db + " --rater " + tok, "7\n1\nshort\n\n2\n\ny\n");
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_NE(r.out.find("2 ratings stored"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("0 / 2"), std::string::npos);
  EXPECT_EQ(r.out.find("\x1b"), std::string::npos);  // the escape sequence was neutralised
  r = run_cli("sxs results --db " + db + " --json --bootstrap 50");
  ASSERT_EQ(r.code, 0) << r.err;
  const auto j = nlohmann::json::parse(r.out);
  EXPECT_EQ(j["counts"]["ratings"], 1);
  EXPECT_EQ(j["counts"]["dropped_identity"], 1);  // the second was flagged
  EXPECT_EQ(j["raters"][0]["done"], 2);
  r = run_cli("sxs results --db " + db);
  EXPECT_NE(r.out.find("S1 vs S2"), std::string::npos) << r.out;
  EXPECT_EQ(run_cli("sxs results --db " + t.file("missing.db")).code, 1);
}

// ---------------------------------------------------------------- durability under concurrency

TEST(SxsServer, ConcurrentSubmissionsSurviveKill9) {
  Study s(60);
  std::vector<std::string> tokens;
  {
    rgeval::store::Db db(s.db_path);
    for (int i = 0; i < 3; ++i) tokens.push_back(sxs::add_rater(db, name("rater", i)));
  }
  // The real server process, on a free port it reports on stdout.
  int out[2];
  ASSERT_EQ(pipe(out), 0);
  const pid_t pid = fork();
  ASSERT_GE(pid, 0);
  if (pid == 0) {
    dup2(out[1], 1);
    close(out[0]);
    execl(RGEVAL_BIN, RGEVAL_BIN, "sxs", "serve", "--db", s.db_path.c_str(), "--port", "0",
          (char*)nullptr);
    _exit(127);
  }
  close(out[1]);
  struct Reaper {  // the server never outlives the test, whatever fails
    pid_t pid;
    ~Reaper() {
      if (pid > 0 && kill(pid, SIGKILL) == 0) waitpid(pid, nullptr, 0);
    }
  } reaper{pid};
  std::string line;
  char ch;
  while (read(out[0], &ch, 1) == 1 && ch != '\n') line += ch;
  const size_t at = line.find("127.0.0.1:");
  const int port = at == std::string::npos ? 0 : std::atoi(line.c_str() + at + 10);
  ASSERT_GT(port, 0) << line;

  // Six threads, two per rater, submitting every item in their own order: the two threads of a
  // rater race for the same items, so each (rater, item) must be acknowledged at most once.
  std::mutex mu;
  std::map<std::pair<int, int>, int> acked;  // (rater, item) -> acknowledgements
  std::atomic<int> total{0};
  std::atomic<bool> stop{false};
  std::vector<std::thread> threads;
  for (int t = 0; t < 6; ++t)
    threads.emplace_back([&, t] {
      httplib::Client c("127.0.0.1", port);
      c.set_connection_timeout(2);
      c.set_read_timeout(5);
      const int rater = t / 2;
      for (int k = 0; k < 60 && !stop; ++k) {
        const int item = t % 2 ? 60 - k : k + 1;
        const std::string body = "token=" + tokens[size_t(rater)] +
                                 "&item=" + std::to_string(item) +
                                 "&choice=" + std::to_string(1 + (item + rater) % 5) + "&served=0";
        const auto r = c.Post("/rate", body, kForm);
        if (!r) break;  // the server is gone
        if (r->status == 303) {
          std::lock_guard l(mu);
          ++acked[{rater, item}];
          ++total;
        } else if (r->status != 409) {
          ADD_FAILURE() << "status " << r->status;
        }
      }
    });
  // Kill the server mid-way, without warning.
  for (int i = 0; i < 1000 && total < 90; ++i)
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  ASSERT_EQ(kill(pid, SIGKILL), 0);
  int status = 0;
  waitpid(pid, &status, 0);
  reaper.pid = 0;
  stop = true;
  for (auto& th : threads) th.join();
  close(out[0]);
  EXPECT_TRUE(WIFSIGNALED(status));
  ASSERT_GT(total.load(), 0);

  rgeval::store::Db db(s.db_path);
  std::map<std::pair<int, int>, int> stored;
  rgeval::store::Stmt q(db,
                        "SELECT r.name, g.item_id, COUNT(*) FROM sxs_ratings g JOIN sxs_raters r "
                        "ON r.id = g.rater_id GROUP BY 1, 2");
  while (q.step())
    stored[{std::stoi(q.column_text(0).substr(5)), int(q.column_int(1))}] = int(q.column_int(2));
  for (const auto& [key, n] : acked) {
    EXPECT_EQ(n, 1) << "acknowledged twice: rater " << key.first << " item " << key.second;
    EXPECT_EQ(stored[key], 1) << "acknowledged but not stored exactly once: rater " << key.first
                              << " item " << key.second;
  }
  for (const auto& [key, n] : stored) EXPECT_EQ(n, 1);
  std::cerr << "  " << acked.size() << " ratings acknowledged, " << stored.size()
            << " stored, of 180 possible\n";
  EXPECT_LT(acked.size(), 180u);  // the kill came mid-way
  EXPECT_GE(stored.size(),
            acked.size());  // a rating may be stored whose acknowledgement the kill cut off
}
