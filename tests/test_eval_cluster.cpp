// What the ranks of a distributed eval exchange (tasks/eval_cluster.h), without MPI: messages
// bit-exact, the stored-documents broadcast with its run-key check, the "mpi" JSON block.
#include <gtest/gtest.h>

#include <cmath>
#include <limits>

#include "engine/error.h"
#include "tasks/eval_cluster.h"

namespace rgeval::tasks {
namespace {

// A cluster of one process pretending to be `rank`; broadcast hands out `from_root`.
struct FakeCluster : EvalCluster {
  int r = 0, n = 2;
  std::string from_root, sent;
  int rank() const override { return r; }
  int size() const override { return n; }
  void broadcast(std::string& bytes) override {
    if (r == 0)
      sent = bytes;
    else
      bytes = from_root;
  }
  void send_to_root(std::string) override {}
  void flush() override {}
  void receive(const std::function<void(int, const std::string&)>&, bool) override {}
};

TEST(EvalCluster, DocumentMessageRoundTripsBitExact) {
  RankMessage m;
  m.doc.task = "mmlu_anatomy";
  m.doc.doc_id = 17;
  m.doc.gold = 2;
  m.doc.pred_acc = 1;
  m.doc.pred_acc_norm = 3;
  m.doc.computed_at = "2024-01-02T03:04:05.006Z";
  const double values[] = {-1.2345678901234567, std::numeric_limits<double>::quiet_NaN(), -0.0,
                           -1e-300};
  for (int c = 0; c < 4; ++c) {
    store::RequestRow q;
    q.choice_index = c;
    q.n_context_tokens = 700 + c;
    q.continuation_ids = {c, 5, 1 << 20};
    q.sum_logprob = values[c];
    q.is_greedy = c % 2 == 1;
    q.fallback = c == 3;
    m.doc.requests.push_back(q);
  }
  m.tokens_naive = 2809;
  const RankMessage d = decode_rank_message(encode_rank_message(m), 1);
  EXPECT_EQ(d.kind, RankMessage::Kind::Document);
  EXPECT_EQ(d.doc.task, "mmlu_anatomy");
  EXPECT_EQ(d.doc.doc_id, 17);
  EXPECT_EQ(d.doc.gold, 2);
  EXPECT_EQ(d.doc.pred_acc, 1);
  EXPECT_EQ(d.doc.pred_acc_norm, 3);
  EXPECT_EQ(d.doc.computed_at, m.doc.computed_at);
  EXPECT_EQ(d.tokens_naive, 2809);
  ASSERT_EQ(d.doc.requests.size(), 4u);
  for (int c = 0; c < 4; ++c) {
    const store::RequestRow &a = m.doc.requests[size_t(c)], &b = d.doc.requests[size_t(c)];
    EXPECT_EQ(b.choice_index, c);
    EXPECT_EQ(b.n_context_tokens, a.n_context_tokens);
    EXPECT_EQ(b.continuation_ids, a.continuation_ids);
    EXPECT_EQ(b.is_greedy, a.is_greedy);
    EXPECT_EQ(b.fallback, a.fallback);
    if (std::isnan(a.sum_logprob)) {
      EXPECT_TRUE(std::isnan(b.sum_logprob));
      continue;
    }
    EXPECT_EQ(std::signbit(a.sum_logprob), std::signbit(b.sum_logprob));
    EXPECT_EQ(a.sum_logprob, b.sum_logprob);
  }
}

TEST(EvalCluster, UnitAndDoneMessagesAndMalformedBytes) {
  RankMessage u;
  u.kind = RankMessage::Kind::Unit;
  u.tokens_forwarded = 12345;
  u.tokens_naive = 99999;
  const RankMessage du = decode_rank_message(encode_rank_message(u), 2);
  EXPECT_EQ(du.kind, RankMessage::Kind::Unit);
  EXPECT_EQ(du.tokens_forwarded, 12345);
  EXPECT_EQ(du.tokens_naive, 99999);

  RankMessage done;
  done.kind = RankMessage::Kind::Done;
  done.done = {40, 20503, 340480, 12.5};
  const RankMessage dd = decode_rank_message(encode_rank_message(done), 2);
  EXPECT_EQ(dd.kind, RankMessage::Kind::Done);
  EXPECT_EQ(dd.done.docs, 40);
  EXPECT_EQ(dd.done.tokens_forwarded, 20503);
  EXPECT_EQ(dd.done.tokens_naive, 340480);
  EXPECT_EQ(dd.done.seconds, 12.5);

  try {
    decode_rank_message("\x81\xa1k\x07", 2);  // {"k": 7}
    FAIL() << "no error";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("message from rank 2"), std::string::npos) << e.what();
  }
  EXPECT_THROW(decode_rank_message("not msgpack", 1), Error);
  std::string cut = encode_rank_message(done);
  cut.pop_back();
  EXPECT_THROW(decode_rank_message(cut, 1), Error);
}

std::vector<Doc> docs() {
  std::vector<Doc> d(4);
  for (int i = 0; i < 4; ++i) {
    d[size_t(i)].task = i < 2 ? "piqa" : "hellaswag";
    d[size_t(i)].doc_id = i;
  }
  return d;
}

TEST(EvalCluster, StoredDocumentsReachEveryRankWithTheRunKey) {
  FakeCluster root;
  root.r = 0;
  std::set<std::pair<std::string, int>> stored = {{"piqa", 1}, {"hellaswag", 3}};
  share_stored_documents(root, "abc", docs(), stored);
  EXPECT_EQ(root.sent, "abc:0101");
  EXPECT_EQ(stored.size(), 2u);  // rank 0 keeps its own

  FakeCluster other;
  other.r = 1;
  other.from_root = root.sent;
  std::set<std::pair<std::string, int>> s2 = {{"piqa", 0}};  // replaced
  share_stored_documents(other, "abc", docs(), s2);
  EXPECT_EQ(s2, stored);

  other.from_root = "abd:0101";  // another run key: other data, model or options on that host
  try {
    share_stored_documents(other, "abc", docs(), s2);
    FAIL() << "no error";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("rank 1"), std::string::npos) << e.what();
    EXPECT_NE(std::string(e.what()).find("run key differs"), std::string::npos) << e.what();
  }
  other.from_root = "abc:01010";  // rank 0 selected another number of documents
  EXPECT_THROW(share_stored_documents(other, "abc", docs(), s2), Error);
}

TEST(EvalCluster, JsonBlockReportsBalance) {
  ShardPlan plan;
  plan.tokens_per_rank = {100, 80, 120};
  const auto j = cluster_json(plan, {{10, 90, 400, 1.5}, {12, 90, 500, 1.25}, {8, 180, 300, 2.0}});
  EXPECT_EQ(j["ranks"], 3);
  EXPECT_EQ(j["planned_tokens_per_rank"], nlohmann::ordered_json({100, 80, 120}));
  EXPECT_DOUBLE_EQ(j["planned_balance"].get<double>(), 1.2);
  EXPECT_EQ(j["docs_per_rank"], nlohmann::ordered_json({10, 12, 8}));
  EXPECT_EQ(j["tokens_forwarded_per_rank"], nlohmann::ordered_json({90, 90, 180}));
  EXPECT_DOUBLE_EQ(j["balance"].get<double>(), 1.5);
  EXPECT_EQ(j["seconds_per_rank"], nlohmann::ordered_json({1.5, 1.25, 2.0}));
}

}  // namespace
}  // namespace rgeval::tasks
