// `rgeval eval` as a process: killed with SIGKILL mid-run and resumed, malformed data, usage.
#include <cmath>
#include <cstdlib>
#include <fstream>
#include <nlohmann/json.hpp>

#include "store/results_db.h"
#include "tests/testing.h"

namespace rgeval {
namespace {

using nlohmann::json;
using testing::run_cli;
using testing::TempDir;

std::string data_dir() { return testing::shared_dir() + "/data"; }

json read_json(const std::string& path) {
  std::ifstream f(path);
  return json::parse(f);
}

int64_t count(const std::string& db_path, const std::string& sql) {
  store::Db db(db_path);
  store::Stmt s(db, sql);
  return s.step() ? s.column_int(0) : -1;
}

// Every stored document and request as text, to check nothing changed.
std::string dump(const std::string& db_path) {
  store::Db db(db_path);
  std::string out;
  store::Stmt d(db, "SELECT run_id, task, doc_id, gold, pred_acc, pred_acc_norm, attempt_id, computed_at FROM documents ORDER BY 1, 2, 3");
  while (d.step())
    for (int i = 0; i < 8; ++i) out += d.column_text(i) + (i == 7 ? "\n" : "|");
  store::Stmt r(db, "SELECT run_id, task, doc_id, choice_index, n_context_tokens, continuation_ids, quote(sum_logprob), is_greedy FROM requests ORDER BY 1, 2, 3, 4");
  while (r.step())
    for (int i = 0; i < 8; ++i) out += r.column_text(i) + (i == 7 ? "\n" : "|");
  return out;
}

// First `n` lines of a shared data file into the temporary data dir.
void copy_head(const std::string& from, const std::string& to, int n) {
  std::ifstream f(from);
  std::string s, line;
  for (int i = 0; i < n && std::getline(f, line); ++i) s += line + "\n";
  std::filesystem::create_directories(std::filesystem::path(to).parent_path());
  testing::write_file(to, s);
}

// Killed (SIGKILL while a document's transaction is open) and rerun: the second run computes only
// the missing documents and reports what an uninterrupted run reports.
TEST(CliEval, KillAndResumeEqualsUninterrupted) {
  RGEVAL_REQUIRE_SHARED();
  TempDir t;
  const std::string common = "eval --model builtin:tiny-gemma --threads 1 --tasks piqa,hellaswag --limit 30 --unit-docs 16 --data " +
                             data_dir();
  auto r = run_cli(common + " --db " + t.file("full.db") + " --out " + t.file("full.json"));
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_NE(r.err.find("60 documents, 0 already stored, 60 computed"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("docs/s"), std::string::npos) << r.err;
  EXPECT_NE(r.out.find("hellaswag"), std::string::npos) << r.out;  // the table

  const std::string db = t.file("resumed.db");
  ::setenv("RGEVAL_TEST_KILL_AFTER_DOCS", "37", 1);
  r = run_cli(common + " --db " + db + " --out " + t.file("killed.json"));
  ::unsetenv("RGEVAL_TEST_KILL_AFTER_DOCS");
  EXPECT_EQ(r.code, 128 + 9) << r.err;  // SIGKILL
  EXPECT_FALSE(std::filesystem::exists(t.file("killed.json")));
  EXPECT_EQ(count(db, "SELECT COUNT(*) FROM documents"), 37);  // the 38th was not committed
  EXPECT_EQ(count(db, "SELECT COUNT(*) FROM requests"), count(db, "SELECT SUM(n_choices) FROM documents"));
  EXPECT_EQ(count(db, "SELECT COUNT(*) FROM attempts WHERE finished_at IS NULL"), 1);

  r = run_cli(common + " --db " + db + " --out " + t.file("resumed.json") + " --log-samples " + t.file("s.jsonl"));
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_NE(r.err.find("60 documents, 37 already stored, 23 computed"), std::string::npos) << r.err;
  EXPECT_EQ(count(db, "SELECT COUNT(*) FROM documents"), 60);
  EXPECT_EQ(count(db, "SELECT COUNT(*) FROM attempts"), 2);
  EXPECT_EQ(count(db, "SELECT COUNT(*) FROM documents WHERE attempt_id = 1"), 37);
  EXPECT_EQ(count(db, "SELECT COUNT(*) FROM documents WHERE attempt_id = 2"), 23);
  EXPECT_EQ(count(db, "SELECT docs_computed FROM attempts WHERE attempt_id = 2"), 23);
  EXPECT_EQ(count(db, "PRAGMA user_version"), store::kSchemaVersion);

  const json full = read_json(t.file("full.json")), resumed = read_json(t.file("resumed.json"));
  EXPECT_EQ(full["results"], resumed["results"]);
  EXPECT_EQ(full["groups"], resumed["groups"]);
  EXPECT_EQ(full["config"]["run_key"], resumed["config"]["run_key"]);
  EXPECT_EQ(full["config"]["data_files"], resumed["config"]["data_files"]);
  EXPECT_EQ(resumed["efficiency"]["docs_computed"], 23);
  EXPECT_EQ(resumed["efficiency"]["docs_reused"], 37);
  EXPECT_EQ(full["efficiency"]["tokens_naive"], resumed["efficiency"]["tokens_naive"]);
  for (const char* task : {"piqa", "hellaswag"}) {
    EXPECT_EQ(full["results"][task]["n"], 30);
    for (const char* k : {"acc", "acc_stderr", "acc_norm", "acc_norm_stderr"})
      EXPECT_TRUE(full["results"][task][k].is_number()) << task << " " << k;
  }
  EXPECT_EQ(full["config"]["data_files"].size(), 4u);
  EXPECT_EQ(full["config"]["data_files"]["piqa/valid.jsonl"].get<std::string>().size(), 64u);

  // Same log-likelihoods in both databases (different units: fp32-level differences at most).
  {
    store::Db a(t.file("full.db")), b(db);
    const auto da = store::load_documents(a, 1), dbb = store::load_documents(b, 1);
    ASSERT_EQ(da.size(), dbb.size());
    for (size_t i = 0; i < da.size(); ++i)
      for (size_t c = 0; c < da[i].requests.size(); ++c)
        EXPECT_NEAR(da[i].requests[c].sum_logprob, dbb[i].requests[c].sum_logprob, 1e-4);
  }

  // Samples: one line per document with what re-scoring needs.
  std::ifstream samples(t.file("s.jsonl"));
  int lines = 0;
  for (std::string line; std::getline(samples, line); ++lines) {
    const json s = json::parse(line);
    for (const char* k : {"task", "doc_id", "arguments", "choice_texts", "gold", "resps", "n_context_tokens",
                          "continuation_ids", "pred_acc", "pred_acc_norm", "acc", "acc_norm"})
      EXPECT_TRUE(s.contains(k)) << k;
    EXPECT_EQ(s["arguments"].size(), s["resps"].size());
  }
  EXPECT_EQ(lines, 60);

  // A third run has nothing left to do.
  r = run_cli(common + " --db " + db + " --out " + t.file("again.json"));
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_NE(r.err.find("60 documents, 60 already stored, 0 computed"), std::string::npos) << r.err;
  EXPECT_EQ(read_json(t.file("again.json"))["results"], full["results"]);
}

TEST(CliEval, MalformedDataStopsWithFileAndLineAndKeepsStoredRows) {
  RGEVAL_REQUIRE_SHARED();
  TempDir t;
  const std::string data = t.file("data"), db = t.file("r.db");
  copy_head(data_dir() + "/piqa/valid.jsonl", data + "/piqa/valid.jsonl", 20);
  copy_head(data_dir() + "/piqa/valid-labels.lst", data + "/piqa/valid-labels.lst", 20);
  copy_head(data_dir() + "/hellaswag/hellaswag_val.jsonl", data + "/hellaswag/hellaswag_val.jsonl", 10);
  const std::string base = "eval --model builtin:tiny-gemma --threads 1 --data " + data + " --db " + db;
  auto r = run_cli(base + " --tasks piqa");
  ASSERT_EQ(r.code, 0) << r.err;
  const std::string before = dump(db);
  EXPECT_EQ(count(db, "SELECT COUNT(*) FROM documents"), 20);

  // A broken JSON line in the second task's file.
  std::string hs = testing::read_file(data + "/hellaswag/hellaswag_val.jsonl");
  size_t pos = 0;
  for (int i = 0; i < 6; ++i) pos = hs.find('\n', pos) + 1;
  hs.insert(pos, "{\"ctx\": broken\n");
  testing::write_file(data + "/hellaswag/hellaswag_val.jsonl", hs);
  r = run_cli(base + " --tasks piqa,hellaswag");
  EXPECT_EQ(r.code, 1);
  EXPECT_NE(r.err.find(data + "/hellaswag/hellaswag_val.jsonl:7:"), std::string::npos) << r.err;
  EXPECT_EQ(std::count(r.err.begin(), r.err.end(), '\n'), 1) << r.err;
  EXPECT_EQ(dump(db), before);

  // A label out of range.
  std::string labels = testing::read_file(data + "/piqa/valid-labels.lst");
  labels[labels.find('\n', labels.find('\n') + 1) + 1] = '2';  // line 3
  testing::write_file(data + "/piqa/valid-labels.lst", labels);
  r = run_cli(base + " --tasks piqa");
  EXPECT_EQ(r.code, 1);
  EXPECT_NE(r.err.find("valid-labels.lst:3:"), std::string::npos) << r.err;
  EXPECT_EQ(dump(db), before);

  // An MMLU CSV with an unterminated quote.
  copy_head(data_dir() + "/mmlu/data/dev/anatomy_dev.csv", data + "/mmlu/data/dev/anatomy_dev.csv", 5);
  copy_head(data_dir() + "/mmlu/data/test/anatomy_test.csv", data + "/mmlu/data/test/anatomy_test.csv", 3);
  std::ofstream(data + "/mmlu/data/test/anatomy_test.csv", std::ios::app) << "\"What is,A,B,C,D,A\n";
  r = run_cli(base + " --tasks mmlu");
  EXPECT_EQ(r.code, 1);
  EXPECT_NE(r.err.find("anatomy_test.csv:4:"), std::string::npos) << r.err;
  EXPECT_EQ(dump(db), before);
  EXPECT_EQ(count(db, "SELECT COUNT(*) FROM (SELECT * FROM pragma_integrity_check WHERE integrity_check = 'ok')"), 1);
}

TEST(CliEval, UsageAndBadArguments) {
  TempDir t;
  auto r = run_cli("eval --model builtin:tiny-gemma --data " + t.path.string());
  EXPECT_EQ(r.code, 2) << r.err;  // --tasks is required
  r = run_cli("eval --model builtin:tiny-gemma --tasks nope --data " + t.path.string() + " --db " + t.file("r.db"));
  EXPECT_EQ(r.code, 1);
  EXPECT_NE(r.err.find("unknown task 'nope'"), std::string::npos) << r.err;
  r = run_cli("eval --model builtin:tiny-gemma --tasks piqa --data " + t.path.string() + " --db " + t.file("r.db"));
  EXPECT_EQ(r.code, 1);
  EXPECT_NE(r.err.find("piqa/valid.jsonl"), std::string::npos) << r.err;
  testing::write_file(t.file("not.db"), std::string(8192, 'x'));
  std::filesystem::create_directories(t.path / "piqa");
  testing::write_file(t.file("piqa/valid.jsonl"), "{\"goal\": \"g\", \"sol1\": \"a\", \"sol2\": \"b\"}\n");
  testing::write_file(t.file("piqa/valid-labels.lst"), "1\n");
  r = run_cli("eval --model builtin:tiny-gemma --tasks piqa --data " + t.path.string() + " --db " + t.file("not.db"));
  EXPECT_EQ(r.code, 1);
  EXPECT_NE(r.err.find("not.db"), std::string::npos) << r.err;
}

}  // namespace
}  // namespace rgeval
