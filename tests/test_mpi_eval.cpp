// `mpirun -n 3 rgeval eval` (built with -DRGEVAL_MPI=ON) against one process on the golden tiny
// model and the shared data: the same results JSON (only the fields listed in docs/mpi.md may
// differ), the same stored rows; a rank killed mid-run fails the job loudly and a rerun resumes
// and matches. Only in the MPI build (ctest -L mpi).
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <memory>
#include <nlohmann/json.hpp>

#include "store/results_db.h"
#include "tests/testing.h"

namespace rgeval {
namespace {

using nlohmann::json;
using testing::CliResult;
using testing::TempDir;

// The model, tasks and sizes of the comparison (MMLU 5-shot: the 5 shared subjects; 28 docs).
std::string eval_args(int unit_docs) {
  return "eval --model " + testing::golden("recurrentgemma-tiny") +
         " --threads 1 --tasks mmlu,hellaswag,piqa" + " --limit 4 --unit-docs " +
         std::to_string(unit_docs) + " --data " + testing::shared_dir() + "/data";
}

// Runs a shell command line; stdout and stderr captured.
CliResult run_shell(const std::string& cmd) {
  TempDir t;
  const std::string out = t.file("out"), err = t.file("err");
  const int status = std::system((cmd + " </dev/null >" + out + " 2>" + err).c_str());
  CliResult r;
  r.code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
  r.out = testing::read_file(out);
  r.err = testing::read_file(err);
  return r;
}

// `mpirun -n N rgeval ARGS` (as root, more ranks than cores; env NAME=VALUE pairs passed on).
CliResult mpirun(int n, const std::string& args, const std::string& env = "") {
  return run_shell(env +
                   " " RGEVAL_MPIEXEC " --allow-run-as-root --oversubscribe --bind-to none -n " +
                   std::to_string(n) + " " RGEVAL_BIN " " + args);
}

json read_json(const std::string& path) {
  std::ifstream f(path);
  return json::parse(f);
}

// The results JSON without the fields that legitimately differ between a distributed and a
// one-process run of the same documents (docs/mpi.md): when and how it was invoked, how long
// it took, and the per-rank block.
json comparable(json j) {
  for (const char* k : {"command_line", "date", "db"}) j["config"].erase(k);
  for (const char* k : {"seconds", "docs_per_s", "tokens_per_s"})
    j["efficiency"]["this_invocation"].erase(k);
  j.erase("mpi");
  return j;
}

// The first column of every row of a query, one line each.
std::string query(const std::string& db_path, const std::string& sql) {
  store::Db db(db_path);
  store::Stmt s(db, sql);
  std::string out;
  while (s.step()) out += s.column_text(0) + "\n";
  return out;
}

int64_t count(const std::string& db_path, const std::string& sql) {
  return std::stoll(query(db_path, sql));
}

// Every stored document and request (not who computed it or when), as text.
std::string dump(const std::string& db_path) {
  return query(db_path,
               "SELECT task || '|' || doc_id || '|' || n_choices || '|' || gold || '|' || pred_acc "
               "|| '|' || "
               "pred_acc_norm FROM documents ORDER BY task, doc_id") +
         query(
             db_path,
             "SELECT task || '|' || doc_id || '|' || choice_index || '|' || n_context_tokens || "
             "'|' || "
             "continuation_ids || '|' || quote(sum_logprob) || '|' || is_greedy || '|' || fallback "
             "FROM requests ORDER BY task, doc_id, choice_index");
}

// One process, computed once per --unit-docs for the tests below.
struct Reference {
  TempDir dir;
  json results;
  std::string samples, rows;
  explicit Reference(int unit_docs) {
    const CliResult r = run_shell(std::string(RGEVAL_BIN) + " " + eval_args(unit_docs) + " --db " +
                                  dir.file("one.db") + " --out " + dir.file("one.json") +
                                  " --log-samples " + dir.file("one.jsonl"));
    EXPECT_EQ(r.code, 0) << r.err;
    EXPECT_EQ(r.err.find("ranks"), std::string::npos)
        << r.err;  // not launched by mpirun: one process
    results = read_json(dir.file("one.json"));
    samples = testing::read_file(dir.file("one.jsonl"));
    rows = dump(dir.file("one.db"));
  }
};

const Reference& reference(int unit_docs) {
  static std::map<int, std::unique_ptr<Reference>> refs;
  auto& r = refs[unit_docs];
  if (!r) r = std::make_unique<Reference>(unit_docs);
  return *r;
}

TEST(MpiEval, ThreeRanksGiveTheResultsOfOneProcess) {
  RGEVAL_REQUIRE_SHARED();
  // One document per unit: no unit is larger than a fair share, none is split.
  const Reference& one = reference(1);
  EXPECT_FALSE(one.results.contains("mpi"));
  const size_t docs = one.results["efficiency"]["docs_total"].get<size_t>();
  EXPECT_EQ(docs, 5u * 4 + 4 + 4);

  TempDir t;
  const CliResult r = mpirun(3, eval_args(1) + " --db " + t.file("mpi.db") + " --out " +
                                    t.file("mpi.json") + " --log-samples " + t.file("mpi.jsonl"));
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_NE(r.err.find("rgeval: 3 ranks, planned tokens per rank "), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("28 documents, 0 already stored, 28 computed"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("rgeval: 3 ranks, tokens forwarded per rank "), std::string::npos) << r.err;
  EXPECT_NE(r.out.find("mmlu_anatomy"), std::string::npos) << r.out;  // the table, once
  EXPECT_EQ(r.out.find("mmlu_anatomy"), r.out.rfind("mmlu_anatomy")) << r.out;

  const json mpi = read_json(t.file("mpi.json"));
  EXPECT_EQ(comparable(mpi), comparable(one.results));
  EXPECT_EQ(mpi["results"], one.results["results"]);  // to the last digit
  EXPECT_EQ(mpi["groups"], one.results["groups"]);
  // Units are never split here (none exceeds a fair share): every log-likelihood is bit-identical.
  EXPECT_EQ(testing::read_file(t.file("mpi.jsonl")), one.samples);
  EXPECT_EQ(dump(t.file("mpi.db")), one.rows);
  EXPECT_EQ(count(t.file("mpi.db"), "SELECT COUNT(*) FROM attempts"), 1);
  EXPECT_EQ(count(t.file("mpi.db"), "SELECT docs_computed FROM attempts"), 28);
  EXPECT_EQ(count(t.file("mpi.db"), "SELECT COUNT(*) FROM attempts WHERE finished_at IS NULL"), 0);

  // The per-rank block: every rank did a share, the shares add up, the plan is balanced.
  ASSERT_TRUE(mpi.contains("mpi"));
  const json& m = mpi["mpi"];
  EXPECT_EQ(m["ranks"], 3);
  int64_t docs_sum = 0, fwd_sum = 0;
  for (int k = 0; k < 3; ++k) {
    EXPECT_GT(m["docs_per_rank"][k].get<int64_t>(), 0) << k;
    EXPECT_GT(m["planned_tokens_per_rank"][k].get<int64_t>(), 0) << k;
    docs_sum += m["docs_per_rank"][k].get<int64_t>();
    fwd_sum += m["tokens_forwarded_per_rank"][k].get<int64_t>();
  }
  EXPECT_EQ(docs_sum, 28);
  EXPECT_EQ(fwd_sum, one.results["efficiency"]["tokens_forwarded"].get<int64_t>());
  EXPECT_GE(m["planned_balance"].get<double>(), 1.0);
  EXPECT_LT(m["planned_balance"].get<double>(), 1.5);
}

// HellaSwag and PIQA, 16 documents each, in units of 64: two units for three ranks, each larger
// than a fair share, so they are split (a piece pays the BOS "prefix" again).
TEST(MpiEval, SplitUnitsGiveTheSameMetrics) {
  RGEVAL_REQUIRE_SHARED();
  TempDir t;
  const std::string args = "eval --model " + testing::golden("recurrentgemma-tiny") +
                           " --threads 1 --tasks hellaswag,piqa --limit 16 --data " +
                           testing::shared_dir() + "/data";
  CliResult r = run_shell(std::string(RGEVAL_BIN) + " " + args + " --db " + t.file("one.db") +
                          " --out " + t.file("one.json"));
  ASSERT_EQ(r.code, 0) << r.err;
  const json one = read_json(t.file("one.json"));
  r = mpirun(3, args + " --db " + t.file("mpi.db") + " --out " + t.file("mpi.json"));
  ASSERT_EQ(r.code, 0) << r.err;
  const json mpi = read_json(t.file("mpi.json"));
  EXPECT_EQ(mpi["results"], one["results"]);
  // What differs besides the fields above: the tokens forwarded (repeated prefixes) and ratios.
  json a = comparable(mpi), b = comparable(one);
  EXPECT_GT(a["efficiency"]["tokens_forwarded"].get<int64_t>(),
            b["efficiency"]["tokens_forwarded"].get<int64_t>());
  for (json* j : {&a, &b}) {
    for (const char* k : {"tokens_forwarded", "ratio"}) {
      (*j)["efficiency"].erase(k);
      (*j)["efficiency"]["this_invocation"].erase(k);
    }
  }
  EXPECT_EQ(a, b);
  EXPECT_LT(mpi["mpi"]["planned_balance"].get<double>(), 1.1);  // 1.5 with the two units whole
  for (int k = 0; k < 3; ++k) EXPECT_GT(mpi["mpi"]["docs_per_rank"][k].get<int>(), 0);
  // Log-likelihoods of the split units: fp32 rounding apart.
  store::Db da(t.file("mpi.db")), dbb(t.file("one.db"));
  const auto x = store::load_documents(da, 1), y = store::load_documents(dbb, 1);
  ASSERT_EQ(x.size(), y.size());
  for (size_t i = 0; i < x.size(); ++i)
    for (size_t c = 0; c < x[i].requests.size(); ++c)
      EXPECT_NEAR(x[i].requests[c].sum_logprob, y[i].requests[c].sum_logprob, 1e-4)
          << x[i].task << " " << x[i].doc_id;
}

TEST(MpiEval, KilledRankFailsTheRunAndTheRerunResumesAndMatches) {
  RGEVAL_REQUIRE_SHARED();
  const Reference& one = reference(1);
  TempDir t;
  const std::string db = t.file("r.db");
  CliResult r = mpirun(3, eval_args(2) + " --db " + db + " --out " + t.file("killed.json"),
                       "RGEVAL_TEST_KILL_RANK=1 RGEVAL_TEST_KILL_AFTER_DOCS=2");
  EXPECT_NE(r.code, 0) << r.err;
  EXPECT_NE(r.err.find("rank 1"), std::string::npos) << r.err;  // mpirun names the rank that died
  EXPECT_FALSE(std::filesystem::exists(t.file("killed.json")));
  const int64_t committed = count(db, "SELECT COUNT(*) FROM documents");
  EXPECT_LT(committed, 28);
  EXPECT_EQ(count(db, "SELECT COUNT(*) FROM requests"),
            count(db, "SELECT COALESCE(SUM(n_choices), 0) FROM documents"));
  EXPECT_EQ(count(db, "SELECT COUNT(*) FROM attempts WHERE finished_at IS NULL"), 1);

  // The rerun (two ranks this time: the plan is made over what is left) resumes.
  r = mpirun(2, eval_args(2) + " --db " + db + " --out " + t.file("resumed.json"));
  ASSERT_EQ(r.code, 0) << r.err;
  const std::string line = "28 documents, " + std::to_string(committed) + " already stored, " +
                           std::to_string(28 - committed) + " computed";
  EXPECT_NE(r.err.find(line), std::string::npos) << r.err;
  EXPECT_EQ(count(db, "SELECT COUNT(*) FROM documents"), 28);
  EXPECT_EQ(count(db, "SELECT COUNT(*) FROM attempts"), 2);

  // Same metrics and run; what a resume changes (docs reused, tokens of the lost work) aside.
  const json resumed = read_json(t.file("resumed.json"));
  EXPECT_EQ(resumed["results"], one.results["results"]);
  EXPECT_EQ(resumed["groups"], one.results["groups"]);
  EXPECT_EQ(comparable(resumed)["config"], comparable(one.results)["config"]);
  EXPECT_EQ(resumed["efficiency"]["tokens_naive"], one.results["efficiency"]["tokens_naive"]);
  EXPECT_EQ(resumed["efficiency"]["docs_reused"].get<int64_t>(), committed);
}

TEST(MpiEval, ErrorOnEveryRankNamesTheRank) {
  TempDir t;
  const CliResult r = mpirun(2, "eval --model builtin:tiny-gemma --threads 1 --tasks piqa --data " +
                                    t.path.string() + " --db " + t.file("r.db"));
  EXPECT_NE(r.code, 0) << r.err;
  EXPECT_NE(r.err.find("rgeval: rank "), std::string::npos) << r.err;
  EXPECT_NE(r.err.find(" of 2: "), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("piqa/valid.jsonl"), std::string::npos) << r.err;
}

}  // namespace
}  // namespace rgeval
