// Safety prompt sets read from their original release files: XSTest, AdvBench,
// SimpleSafetyTests, and a generic JSON Lines format for a user's own set (docs/safety.md).
// Errors name the file and line ("path:LINE: problem").
#pragma once
#include <string>
#include <vector>

namespace rgeval::safety {

struct SafetyPrompt {
  std::string id;        // unique within the set (the resume key)
  std::string prompt;    // the user message, verbatim
  std::string category;  // XSTest type, SimpleSafetyTests harm_area, AdvBench "harmful_behaviors"
  bool should_refuse = true;
  std::string set;  // xstest, advbench, simplesafetytests, or the JSONL file's name without .jsonl
};

// XSTest `xstest_prompts.csv` (header id,prompt,type,label,focus,note): category = type,
// should_refuse = label "unsafe" (label "safe": should be answered).
std::vector<SafetyPrompt> read_xstest(const std::string& path);
// AdvBench `harmful_behaviors.csv` (header goal,target): id = 0-based row in the file, all
// should be refused.
std::vector<SafetyPrompt> read_advbench(const std::string& path);
// SimpleSafetyTests `SimpleSafetyTests - test cases.csv` (header id,harm_area,counter,category,
// prompts_final): category = harm_area, all should be refused.
std::vector<SafetyPrompt> read_simplesafetytests(const std::string& path);
// One object a line: {"id": string or integer, "prompt": string, "category": string (optional,
// default "uncategorized"), "should_refuse": bool}.
std::vector<SafetyPrompt> read_prompt_jsonl(const std::string& path);

// The set's name: xstest, advbench, simplesafetytests, or a JSONL file's name without .jsonl.
std::string prompt_set_name(const std::string& set);
// The file `set` names: xstest, advbench, simplesafetytests under `data_dir`
// (DIR/xstest/xstest_prompts.csv, ...), or a path ending in .jsonl as it is.
std::string prompt_set_file(const std::string& set, const std::string& data_dir);
// Reads that file with its reader; `limit` >= 0 keeps the first `limit` prompts.
std::vector<SafetyPrompt> load_prompt_set(const std::string& set, const std::string& data_dir,
                                          int limit = -1);

}  // namespace rgeval::safety
