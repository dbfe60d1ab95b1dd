// Makes engine/builtin_tokenizer.model, the tokenizer of the built-in models: a 512-piece
// SentencePiece BPE with Gemma's settings and special ids (pad 0, eos 1, bos 2, unk 3,
// <mask> 4, <start_of_turn> 5, <end_of_turn> 6, byte fallback), trained on the licence texts
// every Debian system ships. The output is committed; rerun only to change the tokenizer:
//   g++ -std=c++20 tools/make_builtin_tokenizer.cpp -lsentencepiece -lsentencepiece_train \
//       -o /tmp/mk && /tmp/mk engine/builtin_tokenizer.model
#include <sentencepiece_trainer.h>

#include <fstream>
#include <iostream>

int main(int argc, char** argv) {
  if (argc != 2) {
    std::cerr << "usage: make_builtin_tokenizer OUT.model\n";
    return 2;
  }
  const std::string corpus =
      "/usr/share/common-licenses/Apache-2.0,/usr/share/common-licenses/GPL-3,"
      "/usr/share/common-licenses/GPL-2,/usr/share/common-licenses/LGPL-2.1,"
      "/usr/share/common-licenses/MPL-2.0,/usr/share/common-licenses/BSD";
  const std::string args =
      "--input=" + corpus +
      " --model_type=bpe --vocab_size=512 --byte_fallback=true"
      " --normalization_rule_name=identity --add_dummy_prefix=false"
      " --remove_extra_whitespaces=false --split_digits=true"
      " --allow_whitespace_only_pieces=true --character_coverage=1.0"
      " --pad_id=0 --eos_id=1 --bos_id=2 --unk_id=3"
      " --user_defined_symbols=<mask>,<start_of_turn>,<end_of_turn>"
      " --num_threads=1 --minloglevel=2";
  std::string proto;
  const auto st = sentencepiece::SentencePieceTrainer::Train(args, nullptr, &proto);
  if (!st.ok()) {
    std::cerr << "training failed: " << st.message() << "\n";
    return 1;
  }
  std::ofstream(argv[1], std::ios::binary) << proto;
  std::cerr << "wrote " << argv[1] << " (" << proto.size() << " bytes)\n";
}
