// `rgeval logits --model M --ids 2,17,5 [--prefill P]`: logits at every position, as JSON.
#include <iostream>
#include <nlohmann/json.hpp>

#include "cli/commands.h"
#include "cli/load.h"
#include "engine/error.h"

namespace rgeval::cli {

namespace {

struct Opts {
  ModelArgs model;
  std::string ids;
  int prefill = 0;
};

void run_logits(const Opts& o) {
  const auto ids = parse_ids(o.ids, "--ids");
  if (ids.empty()) fail("--ids", "no token ids");
  const int T = int(ids.size());
  const int P = o.prefill > 0 ? o.prefill : T;
  if (P > T) fail("--prefill", std::to_string(P) + " is more than the " + std::to_string(T) + " ids");
  LoadedModel m = load_model_args(o.model);
  const int V = m.model->vocab();
  std::vector<float> logits(size_t(T) * size_t(V));
  State s = m.model->new_state();
  // The first P tokens in one prefill, then one decode step per token through the state.
  m.model->forward(s, std::span<const int>(ids.data(), size_t(P)), 0, logits.data());
  for (int t = P; t < T; ++t) {
    State* sp = &s;
    m.model->decode({&sp, 1}, std::span<const int>(&ids[size_t(t)], 1), logits.data() + size_t(t) * V);
  }
  std::cout << "{\"shape\":[" << T << "," << V << "],\"logits\":[";
  for (int t = 0; t < T; ++t) {
    std::cout << (t ? "," : "") << "[";
    for (int v = 0; v < V; ++v) std::cout << (v ? "," : "") << nlohmann::json(logits[size_t(t) * V + v]).dump();
    std::cout << "]";
  }
  std::cout << "]}\n";
}

}  // namespace

void add_logits(CLI::App& app, Runner& run) {
  auto* cmd = app.add_subcommand("logits", "Logits at every position of a token sequence (JSON)");
  auto o = std::make_shared<Opts>();
  add_model_options(cmd, o->model);
  cmd->add_option("--ids", o->ids, "Comma-separated token ids (include <bos>)")->required();
  cmd->add_option("--prefill", o->prefill,
                  "Tokens in the first prefill; the rest go one decode step at a time (default: all)")
      ->check(CLI::PositiveNumber);
  cmd->callback([&run, o] { run = [o] { run_logits(*o); }; });
}

}  // namespace rgeval::cli
