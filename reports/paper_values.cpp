#include "reports/paper_values.h"

#include <nlohmann/json.hpp>

#include "engine/error.h"

namespace rgeval {
const std::string& paper_values_json();  // generated from reports/paper_values.json
}

namespace rgeval::reports {

PaperValues parse_paper_values(const std::string& text, const std::string& where) {
  PaperValues p;
  try {
    const nlohmann::json j = nlohmann::json::parse(text);
    p.paper = j.at("paper").get<std::string>();
    p.note = j.value("note", "");
    for (const auto& [key, s] : j.at("sources").items())
      p.sources[key] = {s.at("title"), s.at("url")};
    p.models = j.at("models").get<std::vector<std::string>>();
    for (const auto& r : j.at("academic")) {
      PublishedRow row;
      row.task = r.at("task");
      row.metric = r.at("metric");
      row.label = r.at("label");
      row.setting = r.value("setting", "");
      for (const auto& [model, v] : r.at("values").items()) {
        const PublishedValue pv{v.at(0).get<double>(), v.at(1).get<std::string>()};
        if (!p.sources.count(pv.source))
          fail(where, row.task + " " + model + ": unknown source '" + pv.source + "'");
        row.values[model] = pv;
      }
      p.academic.push_back(row);
    }
    for (const auto& w : j.at("side_by_side")) {
      PublishedWinRate x{w.at("name"),       w.value("category", ""), w.at("win_rate"),
                         w.at("ci95").at(0), w.at("ci95").at(1),      w.at("source")};
      if (!p.sources.count(x.source)) fail(where, x.name + ": unknown source '" + x.source + "'");
      p.side_by_side.push_back(x);
    }
  } catch (const nlohmann::json::exception& e) {
    fail(where, e.what());
  }
  return p;
}

const PaperValues& paper_values() {
  static const PaperValues p = parse_paper_values(paper_values_json(), "reports/paper_values.json");
  return p;
}

}  // namespace rgeval::reports
