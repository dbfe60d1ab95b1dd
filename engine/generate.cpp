#include "engine/generate.h"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <numeric>

#include "engine/error.h"
#include "engine/ops.h"

namespace rgeval {

namespace {

uint64_t next_u64(uint64_t& s) {  // splitmix64
  uint64_t z = (s += 0x9e3779b97f4a7c15ull);
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
  return z ^ (z >> 31);
}

// Built-in random models may have a larger vocabulary than their tokenizer: such ids decode as
// the tokenizer's unknown piece instead of failing.
std::string decode_lenient(const Tokenizer& tok, std::vector<int> ids) {
  for (int& id : ids)
    if (id < 0 || id >= tok.vocab_size()) id = tok.unk_id();
  return tok.decode(ids);
}

double seconds_since(std::chrono::steady_clock::time_point t0) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
}

}  // namespace

std::vector<int> default_stop_ids(const Tokenizer& tok) {
  std::vector<int> ids;
  if (tok.eos_id() >= 0) ids.push_back(tok.eos_id());
  if (tok.end_of_turn_id() >= 0) ids.push_back(tok.end_of_turn_id());
  return ids;
}

int sample_token(const float* logits, int V, const SamplingOptions& o, uint64_t& rng) {
  if (o.temperature <= 0.f) return argmax(logits, V);
  std::vector<int> idx(static_cast<size_t>(V));
  std::iota(idx.begin(), idx.end(), 0);
  int keep = V;
  if (o.top_k > 0 && o.top_k < V) {
    std::partial_sort(idx.begin(), idx.begin() + o.top_k, idx.end(),
                      [&](int a, int b) { return logits[a] > logits[b]; });
    keep = o.top_k;
  } else {
    std::sort(idx.begin(), idx.end(), [&](int a, int b) { return logits[a] > logits[b]; });
  }
  std::vector<double> p(static_cast<size_t>(keep));
  const double mx = logits[idx[0]];
  double sum = 0;
  for (int i = 0; i < keep; ++i) sum += (p[size_t(i)] = std::exp((logits[idx[size_t(i)]] - mx) / o.temperature));
  if (o.top_p < 1.f) {  // smallest set of most likely tokens whose mass reaches top_p
    double acc = 0;
    int n = 0;
    while (n < keep && acc < o.top_p * sum) acc += p[size_t(n++)];
    keep = std::max(1, n);
    sum = acc;
  }
  const double u = double(next_u64(rng) >> 11) * 0x1.0p-53 * sum;
  double acc = 0;
  for (int i = 0; i < keep; ++i) {
    acc += p[size_t(i)];
    if (u < acc) return idx[size_t(i)];
  }
  return idx[size_t(keep - 1)];
}

Generation generate(const Model& m, std::span<const int> prompt, const SamplingOptions& o,
                    const Tokenizer* tok) {
  if (prompt.empty()) throw Error("generate: empty prompt");
  const int V = m.vocab();
  Generation g;
  g.prompt_tokens = int(prompt.size());
  State s = m.new_state();
  std::vector<float> logits(static_cast<size_t>(V));
  uint64_t rng = o.seed;
  auto t0 = std::chrono::steady_clock::now();
  m.prefill(s, prompt, logits.data());
  g.prefill_seconds = seconds_since(t0);
  t0 = std::chrono::steady_clock::now();
  g.stop_reason = "max_new_tokens";
  for (int step = 0; step < o.max_new_tokens; ++step) {
    const int next = sample_token(logits.data(), V, o, rng);
    if (o.stop && std::find(o.stop_ids.begin(), o.stop_ids.end(), next) != o.stop_ids.end()) {
      g.stop_reason = "eos";
      break;
    }
    g.ids.push_back(next);
    if (tok && o.stop && !o.stop_strings.empty()) {
      const std::string text = decode_lenient(*tok, g.ids);
      bool hit = false;
      for (const auto& ss : o.stop_strings)
        if (!ss.empty() && text.find(ss) != std::string::npos) hit = true;
      if (hit) {
        g.stop_reason = "stop_string";
        break;
      }
    }
    if (step + 1 == o.max_new_tokens) break;
    State* sp = &s;
    m.decode({&sp, 1}, std::span<const int>(&next, 1), logits.data());
  }
  g.decode_seconds = seconds_since(t0);
  if (tok) {
    g.text = decode_lenient(*tok, g.ids);
    if (g.stop_reason == "stop_string") {
      size_t cut = g.text.size();
      for (const auto& ss : o.stop_strings)
        if (!ss.empty()) cut = std::min(cut, g.text.find(ss));
      g.text.resize(cut);
    }
  }
  return g;
}

}  // namespace rgeval
