#include "engine/tokenizer.h"

#include <sentencepiece_processor.h>

#include <filesystem>

#include "engine/error.h"

namespace rgeval {

Tokenizer::Tokenizer() : sp_(std::make_unique<sentencepiece::SentencePieceProcessor>()) {}
Tokenizer::~Tokenizer() = default;
Tokenizer::Tokenizer(Tokenizer&&) noexcept = default;
Tokenizer& Tokenizer::operator=(Tokenizer&&) noexcept = default;

Tokenizer Tokenizer::from_file(const std::string& path) {
  if (!std::filesystem::is_regular_file(path)) fail(path, "tokenizer file not found");
  Tokenizer t;
  t.where_ = path;
  const auto st = t.sp_->Load(path);
  if (!st.ok()) fail(path, "not a valid SentencePiece model (" + std::string(st.message()) + ")");
  t.read_ids();
  return t;
}

Tokenizer Tokenizer::from_proto(const std::string& serialized, const std::string& where) {
  Tokenizer t;
  t.where_ = where;
  const auto st = t.sp_->LoadFromSerializedProto(serialized);
  if (!st.ok()) fail(where, "not a valid SentencePiece model (" + std::string(st.message()) + ")");
  t.read_ids();
  return t;
}

void Tokenizer::read_ids() {
  if (sp_->GetPieceSize() <= 0) fail(where_, "tokenizer has an empty vocabulary");
  bos_ = sp_->bos_id();
  eos_ = sp_->eos_id();
  pad_ = sp_->pad_id();
  const int unk = sp_->unk_id();
  auto find = [&](const char* piece) {
    const int id = sp_->PieceToId(piece);
    return id == unk ? -1 : id;
  };
  sot_ = find("<start_of_turn>");
  eot_ = find("<end_of_turn>");
}

std::vector<int> Tokenizer::encode(const std::string& text) const {
  std::vector<int> ids;
  const auto st = sp_->Encode(text, &ids);
  if (!st.ok()) fail(where_, "cannot encode text: " + std::string(st.message()));
  return ids;
}

std::string Tokenizer::decode(const std::vector<int>& ids) const {
  const int n = vocab_size();
  for (int id : ids)
    if (id < 0 || id >= n)
      fail(where_, "token id " + std::to_string(id) + " is outside the vocabulary (" +
                       std::to_string(n) + " pieces)");
  std::string out;
  const auto st = sp_->Decode(ids, &out);
  if (!st.ok()) fail(where_, "cannot decode ids: " + std::string(st.message()));
  return out;
}

std::vector<std::string> Tokenizer::pieces(const std::vector<int>& ids) const {
  std::vector<std::string> out;
  for (int id : ids) out.push_back(id >= 0 && id < vocab_size() ? sp_->IdToPiece(id) : "");
  return out;
}

int Tokenizer::vocab_size() const { return sp_->GetPieceSize(); }

int Tokenizer::unk_id() const { return sp_->unk_id(); }

std::string chat_prompt(const std::string& msg) {
  return "<start_of_turn>user\n" + msg + "<end_of_turn>\n<start_of_turn>model\n";
}

}  // namespace rgeval
