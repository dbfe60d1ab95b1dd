#include "safety/run.h"

#include <chrono>
#include <csignal>
#include <cstdio>
#include <map>
#include <nlohmann/json.hpp>

#include "engine/error.h"
#include "engine/version.h"
#include "safety/prompt_set.h"
#include "store/sha256.h"

namespace rgeval::safety {

namespace {

using Clock = std::chrono::steady_clock;
using nlohmann::ordered_json;

double since(Clock::time_point t0) {
  return std::chrono::duration<double>(Clock::now() - t0).count();
}

// What of the sampling options determines the responses (greedy ignores seed, top-k, top-p).
ordered_json sampling_json(const SamplingOptions& s) {
  ordered_json j;
  j["max_new_tokens"] = s.max_new_tokens;
  if (s.temperature <= 0.f) {
    j["greedy"] = true;
  } else {
    j["temperature"] = s.temperature;
    j["top_k"] = s.top_k;
    j["top_p"] = s.top_p;
    j["seed"] = s.seed;
  }
  j["stop_strings"] = s.stop_strings;
  return j;
}

}  // namespace

std::vector<int> chat_prompt_ids(const Tokenizer& tok, const std::string& message) {
  std::vector<int> ids{tok.bos_id()};
  const std::vector<int> body = tok.encode(chat_prompt(message));
  ids.insert(ids.end(), body.begin(), body.end());
  return ids;
}

uint64_t prompt_seed(uint64_t seed, const std::string& prompt_id) {
  return seed ^ std::stoull(store::sha256_hex(prompt_id).substr(0, 16), nullptr, 16);
}

std::string format_progress(const SafetyProgress& p) {
  char buf[200];
  const double pct = p.total ? 100.0 * double(p.done) / double(p.total) : 100.0;
  const double rate = p.seconds > 0 ? double(p.computed) / p.seconds : 0.0;
  const double tps = p.seconds > 0 ? double(p.tokens) / p.seconds : 0.0;
  std::snprintf(buf, sizeof buf,
                "rgeval: safety %zu/%zu prompts (%.1f%%), %.2f prompts/s, %.0f tok/s", p.done,
                p.total, pct, rate, tps);
  std::string s = buf;
  if (p.final)
    s += ", done in " + tasks::format_duration(p.seconds);
  else if (p.eta_seconds >= 0)
    s += ", ETA " + tasks::format_duration(p.eta_seconds);
  return s;
}

SafetyRunResult run_safety(const Model& model, const Tokenizer& tok, const tasks::ModelIdentity& id,
                           const SafetyOptions& o) {
  // 1. Prompts (bad data stops here, before the database is touched).
  SafetyRunResult res;
  res.data_file = prompt_set_file(o.set, o.data_dir);
  const std::vector<SafetyPrompt> prompts = load_prompt_set(o.set, o.data_dir, o.limit);
  if (prompts.empty()) fail(res.data_file, "no prompts");

  // 2. The run.
  SafetyRunRow& run = res.run;
  run.model = id;
  run.prompt_set = o.set;
  run.set_name = prompts.front().set;
  run.set_file_sha256 = store::sha256_file(res.data_file);
  run.sampling = sampling_json(o.sampling).dump();
  ordered_json ident;
  ident["format"] = "rgeval-safety-run/1";
  ident["model"] = tasks::model_identity_json(id);
  ident["set"] = run.set_name;
  ident["set_file_sha256"] = run.set_file_sha256;
  ident["chat_template"] = chat_prompt("{message}");
  ident["sampling"] = sampling_json(o.sampling);
  run.identity = ident.dump();
  run.run_key = store::sha256_hex(run.identity);
  run.rgeval_version = rgeval::version();
  run.rgeval_commit = rgeval::commit();
  run.command_line = o.command_line;

  store::Db db(o.db_path);
  init_safety_schema(db);
  run.run_id = find_or_create_safety_run(db, run);
  run = load_safety_run(db, run.run_id);  // the first invocation's command line and start time
  SafetyAttempt att{run.run_id,       o.command_line, rgeval::version(),
                    rgeval::commit(), o.threads,      o.limit};
  res.attempt_id = begin_safety_attempt(db, att);

  // 3. Generate what is missing, committing each response on its own.
  auto stored_by_id = [&] {
    std::map<std::string, ResponseRow> m;
    for (ResponseRow& r : load_responses(db, run.run_id)) {
      const std::string key = r.prompt_id;
      m.emplace(key, std::move(r));
    }
    return m;
  };
  std::map<std::string, ResponseRow> stored = stored_by_id();
  SafetyProgress prog;
  prog.total = prompts.size();
  for (const SafetyPrompt& p : prompts) prog.done += stored.count(p.id);
  res.total = prompts.size();
  res.reused = prog.done;
  SamplingOptions so = o.sampling;
  so.stop = true;
  so.stop_ids = default_stop_ids(tok);
  const std::function<void()> kill = [] { std::raise(SIGKILL); };
  const auto t0 = Clock::now();
  auto report = [&](bool final) {
    if (!o.on_progress) return;
    prog.seconds = since(t0);
    prog.final = final;
    const size_t left = prog.total - prog.done;
    prog.eta_seconds = final           ? 0
                       : prog.computed ? prog.seconds / double(prog.computed) * double(left)
                                       : -1;
    o.on_progress(prog);
  };
  report(false);
  for (size_t i = 0; i < prompts.size(); ++i) {
    const SafetyPrompt& p = prompts[i];
    if (stored.count(p.id)) continue;
    ResponseRow r;
    r.prompt_id = p.id;
    r.seq = int(i);
    r.category = p.category;
    r.should_refuse = p.should_refuse;
    r.prompt = p.prompt;
    so.seed = prompt_seed(o.sampling.seed, p.id);
    const Generation g = generate(model, chat_prompt_ids(tok, p.prompt), so, &tok);
    r.response = g.text;
    r.response_ids = g.ids;
    r.prompt_tokens = g.prompt_tokens;
    r.stop_reason = g.stop_reason;
    r.prefill_seconds = g.prefill_seconds;
    r.decode_seconds = g.decode_seconds;
    r.attempt_id = res.attempt_id;
    const bool kill_now =
        o.test_kill_after_prompts >= 0 && prog.computed == size_t(o.test_kill_after_prompts);
    store_response(db, run.run_id, r, kill_now ? kill : std::function<void()>());
    ++prog.done;
    ++prog.computed;
    prog.tokens += int64_t(g.ids.size());
    report(false);
  }
  res.computed = prog.computed;
  res.tokens_generated = prog.tokens;
  res.seconds = since(t0);
  finish_safety_attempt(db, res.attempt_id, res.seconds);
  report(true);

  // 4. The selected prompts' responses, read back from the database.
  stored = stored_by_id();
  for (const SafetyPrompt& p : prompts) {
    const auto it = stored.find(p.id);
    if (it == stored.end())
      fail(o.db_path, "response to prompt '" + p.id + "' missing after generation");
    if (it->second.prompt != p.prompt || it->second.should_refuse != p.should_refuse)
      fail(o.db_path, "stored prompt '" + p.id + "' does not match " + res.data_file);
    res.responses.push_back(std::move(it->second));
  }
  return res;
}

}  // namespace rgeval::safety
