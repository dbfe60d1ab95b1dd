// The SentencePiece tokenizer: golden encodings of the tiny tokenizer, special ids, the chat
// template, the built-in tokenizer, and bad tokenizer files.
#include "engine/tokenizer.h"

#include <algorithm>
#include <nlohmann/json.hpp>

#include "engine/builtin.h"
#include "engine/error.h"
#include "tests/testing.h"

namespace rgeval {
namespace {

using json = nlohmann::json;
using testing::TempDir;

json golden_json() { return json::parse(testing::read_file(testing::golden("tokenizer/golden.json"))); }

TEST(TokenizerGolden, ReproducesEveryCase) {
  RGEVAL_REQUIRE_SHARED();
  const Tokenizer tok = Tokenizer::from_file(testing::golden("tokenizer/tokenizer.model"));
  EXPECT_EQ(tok.source(), testing::golden("tokenizer/tokenizer.model"));
  const json g = golden_json();
  ASSERT_EQ(g["cases"].size(), 22u);
  for (const auto& c : g["cases"]) {
    const std::string text = c["text"].get<std::string>();
    SCOPED_TRACE(text);
    const auto ids = tok.encode(text);
    EXPECT_EQ(ids, c["ids"].get<std::vector<int>>());
    EXPECT_EQ(tok.pieces(ids), c["pieces"].get<std::vector<std::string>>());
    EXPECT_EQ(tok.decode(c["ids"].get<std::vector<int>>()), c["decoded"].get<std::string>());
    EXPECT_EQ(tok.decode(ids), text);
    if (!ids.empty()) {
      EXPECT_NE(ids.front(), tok.bos_id()) << "encode must not add <bos>";
    }
  }
}

TEST(TokenizerGolden, SpecialIdsAndVocabulary) {
  RGEVAL_REQUIRE_SHARED();
  const Tokenizer tok = Tokenizer::from_file(testing::golden("tokenizer/tokenizer.model"));
  const json g = golden_json();
  const auto& sp = g["special_ids"];
  EXPECT_EQ(tok.bos_id(), sp["bos"].get<int>());
  EXPECT_EQ(tok.eos_id(), sp["eos"].get<int>());
  EXPECT_EQ(tok.pad_id(), sp["pad"].get<int>());
  EXPECT_EQ(tok.start_of_turn_id(), sp["<start_of_turn>"].get<int>());
  EXPECT_EQ(tok.end_of_turn_id(), sp["<end_of_turn>"].get<int>());
  EXPECT_EQ(tok.bos_id(), 2);
  EXPECT_EQ(tok.eos_id(), 1);
  EXPECT_EQ(tok.pad_id(), 0);
  EXPECT_EQ(tok.start_of_turn_id(), 5);
  EXPECT_EQ(tok.end_of_turn_id(), 6);
  EXPECT_EQ(tok.vocab_size(), g["vocab_size"].get<int>());
  ASSERT_EQ(g["pieces"].size(), 512u);
  std::vector<int> all;
  for (int i = 0; i < 512; ++i) all.push_back(i);
  const auto pieces = tok.pieces(all);
  for (const auto& p : g["pieces"])
    EXPECT_EQ(pieces[size_t(p["id"].get<int>())], p["piece"].get<std::string>()) << p["id"];
  // Out-of-range ids have no piece and cannot be decoded.
  EXPECT_EQ(tok.pieces({512, -1}), (std::vector<std::string>{"", ""}));
  try {
    tok.decode({5, 512});
    FAIL();
  } catch (const Error& e) {
    EXPECT_EQ(std::string(e.what()),
              tok.source() + ": token id 512 is outside the vocabulary (512 pieces)");
  }
}

// Each model folder carries a byte-identical tokenizer.model.
TEST(TokenizerGolden, ModelFolderCopiesEncodeTheSame) {
  RGEVAL_REQUIRE_SHARED();
  const json g = golden_json();
  const std::string canonical = testing::read_file(testing::golden("tokenizer/tokenizer.model"));
  for (const std::string m : {"recurrentgemma-tiny", "gemma-tiny-mqa", "gemma-tiny-mha"}) {
    const std::string path = testing::golden(m + "/tokenizer.model");
    EXPECT_EQ(testing::read_file(path), canonical) << m;
    const Tokenizer tok = Tokenizer::from_file(path);
    for (const auto& c : g["cases"])
      EXPECT_EQ(tok.encode(c["text"].get<std::string>()), c["ids"].get<std::vector<int>>()) << m;
  }
}

TEST(TokenizerGolden, ChatPromptMatchesTemplateCase) {
  RGEVAL_REQUIRE_SHARED();
  const Tokenizer tok = Tokenizer::from_file(testing::golden("tokenizer/tokenizer.model"));
  const std::string prompt = chat_prompt("What is 2+2?");
  EXPECT_EQ(prompt, "<start_of_turn>user\nWhat is 2+2?<end_of_turn>\n<start_of_turn>model\n");
  const json* found = nullptr;
  const json g = golden_json();
  for (const auto& c : g["cases"])
    if (c["text"] == prompt) found = &c;
  ASSERT_NE(found, nullptr) << "golden.json has no case with the chat template";
  const auto ids = tok.encode(prompt);
  EXPECT_EQ(ids, (*found)["ids"].get<std::vector<int>>());
  // <start_of_turn> first, <end_of_turn> then "\n" then <start_of_turn>: special pieces are atomic.
  ASSERT_GE(ids.size(), 4u);
  EXPECT_EQ(ids.front(), 5);
  EXPECT_EQ(std::count(ids.begin(), ids.end(), 5), 2);
  EXPECT_EQ(std::count(ids.begin(), ids.end(), 6), 1);
  const auto eot = std::find(ids.begin(), ids.end(), 6);
  ASSERT_LT(eot + 2, ids.end());
  EXPECT_EQ(tok.decode({*(eot + 1)}), "\n");
  EXPECT_EQ(*(eot + 2), 5);
  EXPECT_EQ(tok.decode(ids), prompt);
}

TEST(TokenizerBuiltin, LoadsAndRoundTrips) {
  const std::string& proto = builtin_tokenizer_proto();
  ASSERT_GT(proto.size(), 1000u);
  const Tokenizer tok = Tokenizer::from_proto(proto, "builtin tokenizer");
  EXPECT_EQ(tok.source(), "builtin tokenizer");
  EXPECT_EQ(tok.vocab_size(), 512);
  EXPECT_EQ(tok.pad_id(), 0);
  EXPECT_EQ(tok.eos_id(), 1);
  EXPECT_EQ(tok.bos_id(), 2);
  EXPECT_EQ(tok.start_of_turn_id(), 5);
  EXPECT_EQ(tok.end_of_turn_id(), 6);
  EXPECT_EQ(tok.pieces({0, 5, 6}), (std::vector<std::string>{"<pad>", "<start_of_turn>", "<end_of_turn>"}));
  for (const std::string s : {"Hello world", "  two  spaces  ", "line\nbreak\ttab", "digits 0123456789",
                              "Caf\xc3\xa9 \xe6\x97\xa5\xe6\x9c\xac \xf0\x9f\x98\x80", ""}) {
    const auto ids = tok.encode(s);
    EXPECT_EQ(tok.decode(ids), s);
    for (int id : ids) {
      EXPECT_GE(id, 0);
      EXPECT_LT(id, 512);
    }
    if (!s.empty()) {
      EXPECT_FALSE(ids.empty()) << s;
    }
  }
  EXPECT_EQ(tok.encode("9"), tok.encode("9"));
  EXPECT_EQ(tok.encode("12").size(), 2u);  // split_digits
  const auto chat = tok.encode(chat_prompt("Hi"));
  ASSERT_FALSE(chat.empty());
  EXPECT_EQ(chat.front(), 5);
  EXPECT_EQ(std::count(chat.begin(), chat.end(), 5), 2);
  EXPECT_EQ(std::count(chat.begin(), chat.end(), 6), 1);
  EXPECT_EQ(tok.decode(chat), chat_prompt("Hi"));
}

TEST(TokenizerBuiltin, MovesKeepWorking) {
  Tokenizer a = Tokenizer::from_proto(builtin_tokenizer_proto(), "b");
  const auto ids = a.encode("move me");
  Tokenizer b = std::move(a);
  EXPECT_EQ(b.encode("move me"), ids);
  Tokenizer c = Tokenizer::from_proto(builtin_tokenizer_proto(), "c");
  c = std::move(b);
  EXPECT_EQ(c.decode(ids), "move me");
  EXPECT_EQ(c.source(), "b");
}

TEST(TokenizerErrors, MissingFile) {
  try {
    Tokenizer::from_file("/nonexistent/tokenizer.model");
    FAIL();
  } catch (const Error& e) {
    EXPECT_EQ(std::string(e.what()), "/nonexistent/tokenizer.model: tokenizer file not found");
  }
  TempDir t;
  try {
    Tokenizer::from_file(t.path.string());  // a directory
    FAIL();
  } catch (const Error& e) {
    EXPECT_EQ(std::string(e.what()), t.path.string() + ": tokenizer file not found");
  }
}

TEST(TokenizerErrors, CorruptFile) {
  TempDir t;
  const std::string p = t.file("tokenizer.model");
  std::string junk;
  uint32_t x = 777;
  for (int i = 0; i < 2048; ++i) junk += char((x = x * 1664525u + 1013904223u) >> 24);
  for (const std::string& bytes : {junk, std::string(), std::string("not a model")}) {
    testing::write_file(p, bytes);
    try {
      Tokenizer::from_file(p);
      ADD_FAILURE() << "accepted " << bytes.size() << " bytes";
    } catch (const Error& e) {
      EXPECT_NE(std::string(e.what()).find(p + ": "), std::string::npos) << e.what();
      EXPECT_TRUE(std::string(e.what()).find("not a valid SentencePiece model") != std::string::npos ||
                  std::string(e.what()).find("empty vocabulary") != std::string::npos)
          << e.what();
    }
  }
  try {
    Tokenizer::from_proto(junk, "proto bytes");
    FAIL();
  } catch (const Error& e) {
    EXPECT_EQ(std::string(e.what()).rfind("proto bytes: not a valid SentencePiece model", 0), 0u) << e.what();
  }
  // A truncated real model.
  const std::string& proto = builtin_tokenizer_proto();
  testing::write_file(p, proto.substr(0, proto.size() / 2));
  try {
    Tokenizer::from_file(p);
    FAIL();
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find(p + ": "), std::string::npos) << e.what();
  }
}

}  // namespace
}  // namespace rgeval
