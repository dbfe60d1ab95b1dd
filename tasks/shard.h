// Deterministic sharding of an evaluation over several processes (ranks), balanced by tokens.
//
// The atoms are the scoring units of `evaluate` (up to --unit-docs documents of one leaf task,
// scored by one rgeval::score call, so their shared context prefix, e.g. an MMLU subject's 5-shot
// prompt, is forwarded once per unit). A unit's cost is its shared prefix plus what each document
// adds (its own context tokens past the prefix and its continuations). Units no larger than a
// fair share (total / ranks) stay whole and go to ranks largest first, each to the least loaded
// rank (LPT); larger units are split into contiguous runs of documents that fill the ranks up to a
// common level, each run paying the prefix again, when that lowers the largest load (a unit that
// is mostly prefix stays whole). Every rank computes the same plan from the same input. No MPI
// here (docs/mpi.md).
#pragma once
#include <cstdint>
#include <vector>

#include "engine/tokenizer.h"
#include "tasks/doc.h"

namespace rgeval::tasks {

struct ShardUnit {
  int64_t prefix_tokens = 0;        // forwarded once per rank that scores part of the unit
  std::vector<int64_t> doc_tokens;  // what each document adds, in unit order
};

struct ShardPiece {
  size_t unit = 0;
  size_t begin = 0, end = 0;  // documents [begin, end) of the unit
  int rank = 0;
};

struct ShardPlan {
  std::vector<ShardPiece> pieces;        // by unit, then begin
  std::vector<int64_t> tokens_per_rank;  // planned tokens (prefixes included)
};

// Throws for ranks < 1.
ShardPlan plan_shards(const std::vector<ShardUnit>& units, int ranks);

// max / mean of the values (1 when all are zero or there are none).
double max_over_mean(const std::vector<int64_t>& values);

// The token cost of one unit of documents: BOS + encode(context) per document, the prefix all
// contexts share, and per choice encode(choice) (the rows after the first continuation token;
// an estimate of encode_pair's split). `naive`: one full forward per request, no prefix.
ShardUnit unit_cost(const std::vector<const Doc*>& docs, const Tokenizer& tok, bool naive);

// plan_shards over the unit_cost of each unit.
ShardPlan plan_units(const std::vector<std::vector<const Doc*>>& units, const Tokenizer& tok,
                     bool naive, int ranks);

}  // namespace rgeval::tasks
