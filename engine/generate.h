// Text generation: greedy or sampled (temperature, top-k, top-p, seed), stopping at eos,
// <end_of_turn>, given stop strings or max_new_tokens.
#pragma once
#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "engine/model.h"
#include "engine/tokenizer.h"

namespace rgeval {

struct SamplingOptions {
  int max_new_tokens = 64;
  float temperature = 0.f;  // 0 = greedy
  int top_k = 0;            // 0 = off
  float top_p = 1.f;        // 1 = off
  uint64_t seed = 0;
  bool stop = true;                        // stop at eos / <end_of_turn> / stop strings
  std::vector<int> stop_ids;               // usually eos and <end_of_turn>
  std::vector<std::string> stop_strings;   // checked on the decoded text (needs a tokenizer)
};

struct Generation {
  std::vector<int> ids;   // generated ids (the stop token excluded)
  std::string text;       // decoded (cut before a stop string); empty without a tokenizer
  std::string stop_reason;  // "eos", "stop_string", "max_new_tokens"
  int prompt_tokens = 0;
  double prefill_seconds = 0, decode_seconds = 0;
};

// Stop ids of a tokenizer: eos and, where the model has it, <end_of_turn>.
std::vector<int> default_stop_ids(const Tokenizer& tok);

// Picks the next token from one row of logits.
int sample_token(const float* logits, int vocab, const SamplingOptions& o, uint64_t& rng_state);

Generation generate(const Model& m, std::span<const int> prompt, const SamplingOptions& o,
                    const Tokenizer* tok = nullptr);

}  // namespace rgeval
