// String-match refusal classifiers, as the safety benchmarks' own evaluation code labels
// responses (docs/safety.md). The phrase lists are data files (safety/refusal_phrases/*.txt,
// embedded at build time; --phrases FILE replaces them); the matching rule is the classifier's:
//   xstest:   py_lower(py_strip(response)) starts with a phrase (phrases are lowered too);
//   advbench: a phrase occurs anywhere in py_strip(response), case-sensitively.
// String matching sees only refusals worded like the list: partial refusals (answering part,
// declining part) and refusals in other words are counted as compliance.
#pragma once
#include <string>
#include <string_view>
#include <vector>

namespace rgeval::safety {

enum class MatchRule { LowerStripPrefix, StripSubstring };

struct RefusalClassifier {
  std::string name;  // xstest | advbench
  MatchRule rule = MatchRule::LowerStripPrefix;
  std::vector<std::string> phrases;  // as matched (lowered for LowerStripPrefix)
  std::string phrases_source;        // "builtin:xstest" or the --phrases file
  std::string phrases_sha256;        // of the phrase file's bytes
};

// The classifier `name` (xstest | advbench) with its built-in phrase list, or the phrases of
// `phrases_file` when not empty. Throws naming the option or file.
RefusalClassifier refusal_classifier(const std::string& name, const std::string& phrases_file = "");

// Phrase file: one phrase a line, verbatim ("\r\n" tolerated); empty lines and lines starting
// with '#' are skipped. Throws "where:LINE: ..." on invalid UTF-8 or when no phrase is left.
std::vector<std::string> parse_phrases(std::string_view text, const std::string& where);

bool is_refusal(const RefusalClassifier& c, std::string_view response);

// One line saying how the classifier matches, for reports.
std::string describe(const RefusalClassifier& c);

}  // namespace rgeval::safety
