// A thin wrapper over SentencePiece with the ids Gemma needs read from the model file.
#pragma once
#include <memory>
#include <string>
#include <vector>

namespace sentencepiece {
class SentencePieceProcessor;
}

namespace rgeval {

class Tokenizer {
 public:
  static Tokenizer from_file(const std::string& path);          // throws naming the file
  static Tokenizer from_proto(const std::string& serialized, const std::string& where);
  ~Tokenizer();
  Tokenizer(Tokenizer&&) noexcept;
  Tokenizer& operator=(Tokenizer&&) noexcept;

  std::vector<int> encode(const std::string& text) const;  // no BOS
  std::string decode(const std::vector<int>& ids) const;   // ids must be < vocab_size()
  std::vector<std::string> pieces(const std::vector<int>& ids) const;
  int vocab_size() const;
  int bos_id() const { return bos_; }
  int eos_id() const { return eos_; }
  int pad_id() const { return pad_; }
  int unk_id() const;
  int start_of_turn_id() const { return sot_; }  // -1 if the model has no such piece
  int end_of_turn_id() const { return eot_; }
  const std::string& source() const { return where_; }

 private:
  Tokenizer();
  void read_ids();
  std::unique_ptr<sentencepiece::SentencePieceProcessor> sp_;
  std::string where_;
  int bos_ = -1, eos_ = -1, pad_ = -1, sot_ = -1, eot_ = -1;
};

// `<start_of_turn>user\n{msg}<end_of_turn>\n<start_of_turn>model\n`
std::string chat_prompt(const std::string& user_message);

}  // namespace rgeval
