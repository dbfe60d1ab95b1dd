// The paper's published numbers (arXiv:2404.07839 and the model cards it compares), read from the
// data file reports/paper_values.json (embedded at build time), with the source of every value.
#pragma once
#include <map>
#include <string>
#include <vector>

namespace rgeval::reports {

struct PublishedValue {
  double value = 0;    // percent
  std::string source;  // key into PaperValues::sources
};

struct PublishedRow {
  std::string task;    // rgeval task (mmlu is the `mmlu` group)
  std::string metric;  // the rgeval metric row it sits beside (acc | acc_norm)
  std::string label, setting;
  std::map<std::string, PublishedValue> values;  // model -> value
};

struct PublishedWinRate {
  std::string name, category;
  double win_rate = 0, lo = 0, hi = 0;  // percent
  std::string source;
};

struct Source {
  std::string title, url;
};

struct PaperValues {
  std::string paper, note;
  std::map<std::string, Source> sources;
  std::vector<std::string> models;  // column order
  std::vector<PublishedRow> academic;
  std::vector<PublishedWinRate> side_by_side;
};

// Parses the JSON text of a paper-values file; throws rgeval::Error naming `where`.
PaperValues parse_paper_values(const std::string& text, const std::string& where);
// The embedded reports/paper_values.json.
const PaperValues& paper_values();

}  // namespace rgeval::reports
