#include "tasks/mmlu.h"

#include <filesystem>
#include <nlohmann/json.hpp>

#include "engine/error.h"
#include "tasks/csv.h"
#include "tasks/py_string.h"
#include "tasks/text_file.h"

namespace rgeval::tasks {

namespace {

struct SubjectRow {
  const char* name;
  const char* category;
};

// lm-eval tasks/mmlu/default/_mmlu_*.yaml (= hendrycks/test categories.py grouping).
const SubjectRow kSubjects[] = {
    {"abstract_algebra", "stem"},
    {"anatomy", "stem"},
    {"astronomy", "stem"},
    {"business_ethics", "other"},
    {"clinical_knowledge", "other"},
    {"college_biology", "stem"},
    {"college_chemistry", "stem"},
    {"college_computer_science", "stem"},
    {"college_mathematics", "stem"},
    {"college_medicine", "other"},
    {"college_physics", "stem"},
    {"computer_security", "stem"},
    {"conceptual_physics", "stem"},
    {"econometrics", "social_sciences"},
    {"electrical_engineering", "stem"},
    {"elementary_mathematics", "stem"},
    {"formal_logic", "humanities"},
    {"global_facts", "other"},
    {"high_school_biology", "stem"},
    {"high_school_chemistry", "stem"},
    {"high_school_computer_science", "stem"},
    {"high_school_european_history", "humanities"},
    {"high_school_geography", "social_sciences"},
    {"high_school_government_and_politics", "social_sciences"},
    {"high_school_macroeconomics", "social_sciences"},
    {"high_school_mathematics", "stem"},
    {"high_school_microeconomics", "social_sciences"},
    {"high_school_physics", "stem"},
    {"high_school_psychology", "social_sciences"},
    {"high_school_statistics", "stem"},
    {"high_school_us_history", "humanities"},
    {"high_school_world_history", "humanities"},
    {"human_aging", "other"},
    {"human_sexuality", "social_sciences"},
    {"international_law", "humanities"},
    {"jurisprudence", "humanities"},
    {"logical_fallacies", "humanities"},
    {"machine_learning", "stem"},
    {"management", "other"},
    {"marketing", "other"},
    {"medical_genetics", "other"},
    {"miscellaneous", "other"},
    {"moral_disputes", "humanities"},
    {"moral_scenarios", "humanities"},
    {"nutrition", "other"},
    {"philosophy", "humanities"},
    {"prehistory", "humanities"},
    {"professional_accounting", "other"},
    {"professional_law", "humanities"},
    {"professional_medicine", "other"},
    {"professional_psychology", "social_sciences"},
    {"public_relations", "social_sciences"},
    {"security_studies", "social_sciences"},
    {"sociology", "social_sciences"},
    {"us_foreign_policy", "social_sciences"},
    {"virology", "other"},
    {"world_religions", "humanities"},
};

bool known_category(const std::string& c) {
  return c == "stem" || c == "humanities" || c == "social_sciences" || c == "other";
}

struct Question {
  std::string text;  // doc_to_text
  int answer;        // 0-3
};

// Rows of one hendrycks CSV (no header, 6 columns).
std::vector<Question> read_questions(const std::string& path) {
  std::vector<Question> out;
  for (const CsvRecord& r : read_csv(path)) {
    const std::string where = at_line(path, r.line);
    if (r.fields.size() != 6)
      fail(where, "expected 6 fields (question,A,B,C,D,answer), got " + std::to_string(r.fields.size()));
    const std::string& a = r.fields[5];
    if (a.size() != 1 || a[0] < 'A' || a[0] > 'D')
      fail(where, "answer '" + a + "' is not one of A, B, C, D");
    out.push_back({mmlu_doc_to_text(r.fields[0], {r.fields[1], r.fields[2], r.fields[3], r.fields[4]}),
                   a[0] - 'A'});
  }
  return out;
}

std::string csv_dir(const std::string& data_dir) {
  const std::string root = data_dir + "/mmlu";
  return std::filesystem::is_directory(root + "/data") ? root + "/data" : root;
}

}  // namespace

const std::vector<MmluSubject>& mmlu_builtin_subjects() {
  static const std::vector<MmluSubject> table = [] {
    std::vector<MmluSubject> t;
    for (const auto& s : kSubjects) t.push_back({s.name, s.category, mmlu_description(s.name)});
    return t;
  }();
  return table;
}

std::string mmlu_description(const std::string& subject) {
  return "The following are multiple choice questions (with answers) about " +
         py_replace(subject, "_", " ") + ".\n\n";
}

std::vector<MmluSubject> mmlu_subjects(const std::string& data_dir) {
  const std::string path = data_dir + "/mmlu/subjects.tsv";
  if (!std::filesystem::exists(path)) return mmlu_builtin_subjects();
  const auto lines = read_lines(path);
  auto split = [](const std::string& l) {
    std::vector<std::string> f;
    size_t i = 0;
    for (size_t j; (j = l.find('\t', i)) != std::string::npos; i = j + 1) f.push_back(l.substr(i, j - i));
    f.push_back(l.substr(i));
    return f;
  };
  if (lines.empty()) fail(path, "empty file (expected a header line)");
  const auto header = split(lines[0]);
  int c_subject = -1, c_category = -1, c_desc = -1;
  for (size_t k = 0; k < header.size(); ++k) {
    if (header[k] == "subject") c_subject = int(k);
    if (header[k] == "category") c_category = int(k);
    if (header[k] == "description_json") c_desc = int(k);
  }
  if (c_subject < 0 || c_category < 0) fail(at_line(path, 1), "header needs 'subject' and 'category' columns");
  std::vector<MmluSubject> out;
  for (size_t k = 1; k < lines.size(); ++k) {
    if (lines[k].empty()) continue;
    const std::string where = at_line(path, int(k) + 1);
    const auto f = split(lines[k]);
    if (f.size() != header.size())
      fail(where, "expected " + std::to_string(header.size()) + " tab-separated fields, got " +
                      std::to_string(f.size()));
    MmluSubject s{f[size_t(c_subject)], f[size_t(c_category)], ""};
    if (s.name.empty() || s.name.find_first_of("/\\") != std::string::npos)
      fail(where, "bad subject name '" + s.name + "'");
    if (!known_category(s.category))
      fail(where, "unknown category '" + s.category + "' (stem, humanities, social_sciences, other)");
    if (c_desc >= 0) {
      try {
        const auto j = nlohmann::json::parse(f[size_t(c_desc)]);
        if (!j.is_string()) throw std::runtime_error("not a string");
        s.description = j.get<std::string>();
      } catch (const std::exception&) {
        fail(where, "description_json is not a JSON string");
      }
    } else {
      s.description = mmlu_description(s.name);
    }
    out.push_back(std::move(s));
  }
  return out;
}

std::string mmlu_doc_to_text(const std::string& question, const std::array<std::string, 4>& c) {
  return py_strip(question) + "\nA. " + c[0] + "\nB. " + c[1] + "\nC. " + c[2] + "\nD. " + c[3] + "\nAnswer:";
}

std::vector<Doc> load_mmlu(const std::string& data_dir, int num_fewshot, int limit,
                           const std::string& only_subject) {
  if (num_fewshot < 0) num_fewshot = 5;
  const std::string dir = csv_dir(data_dir);
  static const char* kLetters[] = {"A", "B", "C", "D"};
  std::vector<Doc> docs;
  bool found = false;
  for (const MmluSubject& s : mmlu_subjects(data_dir)) {
    if (!only_subject.empty() && s.name != only_subject) continue;
    const std::string test_path = dir + "/test/" + s.name + "_test.csv";
    if (!std::filesystem::exists(test_path)) {
      if (!only_subject.empty()) fail(test_path, "file not found");
      continue;
    }
    found = true;
    std::string context_prefix = s.description;
    if (num_fewshot > 0) {
      const std::string dev_path = dir + "/dev/" + s.name + "_dev.csv";
      const auto dev = read_questions(dev_path);
      if (dev.size() < size_t(num_fewshot))
        fail(dev_path, "has " + std::to_string(dev.size()) + " rows, fewer than --num-fewshot " +
                           std::to_string(num_fewshot));
      for (int k = 0; k < num_fewshot; ++k)
        context_prefix += dev[size_t(k)].text + " " + kLetters[dev[size_t(k)].answer] + "\n\n";
    }
    const auto test = read_questions(test_path);
    for (size_t k = 0; k < test.size(); ++k) {
      if (limit >= 0 && k >= size_t(limit)) break;
      Doc d;
      d.task = "mmlu_" + s.name;
      d.subject = s.name;
      d.doc_id = int(k);
      d.context = context_prefix + test[k].text;
      d.choice_texts = {"A", "B", "C", "D"};
      d.choices = {" A", " B", " C", " D"};
      d.gold = test[k].answer;
      docs.push_back(std::move(d));
    }
  }
  if (!found) {
    if (!only_subject.empty()) fail("mmlu", "unknown subject '" + only_subject + "'");
    fail(dir + "/test", "no <subject>_test.csv file of a known MMLU subject");
  }
  return docs;
}

}  // namespace rgeval::tasks
