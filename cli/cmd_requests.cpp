// `rgeval requests --task T --data DIR [--num-fewshot N] [--limit N]`: the lm-eval
// loglikelihood requests of a task, one JSON line per document.
#include <iostream>
#include <nlohmann/json.hpp>

#include "cli/commands.h"
#include "tasks/registry.h"

namespace rgeval::cli {

void add_requests(CLI::App& app, Runner& run) {
  auto* cmd = app.add_subcommand("requests", "Print a task's multiple-choice requests (JSON lines)");
  struct Opts {
    std::string task, data;
    int num_fewshot = -1, limit = -1;
  };
  auto o = std::make_shared<Opts>();
  cmd->add_option("--task", o->task,
                  "mmlu, mmlu_<subject>, hellaswag, piqa, arc_easy, arc_challenge, openbookqa, boolq, social_iqa")
      ->required();
  cmd->add_option("--data", o->data, "Data directory (holding mmlu/, hellaswag/, piqa/)")->required();
  cmd->add_option("--num-fewshot", o->num_fewshot, "Few-shot examples (default: MMLU 5, others 0)")
      ->check(CLI::NonNegativeNumber);
  cmd->add_option("--limit", o->limit, "At most N documents per task")->check(CLI::NonNegativeNumber);
  cmd->callback([&run, o] {
    run = [o] {
      const auto docs = tasks::load_task(o->task, o->data, o->num_fewshot, o->limit);
      std::string out;
      for (const auto& d : docs) {
        nlohmann::ordered_json j;
        j["task"] = d.task;
        j["doc_id"] = d.doc_id;
        j["context"] = d.context;
        j["choices"] = d.choices;
        j["gold"] = d.gold;
        out += j.dump();
        out += '\n';
      }
      std::cout << out << std::flush;
    };
  });
}

}  // namespace rgeval::cli
