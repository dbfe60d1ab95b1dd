// The tasks module against the reference material in ../shared: lm-eval requests
// (data/golden_requests), the tokenization split and the metrics of the end-to-end goldens
// (golden/e2e/<model>/<task>.json, fed with their own per-request sum_logprob values).
#include <cmath>
#include <cstdio>
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>

#include "engine/tokenizer.h"
#include "tasks/encode_pair.h"
#include "tasks/metrics.h"
#include "tasks/registry.h"
#include "tasks/utf8.h"
#include "tests/testing.h"

namespace rgeval::tasks {
namespace {

using nlohmann::json;

std::string data_dir() { return testing::shared_dir() + "/data"; }

std::vector<json> read_json_lines(const std::string& path) {
  std::ifstream f(path);
  std::vector<json> out;
  for (std::string line; std::getline(f, line);)
    if (!line.empty()) out.push_back(json::parse(line));
  return out;
}

json read_json(const std::string& path) {
  std::ifstream f(path);
  return json::parse(f);
}

// Equal to 7 significant digits (the goldens round to 7).
bool close7(double a, double b) { return std::fabs(a - b) <= 1e-6 * std::fabs(b) + 1e-12; }

const char* kTasks[] = {"mmlu", "hellaswag", "piqa"};
const char* kModels[] = {"recurrentgemma-tiny", "gemma-tiny-mqa"};

// Documents keyed by (leaf task, doc_id).
std::map<std::pair<std::string, int>, Doc> by_key(const std::vector<Doc>& docs) {
  std::map<std::pair<std::string, int>, Doc> m;
  for (const Doc& d : docs) m[{d.task, d.doc_id}] = d;
  return m;
}

// The leaf task of an e2e record.
std::string leaf_of(const std::string& task, const json& rec) {
  return rec.contains("subject") ? "mmlu_" + rec["subject"].get<std::string>() : task;
}

TEST(GoldenRequests, ReproducedExactly) {
  RGEVAL_REQUIRE_SHARED();
  for (const char* task : kTasks) {
    SCOPED_TRACE(task);
    const auto docs = load_task(task, data_dir());
    const auto gold = read_json_lines(data_dir() + "/golden_requests/" + std::string(task) + ".jsonl");
    ASSERT_EQ(docs.size(), gold.size());
    for (size_t i = 0; i < docs.size(); ++i) {
      const Doc& d = docs[i];
      const json& g = gold[i];
      SCOPED_TRACE("doc " + std::to_string(i));
      EXPECT_EQ(d.task, g["task"].get<std::string>());
      EXPECT_EQ(d.doc_id, g["doc_id"].get<int>());
      EXPECT_EQ(d.context, g["context"].get<std::string>());
      EXPECT_EQ(d.choices, g["choices"].get<std::vector<std::string>>());
      EXPECT_EQ(d.gold, g["gold"].get<int>());
      EXPECT_EQ(d.choice_texts, g["choice_texts"].get<std::vector<std::string>>());
      std::vector<size_t> chars, bytes;
      for (const auto& c : d.choice_texts) chars.push_back(utf8_length(c)), bytes.push_back(c.size());
      EXPECT_EQ(chars, g["acc_norm_len_chars"].get<std::vector<size_t>>());
      EXPECT_EQ(bytes, g["acc_bytes_len"].get<std::vector<size_t>>());
      if (g.contains("subject")) {
        EXPECT_EQ(d.subject, g["subject"].get<std::string>());
      }
      if (g.contains("num_fewshot")) {
        EXPECT_EQ(5, g["num_fewshot"].get<int>());
      }
      if (HasFailure()) return;  // one mismatch is enough to read
    }
  }
}

TEST(GoldenRequests, CliPrintsTheSameRequests) {
  RGEVAL_REQUIRE_SHARED();
  for (const char* task : kTasks) {
    SCOPED_TRACE(task);
    const auto r = testing::run_cli(std::string("requests --task ") + task + " --data " + data_dir());
    ASSERT_EQ(r.code, 0) << r.err;
    const auto gold = read_json_lines(data_dir() + "/golden_requests/" + std::string(task) + ".jsonl");
    std::istringstream in(r.out);
    size_t i = 0;
    for (std::string line; std::getline(in, line); ++i) {
      ASSERT_LT(i, gold.size());
      const json j = json::parse(line);
      EXPECT_EQ(j.size(), 5u);
      for (const char* k : {"task", "doc_id", "context", "choices", "gold"}) EXPECT_EQ(j[k], gold[i][k]) << k << " " << i;
      if (HasFailure()) return;
    }
    EXPECT_EQ(i, gold.size());
  }
}

TEST(GoldenRequests, CliLimitAndFewShot) {
  RGEVAL_REQUIRE_SHARED();
  auto r = testing::run_cli("requests --task mmlu --data " + data_dir() + " --limit 2 --num-fewshot 0");
  ASSERT_EQ(r.code, 0) << r.err;
  std::istringstream in(r.out);
  std::vector<json> lines;
  for (std::string l; std::getline(in, l);) lines.push_back(json::parse(l));
  ASSERT_EQ(lines.size(), 10u);  // 5 test subjects x 2
  EXPECT_EQ(lines[0]["context"],
            "The following are multiple choice questions (with answers) about abstract algebra.\n\n"
            "Find the degree for the given field extension Q(sqrt(2), sqrt(3), sqrt(18)) over Q.\n"
            "A. 0\nB. 4\nC. 2\nD. 6\nAnswer:");
  EXPECT_EQ(lines[2]["task"], "mmlu_anatomy");
}

// Tokenization: every request of the e2e goldens (n_context_tokens and continuation_ids exact).
TEST(GoldenE2E, TokenizationSplitMatchesEveryRequest) {
  RGEVAL_REQUIRE_SHARED();
  const Tokenizer tok = Tokenizer::from_file(testing::golden("tokenizer/tokenizer.model"));
  for (const char* task : kTasks) {
    SCOPED_TRACE(task);
    const auto docs = by_key(load_task(task, data_dir()));
    const json ref = read_json(testing::golden(std::string("e2e/recurrentgemma-tiny/") + task + ".json"));
    const json other = read_json(testing::golden(std::string("e2e/gemma-tiny-mqa/") + task + ".json"));
    const auto& reqs = ref["per_request"];
    ASSERT_EQ(reqs.size(), ref["n_requests"].get<size_t>());
    ASSERT_EQ(other["per_request"].size(), reqs.size());
    size_t checked = 0;
    for (size_t i = 0; i < reqs.size(); ++i) {
      const json& q = reqs[i];
      const auto it = docs.find({leaf_of(task, q), q["doc_id"].get<int>()});
      ASSERT_NE(it, docs.end()) << q.dump();
      const Doc& d = it->second;
      const auto p = encode_pair(tok, d.context, d.choices.at(q["choice_index"].get<size_t>()));
      EXPECT_EQ(p.context_ids.size(), q["n_context_tokens"].get<size_t>()) << q.dump();
      EXPECT_EQ(p.continuation_ids, q["continuation_ids"].get<std::vector<int>>()) << q.dump();
      EXPECT_FALSE(p.fallback);
      EXPECT_EQ(p.context_ids.at(0), tok.bos_id());
      // the other model's file was tokenized the same way
      EXPECT_EQ(other["per_request"][i]["continuation_ids"], q["continuation_ids"]);
      EXPECT_EQ(other["per_request"][i]["n_context_tokens"], q["n_context_tokens"]);
      if (HasFailure()) return;
      ++checked;
    }
    EXPECT_EQ(checked, reqs.size());
  }
}

// Metrics: the goldens' own sum_logprob values in, their per-doc predictions and metrics out.
TEST(GoldenE2E, MetricsFromGoldenScores) {
  RGEVAL_REQUIRE_SHARED();
  for (const char* model : kModels)
    for (const char* task : kTasks) {
      SCOPED_TRACE(std::string(model) + "/" + task);
      const auto all = load_task(task, data_dir());
      const auto docs = by_key(all);
      const json ref = read_json(testing::golden(std::string("e2e/") + model + "/" + task + ".json"));
      std::map<std::pair<std::string, int>, std::vector<double>> scores;
      for (const json& q : ref["per_request"]) {
        auto& v = scores[{leaf_of(task, q), q["doc_id"].get<int>()}];
        const size_t c = q["choice_index"].get<size_t>();
        if (v.size() <= c) v.resize(c + 1, NAN);
        v[c] = q["sum_logprob"].get<double>();
      }
      std::vector<Doc> order;
      std::vector<DocPrediction> preds;
      for (const json& pd : ref["per_doc"]) {
        const std::pair<std::string, int> key{leaf_of(task, pd), pd["doc_id"].get<int>()};
        const Doc& d = docs.at(key);
        const DocPrediction p = predict(d, scores.at(key));
        EXPECT_EQ(p.pred_acc, pd["pred_acc"].get<int>()) << pd.dump();
        EXPECT_EQ(p.pred_acc_norm, pd["pred_acc_norm"].get<int>()) << pd.dump();
        EXPECT_EQ(p.gold, pd["gold"].get<int>()) << pd.dump();
        order.push_back(d);
        preds.push_back(p);
      }
      ASSERT_EQ(order.size(), all.size());
      const auto tm = task_metrics(order, preds);
      const json& m = ref["metrics"];
      if (std::string(task) != "mmlu") {
        ASSERT_EQ(tm.size(), 1u);
        EXPECT_EQ(tm[0].n, m["n"].get<size_t>());
        EXPECT_PRED2(close7, tm[0].acc.mean, m["acc"].get<double>());
        EXPECT_PRED2(close7, tm[0].acc.se, m["acc_stderr"].get<double>());
        EXPECT_PRED2(close7, tm[0].acc_norm.mean, m["acc_norm"].get<double>());
        EXPECT_PRED2(close7, tm[0].acc_norm.se, m["acc_norm_stderr"].get<double>());
        continue;
      }
      ASSERT_EQ(tm.size(), m["subjects"].size());
      for (const TaskMetrics& t : tm) {
        SCOPED_TRACE(t.task);
        const json& s = m["subjects"].at(t.task);
        EXPECT_EQ(t.n, s["n"].get<size_t>());
        EXPECT_PRED2(close7, t.acc.mean, s["acc"].get<double>());
        EXPECT_PRED2(close7, t.acc.se, s["acc_stderr"].get<double>());
      }
      size_t groups_seen = 0;
      for (const TaskGroup& g : mmlu_groups(data_dir())) {
        SCOPED_TRACE(g.name);
        const GroupMetrics gm = group_metrics(g, tm);
        const json* want = nullptr;
        if (g.name == "mmlu") {
          want = &m["mmlu"];
        } else if (m["groups"].contains(g.name)) {
          want = &m["groups"][g.name];
          ++groups_seen;
        }
        if (!want) {
          EXPECT_EQ(gm.n_tasks, 0u);  // only groups with subjects present appear
          continue;
        }
        EXPECT_EQ(gm.n, (*want)["n"].get<size_t>());
        EXPECT_EQ(gm.n_tasks, (*want)["n_subjects"].get<size_t>());
        EXPECT_PRED2(close7, gm.acc.mean, (*want)["acc"].get<double>());
        EXPECT_PRED2(close7, gm.acc.se, (*want)["acc_stderr"].get<double>());
      }
      EXPECT_EQ(groups_seen, m["groups"].size());
      // the unpooled stderr over all docs, for contrast
      std::vector<double> flat;
      for (const auto& p : preds) flat.push_back(p.acc() ? 1 : 0);
      EXPECT_PRED2(close7, mean_stderr(flat).se, m["check_plain_mean_over_all_docs"]["acc_stderr_unpooled"].get<double>());
    }
}

}  // namespace
}  // namespace rgeval::tasks
