// How `evaluate` runs one evaluation on several processes (ranks): what it needs from the
// transport, and the messages ranks > 0 send to rank 0. No MPI here: the MPI transport is
// tasks/eval_mpi.h (built with -DRGEVAL_MPI=ON). Design: docs/mpi.md.
//
// Every rank loads the same documents and computes the same shard plan (tasks/shard.h). Rank 0
// alone opens the results database: it broadcasts the run key and which documents are already
// stored, scores its own shard and stores, as they arrive, the documents the other ranks score.
#pragma once
#include <cstdint>
#include <functional>
#include <nlohmann/json.hpp>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "store/results_db.h"
#include "tasks/shard.h"

namespace rgeval::tasks {

struct EvalCluster {
  virtual ~EvalCluster() = default;
  virtual int rank() const = 0;
  virtual int size() const = 0;
  // Collective: every rank's `bytes` become rank 0's.
  virtual void broadcast(std::string& bytes) = 0;
  // Rank > 0: queue a message for rank 0 (returns without waiting for it to be received).
  virtual void send_to_root(std::string bytes) = 0;
  // Rank > 0: wait until every queued message has been received.
  virtual void flush() = 0;
  // Rank 0: hand each message that has arrived to `on_message(from_rank, bytes)`; with `wait`,
  // first wait for at least one.
  virtual void receive(const std::function<void(int, const std::string&)>& on_message,
                       bool wait) = 0;

  // Rank 0, before scoring: the plan (e.g. to print the planned balance).
  std::function<void(const ShardPlan&)> on_plan;
};

// What one rank did (Done message; rank 0 counts its own).
struct RankStats {
  int64_t docs = 0, tokens_forwarded = 0, tokens_naive = 0;
  double seconds = 0;
};

// What a rank > 0 tells rank 0.
struct RankMessage {
  enum class Kind { Document, Unit, Done };
  Kind kind = Kind::Document;
  store::DocumentRow doc;        // Document: the scored document (attempt_id set by rank 0)
  int64_t tokens_naive = 0;      // Document: its requests' naive tokens; Unit: the unit's
  int64_t tokens_forwarded = 0;  // Unit: tokens the unit forwarded
  RankStats done;                // Done: the rank's totals
};

// MessagePack (doubles bit-exact, NaN included). decode throws naming the rank on bad bytes.
std::string encode_rank_message(const RankMessage& m);
RankMessage decode_rank_message(const std::string& bytes, int from_rank);

// Collective, after rank 0 has read the database: rank 0's run key and which of `docs` are
// stored reach every rank (`stored` is replaced on ranks > 0). A rank whose run key differs
// (other data, model or options on its host) throws naming itself.
void share_stored_documents(EvalCluster& c, const std::string& run_key,
                            const std::vector<Doc>& docs,
                            std::set<std::pair<std::string, int>>& stored);

// The "mpi" block of the results JSON: ranks, planned tokens per rank and what each rank did,
// with max/mean balances.
nlohmann::ordered_json cluster_json(const ShardPlan& plan, const std::vector<RankStats>& ranks);

}  // namespace rgeval::tasks
