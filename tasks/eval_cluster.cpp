#include "tasks/eval_cluster.h"

#include <nlohmann/json.hpp>

#include "engine/error.h"

namespace rgeval::tasks {

using nlohmann::json;

std::string encode_rank_message(const RankMessage& m) {
  json j;
  j["k"] = int(m.kind);
  j["naive"] = m.tokens_naive;
  if (m.kind == RankMessage::Kind::Document) {
    const store::DocumentRow& d = m.doc;
    j["task"] = d.task;
    j["doc_id"] = d.doc_id;
    j["gold"] = d.gold;
    j["pred"] = {d.pred_acc, d.pred_acc_norm};
    j["at"] = d.computed_at;
    json reqs = json::array();
    for (const store::RequestRow& r : d.requests)
      reqs.push_back({r.choice_index, r.n_context_tokens, r.continuation_ids, r.sum_logprob,
                      r.is_greedy, r.fallback});
    j["reqs"] = std::move(reqs);
  } else if (m.kind == RankMessage::Kind::Unit) {
    j["fwd"] = m.tokens_forwarded;
  } else {
    j["done"] = {m.done.docs, m.done.tokens_forwarded, m.done.tokens_naive, m.done.seconds};
  }
  const std::vector<uint8_t> bytes = json::to_msgpack(j);
  return std::string(bytes.begin(), bytes.end());
}

RankMessage decode_rank_message(const std::string& bytes, int from_rank) {
  RankMessage m;
  try {
    const json j = json::from_msgpack(bytes);
    const int kind = j.at("k").get<int>();
    if (kind < 0 || kind > int(RankMessage::Kind::Done)) throw std::runtime_error("unknown kind");
    m.kind = RankMessage::Kind(kind);
    m.tokens_naive = j.at("naive").get<int64_t>();
    if (m.kind == RankMessage::Kind::Document) {
      store::DocumentRow& d = m.doc;
      d.task = j.at("task").get<std::string>();
      d.doc_id = j.at("doc_id").get<int>();
      d.gold = j.at("gold").get<int>();
      d.pred_acc = j.at("pred").at(0).get<int>();
      d.pred_acc_norm = j.at("pred").at(1).get<int>();
      d.computed_at = j.at("at").get<std::string>();
      for (const json& r : j.at("reqs")) {
        store::RequestRow q;
        q.choice_index = r.at(0).get<int>();
        q.n_context_tokens = r.at(1).get<int>();
        q.continuation_ids = r.at(2).get<std::vector<int>>();
        q.sum_logprob = r.at(3).get<double>();
        q.is_greedy = r.at(4).get<bool>();
        q.fallback = r.at(5).get<bool>();
        d.requests.push_back(std::move(q));
      }
    } else if (m.kind == RankMessage::Kind::Unit) {
      m.tokens_forwarded = j.at("fwd").get<int64_t>();
    } else {
      const json& d = j.at("done");
      m.done = {d.at(0).get<int64_t>(), d.at(1).get<int64_t>(), d.at(2).get<int64_t>(),
                d.at(3).get<double>()};
    }
  } catch (const std::exception& e) {
    fail("message from rank " + std::to_string(from_rank), std::string("malformed: ") + e.what());
  }
  return m;
}

void share_stored_documents(EvalCluster& c, const std::string& run_key,
                            const std::vector<Doc>& docs,
                            std::set<std::pair<std::string, int>>& stored) {
  std::string bytes;
  if (c.rank() == 0) {
    bytes = run_key + ":";
    for (const Doc& d : docs) bytes += stored.count({d.task, d.doc_id}) ? '1' : '0';
  }
  c.broadcast(bytes);
  if (c.rank() == 0) return;
  const std::string where = "rank " + std::to_string(c.rank());
  if (bytes.compare(0, run_key.size() + 1, run_key + ":") != 0)
    fail(where,
         "its run key differs from rank 0's: the model, tokenizer, data files or options differ on "
         "its host");
  if (bytes.size() != run_key.size() + 1 + docs.size())
    fail(where, "rank 0 selected " + std::to_string(bytes.size() - run_key.size() - 1) +
                    " documents, this rank " + std::to_string(docs.size()));
  stored.clear();
  for (size_t i = 0; i < docs.size(); ++i)
    if (bytes[run_key.size() + 1 + i] == '1') stored.emplace(docs[i].task, docs[i].doc_id);
}

nlohmann::ordered_json cluster_json(const ShardPlan& plan, const std::vector<RankStats>& ranks) {
  nlohmann::ordered_json j;
  std::vector<int64_t> docs, forwarded;
  std::vector<double> seconds;
  for (const RankStats& r : ranks) {
    docs.push_back(r.docs);
    forwarded.push_back(r.tokens_forwarded);
    seconds.push_back(r.seconds);
  }
  j["ranks"] = ranks.size();
  j["planned_tokens_per_rank"] = plan.tokens_per_rank;
  j["planned_balance"] = max_over_mean(plan.tokens_per_rank);
  j["docs_per_rank"] = docs;
  j["tokens_forwarded_per_rank"] = forwarded;
  j["balance"] = max_over_mean(forwarded);
  j["seconds_per_rank"] = seconds;
  return j;
}

}  // namespace rgeval::tasks
