// Resolving --model / --tokenizer arguments shared by the subcommands.
#pragma once
#include <string>

#include "engine/tokenizer.h"

namespace rgeval::cli {

// The tokenizer of `model` (a directory's tokenizer.model, or the built-in one), or the file
// `tokenizer` when given.
Tokenizer load_tokenizer(const std::string& model, const std::string& tokenizer);

}  // namespace rgeval::cli
