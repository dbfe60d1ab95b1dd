// `rgeval tokenize (--model M | --tokenizer FILE) --text TEXT [--json]`
#include <iostream>
#include <nlohmann/json.hpp>

#include "cli/commands.h"
#include "cli/load.h"

namespace rgeval::cli {

void add_tokenize(CLI::App& app, Runner& run) {
  auto* cmd = app.add_subcommand("tokenize", "Encode text with a model's tokenizer");
  struct Opts {
    std::string model, tokenizer, text;
    bool json = false;
  };
  auto o = std::make_shared<Opts>();
  auto* m = cmd->add_option("--model", o->model, "Checkpoint directory or builtin:NAME");
  auto* t = cmd->add_option("--tokenizer", o->tokenizer, "tokenizer.model file");
  m->excludes(t);
  cmd->add_option("--text", o->text, "Text to encode")->required();
  cmd->add_flag("--json", o->json, "Machine-readable JSON on stdout");
  cmd->callback([&run, o, cmd] {
    if (o->model.empty() && o->tokenizer.empty())
      throw CLI::RequiredError("--model or --tokenizer");
    run = [o] {
      const Tokenizer tok = load_tokenizer(o->model, o->tokenizer);
      const auto ids = tok.encode(o->text);
      if (o->json) {
        nlohmann::ordered_json j;
        j["ids"] = ids;
        j["pieces"] = tok.pieces(ids);
        j["bos_id"] = tok.bos_id();
        j["eos_id"] = tok.eos_id();
        std::cout << j.dump() << "\n";
        return;
      }
      const auto pieces = tok.pieces(ids);
      for (size_t i = 0; i < ids.size(); ++i) std::cout << ids[i] << "\t" << pieces[i] << "\n";
    };
    (void)cmd;
  });
}

}  // namespace rgeval::cli
