#include "cli/load.h"

#include <filesystem>

#include "engine/builtin.h"
#include "engine/error.h"

namespace rgeval::cli {

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

}  // namespace rgeval::cli
