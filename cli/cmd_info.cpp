// `rgeval info --model M [--json]`: architecture, parameter counts, weight bytes, state bytes.
#include <iomanip>
#include <iostream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "cli/commands.h"
#include "engine/builtin.h"
#include "engine/checkpoint.h"
#include "engine/model_spec.h"

namespace rgeval::cli {

namespace {

std::string pattern(const ModelConfig& c) {
  std::string s;
  for (auto b : c.blocks) s += b == BlockType::Recurrent ? 'R' : 'A';
  return s;
}

std::string human_bytes(double b) {
  const char* units[] = {"B", "KiB", "MiB", "GiB", "TiB"};
  int u = 0;
  while (b >= 1024 && u < 4) b /= 1024, ++u;
  std::ostringstream o;
  o << std::fixed << std::setprecision(u ? 2 : 0) << b << " " << units[u];
  return o.str();
}

void run_info(const std::string& model, bool as_json) {
  ModelConfig cfg;
  DType wdt;
  int64_t wbytes;
  if (is_builtin(model)) {  // nothing to read: don't generate the weights
    cfg = builtin_config(model);
    wdt = cfg.weight_dtype;
    wbytes = count_params(cfg).total * int64_t(dtype_size(wdt));
  } else {
    const Checkpoint ck = load_model(model);
    cfg = ck.config;
    wbytes = ck.weight_bytes();
    wdt = ck.get("model.embed_tokens.weight").dtype;
  }
  const ParamCounts p = count_params(cfg);
  const DType cache = wdt == DType::F32 ? DType::F32 : DType::BF16;
  std::vector<int64_t> lengths = {1, 256, 1024, 2048, 4096, 8192, 32768};
  if (cfg.window && cfg.window < 256) lengths.insert(lengths.begin() + 1, {int64_t(cfg.window)});

  nlohmann::ordered_json j;
  j["model"] = model;
  j["architecture"] = arch_name(cfg.arch);
  j["layers"] = cfg.num_layers;
  j["block_pattern"] = pattern(cfg);
  j["hidden_size"] = cfg.hidden;
  j["num_heads"] = cfg.num_heads;
  j["num_kv_heads"] = cfg.num_kv_heads;
  j["head_dim"] = cfg.head_dim;
  j["mlp_width"] = cfg.mlp_width;
  if (cfg.arch == Arch::Griffin) {
    j["lru_width"] = cfg.lru_width;
    j["attention_window"] = cfg.window;
  }
  j["vocab_size"] = cfg.vocab_size;
  j["params"] = {{"total", p.total}, {"embedding", p.embedding}, {"non_embedding", p.non_embedding()}};
  j["weight_dtype"] = dtype_name(wdt);
  j["weight_bytes"] = wbytes;
  j["state_dtype"] = dtype_name(cache);
  for (auto n : lengths) j["state_bytes"].push_back({{"tokens", n}, {"bytes", state_bytes(cfg, cache, n)}});
  if (as_json) {
    std::cout << j.dump(2) << "\n";
    return;
  }
  auto billions = [](int64_t n) {
    std::ostringstream o;
    o << std::fixed << std::setprecision(3) << double(n) / 1e9 << "B (" << n << ")";
    return o.str();
  };
  std::cout << "model           " << model << "\n"
            << "architecture    " << arch_name(cfg.arch) << ", " << cfg.num_layers << " layers\n"
            << "block pattern   " << pattern(cfg) << "\n"
            << "width           hidden " << cfg.hidden << ", heads " << cfg.num_heads << " (kv "
            << cfg.num_kv_heads << ", head_dim " << cfg.head_dim << "), mlp " << cfg.mlp_width;
  if (cfg.arch == Arch::Griffin) std::cout << ", lru " << cfg.lru_width << ", window " << cfg.window;
  std::cout << "\nparameters      total " << billions(p.total) << "\n"
            << "                embedding " << billions(p.embedding) << "\n"
            << "                non-embedding " << billions(p.non_embedding()) << "\n"
            << "weights         " << dtype_name(wdt) << ", " << human_bytes(double(wbytes)) << "\n"
            << "state/sequence  (" << dtype_name(cache) << " cache"
            << (cfg.arch == Arch::Griffin ? ", fp32 RG-LRU state; fixed beyond the window)"
                                          : "; KV cache grows with every token)")
            << "\n";
  for (auto n : lengths)
    std::cout << "  " << std::setw(8) << n << " tokens  " << human_bytes(double(state_bytes(cfg, cache, n)))
              << "\n";
}

}  // namespace

void add_info(CLI::App& app, Runner& run) {
  auto* cmd = app.add_subcommand("info", "Describe a model: architecture, parameters, memory");
  auto model = std::make_shared<std::string>();
  auto as_json = std::make_shared<bool>(false);
  cmd->add_option("--model", *model, "Checkpoint directory or builtin:NAME")->required();
  cmd->add_flag("--json", *as_json, "Machine-readable JSON on stdout");
  cmd->callback([&run, model, as_json] { run = [model, as_json] { run_info(*model, *as_json); }; });
}

}  // namespace rgeval::cli
