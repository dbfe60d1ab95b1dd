// One engine for both architectures: a stack of residual blocks whose temporal part is
// RecurrentGemma's recurrent block, its local attention, or Gemma's global attention.
// Prefill runs whole chunks of tokens through matrix-matrix products; decoding steps a batch of
// sequences (each at its own position) one token each.
#pragma once
#include <memory>
#include <span>
#include <string>
#include <vector>

#include "engine/checkpoint.h"
#include "engine/linear.h"
#include "engine/ops.h"
#include "engine/recurrent.h"
#include "engine/state.h"

namespace rgeval {

struct EngineOptions {
  std::string dtype = "auto";  // auto | f32 | bf16
  int threads = 0;             // 0 = all cores
  int prefill_chunk = 512;     // rows per matrix product during prefill
};

struct Block {
  BlockType type = BlockType::Attention;
  std::vector<float> temporal_norm, mlp_norm;
  Linear q, k, v, o;                   // attention
  Linear lin_x, lin_y, lin_out;        // recurrent
  Conv1D conv;
  RgLru lru;
  std::vector<Linear> gate_x, gate_a;  // RG-LRU gates, one block per head
  Linear gate, up, down;               // GeGLU MLP
};

class Model {
 public:
  Model(const Checkpoint& ck, const EngineOptions& opts = {});

  const ModelConfig& config() const { return cfg_; }
  DType compute_dtype() const { return dt_; }
  State new_state() const { return make_state(cfg_, dt_); }
  int vocab() const { return cfg_.vocab_size; }
  // Bytes of weights one decode step reads (every packed matrix once).
  int64_t weight_bytes() const { return weight_bytes_; }

  // Feeds `tokens` to the sequence `s` (continuing from s.pos). Writes the logits of rows
  // first_logit..tokens.size()-1 to `logits` ([rows, vocab]); nothing when first_logit ==
  // tokens.size().
  void forward(State& s, std::span<const int> tokens, size_t first_logit, float* logits) const;
  // Feeds the last row only: the usual prefill before generation.
  void prefill(State& s, std::span<const int> tokens, float* last_logits) const {
    forward(s, tokens, tokens.empty() ? 0 : tokens.size() - 1, last_logits);
  }
  // One token for each of a batch of sequences; logits [batch, vocab].
  void decode(std::span<State* const> states, std::span<const int> tokens, float* logits) const;
  // Several sequences at once, each fed its own tokens (any counts; long ones are chunked);
  // logits of every row of every sequence, in order ([Σ counts, vocab]).
  void forward_batch(std::span<State* const> states, std::span<const std::span<const int>> tokens,
                     float* logits) const;

 private:
  struct Segment {
    State* state;
    const int* tokens;
    int count;
    int first_logit;  // rows >= first_logit of this segment produce logits
  };
  void run(std::span<const Segment> segs, float* logits) const;
  void attention_block(const Block& b, size_t layer, std::span<const Segment> segs, const float* h,
                       float* out, int rows) const;
  void recurrent_block(const Block& b, size_t layer, std::span<const Segment> segs, const float* h,
                       float* out, int rows) const;

  ModelConfig cfg_;
  DType dt_;
  EngineOptions opts_;
  Linear embed_;  // tied: logits = x · Eᵀ, and rows for the lookup
  std::vector<float> final_norm_;
  std::vector<Block> blocks_;
  Rope rope_;
  int64_t weight_bytes_ = 0;
};

}  // namespace rgeval
