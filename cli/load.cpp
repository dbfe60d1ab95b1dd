#include "cli/load.h"

#include <filesystem>

#include "engine/builtin.h"
#include "engine/error.h"

namespace rgeval::cli {

void add_model_options(CLI::App* cmd, ModelArgs& a) {
  cmd->add_option("--model", a.model, "Checkpoint directory or builtin:NAME")->required();
  cmd->add_option("--tokenizer", a.tokenizer, "tokenizer.model (default: the model's)");
  cmd->add_option("--dtype", a.dtype, "Compute dtype: auto (bf16 for bf16 weights on a bf16 CPU), f32, bf16")
      ->check(CLI::IsMember({"auto", "f32", "bf16"}));
  cmd->add_option("--threads", a.threads, "Threads (default: all cores)")->check(CLI::NonNegativeNumber);
}

LoadedModel load_model_args(const ModelArgs& a) {
  LoadedModel m;
  m.checkpoint = load_model(a.model, a.tokenizer);
  EngineOptions o;
  o.dtype = a.dtype;
  o.threads = a.threads;
  m.model = std::make_unique<Model>(m.checkpoint, o);
  m.tokenizer = std::make_unique<Tokenizer>(load_tokenizer(a.model, a.tokenizer));
  return m;
}

Tokenizer load_tokenizer(const std::string& model, const std::string& tokenizer) {
  if (!tokenizer.empty()) return Tokenizer::from_file(tokenizer);
  if (is_builtin(model)) {
    builtin_config(model);  // rejects unknown names
    return Tokenizer::from_proto(builtin_tokenizer_proto(), "builtin tokenizer");
  }
  const auto path = std::filesystem::path(model) / "tokenizer.model";
  if (!std::filesystem::exists(path))
    fail(model, "no tokenizer.model in the model directory (pass --tokenizer FILE)");
  return Tokenizer::from_file(path.string());
}

std::vector<int> parse_ids(const std::string& csv, const std::string& option) {
  std::vector<int> ids;
  size_t i = 0;
  while (i <= csv.size()) {
    const size_t j = csv.find(',', i);
    const std::string item = csv.substr(i, j == std::string::npos ? std::string::npos : j - i);
    try {
      size_t used = 0;
      const long v = std::stol(item, &used);
      if (used != item.size() || v < 0 || v > INT32_MAX) throw std::invalid_argument(item);
      ids.push_back(int(v));
    } catch (const std::exception&) {
      fail(option, "'" + item + "' is not a token id (expected comma-separated non-negative integers)");
    }
    if (j == std::string::npos) break;
    i = j + 1;
  }
  return ids;
}

}  // namespace rgeval::cli
