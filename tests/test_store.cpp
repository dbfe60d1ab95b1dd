// The results store: SHA-256, the SQLite schema, document round trips and transactions.
#include <cmath>
#include <limits>

#include "engine/error.h"
#include "store/results_db.h"
#include "store/sha256.h"
#include "tests/testing.h"

namespace rgeval::store {
namespace {

using testing::TempDir;

TEST(Sha256, KnownVectors) {
  EXPECT_EQ(sha256_hex(""), "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  EXPECT_EQ(sha256_hex("abc"), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  EXPECT_EQ(
      sha256_hex(
          "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq"),  // 56 bytes: padding spills
      "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1");
  EXPECT_EQ(sha256_hex("abcdefghbcdefghicdefghijdefghijkefghijklfghijklmghijklmnhijklmnoijklmnopjkl"
                       "mnopqklmnopqrlmnopqrs"
                       "mnopqrstnopqrstu"),
            "cf5b16a778af8380036ce59e7b0492370b249b11e8f07a51afac45037afee9d1");
  Sha256 h;  // one million 'a', fed in odd-sized pieces
  const std::string chunk(997, 'a');
  size_t left = 1000000;
  while (left) {
    const size_t n = std::min(left, chunk.size());
    h.update(chunk.data(), n);
    left -= n;
  }
  EXPECT_EQ(h.hex(), "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0");
}

TEST(Sha256, FileAndErrors) {
  TempDir t;
  testing::write_file(t.file("f"), "abc");
  EXPECT_EQ(sha256_file(t.file("f")), sha256_hex("abc"));
  EXPECT_THROW(sha256_file(t.file("missing")), Error);
  if (!testing::shared_dir().empty()) {  // the checksum the golden README publishes
    EXPECT_EQ(sha256_file(testing::golden("tokenizer/tokenizer.model")),
              "9de7fa891edbdf605d81d7124ec18b955ae5e41c7bc6eed4e36ccd823d26c5eb");
  }
}

RunInfo run_info(const std::string& key) {
  RunInfo r;
  r.run_key = key;
  r.identity = "{}";
  r.model.model = "builtin:tiny-gemma";
  r.tasks = "[\"piqa\"]";
  r.data_files = "{}";
  r.command_line = "rgeval eval 'it''s'";  // quotes go through parameters untouched
  return r;
}

DocumentRow doc(const std::string& task, int id, int64_t attempt) {
  DocumentRow d;
  d.task = task;
  d.doc_id = id;
  d.gold = 1;
  d.pred_acc = 0;
  d.pred_acc_norm = 1;
  d.attempt_id = attempt;
  d.computed_at = "2024-01-01T00:00:00.000Z";
  for (int c = 0; c < 2; ++c) {
    RequestRow r;
    r.choice_index = c;
    r.n_context_tokens = 10 + c;
    r.continuation_ids = {5, 7 + c};
    r.sum_logprob = -1.25 - c;
    r.is_greedy = c == 0;
    d.requests.push_back(r);
  }
  return d;
}

TEST(ResultsDb, RoundTripAndResumeKeys) {
  TempDir t;
  const std::string path = t.file("r.db");
  int64_t run = 0, attempt = 0;
  {
    Db db(path);
    init_schema(db);
    init_schema(db);  // idempotent
    bool created = false;
    run = find_or_create_run(db, run_info("k1"), &created);
    EXPECT_TRUE(created);
    EXPECT_EQ(find_or_create_run(db, run_info("k1"), &created), run);
    EXPECT_FALSE(created);
    EXPECT_NE(find_or_create_run(db, run_info("k2")), run);
    AttemptInfo a;
    a.run_id = run;
    attempt = begin_attempt(db, a);
    DocumentRow d = doc("piqa", 3, attempt);
    d.requests[1].sum_logprob = std::numeric_limits<double>::quiet_NaN();
    d.requests[0].sum_logprob = -std::numeric_limits<double>::infinity();
    EXPECT_TRUE(store_document(db, run, d, 40));
    EXPECT_FALSE(store_document(db, run, doc("piqa", 3, attempt), 40));  // already there: kept
    EXPECT_TRUE(store_document(db, run, doc("hellaswag", 0, attempt), 60));
    add_attempt_tokens(db, attempt, 33);
    finish_attempt(db, attempt, "2024-01-01T00:00:01.000Z", 1.0);
  }
  Db db(path);  // reopened: everything committed is there
  init_schema(db);
  const auto keys = stored_document_keys(db, run);
  EXPECT_EQ(keys.size(), 2u);
  EXPECT_TRUE(keys.count({"piqa", 3}));
  const auto docs = load_documents(db, run);
  ASSERT_EQ(docs.size(), 2u);
  EXPECT_EQ(docs[0].task, "hellaswag");
  const DocumentRow& p = docs[1];
  EXPECT_EQ(p.doc_id, 3);
  ASSERT_EQ(p.requests.size(), 2u);
  EXPECT_EQ(p.requests[0].sum_logprob, -std::numeric_limits<double>::infinity());
  EXPECT_TRUE(std::isnan(p.requests[1].sum_logprob));
  EXPECT_EQ(p.requests[1].continuation_ids, (std::vector<int>{5, 8}));
  EXPECT_EQ(p.requests[1].n_context_tokens, 11);
  EXPECT_TRUE(p.requests[0].is_greedy);
  EXPECT_EQ(p.pred_acc_norm, 1);
  const RunStats s = run_stats(db, run);
  EXPECT_EQ(s.attempts, 1);
  EXPECT_EQ(s.docs_computed, 2);
  EXPECT_EQ(s.tokens_naive, 100);
  EXPECT_EQ(s.tokens_forwarded, 33);
  Stmt v(db,
         "SELECT schema_version_check FROM (SELECT value AS schema_version_check FROM meta WHERE "
         "key = ?1)");
  v.bind(1, "schema_version");
  ASSERT_TRUE(v.step());
  EXPECT_EQ(v.column_text(0), std::to_string(kSchemaVersion));
}

TEST(ResultsDb, FailedDocumentRollsBack) {
  TempDir t;
  Db db(t.file("r.db"));
  init_schema(db);
  const int64_t run = find_or_create_run(db, run_info("k"));
  AttemptInfo a;
  a.run_id = run;
  const int64_t attempt = begin_attempt(db, a);
  EXPECT_TRUE(store_document(db, run, doc("piqa", 0, attempt), 1));
  EXPECT_THROW(store_document(db, run, doc("piqa", 1, attempt), 1, [] { throw Error("boom"); }),
               Error);
  EXPECT_EQ(stored_document_keys(db, run).size(), 1u);
  Stmt n(db, "SELECT COUNT(*) FROM requests");
  ASSERT_TRUE(n.step());
  EXPECT_EQ(n.column_int(0), 2);
  EXPECT_EQ(attempt_stats(db, attempt).docs_computed, 1);
}

TEST(ResultsDb, RefusesForeignOrNewerDatabases) {
  TempDir t;
  {
    Db db(t.file("other.db"));
    db.exec("CREATE TABLE x (a INTEGER)");
    try {
      init_schema(db);
      FAIL() << "accepted a foreign database";
    } catch (const Error& e) {
      EXPECT_NE(std::string(e.what()).find("other.db: not an rgeval results database"),
                std::string::npos)
          << e.what();
    }
  }
  Db db(t.file("newer.db"));
  db.exec("PRAGMA user_version = 99");
  EXPECT_THROW(init_schema(db), Error);
  testing::write_file(t.file("garbage.db"), std::string(4096, 'x'));
  EXPECT_THROW(
      {
        Db g(t.file("garbage.db"));
        init_schema(g);
      },
      Error);
}

}  // namespace
}  // namespace rgeval::store
