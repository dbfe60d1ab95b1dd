// Resolving --model / --tokenizer / --dtype / --threads, shared by the subcommands.
#pragma once
#include <CLI/CLI.hpp>
#include <memory>
#include <string>

#include "engine/checkpoint.h"
#include "engine/model.h"
#include "engine/tokenizer.h"

namespace rgeval::cli {

struct ModelArgs {
  std::string model, tokenizer, dtype = "auto";
  int threads = 0;
};

// Adds --model (required), --tokenizer, --dtype, --threads to a subcommand.
void add_model_options(CLI::App* cmd, ModelArgs& a);

struct LoadedModel {
  Checkpoint checkpoint;
  std::unique_ptr<Model> model;
  std::unique_ptr<Tokenizer> tokenizer;
};

LoadedModel load_model_args(const ModelArgs& a);

// The tokenizer of `model` (a directory's tokenizer.model, or the built-in one), or the file
// `tokenizer` when given.
Tokenizer load_tokenizer(const std::string& model, const std::string& tokenizer);

// "2,17,5" -> ids; throws a usage-style Error naming the option on bad input.
std::vector<int> parse_ids(const std::string& csv, const std::string& option);

}  // namespace rgeval::cli
