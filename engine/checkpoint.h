// A model's weights and configuration as loaded: a Hugging Face checkpoint directory
// (config.json, model.safetensors or sharded *.safetensors + model.safetensors.index.json,
// tokenizer.model) or a built-in model ("builtin:NAME").
#pragma once
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "engine/config.h"
#include "engine/safetensors.h"

namespace rgeval {

struct Checkpoint {
  std::string source;  // directory or "builtin:NAME"
  ModelConfig config;
  std::map<std::string, TensorView> tensors;
  std::map<std::string, std::string> tensor_file;  // tensor name -> file it came from
  std::vector<std::string> files;                  // safetensors files read
  std::vector<std::shared_ptr<const void>> owners;  // keep mappings / buffers alive
  std::string tokenizer_path;  // empty: the built-in tokenizer
  // Built-in models: makes a tensor's bytes on demand (their views have data == nullptr).
  std::function<std::shared_ptr<std::vector<std::byte>>(const std::string&, const TensorView&)>
      generate;

  const TensorView& get(const std::string& name) const;  // throws naming the tensor
  int64_t weight_bytes() const;

  // A tensor with its bytes present (generated for built-ins); `owned` keeps them alive.
  struct Fetched {
    TensorView view;
    std::shared_ptr<std::vector<std::byte>> owned;
  };
  Fetched fetch(const std::string& name) const;
  // Tells the kernel the mapped pages of a tensor are no longer needed (after the engine has
  // packed its own copy), so that resident memory stays near the packed weights.
  void release(const std::string& name) const;
};

// Loads a checkpoint directory. Validates that every tensor the architecture needs exists
// with the right shape and a float dtype; errors name the file and the tensor.
Checkpoint load_checkpoint_dir(const std::string& dir);

// Directory or builtin name. `tokenizer` (may be empty) overrides the tokenizer path.
Checkpoint load_model(const std::string& spec, const std::string& tokenizer = "");

// Configuration only (no weights read): for `info` and planning.
ModelConfig load_model_config(const std::string& spec);

void validate_tensors(const Checkpoint& ck);

}  // namespace rgeval
