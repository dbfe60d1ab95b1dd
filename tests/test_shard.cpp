// Sharding an evaluation over ranks (tasks/shard.h): every document exactly once, units kept whole
// unless larger than a fair share, balance by tokens, determinism, and the token cost of a unit.
#include <gtest/gtest.h>

#include <algorithm>
#include <numeric>

#include "engine/builtin.h"
#include "engine/error.h"
#include "tasks/shard.h"

namespace rgeval::tasks {
namespace {

ShardUnit unit(int64_t prefix, std::vector<int64_t> docs) {
  return ShardUnit{prefix, std::move(docs)};
}

// Checks that the pieces cover every document of every unit exactly once, in order, and that the
// planned tokens per rank are the pieces' prefixes + documents. Returns the pieces per unit.
std::vector<int> check_cover(const std::vector<ShardUnit>& units, const ShardPlan& p, int ranks) {
  EXPECT_EQ(p.tokens_per_rank.size(), size_t(ranks));
  std::vector<int> pieces(units.size(), 0);
  std::vector<size_t> next(units.size(), 0);
  std::vector<int64_t> tokens(size_t(ranks), 0);
  for (const ShardPiece& s : p.pieces) {
    EXPECT_LT(s.unit, units.size());
    EXPECT_EQ(s.begin, next[s.unit]) << "unit " << s.unit;
    EXPECT_LT(s.begin, s.end);
    EXPECT_GE(s.rank, 0);
    EXPECT_LT(s.rank, ranks);
    next[s.unit] = s.end;
    ++pieces[s.unit];
    tokens[size_t(s.rank)] += units[s.unit].prefix_tokens;
    for (size_t d = s.begin; d < s.end; ++d) tokens[size_t(s.rank)] += units[s.unit].doc_tokens[d];
  }
  for (size_t u = 0; u < units.size(); ++u)
    EXPECT_EQ(next[u], units[u].doc_tokens.size()) << "unit " << u;
  EXPECT_EQ(tokens, p.tokens_per_rank);
  return pieces;
}

TEST(Shard, SmallUnitsStayWholeLargestFirstOnTheLeastLoadedRank) {
  // Costs 110, 50, 40, 30, 20: fair share 125 for 2 ranks, so no unit is split.
  const std::vector<ShardUnit> units = {unit(100, {10}), unit(10, {20, 20}), unit(0, {40}),
                                        unit(10, {10, 10}), unit(5, {15})};
  const ShardPlan p = plan_shards(units, 2);
  const std::vector<int> pieces = check_cover(units, p, 2);
  EXPECT_EQ(pieces, std::vector<int>(5, 1));
  // LPT: 110 -> r0; 50 -> r1; 40 -> r1 (90); 30 -> r1 (120); 20 -> r0 (130).
  ASSERT_EQ(p.pieces.size(), 5u);
  EXPECT_EQ(p.pieces[0].rank, 0);
  EXPECT_EQ(p.pieces[1].rank, 1);
  EXPECT_EQ(p.pieces[2].rank, 1);
  EXPECT_EQ(p.pieces[3].rank, 1);
  EXPECT_EQ(p.pieces[4].rank, 0);
  EXPECT_EQ(p.tokens_per_rank, (std::vector<int64_t>{130, 120}));
  EXPECT_DOUBLE_EQ(max_over_mean(p.tokens_per_rank), 130.0 / 125.0);
}

TEST(Shard, UnitLargerThanAFairShareIsSplitAndFillsTheRanks) {
  // One MMLU-like unit (prefix 600, 40 docs of 100) and two small ones: 3 ranks.
  std::vector<ShardUnit> units = {unit(50, {30, 30}), unit(600, std::vector<int64_t>(40, 100)),
                                  unit(20, {90})};
  const ShardPlan p = plan_shards(units, 3);
  const std::vector<int> pieces = check_cover(units, p, 3);
  EXPECT_EQ(pieces[0], 1);
  EXPECT_EQ(pieces[2], 1);
  EXPECT_EQ(pieces[1], 3);  // the big unit goes to all three ranks, paying its prefix 3 times
  const int64_t total = 110 + 600 + 4000 + 110;
  EXPECT_EQ(std::accumulate(p.tokens_per_rank.begin(), p.tokens_per_rank.end(), int64_t(0)),
            total + 2 * 600);
  EXPECT_LT(max_over_mean(p.tokens_per_rank), 1.04);
}

TEST(Shard, UnitThatIsMostlyPrefixStaysWhole) {
  // Splitting the first unit (cost 1020 > fair share 373) would pay its prefix twice: 2000+.
  const std::vector<ShardUnit> units = {unit(1000, {10, 10}), unit(0, {50}), unit(0, {50})};
  const ShardPlan p = plan_shards(units, 3);
  EXPECT_EQ(check_cover(units, p, 3), (std::vector<int>{1, 1, 1}));
  EXPECT_EQ(p.tokens_per_rank, (std::vector<int64_t>{1020, 50, 50}));
}

TEST(Shard, ManyUnitsBalanceWithoutSplitting) {
  // HellaSwag-like: 157 units of 64 docs of 120-209 tokens (no shared prefix to speak of), 4 ranks.
  std::vector<ShardUnit> units;
  for (int u = 0; u < 157; ++u) {
    std::vector<int64_t> d;
    for (int i = 0; i < 64; ++i) d.push_back(120 + (u * 64 + i) * 37 % 90);
    units.push_back(unit(1, d));
  }
  const ShardPlan p = plan_shards(units, 4);
  EXPECT_EQ(check_cover(units, p, 4), std::vector<int>(157, 1));
  EXPECT_LT(max_over_mean(p.tokens_per_rank), 1.03);
  // Few units, none above a fair share: kept whole even at the price of balance (9 over 4 ranks).
  units.resize(9);
  const ShardPlan few = plan_shards(units, 4);
  EXPECT_EQ(check_cover(units, few, 4), std::vector<int>(9, 1));
  EXPECT_GT(max_over_mean(few.tokens_per_rank), 1.25);
}

TEST(Shard, DeterministicAndIndependentOfNothingElse) {
  std::vector<ShardUnit> units;
  for (int u = 0; u < 30; ++u)
    units.push_back(unit(u % 7 * 50, std::vector<int64_t>(size_t(1 + u % 5), 10 + u)));
  const ShardPlan a = plan_shards(units, 5), b = plan_shards(units, 5);
  ASSERT_EQ(a.pieces.size(), b.pieces.size());
  for (size_t i = 0; i < a.pieces.size(); ++i) {
    EXPECT_EQ(a.pieces[i].unit, b.pieces[i].unit);
    EXPECT_EQ(a.pieces[i].begin, b.pieces[i].begin);
    EXPECT_EQ(a.pieces[i].end, b.pieces[i].end);
    EXPECT_EQ(a.pieces[i].rank, b.pieces[i].rank);
  }
  EXPECT_EQ(a.tokens_per_rank, b.tokens_per_rank);
  check_cover(units, a, 5);
}

TEST(Shard, EdgeCases) {
  EXPECT_THROW(plan_shards({unit(1, {1})}, 0), Error);
  const ShardPlan none = plan_shards({}, 3);
  EXPECT_TRUE(none.pieces.empty());
  EXPECT_EQ(none.tokens_per_rank, (std::vector<int64_t>{0, 0, 0}));
  EXPECT_DOUBLE_EQ(max_over_mean(none.tokens_per_rank), 1.0);
  // More ranks than documents: some ranks get nothing; a single document is never split.
  const std::vector<ShardUnit> units = {unit(10, {500}), unit(10, {5})};
  const ShardPlan p = plan_shards(units, 4);
  EXPECT_EQ(check_cover(units, p, 4), (std::vector<int>{1, 1}));
  EXPECT_EQ(p.tokens_per_rank, (std::vector<int64_t>{510, 15, 0, 0}));
  // One rank: everything whole on rank 0.
  const ShardPlan one = plan_shards(units, 1);
  EXPECT_EQ(one.tokens_per_rank, (std::vector<int64_t>{525}));
  EXPECT_DOUBLE_EQ(max_over_mean({3, 1}), 1.5);
}

Doc doc(const std::string& context, std::vector<std::string> choices) {
  Doc d;
  d.task = "t";
  d.context = context;
  d.choices = std::move(choices);
  return d;
}

TEST(Shard, UnitCostCountsTheSharedPrefixOnce) {
  const Tokenizer tok = Tokenizer::from_proto(builtin_tokenizer_proto(), "builtin");
  const std::string shot =
      "The following are multiple choice questions (with answers) about anatomy.\n\n"
      "What is a bone?\nA. x\nB. y\nC. z\nD. w\nAnswer: A\n\n";
  const Doc a = doc(shot + "Which organ pumps blood?\nAnswer:", {" A", " B", " C", " D"});
  const Doc b = doc(shot + "Where is the femur?\nAnswer:", {" A", " B", " C", " D"});
  const int64_t n_shot = int64_t(tok.encode(shot).size());
  const int64_t ctx_a = 1 + int64_t(tok.encode(a.context).size()),
                ctx_b = 1 + int64_t(tok.encode(b.context).size());
  auto cont_rows = [&](const Doc& d) {
    int64_t r = 0;
    for (const std::string& c : d.choices) r += int64_t(tok.encode(c).size()) - 1;
    return r;
  };

  const ShardUnit u = unit_cost({&a, &b}, tok, false);
  EXPECT_GE(u.prefix_tokens, n_shot);  // BOS + the shots, at least
  EXPECT_LT(u.prefix_tokens, std::min(ctx_a, ctx_b));
  ASSERT_EQ(u.doc_tokens.size(), 2u);
  EXPECT_EQ(u.doc_tokens[0], ctx_a - u.prefix_tokens + cont_rows(a));
  EXPECT_EQ(u.doc_tokens[1], ctx_b - u.prefix_tokens + cont_rows(b));

  // Naive: one forward of context + continuation[:-1] per choice, no prefix.
  const ShardUnit n = unit_cost({&a, &b}, tok, true);
  EXPECT_EQ(n.prefix_tokens, 0);
  EXPECT_EQ(n.doc_tokens[0], 4 * ctx_a + cont_rows(a));
  EXPECT_EQ(n.doc_tokens[1], 4 * ctx_b + cont_rows(b));

  // A unit of one document: everything but its last context token is "prefix".
  const ShardUnit one = unit_cost({&a}, tok, false);
  EXPECT_EQ(one.prefix_tokens, ctx_a - 1);
  EXPECT_EQ(one.doc_tokens[0], 1 + cont_rows(a));

  // plan_units = plan_shards over unit_cost.
  const ShardPlan p = plan_units({{&a, &b}, {&a}}, tok, false, 2);
  EXPECT_EQ(
      p.tokens_per_rank[0] + p.tokens_per_rank[1],
      u.prefix_tokens + u.doc_tokens[0] + u.doc_tokens[1] + one.prefix_tokens + one.doc_tokens[0]);
}

}  // namespace
}  // namespace rgeval::tasks
