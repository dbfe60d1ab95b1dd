// Built-in models: real architectures with deterministic random weights, so that tests, the demo
// and throughput work run without any download. Names: builtin:tiny-griffin, builtin:tiny-gemma,
// builtin:recurrentgemma-2b, builtin:recurrentgemma-9b, builtin:gemma-2b, builtin:gemma-7b.
#pragma once
#include <string>
#include <vector>

#include "engine/checkpoint.h"

namespace rgeval {

bool is_builtin(const std::string& spec);
std::vector<std::string> builtin_names();
ModelConfig builtin_config(const std::string& spec);
// Tensors are generated on demand by Checkpoint::fetch (nothing is held in memory up front).
Checkpoint make_builtin(const std::string& spec);

// The serialized SentencePiece model of the built-in tokenizer (512 pieces, Gemma-like).
const std::string& builtin_tokenizer_proto();

}  // namespace rgeval
