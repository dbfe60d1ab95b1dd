// Metrics and the tokenization split on small hand-made cases.
#include <cmath>

#include "engine/builtin.h"
#include "engine/error.h"
#include "tasks/binomial.h"
#include "tasks/encode_pair.h"
#include "tasks/metrics.h"
#include "tests/testing.h"

namespace rgeval::tasks {
namespace {

Doc doc(std::vector<std::string> texts, int gold, const std::string& task = "t") {
  Doc d;
  d.task = task;
  d.gold = gold;
  d.choice_texts = texts;
  for (auto& t : texts) d.choices.push_back(" " + t);
  return d;
}

TEST(Metrics, WilsonIntervalOnTextbookCases) {
  // 10/20: [0.2993, 0.7007]; 0/10: [0, 0.2775] (Wilson 1927; Newcombe 1998, table I)
  const Proportion a = wilson(10, 20);
  EXPECT_DOUBLE_EQ(a.rate, 0.5);
  EXPECT_NEAR(a.lo, 0.29930, 5e-5);
  EXPECT_NEAR(a.hi, 0.70070, 5e-5);
  const Proportion b = wilson(0, 10);
  EXPECT_NEAR(b.lo, 0.0, 1e-12);
  EXPECT_NEAR(b.hi, 0.27754, 5e-5);
  const Proportion c = wilson(10, 10);
  EXPECT_NEAR(c.lo, 1 - 0.27754, 5e-5);
  EXPECT_NEAR(c.hi, 1.0, 1e-12);
  EXPECT_NEAR(wilson(81, 263).lo, 0.2553, 5e-4);  // Newcombe's example 81/263: [0.2553, 0.3662]
  EXPECT_NEAR(wilson(81, 263).hi, 0.3662, 5e-4);
  EXPECT_TRUE(std::isnan(wilson(0, 0).rate));
}

TEST(Metrics, ArgmaxLikeNumpy) {
  EXPECT_EQ(argmax_first({}), -1);
  EXPECT_EQ(argmax_first({-3, -1, -1, -2}), 1);   // ties -> first
  EXPECT_EQ(argmax_first({-3, NAN, 0, NAN}), 1);  // NaN wins
  EXPECT_EQ(argmax_first({-INFINITY, -INFINITY}), 0);
}

TEST(Metrics, PredictAccAndAccNorm) {
  // lengths in code points: "é" is one character (2 bytes)
  const Doc d = doc({"\xC3\xA9\xC3\xA9", "abcdefgh"}, 1);
  const DocPrediction p = predict(d, {-4.0, -6.0});  // norm: -2.0 vs -0.75
  EXPECT_EQ(p.pred_acc, 0);
  EXPECT_EQ(p.pred_acc_norm, 1);
  EXPECT_FALSE(p.acc());
  EXPECT_TRUE(p.acc_norm());
  EXPECT_EQ(predict(doc({"", "a"}, 0), {-1.0, -0.5}).pred_acc_norm, 1);  // -1/0 = -inf
  EXPECT_THROW(predict(d, {-1.0}), Error);
}

TEST(Metrics, MeanStderrIsSampleStdevOverSqrtN) {
  const MeanStderr m = mean_stderr({1, 0, 0, 1, 1});
  EXPECT_DOUBLE_EQ(m.mean, 0.6);
  EXPECT_DOUBLE_EQ(m.se, std::sqrt(0.3) / std::sqrt(5.0));
  EXPECT_TRUE(std::isnan(mean_stderr({1}).se));  // lm-eval: N/A
}

TEST(Metrics, GroupsPoolLeafStderrs) {
  std::vector<Doc> docs;
  std::vector<DocPrediction> preds;
  const int a_ok[] = {1, 0, 1, 1}, b_ok[] = {0, 0, 1};
  for (int ok : a_ok) docs.push_back(doc({"x", "y"}, 0, "a")), preds.push_back({ok ? 0 : 1, 0, 0});
  for (int ok : b_ok) docs.push_back(doc({"x", "y"}, 0, "b")), preds.push_back({ok ? 0 : 1, 1, 0});
  const auto tm = task_metrics(docs, preds);
  ASSERT_EQ(tm.size(), 2u);
  EXPECT_EQ(tm[0].task, "a");
  EXPECT_DOUBLE_EQ(tm[0].acc.mean, 0.75);
  EXPECT_DOUBLE_EQ(tm[0].acc_norm.mean, 1.0);
  EXPECT_DOUBLE_EQ(tm[1].acc_norm.mean, 0.0);
  const GroupMetrics g = group_metrics({"g", {"a", "b", "absent"}}, tm);
  EXPECT_EQ(g.n, 7u);
  EXPECT_EQ(g.n_tasks, 2u);
  EXPECT_DOUBLE_EQ(g.acc.mean, 4.0 / 7.0);  // mean over documents, not over tasks
  const double sa = tm[0].acc.se, sb = tm[1].acc.se;
  EXPECT_DOUBLE_EQ(g.acc.se, std::sqrt((3 * 4 * sa * sa + 2 * 3 * sb * sb) / (7.0 - 2) / 7.0));
  EXPECT_EQ(group_metrics({"none", {"zz"}}, tm).n_tasks, 0u);
}

TEST(EncodePair, SplitsJointTokenization) {
  const Tokenizer tok = Tokenizer::from_proto(builtin_tokenizer_proto(), "builtin tokenizer");
  const auto p = encode_pair(tok, "Question: why?\nAnswer:", " Because.");
  ASSERT_FALSE(p.context_ids.empty());
  EXPECT_EQ(p.context_ids[0], tok.bos_id());
  auto ctx = tok.encode("Question: why?\nAnswer:");
  EXPECT_EQ(std::vector<int>(p.context_ids.begin() + 1, p.context_ids.end()), ctx);
  auto whole = tok.encode("Question: why?\nAnswer: Because.");
  EXPECT_EQ(p.continuation_ids,
            std::vector<int>(whole.begin() + ptrdiff_t(ctx.size()), whole.end()));
  // trailing whitespace of the context moves to the continuation
  const auto q = encode_pair(tok, "Answer: \xC2\xA0", "x");
  EXPECT_EQ(q.context_ids.size(), 1 + tok.encode("Answer:").size());
  EXPECT_EQ(q.continuation_ids, [&] {
    auto w = tok.encode("Answer: \xC2\xA0x");
    return std::vector<int>(w.begin() + ptrdiff_t(tok.encode("Answer:").size()), w.end());
  }());
  // empty (or all-whitespace) context: [bos] + continuation alone
  const auto e = encode_pair(tok, "", " hello");
  EXPECT_EQ(e.context_ids, std::vector<int>{tok.bos_id()});
  EXPECT_EQ(e.continuation_ids, tok.encode(" hello"));
  EXPECT_EQ(encode_pair(tok, " ", "hello").continuation_ids, tok.encode(" hello"));
  EXPECT_THROW(encode_pair(tok, "abc", ""), Error);
}

TEST(EncodePair, EmptySplitFallsBackToTheContinuationAlone) {
  RGEVAL_REQUIRE_SHARED();
  // golden tokenizer: "the" -> [th, e] but "ther" is one piece, so the joint split leaves nothing
  const Tokenizer tok = Tokenizer::from_file(testing::golden("tokenizer/tokenizer.model"));
  ASSERT_EQ(tok.encode("the").size(), 2u);
  ASSERT_EQ(tok.encode("ther").size(), 1u);
  const auto p = encode_pair(tok, "the", "r");
  EXPECT_TRUE(p.fallback);
  EXPECT_EQ(p.context_ids.size(), 3u);
  EXPECT_EQ(p.continuation_ids, tok.encode("r"));
}

}  // namespace
}  // namespace rgeval::tasks
