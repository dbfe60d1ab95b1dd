// `evaluate` (tasks/evaluate.h) against the end-to-end goldens (../shared/golden/e2e) and the
// naive path: per-request log-likelihoods and tokenization, per-document predictions, metrics,
// and the tokens prefix sharing saves.
#include <cmath>
#include <cstdio>
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
#include <tuple>

#include "engine/checkpoint.h"
#include "engine/model.h"
#include "engine/tokenizer.h"
#include "store/results_db.h"
#include "tasks/evaluate.h"
#include "tests/golden.h"

namespace rgeval::tasks {
namespace {

using nlohmann::json;
using testing::TempDir;

std::string data_dir() { return testing::shared_dir() + "/data"; }

// MMLU documents per subject in the golden comparison (fewer under the sanitizers: ~10x slower).
#if defined(__SANITIZE_ADDRESS__)
constexpr int kMmluLimit = 2;
#else
constexpr int kMmluLimit = 8;
#endif

bool close7(double a, double b) { return std::fabs(a - b) <= 1e-6 * std::fabs(b) + 1e-12; }

struct Loaded {
  Checkpoint ck;
  std::unique_ptr<Model> model;
  std::unique_ptr<Tokenizer> tok;
  ModelIdentity id;
};

Loaded load(const std::string& dir) {
  Loaded l;
  l.ck = load_model(dir);
  EngineOptions o;
  o.dtype = "f32";
  l.model = std::make_unique<Model>(l.ck, o);
  l.tok = std::make_unique<Tokenizer>(Tokenizer::from_file(dir + "/tokenizer.model"));
  l.id = model_identity(dir, l.ck, *l.model);
  return l;
}

using Key = std::tuple<std::string, int>;  // (leaf task, doc_id)

std::map<Key, store::DocumentRow> stored(const std::string& db_path, int64_t run_id) {
  store::Db db(db_path);
  std::map<Key, store::DocumentRow> m;
  for (auto& d : store::load_documents(db, run_id)) m[{d.task, d.doc_id}] = d;
  return m;
}

std::string leaf_of(const std::string& task, const json& rec) {
  return rec.contains("subject") ? "mmlu_" + rec["subject"].get<std::string>() : task;
}

// Every stored request and document of `task` against the golden file; returns the docs compared.
size_t compare_with_golden(const std::string& model, const std::string& task,
                           const std::map<Key, store::DocumentRow>& got, double tol, double* worst) {
  std::ifstream f(testing::golden("e2e/" + model + "/" + task + ".json"));
  const json g = json::parse(f);
  size_t docs = 0;
  for (const json& d : g["per_doc"]) {
    const auto it = got.find({leaf_of(task, d), d["doc_id"].get<int>()});
    if (it == got.end()) continue;  // not selected (--limit)
    ++docs;
    SCOPED_TRACE(model + " " + it->second.task + " doc " + std::to_string(it->second.doc_id));
    EXPECT_EQ(it->second.pred_acc, d["pred_acc"].get<int>());
    EXPECT_EQ(it->second.pred_acc_norm, d["pred_acc_norm"].get<int>());
    EXPECT_EQ(it->second.gold, d["gold"].get<int>());
  }
  size_t reqs = 0;
  for (const json& r : g["per_request"]) {
    const auto it = got.find({leaf_of(task, r), r["doc_id"].get<int>()});
    if (it == got.end()) continue;
    const size_t c = r["choice_index"].get<size_t>();
    if (c >= it->second.requests.size()) {
      ADD_FAILURE() << "choice " << c << " not stored";
      continue;
    }
    const store::RequestRow& q = it->second.requests[c];
    SCOPED_TRACE(model + " " + it->second.task + " doc " + std::to_string(it->second.doc_id) + " choice " +
                 std::to_string(c));
    EXPECT_EQ(q.n_context_tokens, r["n_context_tokens"].get<int>());
    EXPECT_EQ(q.continuation_ids, r["continuation_ids"].get<std::vector<int>>());
    const double d = std::fabs(q.sum_logprob - r["sum_logprob"].get<double>());
    *worst = std::max(*worst, d / double(q.continuation_ids.size()));
    EXPECT_LE(d, tol * double(q.continuation_ids.size()));
    EXPECT_EQ(q.is_greedy, r["is_greedy"].get<bool>());
    ++reqs;
  }
  size_t want = 0;
  for (const auto& [k, d] : got)
    if (task == "mmlu" ? std::get<0>(k).rfind("mmlu_", 0) == 0 : std::get<0>(k) == task) want += d.requests.size();
  EXPECT_EQ(reqs, want) << task;
  return docs;
}

// HellaSwag and PIQA in full, MMLU on the first 8 documents of each subject (2 under ASan): requests,
// predictions and (full runs) metrics equal the e2e goldens.
TEST(Eval, ReproducesEndToEndGoldens) {
  RGEVAL_REQUIRE_SHARED();
  for (const std::string model : {"recurrentgemma-tiny", "gemma-tiny-mqa"}) {
    SCOPED_TRACE(model);
    const Loaded l = load(testing::golden(model));
    const double tol = testing::Golden(model).tolerance();
    TempDir t;
    EvalOptions o;
    o.data_dir = data_dir();
    o.db_path = t.file("r.db");
    o.tasks = {"hellaswag", "piqa"};
    const EvalResult full = evaluate(*l.model, *l.tok, l.id, o);
    o.tasks = {"mmlu"};
    o.limit = kMmluLimit;
    const EvalResult mmlu = evaluate(*l.model, *l.tok, l.id, o);
    EXPECT_EQ(full.docs_computed, 400u);
    EXPECT_EQ(mmlu.docs_computed, 5u * kMmluLimit);

    double worst = 0;
    const auto got_full = stored(o.db_path, full.run_id);
    const auto got_mmlu = stored(o.db_path, mmlu.run_id);
    EXPECT_EQ(compare_with_golden(model, "hellaswag", got_full, tol, &worst), 200u);
    EXPECT_EQ(compare_with_golden(model, "piqa", got_full, tol, &worst), 200u);
    EXPECT_EQ(compare_with_golden(model, "mmlu", got_mmlu, tol, &worst), 5u * kMmluLimit);
    std::printf("  %s: max |d sum_logprob| per token %.2e; tokens forwarded hellaswag+piqa %lld (naive %lld), "
                "mmlu %lld (naive %lld)\n",
                model.c_str(), worst, (long long)full.run.tokens_forwarded, (long long)full.run.tokens_naive,
                (long long)mmlu.run.tokens_forwarded, (long long)mmlu.run.tokens_naive);

    for (const std::string task : {"hellaswag", "piqa"}) {
      std::ifstream f(testing::golden("e2e/" + model + "/" + task + ".json"));
      const json want = json::parse(f)["metrics"];
      const json& have = full.json["results"][task];
      for (const char* k : {"acc", "acc_stderr", "acc_norm", "acc_norm_stderr"})
        EXPECT_TRUE(close7(have[k].get<double>(), want[k].get<double>()))
            << task << " " << k << ": " << have[k] << " vs " << want[k];
      EXPECT_EQ(have["n"], 200);
    }
    // MMLU subset: subject and group metrics as lm-eval would compute them on these docs.
    const json& groups = mmlu.json["groups"];
    ASSERT_TRUE(groups.contains("mmlu"));
    EXPECT_EQ(groups["mmlu"]["n"], 5 * kMmluLimit);
    EXPECT_EQ(groups["mmlu"]["n_subjects"], 5);
    EXPECT_FALSE(groups.contains("mmlu_social_sciences"));
    EXPECT_EQ(mmlu.json["results"].size(), 5u);
    EXPECT_FALSE(mmlu.json["results"]["mmlu_anatomy"].contains("acc_norm"));
    double correct = 0;
    for (const auto& [k, d] : got_mmlu) correct += d.pred_acc == d.gold;
    EXPECT_DOUBLE_EQ(groups["mmlu"]["acc"].get<double>(), correct / (5 * kMmluLimit));
    // Prefix sharing pays on 5-shot MMLU.
    EXPECT_GE(double(mmlu.run.tokens_naive), 3.0 * double(mmlu.run.tokens_forwarded));
  }
}

// The shared-prefix path and --naive give the same log-likelihoods; sharing forwards at least
// 3x fewer tokens on 5-shot MMLU.
TEST(Eval, SharedPrefixesEqualNaive) {
  RGEVAL_REQUIRE_SHARED();
  for (const std::string model : {"recurrentgemma-tiny", "gemma-tiny-mqa"}) {
    SCOPED_TRACE(model);
    const Loaded l = load(testing::golden(model));
    TempDir t;
    EvalOptions o;
    o.data_dir = data_dir();
    o.db_path = t.file("r.db");
    o.tasks = {"mmlu_abstract_algebra", "mmlu_anatomy", "mmlu_marketing", "mmlu_world_religions", "hellaswag"};
    o.limit = 4;
    const EvalResult shared = evaluate(*l.model, *l.tok, l.id, o);
    o.naive = true;
    const EvalResult naive = evaluate(*l.model, *l.tok, l.id, o);
    EXPECT_NE(shared.run_key, naive.run_key);
    EXPECT_EQ(naive.docs_computed, 20u);
    const auto a = stored(o.db_path, shared.run_id), b = stored(o.db_path, naive.run_id);
    ASSERT_EQ(a.size(), 20u);
    ASSERT_EQ(b.size(), 20u);
    double worst = 0;
    for (const auto& [k, d] : a) {
      const store::DocumentRow& e = b.at(k);
      ASSERT_EQ(d.requests.size(), e.requests.size());
      EXPECT_EQ(d.pred_acc, e.pred_acc);
      EXPECT_EQ(d.pred_acc_norm, e.pred_acc_norm);
      for (size_t c = 0; c < d.requests.size(); ++c) {
        const double x = d.requests[c].sum_logprob, y = e.requests[c].sum_logprob;
        worst = std::max(worst, std::fabs(x - y));
        EXPECT_NEAR(x, y, 1e-5 + 2e-6 * std::fabs(y)) << std::get<0>(k) << " " << std::get<1>(k) << " " << c;
        EXPECT_EQ(d.requests[c].continuation_ids, e.requests[c].continuation_ids);
        EXPECT_EQ(d.requests[c].is_greedy, e.requests[c].is_greedy);
      }
    }
    EXPECT_EQ(shared.json["results"], naive.json["results"]);
    EXPECT_EQ(naive.run.tokens_forwarded, naive.run.tokens_naive);
    EXPECT_EQ(shared.run.tokens_naive, naive.run.tokens_naive);
    // MMLU alone (16 docs, 5-shot): the ratio the efficiency section reports.
    TempDir t2;
    o.db_path = t2.file("m.db");
    o.naive = false;
    o.tasks = {"mmlu_abstract_algebra", "mmlu_anatomy", "mmlu_marketing", "mmlu_world_religions"};
    const EvalResult m = evaluate(*l.model, *l.tok, l.id, o);
    const double ratio = m.json["efficiency"]["ratio"].get<double>();
    std::printf("  %s: max |shared - naive| %.2e; MMLU 4x4 docs: %lld tokens forwarded, %lld naive (%.2fx)\n",
                model.c_str(), worst, (long long)m.run.tokens_forwarded, (long long)m.run.tokens_naive, ratio);
    EXPECT_GE(ratio, 3.0);
  }
}

TEST(Eval, ModelIdentityAndDataFiles) {
  RGEVAL_REQUIRE_SHARED();
  const Loaded a = load(testing::golden("gemma-tiny-mqa"));
  const Loaded b = load(testing::golden("gemma-tiny-mqa-bf16"));
  EXPECT_EQ(a.id.tokenizer_sha256, "9de7fa891edbdf605d81d7124ec18b955ae5e41c7bc6eed4e36ccd823d26c5eb");
  EXPECT_EQ(a.id.weights_dtype, "F32");
  EXPECT_EQ(b.id.weights_dtype, "BF16");
  EXPECT_EQ(a.id.compute_dtype, "F32");
  EXPECT_NE(a.id.weights_fingerprint, b.id.weights_fingerprint);
  EXPECT_EQ(a.id.config_sha256.size(), 64u);
  const auto files = task_data_files("mmlu", data_dir(), 5);
  EXPECT_EQ(files.size(), 11u);  // subjects.tsv + 5 x (test, dev)
  EXPECT_EQ(task_data_files("mmlu", data_dir(), 0).size(), 6u);
  EXPECT_EQ(task_data_files("mmlu_anatomy", data_dir(), 5),
            (std::vector<std::string>{"mmlu/subjects.tsv", "mmlu/data/test/anatomy_test.csv", "mmlu/data/dev/anatomy_dev.csv"}));
  EXPECT_EQ(task_data_files("piqa", data_dir(), 0), (std::vector<std::string>{"piqa/valid.jsonl", "piqa/valid-labels.lst"}));
}

}  // namespace
}  // namespace rgeval::tasks
