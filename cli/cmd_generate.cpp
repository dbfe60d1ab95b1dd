// `rgeval generate --model M (--prompt TEXT | --ids ...) [--chat] --max-new-tokens N ...`
#include <iostream>
#include <nlohmann/json.hpp>

#include "cli/commands.h"
#include "cli/load.h"
#include "engine/error.h"
#include "engine/generate.h"

namespace rgeval::cli {

namespace {

struct Opts {
  ModelArgs model;
  std::string prompt, ids;
  bool chat = false, no_stop = false, json = false;
  SamplingOptions sampling;
};

void run_generate(Opts o) {
  LoadedModel m = load_model_args(o.model);
  const Tokenizer& tok = *m.tokenizer;
  std::vector<int> prompt;
  if (!o.ids.empty()) {
    prompt = parse_ids(o.ids, "--ids");
  } else {
    prompt.push_back(tok.bos_id());
    const auto ids = tok.encode(o.chat ? chat_prompt(o.prompt) : o.prompt);
    prompt.insert(prompt.end(), ids.begin(), ids.end());
  }
  o.sampling.stop = !o.no_stop;
  o.sampling.stop_ids = default_stop_ids(tok);
  const Generation g = generate(*m.model, prompt, o.sampling, &tok);
  if (o.json) {
    nlohmann::ordered_json j;
    j["text"] = g.text;
    j["ids"] = g.ids;
    j["prompt_ids"] = prompt;
    j["stop_reason"] = g.stop_reason;
    j["prefill_seconds"] = g.prefill_seconds;
    j["decode_seconds"] = g.decode_seconds;
    std::cout << j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace) << "\n";
  } else {
    std::cout << g.text << "\n";
  }
  std::cerr << "rgeval: " << g.prompt_tokens << " prompt tokens, " << g.ids.size()
            << " generated (" << g.stop_reason << "), "
            << (g.decode_seconds > 0 ? double(g.ids.size()) / g.decode_seconds : 0.0) << " tokens/s\n";
}

}  // namespace

void add_generate(CLI::App& app, Runner& run) {
  auto* cmd = app.add_subcommand("generate", "Generate text (greedy unless --temperature)");
  auto o = std::make_shared<Opts>();
  add_model_options(cmd, o->model);
  auto* p = cmd->add_option("--prompt", o->prompt, "Prompt text (<bos> is added)");
  auto* i = cmd->add_option("--ids", o->ids, "Prompt as comma-separated token ids");
  p->excludes(i);
  cmd->add_flag("--chat", o->chat, "Wrap the prompt in the Gemma chat template");
  cmd->add_option("--max-new-tokens", o->sampling.max_new_tokens, "Tokens to generate")
      ->check(CLI::NonNegativeNumber);
  cmd->add_option("--temperature", o->sampling.temperature, "Sampling temperature (default greedy)")
      ->check(CLI::NonNegativeNumber);
  cmd->add_option("--top-k", o->sampling.top_k, "Keep the k most likely tokens")->check(CLI::NonNegativeNumber);
  cmd->add_option("--top-p", o->sampling.top_p, "Nucleus sampling mass")->check(CLI::Range(0.0, 1.0));
  cmd->add_option("--seed", o->sampling.seed, "Sampling seed");
  cmd->add_option("--stop", o->sampling.stop_strings, "Stop string (repeatable)");
  cmd->add_flag("--no-stop", o->no_stop, "Ignore eos / <end_of_turn> / stop strings");
  cmd->add_flag("--json", o->json, "JSON on stdout: text, ids, prompt_ids");
  cmd->callback([&run, o, p, i] {
    if (p->count() == 0 && i->count() == 0) throw CLI::RequiredError("--prompt or --ids");
    run = [o] { run_generate(*o); };
  });
}

}  // namespace rgeval::cli
