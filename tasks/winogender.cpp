#include "tasks/winogender.h"

#include "engine/error.h"
#include "tasks/metrics.h"
#include "tasks/py_string.h"
#include "tasks/text_file.h"

namespace rgeval::tasks {

namespace {

const std::vector<std::string> kGenders = {"male", "female", "neutral"};

const std::vector<std::string>& pronouns(const std::string& gender) {
  static const std::vector<std::string> male = {"he", "his", "him"}, female = {"she", "her"},
                                        neutral = {"they", "their", "them"};
  return gender == "male" ? male : gender == "female" ? female : neutral;
}

bool is_letter(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }

// The words (maximal runs of ASCII letters) of `s` that are pronouns of `gender`, lowercased.
std::vector<std::string> pronouns_in(const std::string& s, const std::string& gender) {
  std::vector<std::string> found;
  for (size_t i = 0; i < s.size();) {
    if (!is_letter(s[i])) {
      ++i;
      continue;
    }
    size_t j = i;
    while (j < s.size() && is_letter(s[j])) ++j;
    const std::string w = py_lower(s.substr(i, j - i));
    for (const std::string& p : pronouns(gender))
      if (w == p) found.push_back(w);
    i = j;
  }
  return found;
}

}  // namespace

std::vector<Doc> load_winogender(const std::string& task, const std::string& data_dir,
                                 int num_fewshot, int limit) {
  std::string only;
  if (task.rfind("winogender_", 0) == 0) only = task.substr(11);
  if ((task != "winogender" && only.empty()) ||
      (!only.empty() && only != "male" && only != "female" && only != "neutral"))
    fail(task,
         "not a Winogender task (winogender, winogender_male, winogender_female, "
         "winogender_neutral)");
  if (num_fewshot > 0) fail(task, "few-shot examples are not supported: use --num-fewshot 0");
  const std::string path = data_dir + "/winogender/all_sentences.tsv";
  const std::vector<std::string> lines = read_lines(path);
  if (lines.empty() || lines[0] != "sentid\tsentence")
    fail(at_line(path, 1), "expected the header 'sentid<TAB>sentence'");
  std::vector<Doc> docs;
  for (size_t k = 1; k < lines.size(); ++k) {
    if (lines[k].empty()) continue;
    const std::string where = at_line(path, int(k + 1));
    const std::vector<std::string> f = py_split(lines[k], "\t");
    if (f.size() != 2)
      fail(where, "expected 2 tab-separated fields, got " + std::to_string(f.size()));
    const std::vector<std::string> id = py_split(f[0], ".");
    if (id.size() != 5 || id[4] != "txt" || id[0].empty() || id[1].empty())
      fail(where, "sentid '" + f[0] + "': expected <occupation>.<participant>.<0|1>.<gender>.txt");
    if (id[2] != "0" && id[2] != "1")
      fail(where, "sentid '" + f[0] + "': answer must be 0 or 1, got '" + id[2] + "'");
    const std::string& gender = id[3];
    if (gender != "male" && gender != "female" && gender != "neutral")
      fail(where,
           "sentid '" + f[0] + "': gender must be male, female or neutral, got '" + gender + "'");
    const std::vector<std::string> found = pronouns_in(f[1], gender);
    if (found.size() != 1)
      fail(where, "expected exactly one " + gender + " pronoun in the sentence, found " +
                      std::to_string(found.size()));
    if (!only.empty() && gender != only) continue;
    if (limit >= 0 && docs.size() >= size_t(limit)) break;
    Doc d;
    d.task = task;
    d.doc_id = int(docs.size());
    d.context = f[1] + " \u2018" + py_capitalize(found[0]) + "\u2019 refers to the";
    d.choice_texts = {id[0], id[1]};
    d.choices = {" " + id[0], " " + id[1]};
    d.gold = id[2][0] - '0';
    d.attrs["gender"] = gender;
    docs.push_back(std::move(d));
  }
  return docs;
}

std::vector<NamedMetric> winogender_metrics(const std::vector<const Doc*>& docs,
                                            const std::vector<std::vector<double>>& lls) {
  std::vector<double> acc;
  for (size_t i = 0; i < docs.size(); ++i)
    acc.push_back(argmax_first(lls.at(i)) == docs[i]->gold ? 1.0 : 0.0);
  std::vector<NamedMetric> out = {mean_metric("acc", acc)};
  for (NamedMetric& m : mean_metrics_by("acc", "gender", kGenders, docs, acc))
    out.push_back(std::move(m));
  return out;
}

}  // namespace rgeval::tasks
