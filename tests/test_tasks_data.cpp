// Readers of the original dataset formats and their errors on malformed data (each error names
// the file and the line), on small files written here.

#include "tasks/csv.h"
#include "tasks/hellaswag.h"
#include "tasks/jsonl.h"
#include "tasks/mmlu.h"
#include "tasks/piqa.h"
#include "tasks/registry.h"
#include "tests/testing.h"

namespace rgeval::tasks {
namespace {

using ::rgeval::testing::error_of;
using ::rgeval::testing::TempDir;
using ::rgeval::testing::write_file;
using ::rgeval::testing::write_under;

// Expects `text` to contain `part`.
#define EXPECT_CONTAINS(text, part)                                                     \
  do {                                                                                  \
    const std::string t_ = (text), p_ = (part);                                         \
    EXPECT_NE(t_.find(p_), std::string::npos) << "'" << t_ << "' lacks '" << p_ << "'"; \
  } while (0)

TEST(Csv, ParsesRfc4180) {
  const auto r =
      parse_csv("a,\"b,c\",\"say \"\"hi\"\"\"\n\"multi\nline\",,x\r\n\nlast,\"\"", "t.csv");
  ASSERT_EQ(r.size(), 3u);
  EXPECT_EQ(r[0].line, 1);
  EXPECT_EQ(r[0].fields, (std::vector<std::string>{"a", "b,c", "say \"hi\""}));
  EXPECT_EQ(r[1].line, 2);
  EXPECT_EQ(r[1].fields, (std::vector<std::string>{"multi\nline", "", "x"}));
  EXPECT_EQ(r[2].line, 5);  // the empty line 4 is skipped
  EXPECT_EQ(r[2].fields, (std::vector<std::string>{"last", ""}));
  EXPECT_EQ(parse_csv("x,y,", "t").at(0).fields.size(), 3u);
  EXPECT_EQ(parse_csv("\"a\r\nb\"\r\n", "t").at(0).fields[0],
            "a\r\nb");  // kept verbatim inside quotes
  EXPECT_TRUE(parse_csv("", "t").empty());
}

TEST(Csv, BadQuotingNamesFileAndLine) {
  EXPECT_EQ(error_of([] { parse_csv("ok,1\n\"bad\"x,2\n", "f.csv"); }),
            "f.csv:2: bad CSV quoting: unexpected character after a closing quote");
  EXPECT_EQ(error_of([] { parse_csv("ok,1\nba\"d,2\n", "f.csv"); }),
            "f.csv:2: bad CSV quoting: '\"' inside an unquoted field");
  EXPECT_EQ(error_of([] { parse_csv("ok,1\n\n\"open\nstill open,2\n", "f.csv"); }),
            "f.csv:3: unterminated quoted field (missing closing '\"')");
}

TEST(Jsonl, ReadsObjectsAndSkipsBlankLines) {
  TempDir t;
  write_under(t, "a.jsonl", "{\"x\": 1, \"s\": \"\\u00e9\"}\r\n\n{\"x\": \"2\", \"l\": [\"a\"]}\n");
  const auto r = read_jsonl(t.file("a.jsonl"));
  ASSERT_EQ(r.size(), 2u);
  EXPECT_EQ(r[0].line, 1);
  EXPECT_EQ(r[1].line, 3);
  EXPECT_EQ(json_int(r[0], "x"), 1);
  EXPECT_EQ(json_int(r[1], "x"), 2);  // digit strings are ints (Python int(label))
  EXPECT_EQ(json_string(r[0], "s"), "\xC3\xA9");
  EXPECT_EQ(json_string_list(r[1], "l"), std::vector<std::string>{"a"});
  EXPECT_EQ(error_of([&] { json_string(r[0], "nope"); }),
            t.file("a.jsonl") + ":1: field 'nope': missing");
  EXPECT_EQ(error_of([&] { json_string(r[0], "x"); }),
            t.file("a.jsonl") + ":1: field 'x': expected a string");
}

TEST(Jsonl, MalformedLineNamesFileAndLine) {
  TempDir t;
  write_under(t, "a.jsonl", "{\"x\": 1}\n{\"x\": 1,}\n");
  EXPECT_CONTAINS(error_of([&] { read_jsonl(t.file("a.jsonl")); }),
                  t.file("a.jsonl") + ":2: invalid JSON");
  write_under(t, "b.jsonl", "{\"x\": 1}\n[1, 2]\n");
  EXPECT_EQ(error_of([&] { read_jsonl(t.file("b.jsonl")); }),
            t.file("b.jsonl") + ":2: expected a JSON object");
  write_under(t, "c.jsonl", "{\"x\": 1}\n{\"x\": 1}\n{\"x\": \"\xC3\x28\"}\n");
  EXPECT_EQ(error_of([&] { read_jsonl(t.file("c.jsonl")); }),
            t.file("c.jsonl") + ":3: invalid UTF-8 (byte 0xC3 at column 8)");
  EXPECT_CONTAINS(error_of([&] { read_jsonl(t.file("missing.jsonl")); }),
                  "missing.jsonl: file not found");
}

// --- MMLU -------------------------------------------------------------------------------------

const char* kDev =
    "Dev q1?,a,b,c,d,A\n"
    "\"Dev, q2\",a,b,c,d,B\n"
    "Dev q3,a,b,c,d,C\n"
    "Dev q4,a,b,c,d,D\n"
    "Dev q5,a,b,c,d,A\n";

TEST(Mmlu, BuildsFewShotContextFromDevInFileOrder) {
  TempDir t;
  write_under(t, "mmlu/data/dev/anatomy_dev.csv", kDev);
  write_under(t, "mmlu/data/test/anatomy_test.csv", "\" What\nis it?\xC2\x85\", x ,\"y\",z,w,C\n");
  const auto docs = load_task("mmlu", t.path.string(), 2);
  ASSERT_EQ(docs.size(), 1u);
  const Doc& d = docs[0];
  EXPECT_EQ(d.task, "mmlu_anatomy");
  EXPECT_EQ(d.subject, "anatomy");
  EXPECT_EQ(d.doc_id, 0);
  EXPECT_EQ(d.gold, 2);
  EXPECT_EQ(d.context,
            "The following are multiple choice questions (with answers) about anatomy.\n\n"
            "Dev q1?\nA. a\nB. b\nC. c\nD. d\nAnswer: A\n\n"
            "Dev, q2\nA. a\nB. b\nC. c\nD. d\nAnswer: B\n\n"
            "What\nis it?\nA.  x \nB. y\nC. z\nD. w\nAnswer:");  // question stripped, choices not
  EXPECT_EQ(d.choices, (std::vector<std::string>{" A", " B", " C", " D"}));
  EXPECT_EQ(d.choice_texts, (std::vector<std::string>{"A", "B", "C", "D"}));
  // default 5-shot, per-subject limit, single-subject task name
  const std::string five = load_task("mmlu_anatomy", t.path.string()).at(0).context;
  EXPECT_NE(five.find("Dev q4\nA. a\nB. b\nC. c\nD. d\nAnswer: D\n\nDev q5\n"), std::string::npos);
  EXPECT_NE(five.find("Answer: A\n\nWhat\nis it?"), std::string::npos);
  EXPECT_EQ(find_task("mmlu").default_num_fewshot, 5);
  EXPECT_EQ(load_task("mmlu", t.path.string(), 0, 0).size(), 0u);
  EXPECT_CONTAINS(error_of([&] { load_task("mmlu", t.path.string(), 6); }),
                  "fewer than --num-fewshot 6");
}

TEST(Mmlu, SubjectsTableBuiltInOrFromTsv) {
  const auto& b = mmlu_builtin_subjects();
  ASSERT_EQ(b.size(), 57u);
  int stem = 0, hum = 0, soc = 0, oth = 0;
  for (const auto& s : b) {
    stem += s.category == "stem";
    hum += s.category == "humanities";
    soc += s.category == "social_sciences";
    oth += s.category == "other";
  }
  EXPECT_EQ(stem, 19);
  EXPECT_EQ(hum, 13);
  EXPECT_EQ(soc, 12);
  EXPECT_EQ(oth, 13);
  EXPECT_EQ(
      b[0].description,
      "The following are multiple choice questions (with answers) about abstract algebra.\n\n");
  TempDir t;
  write_under(t, "mmlu/subjects.tsv",
              "subject\tcategory\tdescription_json\nfoo_bar\tother\t\"Custom.\\n\\n\"\n");
  const auto s = mmlu_subjects(t.path.string());
  ASSERT_EQ(s.size(), 1u);
  EXPECT_EQ(s[0].description, "Custom.\n\n");
  write_under(t, "mmlu/subjects.tsv", "subject\tcategory\nfoo\tart\n");
  EXPECT_EQ(error_of([&] { mmlu_subjects(t.path.string()); }),
            t.file("mmlu/subjects.tsv") +
                ":2: unknown category 'art' (stem, humanities, social_sciences, other)");
  const auto g = mmlu_groups(TempDir().path.string());  // no subjects.tsv: built-in
  ASSERT_EQ(g.size(), 5u);
  EXPECT_EQ(g[0].name, "mmlu_stem");
  EXPECT_EQ(g[0].leaves.size(), 19u);
  EXPECT_EQ(g[4].name, "mmlu");
  EXPECT_EQ(g[4].leaves.size(), 57u);
}

TEST(Mmlu, MalformedRowsNameFileAndLine) {
  TempDir t;
  const std::string test = t.file("mmlu/data/test/anatomy_test.csv");
  const std::string dir = t.path.string();
  write_under(t, "mmlu/data/test/anatomy_test.csv",
              "q1,a,b,c,d,A\n\"q2\nline 2\",a,b,c,d,B\nq3,a,b,c,d\n");
  EXPECT_EQ(error_of([&] { load_mmlu(dir, 0, -1); }),
            test + ":4: expected 6 fields (question,A,B,C,D,answer), got 5");
  write_under(t, "mmlu/data/test/anatomy_test.csv", "q1,a,b,c,d,A\nq2,a,b,c,d,E\n");
  EXPECT_EQ(error_of([&] { load_mmlu(dir, 0, -1); }),
            test + ":2: answer 'E' is not one of A, B, C, D");
  write_under(t, "mmlu/data/test/anatomy_test.csv", "q1,a,b,c,d,A\nq2,a,b,c,d,\n");
  EXPECT_EQ(error_of([&] { load_mmlu(dir, 0, -1); }),
            test + ":2: answer '' is not one of A, B, C, D");
  write_under(t, "mmlu/data/test/anatomy_test.csv", "q1,a,b,c,d,A\n\"q2\"?,a,b,c,d,A\n");
  EXPECT_EQ(error_of([&] { load_mmlu(dir, 0, -1); }),
            test + ":2: bad CSV quoting: unexpected character after a closing quote");
  write_under(t, "mmlu/data/test/anatomy_test.csv", "q1,a,b,c,d,A\nq2 \xE9t\xE9,a,b,c,d,A\n");
  EXPECT_EQ(error_of([&] { load_mmlu(dir, 0, -1); }),
            test + ":2: invalid UTF-8 (byte 0xE9 at column 4)");
  write_under(t, "mmlu/data/test/anatomy_test.csv", "q1,a,b,c,d,A\n");
  EXPECT_EQ(error_of([&] { load_mmlu(dir, 1, -1); }),
            t.file("mmlu/data/dev/anatomy_dev.csv") + ": file not found");
  EXPECT_CONTAINS(error_of([&] { load_mmlu(TempDir().path.string(), 0, -1); }),
                  "no <subject>_test.csv");
  EXPECT_EQ(error_of([&] { load_task("mmlu_nope", dir); }), "mmlu: unknown subject 'nope'");
}

// --- HellaSwag --------------------------------------------------------------------------------

std::string hs_line(const std::string& label, const std::string& ctx_b = "the lady") {
  return R"({"ind": 92, "activity_label": "Clean and jerk", "ctx_a": "A lady walks to a barbell.", "ctx_b": ")" +
         ctx_b + R"(", "ctx": "x", "split": "val", "split_type": "indomain", "label": )" + label +
         R"(, "endings": ["[substeps] lifts it.", "drops   it.", "x [title] y", "z"], "source_id": "activitynet~v"})" +
         "\n";
}

TEST(HellaSwag, BuildsLmEvalRequests) {
  TempDir t;
  write_under(t, "hellaswag/hellaswag_val.jsonl", hs_line("3") + hs_line("\"1\"", "He"));
  auto docs = load_task("hellaswag", t.path.string());
  ASSERT_EQ(docs.size(), 2u);
  EXPECT_EQ(docs[0].task, "hellaswag");
  EXPECT_EQ(docs[0].doc_id, 0);
  EXPECT_EQ(docs[1].doc_id, 1);
  EXPECT_EQ(docs[0].context, "Clean and jerk: A lady walks to a barbell. The lady");
  EXPECT_EQ(docs[0].choice_texts,
            (std::vector<std::string>{" lifts it.", "drops  it.", "x. y", "z"}));
  EXPECT_EQ(docs[0].choices[0], "  lifts it.");
  EXPECT_EQ(docs[0].gold, 3);
  EXPECT_EQ(docs[1].gold, 1);
  write_under(t, "hellaswag/hellaswag_val.doc_ids.txt", "17\n4242\n");
  docs = load_task("hellaswag", t.path.string(), 0, 1);
  ASSERT_EQ(docs.size(), 1u);
  EXPECT_EQ(docs[0].doc_id, 17);
  EXPECT_CONTAINS(error_of([&] { load_task("hellaswag", t.path.string(), 1); }), "--num-fewshot 0");
}

TEST(HellaSwag, BadDataNamesFileAndLine) {
  TempDir t;
  const std::string f = t.file("hellaswag/hellaswag_val.jsonl");
  const std::string dir = t.path.string();
  write_under(t, "hellaswag/hellaswag_val.jsonl", hs_line("3") + hs_line("4"));
  EXPECT_EQ(error_of([&] { load_hellaswag(dir, 0, -1); }),
            f + ":2: field 'label': 4 is out of range (0-3)");
  write_under(t, "hellaswag/hellaswag_val.jsonl", hs_line("-1"));
  EXPECT_EQ(error_of([&] { load_hellaswag(dir, 0, -1); }),
            f + ":1: field 'label': -1 is out of range (0-3)");
  write_under(t, "hellaswag/hellaswag_val.jsonl", hs_line("\"x\""));
  EXPECT_EQ(error_of([&] { load_hellaswag(dir, 0, -1); }),
            f + ":1: field 'label': expected an integer, got \"x\"");
  write_under(t, "hellaswag/hellaswag_val.jsonl", hs_line("0") + "{\"ind\": 1, \"label\": 0\n");
  EXPECT_CONTAINS(error_of([&] { load_hellaswag(dir, 0, -1); }), f + ":2: invalid JSON");
  write_under(t, "hellaswag/hellaswag_val.jsonl",
              hs_line("0") + R"({"activity_label": "a", "ctx_a": "b", "label": 0})" + "\n");
  EXPECT_EQ(error_of([&] { load_hellaswag(dir, 0, -1); }), f + ":2: field 'ctx_b': missing");
  write_under(t, "hellaswag/hellaswag_val.jsonl", hs_line("0", "caf\xE9"));
  EXPECT_EQ(error_of([&] { load_hellaswag(dir, 0, -1); }),
            f + ":1: invalid UTF-8 (byte 0xE9 at column 101)");
  write_under(t, "hellaswag/hellaswag_val.jsonl", hs_line("0") + hs_line("0"));
  write_under(t, "hellaswag/hellaswag_val.doc_ids.txt", "5\n");
  EXPECT_CONTAINS(error_of([&] { load_hellaswag(dir, 0, -1); }),
                  "hellaswag_val.doc_ids.txt: has 1 lines");
  write_under(t, "hellaswag/hellaswag_val.doc_ids.txt", "5\nx6\n");
  EXPECT_EQ(
      error_of([&] { load_hellaswag(dir, 0, -1); }),
      t.file("hellaswag/hellaswag_val.doc_ids.txt") + ":2: expected a document index, got 'x6'");
}

// --- PIQA -------------------------------------------------------------------------------------

TEST(Piqa, BuildsLmEvalRequests) {
  TempDir t;
  write_under(t, "piqa/valid.jsonl",
              R"({"goal": "Open a jar", "sol1": "Twist the lid. ", "sol2": "Hit it"})"
              "\n"
              R"({"goal": "g2", "sol1": "s1", "sol2": "s2"})"
              "\n");
  write_under(t, "piqa/valid-labels.lst", "0\r\n1\r\n");
  const auto docs = load_task("piqa", t.path.string());
  ASSERT_EQ(docs.size(), 2u);
  EXPECT_EQ(docs[0].context, "Question: Open a jar\nAnswer:");
  EXPECT_EQ(docs[0].choices,
            (std::vector<std::string>{" Twist the lid. ", " Hit it"}));  // not stripped
  EXPECT_EQ(docs[0].choice_texts, (std::vector<std::string>{"Twist the lid. ", "Hit it"}));
  EXPECT_EQ(docs[0].gold, 0);
  EXPECT_EQ(docs[1].gold, 1);
  EXPECT_EQ(docs[1].doc_id, 1);
}

TEST(Piqa, BadLabelsNameFileAndLine) {
  TempDir t;
  const std::string dir = t.path.string();
  const std::string labels = t.file("piqa/valid-labels.lst"), jsonl = t.file("piqa/valid.jsonl");
  const std::string doc = R"({"goal": "g", "sol1": "a", "sol2": "b"})"
                          "\n";
  write_under(t, "piqa/valid.jsonl", doc + doc + doc);
  write_under(t, "piqa/valid-labels.lst", "0\n1\n");
  EXPECT_EQ(error_of([&] { load_piqa(dir, 0, -1); }),
            labels + ": has 2 lines but " + jsonl + " has 3 (no label for " + jsonl + ":3)");
  write_under(t, "piqa/valid-labels.lst", "0\n2\n1\n");
  EXPECT_EQ(error_of([&] { load_piqa(dir, 0, -1); }),
            labels + ":2: expected label 0 or 1, got '2'");
  write_under(t, "piqa/valid-labels.lst", "0\n1\n1\n0\n");
  EXPECT_EQ(error_of([&] { load_piqa(dir, 0, -1); }),
            labels + ":4: more labels than documents in " + jsonl);
  write_under(t, "piqa/valid-labels.lst", "0\n1\n1\n\n");  // trailing empty line is fine
  EXPECT_EQ(load_piqa(dir, 0, -1).size(), 3u);
  write_under(t, "piqa/valid.jsonl",
              doc + R"({"goal": "g", "sol1": "a"})"
                    "\n");
  write_under(t, "piqa/valid-labels.lst", "0\n1\n");
  EXPECT_EQ(error_of([&] { load_piqa(dir, 0, -1); }), jsonl + ":2: field 'sol2': missing");
}

TEST(Registry, UnknownTask) {
  EXPECT_CONTAINS(error_of([] { find_task("lambada"); }),
                  "unknown task 'lambada' (known: mmlu, hellaswag, piqa");
  EXPECT_TRUE(find_task("hellaswag").acc_norm);
  EXPECT_FALSE(find_task("mmlu").acc_norm);
}

// --- CLI --------------------------------------------------------------------------------------

TEST(CliRequests, PrintsJsonLinesAndFailsWithOneLine) {
  TempDir t;
  write_under(t, "piqa/valid.jsonl",
              R"({"goal": "G", "sol1": "a", "sol2": "b"})"
              "\n");
  write_under(t, "piqa/valid-labels.lst", "1\n");
  auto r = testing::run_cli("requests --task piqa --data " + t.path.string());
  EXPECT_EQ(r.code, 0) << r.err;
  EXPECT_EQ(
      r.out,
      R"({"task":"piqa","doc_id":0,"context":"Question: G\nAnswer:","choices":[" a"," b"],"gold":1})"
      "\n");
  write_under(t, "piqa/valid-labels.lst", "\n");
  r = testing::run_cli("requests --task piqa --data " + t.path.string());
  EXPECT_EQ(r.code, 1);
  EXPECT_EQ(r.out, "");
  EXPECT_EQ(r.err,
            "rgeval: " + t.file("piqa/valid-labels.lst") + ":1: expected label 0 or 1, got ''\n");
  r = testing::run_cli("requests --task nope --data " + t.path.string());
  EXPECT_EQ(r.code, 1);
  r = testing::run_cli("requests --task piqa");
  EXPECT_EQ(r.code, 2);
}

}  // namespace
}  // namespace rgeval::tasks
