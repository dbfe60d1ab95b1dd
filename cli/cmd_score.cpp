// `rgeval score --model M --requests FILE.jsonl`: log-likelihood of continuations.
#include <fstream>
#include <iostream>
#include <nlohmann/json.hpp>

#include "cli/commands.h"
#include "cli/load.h"
#include "engine/error.h"
#include "engine/scoring.h"
#include "tasks/encode_pair.h"

namespace rgeval::cli {

namespace {

struct Opts {
  ModelArgs model;
  std::string requests;
  bool naive = false;
};

std::vector<ScoreRequest> read_requests(const std::string& path, const Tokenizer& tok) {
  std::ifstream f(path);
  if (!f) fail(path, "cannot open");
  std::vector<ScoreRequest> out;
  std::string line;
  int n = 0;
  while (std::getline(f, line)) {
    ++n;
    if (line.find_first_not_of(" \t\r") == std::string::npos) continue;
    const std::string where = path + ":" + std::to_string(n);
    nlohmann::json j;
    try {
      j = nlohmann::json::parse(line);
    } catch (const nlohmann::json::exception& e) {
      fail(where, std::string("not valid JSON: ") + e.what());
    }
    ScoreRequest r;
    try {
      if (j.contains("context_ids")) {
        r.context = j.at("context_ids").get<std::vector<int>>();
        r.continuation = j.at("continuation_ids").get<std::vector<int>>();
      } else {
        const auto e = tasks::encode_pair(tok, j.at("context").get<std::string>(),
                                          j.at("continuation").get<std::string>());
        r.context = e.context_ids;
        r.continuation = e.continuation_ids;
      }
    } catch (const nlohmann::json::exception& e) {
      fail(where, "expected {\"context\",\"continuation\"} strings or {\"context_ids\",\"continuation_ids\"} arrays (" +
                      std::string(e.what()) + ")");
    } catch (const Error& e) {
      fail(where, e.what());
    }
    if (r.context.empty() || r.continuation.empty()) fail(where, "empty context or continuation");
    out.push_back(std::move(r));
  }
  return out;
}

void run_score(const Opts& o) {
  LoadedModel m = load_model_args(o.model);
  const auto reqs = read_requests(o.requests, *m.tokenizer);
  ScoreOptions so;
  so.share_prefixes = !o.naive;
  ScoreStats st;
  const auto res = score(*m.model, reqs, so, &st);
  for (size_t i = 0; i < res.size(); ++i) {
    nlohmann::ordered_json j;
    j["sum_logprob"] = res[i].sum_logprob;
    j["is_greedy"] = res[i].is_greedy;
    j["n_context_tokens"] = reqs[i].context.size();
    j["n_continuation_tokens"] = reqs[i].continuation.size();
    std::cout << j.dump() << "\n";
  }
  std::cerr << "rgeval: " << res.size() << " requests, " << st.tokens_forwarded
            << " tokens forwarded (" << st.tokens_naive << " one forward per request would run)\n";
}

}  // namespace

void add_score(CLI::App& app, Runner& run) {
  auto* cmd = app.add_subcommand("score", "Log-likelihood of continuations (JSONL requests)");
  auto o = std::make_shared<Opts>();
  add_model_options(cmd, o->model);
  cmd->add_option("--requests", o->requests, "JSONL: {context, continuation} or {context_ids, continuation_ids}")
      ->required();
  cmd->add_flag("--naive", o->naive, "One full forward per request (no prefix sharing)");
  cmd->callback([&run, o] { run = [o] { run_score(*o); }; });
}

}  // namespace rgeval::cli
