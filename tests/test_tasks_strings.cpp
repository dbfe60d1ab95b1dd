// Python-exact string helpers behind the lm-eval prompts: UTF-8, str.strip/capitalize, HellaSwag
// preprocessing. Expected values were produced with CPython 3.11.
#include "tasks/hellaswag.h"
#include "tasks/py_string.h"
#include "tasks/utf8.h"

#include "engine/error.h"
#include "tests/testing.h"

namespace rgeval::tasks {
namespace {

TEST(Utf8, ValidatesWellFormedSequencesOnly) {
  EXPECT_TRUE(utf8_valid(""));
  EXPECT_TRUE(utf8_valid("ascii \xC3\xA9 \xE2\x82\xAC \xF0\x9F\x98\x80"));
  EXPECT_TRUE(utf8_valid("\xF4\x8F\xBF\xBF"));             // U+10FFFF
  EXPECT_FALSE(utf8_valid("\xC0\x80"));                    // overlong NUL
  EXPECT_FALSE(utf8_valid("\xE0\x80\xAF"));                // overlong '/'
  EXPECT_FALSE(utf8_valid("\xED\xA0\x80"));                // surrogate U+D800
  EXPECT_FALSE(utf8_valid("\xF4\x90\x80\x80"));            // above U+10FFFF
  EXPECT_FALSE(utf8_valid("ab\xE2\x82"));                  // truncated
  EXPECT_FALSE(utf8_valid("\x80"));                        // stray continuation byte
  EXPECT_FALSE(utf8_valid("\xFF"));
  EXPECT_EQ(utf8_invalid_offset("ab\xC3"), 2u);
}

TEST(Utf8, CheckNamesFileLineAndColumn) {
  try {
    utf8_check("line one\nline two \xFF\n", "data.csv");
    FAIL() << "no error";
  } catch (const Error& e) {
    EXPECT_STREQ(e.what(), "data.csv:2: invalid UTF-8 (byte 0xFF at column 10)");
  }
}

TEST(Utf8, LengthCountsCodePoints) {
  EXPECT_EQ(utf8_length(""), 0u);
  EXPECT_EQ(utf8_length("h\xC3\xA9llo"), 5u);               // héllo
  EXPECT_EQ(utf8_length("\xF0\x9F\x98\x80!"), 2u);          // emoji + '!'
  EXPECT_EQ(utf8_length("\xE4\xB8\xAD\xE6\x96\x87"), 2u);   // 中文
  EXPECT_EQ(utf8_encode(utf8_decode("a\xC3\xA9\xF0\x9F\x98\x80")), "a\xC3\xA9\xF0\x9F\x98\x80");
}

TEST(PyString, IsSpaceIsPythonsSet) {
  for (char32_t c : {0x09, 0x0A, 0x0B, 0x0C, 0x0D, 0x1C, 0x1D, 0x1E, 0x1F, 0x20, 0x85, 0xA0, 0x1680, 0x2000,
                     0x2005, 0x200A, 0x2028, 0x2029, 0x202F, 0x205F, 0x3000})
    EXPECT_TRUE(py_isspace(c)) << std::hex << uint32_t(c);
  for (char32_t c : {0x00, 0x08, 0x0E, 0x1B, 0x21, 0x180E, 0x200B, 0x200C, 0xFEFF, 0x2060})
    EXPECT_FALSE(py_isspace(c)) << std::hex << uint32_t(c);
}

TEST(PyString, StripUsesUnicodeWhitespace) {
  EXPECT_EQ(py_strip("\xC2\x85" "abc\xC2\x85"), "abc");  // U+0085 (MMLU sociology row 69)
  EXPECT_EQ(py_strip("\xC2\xA0x y\xE3\x80\x80"), "x y");  // U+00A0, U+3000
  EXPECT_EQ(py_strip("\x1c\x1d\x1e\x1fx\x0b\x0c"), "x");
  EXPECT_EQ(py_strip("\xE2\x80\x8B" "abc\xE1\xA0\x8E"), "\xE2\x80\x8B" "abc\xE1\xA0\x8E");  // U+200B, U+180E kept
  EXPECT_EQ(py_strip(" \t\r\n "), "");
  EXPECT_EQ(py_strip(""), "");
  EXPECT_EQ(py_lstrip("  a  "), "a  ");
  EXPECT_EQ(py_rstrip("  a \xE2\x80\xA8"), "  a");        // U+2028
  EXPECT_EQ(py_rstrip("a\xFF "), "a\xFF");                // invalid bytes are never stripped
  EXPECT_EQ(py_rstrip("\xC3\xA9\xC2\xA0"), "\xC3\xA9");
}

TEST(PyString, CapitalizeMatchesPython) {
  EXPECT_EQ(py_capitalize(""), "");
  EXPECT_EQ(py_capitalize("hello World"), "Hello world");
  EXPECT_EQ(py_capitalize("123ABC"), "123abc");
  EXPECT_EQ(py_capitalize("the lady"), "The lady");
  EXPECT_EQ(py_capitalize("\xC3\x9F" "a"), "Ssa");                                    // ßa
  EXPECT_EQ(py_capitalize("\xC7\x86" "emal"), "\xC7\x85" "emal");                     // ǆ -> titlecase ǅ
  EXPECT_EQ(py_capitalize("\xC7\x88UBLJANA"), "\xC7\x88ubljana");                    // ǈ stays
  EXPECT_EQ(py_capitalize("\xEF\xAC\x81ne"), "Fine");                                 // ﬁ ligature
  EXPECT_EQ(py_capitalize("\xC5\x89x"), "\xCA\xBCNx");                                // ŉ -> ʼN
  EXPECT_EQ(py_capitalize("a\xC4\xB0"), "Ai\xCC\x87");                                // İ lowers to i + U+0307
  EXPECT_EQ(py_capitalize("\xC4\xB0STANBUL"), "\xC4\xB0stanbul");
  EXPECT_EQ(py_capitalize("\xD0\xBF\xD0\xA0\xD0\x98\xD0\x92\xD0\x95\xD0\xA2 \xD0\xBC\xD0\x98\xD0\xA0"),
            "\xD0\x9F\xD1\x80\xD0\xB8\xD0\xB2\xD0\xB5\xD1\x82 \xD0\xBC\xD0\xB8\xD1\x80");  // Привет мир
  // Final sigma: ΣΑΣ -> Σας, ΑΣ. -> Ας., ΑΣ'Α -> Ασ'α, ΌΣΟΣ ΣΟΦΟΣ -> Όσος σοφος
  EXPECT_EQ(py_capitalize("\xCE\xA3\xCE\x91\xCE\xA3"), "\xCE\xA3\xCE\xB1\xCF\x82");
  EXPECT_EQ(py_capitalize("\xCE\x91\xCE\xA3."), "\xCE\x91\xCF\x82.");
  EXPECT_EQ(py_capitalize("\xCE\x91\xCE\xA3'\xCE\x91"), "\xCE\x91\xCF\x83'\xCE\xB1");
  EXPECT_EQ(py_capitalize("\xCE\x8C\xCE\xA3\xCE\x9F\xCE\xA3 \xCE\xA3\xCE\x9F\xCE\xA6\xCE\x9F\xCE\xA3"),
            "\xCE\x8C\xCF\x83\xCE\xBF\xCF\x82 \xCF\x83\xCE\xBF\xCF\x86\xCE\xBF\xCF\x82");
  EXPECT_EQ(py_lower("ABC \xC3\x89"), "abc \xC3\xA9");
}

TEST(PyString, ReplaceIsSinglePassNonOverlapping) {
  EXPECT_EQ(py_replace("a   b", "  ", " "), "a  b");
  EXPECT_EQ(py_replace("a    b", "  ", " "), "a  b");
  EXPECT_EQ(py_replace("aaa", "aa", "b"), "ba");
  EXPECT_EQ(py_replace("", "x", "y"), "");
}

TEST(HellaSwagPreprocess, MatchesLmEvalUtils) {
  EXPECT_EQ(hellaswag_preprocess("  a [title] b  "), "a. b");
  EXPECT_EQ(hellaswag_preprocess("a   b"), "a  b");  // three spaces -> two (one pass)
  EXPECT_EQ(hellaswag_preprocess("a    b"), "a  b");
  EXPECT_EQ(hellaswag_preprocess("[x] [y]z"), " z");  // leading space survives (strip came first)
  EXPECT_EQ(hellaswag_preprocess("[a [b] c]"), " c]");  // non-greedy, '.' matches '['
  EXPECT_EQ(hellaswag_preprocess("x [header] How to y [title] Z [step] w"), "x How to y. Z w");
  EXPECT_EQ(hellaswag_preprocess("\xC2\x85Hi [sub]\xC2\xA0"), "Hi ");
}

TEST(HellaSwagPreprocess, TagsDoNotCrossNewlines) {
  EXPECT_EQ(hellaswag_preprocess("a [b\nc] d"), "a [b\nc] d");
  EXPECT_EQ(hellaswag_preprocess("a [b\n[c] d] e"), "a [b\n d] e");
  EXPECT_EQ(remove_bracket_tags("[unclosed"), "[unclosed");
  EXPECT_EQ(remove_bracket_tags("[]"), "");
}

}  // namespace
}  // namespace rgeval::tasks
