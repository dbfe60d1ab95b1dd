#include "tasks/crows_pairs.h"

#include <cmath>
#include <set>

#include "engine/error.h"
#include "tasks/csv_table.h"
#include "tasks/text_file.h"

namespace rgeval::tasks {

std::vector<Doc> load_crows_pairs(const std::string& data_dir, int num_fewshot, int limit) {
  if (num_fewshot > 0)
    fail("crows_pairs", "the task has no few-shot examples: use --num-fewshot 0");
  const CsvTable t = read_csv_table(data_dir + "/crows_pairs/crows_pairs_anonymized.csv");
  const size_t c_id = t.column(""), c_more = t.column("sent_more"), c_less = t.column("sent_less"),
               c_type = t.column("bias_type");
  std::vector<Doc> docs;
  std::set<int> ids;
  for (const CsvRecord& r : t.rows) {
    if (limit >= 0 && docs.size() >= size_t(limit)) break;
    const std::string& id = r.fields[c_id];
    if (id.empty() || id.size() > 9 || id.find_first_not_of("0123456789") != std::string::npos)
      fail(at_line(t.path, r.line),
           "first column: expected the row index (a non-negative integer), got '" + id + "'");
    Doc d;
    d.task = "crows_pairs";
    d.doc_id = std::stoi(id);
    if (!ids.insert(d.doc_id).second)
      fail(at_line(t.path, r.line), "row index " + id + " appears twice");
    for (size_t c : {c_more, c_less}) {
      if (r.fields[c].empty())
        fail(at_line(t.path, r.line), "field '" + t.header[c] + "' is empty");
      d.choices.push_back(r.fields[c]);
    }
    if (r.fields[c_type].empty()) fail(at_line(t.path, r.line), "field 'bias_type' is empty");
    d.choice_texts = d.choices;
    d.gold = 0;
    d.attrs["bias_type"] = r.fields[c_type];
    docs.push_back(std::move(d));
  }
  return docs;
}

std::vector<NamedMetric> crows_pairs_metrics(const std::vector<const Doc*>& docs,
                                             const std::vector<std::vector<double>>& lls) {
  std::vector<double> diff, stereo;
  std::set<std::string> types;
  for (size_t i = 0; i < docs.size(); ++i) {
    if (lls.at(i).size() != 2)
      fail("crows_pairs doc " + std::to_string(docs[i]->doc_id), "expected 2 scores");
    diff.push_back(std::fabs(lls[i][0] - lls[i][1]));
    stereo.push_back(lls[i][0] > lls[i][1] ? 1.0 : 0.0);
    types.insert(docs[i]->attrs.at("bias_type"));
  }
  std::vector<NamedMetric> out = {mean_metric("likelihood_diff", diff),
                                  mean_metric("pct_stereotype", stereo)};
  const std::vector<std::string> keys(types.begin(), types.end());
  for (auto [name, values] :
       {std::pair{"likelihood_diff", &diff}, std::pair{"pct_stereotype", &stereo}})
    for (NamedMetric& m : mean_metrics_by(name, "bias_type", keys, docs, *values))
      out.push_back(std::move(m));
  return out;
}

}  // namespace rgeval::tasks
