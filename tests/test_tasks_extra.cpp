// The optional tasks (ARC, OpenBookQA, BoolQ, Social IQa) on small files in their original
// release formats, written here.

#include "tasks/registry.h"
#include "tests/tasks_testing.h"

namespace rgeval::tasks {
namespace {

using ::rgeval::testing::load_error;
using ::rgeval::testing::TempDir;
using ::rgeval::testing::write_under;

const char* kArc =
    R"({"id": "Q1", "question": {"stem": "Which is a gas?", "choices": [{"text": "rock", "label": "A"}, {"text": "air", "label": "B"}, {"text": "wood", "label": "C"}]}, "answerKey": "B"})"
    "\n"
    R"({"id": "Q2", "question": {"stem": "Pick 4.", "choices": [{"text": "one", "label": "1"}, {"text": "two", "label": "2"}, {"text": "three", "label": "3"}, {"text": "four", "label": "4"}]}, "answerKey": "4"})"
    "\n";

TEST(Arc, QuestionAnswerPromptAndLabelIndex) {
  TempDir t;
  write_under(t, "arc/ARC-Easy-Test.jsonl", kArc);
  const auto docs = load_task("arc_easy", t.path.string());
  ASSERT_EQ(docs.size(), 2u);
  EXPECT_EQ(docs[0].task, "arc_easy");
  EXPECT_EQ(docs[0].context, "Question: Which is a gas?\nAnswer:");
  EXPECT_EQ(docs[0].choices, (std::vector<std::string>{" rock", " air", " wood"}));
  EXPECT_EQ(docs[0].choice_texts, (std::vector<std::string>{"rock", "air", "wood"}));
  EXPECT_EQ(docs[0].gold, 1);
  EXPECT_EQ(docs[1].gold, 3);  // numeric labels
  EXPECT_EQ(docs[1].doc_id, 1);
  EXPECT_TRUE(find_task("arc_challenge").acc_norm);
  EXPECT_EQ(load_error("arc_challenge", t.path.string()),
            t.file("arc/ARC-Challenge-Test.jsonl") + ": file not found");
  write_under(
      t, "arc/ARC-Challenge-Test.jsonl",
      std::string(kArc) +
          R"({"id": "Q3", "question": {"stem": "x", "choices": [{"text": "a", "label": "A"}]}, "answerKey": "E"})"
          "\n");
  EXPECT_EQ(load_error("arc_challenge", t.path.string()),
            t.file("arc/ARC-Challenge-Test.jsonl") +
                ":3: field 'answerKey': 'E' is not one of the choice labels");
  write_under(t, "arc/ARC-Challenge-Test.jsonl",
              R"({"id": "Q3", "question": {"choices": []}, "answerKey": "E"})"
              "\n");
  EXPECT_EQ(load_error("arc_challenge", t.path.string()),
            t.file("arc/ARC-Challenge-Test.jsonl") + ":1: field 'stem': missing");
}

TEST(OpenBookQa, StemOnlyAndStrippedAnswerKey) {
  TempDir t;
  write_under(
      t, "openbookqa/test.jsonl",
      R"({"id": "7-980", "question": {"stem": "The sun is responsible for", "choices": [{"text": "puppies learning new tricks", "label": "A"}, {"text": "plants sprouting, blooming and wilting", "label": "D"}]}, "answerKey": " D"})"
      "\n");
  const auto docs = load_task("openbookqa", t.path.string());
  ASSERT_EQ(docs.size(), 1u);
  EXPECT_EQ(docs[0].context, "The sun is responsible for");
  EXPECT_EQ(docs[0].choices[1], " plants sprouting, blooming and wilting");
  EXPECT_EQ(docs[0].gold, 1);
}

TEST(BoolQ, PassageQuestionPromptNoYes) {
  TempDir t;
  write_under(
      t, "boolq/dev.jsonl",
      R"({"question": "is the sky blue", "title": "Sky", "answer": true, "passage": "Sky -- The sky is blue."})"
      "\n"
      R"({"question": "is water dry", "passage": "Water is wet.", "idx": 1, "label": false})"
      "\n");
  const auto docs = load_task("boolq", t.path.string());
  ASSERT_EQ(docs.size(), 2u);
  EXPECT_EQ(docs[0].context, "Sky -- The sky is blue.\nQuestion: is the sky blue?\nAnswer:");
  EXPECT_EQ(docs[0].choices, (std::vector<std::string>{" no", " yes"}));
  EXPECT_EQ(docs[0].gold, 1);
  EXPECT_EQ(docs[1].gold, 0);
  EXPECT_FALSE(find_task("boolq").acc_norm);
  write_under(t, "boolq/dev.jsonl",
              R"({"question": "q", "passage": "p", "answer": "yes"})"
              "\n");
  EXPECT_EQ(load_error("boolq", t.path.string()),
            t.file("boolq/dev.jsonl") + ":1: field 'answer': expected true or false, got \"yes\"");
}

TEST(SocialIqa, PromptAndLabelsFile) {
  TempDir t;
  write_under(
      t, "siqa/dev.jsonl",
      R"({"context": "Tracy didn't go home that evening.", "question": "What does Tracy need to do before this?", "answerA": "make a new plan", "answerB": "Go home and see Riley", "answerC": "Find somewhere to go"})"
      "\n");
  write_under(t, "siqa/dev-labels.lst", "3\n");
  const auto docs = load_task("social_iqa", t.path.string());
  ASSERT_EQ(docs.size(), 1u);
  EXPECT_EQ(docs[0].context,
            "Q: Tracy didn't go home that evening. What does Tracy need to do before this?\nA:");
  EXPECT_EQ(docs[0].choices[2], " Find somewhere to go");
  EXPECT_EQ(docs[0].gold, 2);
  write_under(t, "siqa/dev-labels.lst", "0\n");
  EXPECT_EQ(load_error("social_iqa", t.path.string()),
            t.file("siqa/dev-labels.lst") + ":1: expected label 1, 2 or 3, got '0'");
  write_under(t, "siqa/dev-labels.lst", "");
  EXPECT_EQ(load_error("social_iqa", t.path.string()),
            t.file("siqa/dev-labels.lst") + ": has 0 lines but " + t.file("siqa/dev.jsonl") +
                " has 1 (no label for " + t.file("siqa/dev.jsonl") + ":1)");
}

}  // namespace
}  // namespace rgeval::tasks
