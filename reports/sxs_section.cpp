#include "reports/sxs_section.h"

#include <cmath>

#include "reports/eval_results.h"
#include "reports/report_format.h"
#include "sidebyside/results.h"

namespace rgeval::reports {

namespace {

using nlohmann::json;

double num(const json& j) { return j.is_number() ? j.get<double>() : NAN; }

size_t count_rows(store::Db& db, const char* sql) {
  store::Stmt s(db, sql);
  return s.step() ? size_t(s.column_int(0)) : 0;
}

std::vector<Cell> pair_row(const std::string& pair, const std::string& group, const json& p) {
  const std::string wtl = std::to_string(p["wins"].get<size_t>()) + "/" +
                          std::to_string(p["ties"].get<size_t>()) + "/" +
                          std::to_string(p["losses"].get<size_t>());
  Cell wilson = rate_ci(num(p["win_rate"]), num(p["wilson_95"][0]), num(p["wilson_95"][1]));
  return {Cell(pair),
          Cell(group),
          Cell(std::to_string(p["n"].get<size_t>())),
          Cell(wtl),
          rate_ci(num(p["win_rate"]), num(p["bootstrap_95"][0]), num(p["bootstrap_95"][1])),
          wilson};
}

}  // namespace

std::optional<SxsStudy> load_sxs_study(store::Db& db) {
  if (!has_table(db, "sxs_meta") || !has_table(db, "sxs_items")) return std::nullopt;
  SxsStudy s;
  s.db_path = db.path();
  s.prompts = count_rows(db, "SELECT COUNT(*) FROM sxs_prompts");
  s.items = count_rows(db, "SELECT COUNT(*) FROM sxs_items");
  s.systems = count_rows(db, "SELECT COUNT(*) FROM sxs_systems");
  s.results = sidebyside::study_results(db, sidebyside::ResultsOptions{});
  return s;
}

std::optional<Section> sxs_section(const std::vector<SxsStudy>& studies, const PaperValues& paper) {
  if (studies.empty()) return std::nullopt;
  Section s;
  s.id = "sxs";
  s.title = "Human side-by-side";
  s.paragraphs.push_back(
      "Win rate of the first system of each pair = (wins + ties/2) / ratings, with the bootstrap "
      "95% interval over "
      "prompts (the one to report) and the Wilson interval for comparison; computed by the "
      "functions of `rgeval sxs "
      "results` with its defaults (2000 replicates, seed 20240411).");
  Table pairs;
  pairs.id = "sxs_win_rates";
  pairs.caption = "Win rates per pair and category";
  pairs.header = {
      "Pair", "Group", "Ratings", "W/T/L", "Win rate [bootstrap 95%]", "Win rate [Wilson 95%]"};
  Table quality;
  quality.id = "sxs_raters";
  quality.caption = "Position bias and inter-rater agreement";
  quality.header = {"Study",         "Decided ratings",   "Left won",
                    "Binomial p",    "Units (2+ raters)", "Raw agreement",
                    "Cohen's kappa", "Fleiss' kappa",     "Krippendorff's alpha"};
  NamedChart ch;
  ch.id = "sxs_win_rates";
  ch.chart.kind = Chart::Kind::Bar;
  ch.chart.title = "Side-by-side win rate";
  ch.chart.subtitle =
      "first system of each pair; bootstrap 95% intervals; the paper's figures beside";
  ch.chart.y = {"win rate (%)", Scale::Linear, Units::Number};
  Series measured, published;
  measured.name = "measured";
  published.name = "published (paper)";
  auto add_bar = [&](const std::string& cat, double y, double lo, double hi, bool pub) {
    ch.chart.categories.push_back(cat);
    for (Series* se : {&measured, &published}) {
      const bool mine = (se == &published) == pub;
      se->y.push_back(mine ? y : NAN);
      se->lo.push_back(mine ? lo : NAN);
      se->hi.push_back(mine ? hi : NAN);
    }
  };
  for (const SxsStudy& st : studies) {
    const json& r = st.results;
    const size_t n = r["counts"]["comparisons"].get<size_t>();
    s.paragraphs.push_back(
        "Study \"" + r["study"].get<std::string>() + "\" (" + st.db_path +
        "): " + std::to_string(st.prompts) + " prompts, " + std::to_string(st.systems) +
        " systems, " + std::to_string(st.items) + " items, " + std::to_string(n) +
        " comparisons (" + std::to_string(r["counts"]["ratings"].get<size_t>()) + " ratings, " +
        std::to_string(r["counts"]["judgments"].get<size_t>()) + " imported judgments).");
    if (n == 0)
      s.paragraphs.push_back("No ratings yet: start the rating app with `rgeval sxs serve --db " +
                             st.db_path + "`, add raters with `rgeval sxs add-rater --db " +
                             st.db_path + " --name NAME`, and run the report again.");
    for (const json& p : r["pairs"]) {
      const std::string pair = p["a"].get<std::string>() + " vs " + p["b"].get<std::string>();
      pairs.rows.push_back(pair_row(pair, "all", p));
      add_bar(pair, 100 * num(p["win_rate"]), 100 * num(p["bootstrap_95"][0]),
              100 * num(p["bootstrap_95"][1]), false);
      for (const json& c : p["per_category"]) {
        pairs.rows.push_back(pair_row(pair, c["category"].get<std::string>(), c));
        add_bar(c["category"].get<std::string>(), 100 * num(c["win_rate"]),
                100 * num(c["bootstrap_95"][0]), 100 * num(c["bootstrap_95"][1]), false);
      }
    }
    const json& pb = r["position_bias"];
    const json& ag = r["agreement"];
    quality.rows.push_back(
        {Cell(st.db_path), Cell(std::to_string(pb["decided"].get<size_t>())),
         rate_ci(num(pb["left_rate"]), NAN, NAN), number_cell(num(pb["p_value"]), 4),
         Cell(std::to_string(ag["units"].get<size_t>())), number_cell(num(ag["raw"]), 3),
         number_cell(num(ag["cohen_kappa"]), 3), number_cell(num(ag["fleiss_kappa"]), 3),
         number_cell(num(ag["krippendorff_alpha"]), 3)});
  }
  Table pub;
  pub.id = "sxs_published";
  pub.caption = "The paper's human side-by-side figures (published, not measured here)";
  pub.header = {"Evaluation", "Win rate [95% CI]", "Source"};
  for (const PublishedWinRate& w : paper.side_by_side) {
    Cell c(fixed(w.win_rate, 1) + "% [" + fixed(w.lo, 1) + ", " + fixed(w.hi, 1) + "]",
           fixed(w.win_rate, 1), true);
    const Source& src = paper.sources.at(w.source);
    pub.rows.push_back(
        {Cell("RecurrentGemma-2B-IT, " + w.name), c, Cell(src.title + " <" + src.url + ">")});
    add_bar("paper: " + w.name, w.win_rate, w.lo, w.hi, true);
  }
  if (!pairs.rows.empty()) s.tables.push_back(pairs);
  s.tables.push_back(pub);
  s.tables.push_back(quality);
  ch.chart.series = {measured, published};
  ch.chart.footnote =
      "50% = no preference; error bars: 95% intervals (bootstrap over prompts for measured values)";
  s.charts.push_back(ch);
  return s;
}

}  // namespace rgeval::reports
