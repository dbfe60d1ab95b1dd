#include "engine/checkpoint.h"

#include <sys/mman.h>
#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <set>
#include <sstream>

#include "engine/builtin.h"
#include "engine/error.h"
#include "engine/model_spec.h"

namespace rgeval {

namespace fs = std::filesystem;
using json = nlohmann::json;

const TensorView& Checkpoint::get(const std::string& name) const {
  auto it = tensors.find(name);
  if (it == tensors.end()) fail(source, "missing tensor '" + name + "'");
  return it->second;
}

int64_t Checkpoint::weight_bytes() const {
  int64_t n = 0;
  for (const auto& [_, t] : tensors) n += int64_t(t.nbytes);
  return n;
}

Checkpoint::Fetched Checkpoint::fetch(const std::string& name) const {
  Fetched f{get(name), nullptr};
  if (!f.view.data && generate) {
    f.owned = generate(name, f.view);
    f.view.data = f.owned->data();
  }
  return f;
}

void Checkpoint::release(const std::string& name) const {
  const auto it = tensors.find(name);
  if (it == tensors.end() || !it->second.data) return;
  const uintptr_t page = uintptr_t(::sysconf(_SC_PAGESIZE));
  const uintptr_t b = (uintptr_t(it->second.data) + page - 1) / page * page;
  const uintptr_t e = (uintptr_t(it->second.data) + it->second.nbytes) / page * page;
  if (e > b) ::madvise(reinterpret_cast<void*>(b), e - b, MADV_DONTNEED);
}

namespace {

std::string shape_str(const std::vector<int64_t>& s) {
  std::string out = "[";
  for (size_t i = 0; i < s.size(); ++i) out += (i ? ", " : "") + std::to_string(s[i]);
  return out + "]";
}

void add_file(Checkpoint& ck, const std::string& path, const std::set<std::string>* only) {
  auto file = std::make_shared<SafetensorsFile>(path);
  for (auto& [name, view] : file->tensors()) {
    if (only && !only->count(name)) continue;
    if (ck.tensors.count(name))
      fail(path, "tensor '" + name + "' also appears in " + ck.tensor_file[name]);
    ck.tensors[name] = view;
    ck.tensor_file[name] = path;
  }
  ck.files.push_back(path);
  ck.owners.push_back(file);
}

std::string read_text(const std::string& path) {
  std::ifstream f(path, std::ios::binary);
  if (!f) fail(path, "cannot open");
  std::stringstream ss;
  ss << f.rdbuf();
  return ss.str();
}

void load_sharded(Checkpoint& ck, const fs::path& index_path) {
  const std::string where = index_path.string();
  json j;
  try {
    j = json::parse(read_text(where));
  } catch (const json::exception& e) {
    fail(where, std::string("not valid JSON: ") + e.what());
  }
  if (!j.is_object() || !j.contains("weight_map") || !j["weight_map"].is_object())
    fail(where, "missing 'weight_map' object");
  std::map<std::string, std::set<std::string>> by_file;
  for (auto it = j["weight_map"].begin(); it != j["weight_map"].end(); ++it) {
    if (!it.value().is_string()) fail(where, "weight_map entry '" + it.key() + "' is not a string");
    const std::string file = it.value().get<std::string>();
    if (file.empty() || file.find('/') != std::string::npos || file == "..")
      fail(where, "weight_map entry '" + it.key() + "' names an invalid file '" + file + "'");
    by_file[file].insert(it.key());
  }
  for (const auto& [file, names] : by_file) {
    const std::string path = (index_path.parent_path() / file).string();
    add_file(ck, path, &names);
    for (const auto& n : names)
      if (!ck.tensors.count(n)) fail(path, "tensor '" + n + "' listed in " + where + " is missing");
  }
}

}  // namespace

void validate_tensors(const Checkpoint& ck) {
  for (const auto& spec : expected_tensors(ck.config)) {
    auto it = ck.tensors.find(spec.name);
    if (it == ck.tensors.end()) {
      const std::string where = ck.files.size() == 1 ? ck.files[0] : ck.source;
      fail(where, "missing tensor '" + spec.name + "' (expected shape " + shape_str(spec.shape) + ")");
    }
    const auto file_it = ck.tensor_file.find(spec.name);
    const std::string where = file_it != ck.tensor_file.end() ? file_it->second : ck.source;
    if (it->second.shape != spec.shape)
      fail(where, "tensor '" + spec.name + "' has shape " + shape_str(it->second.shape) +
                      ", the config implies " + shape_str(spec.shape));
    const DType d = it->second.dtype;
    if (d != DType::F32 && d != DType::BF16 && d != DType::F16)
      fail(where, "tensor '" + spec.name + "' has dtype " + std::string(dtype_name(d)) +
                      " (F32, BF16 or F16 expected)");
  }
}

Checkpoint load_checkpoint_dir(const std::string& dir) {
  const fs::path d(dir);
  if (!fs::is_directory(d)) fail(dir, "not a directory (expected a checkpoint folder or builtin:NAME)");
  Checkpoint ck;
  ck.source = dir;
  ck.config = load_config((d / "config.json").string());
  const fs::path index = d / "model.safetensors.index.json";
  if (fs::exists(index)) {
    load_sharded(ck, index);
  } else {
    std::vector<std::string> files;
    for (const auto& e : fs::directory_iterator(d))
      if (e.path().extension() == ".safetensors") files.push_back(e.path().string());
    std::sort(files.begin(), files.end());
    if (files.empty()) fail(dir, "no *.safetensors file");
    for (const auto& f : files) add_file(ck, f, nullptr);
  }
  validate_tensors(ck);
  ck.tokenizer_path = (d / "tokenizer.model").string();
  return ck;
}

Checkpoint load_model(const std::string& spec, const std::string& tokenizer) {
  Checkpoint ck = is_builtin(spec) ? make_builtin(spec) : load_checkpoint_dir(spec);
  if (!tokenizer.empty()) ck.tokenizer_path = tokenizer;
  return ck;
}

ModelConfig load_model_config(const std::string& spec) {
  if (is_builtin(spec)) return builtin_config(spec);
  return load_config((fs::path(spec) / "config.json").string());
}

}  // namespace rgeval
