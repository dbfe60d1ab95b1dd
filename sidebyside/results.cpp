#include "sidebyside/results.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <map>
#include <set>
#include <sstream>

#include "sidebyside/agreement.h"
#include "sidebyside/alpaca_convention.h"
#include "sidebyside/assignment.h"
#include "sidebyside/bradley_terry.h"
#include "sidebyside/comparisons.h"
#include "sidebyside/position_bias.h"
#include "sidebyside/raters.h"
#include "sidebyside/study_db.h"
#include "sidebyside/win_rate.h"

namespace rgeval::sidebyside {

namespace {

using nlohmann::json;

json num(double x) { return std::isfinite(x) ? json(x) : json(nullptr); }

json win_json(const WinRate& w) {
  const double n = double(w.n);
  return {{"a", w.a},
          {"b", w.b},
          {"n", w.n},
          {"prompts", w.prompts},
          {"wins", w.wins},
          {"ties", w.ties},
          {"losses", w.losses},
          {"wins_pct", num(100 * double(w.wins) / n)},
          {"ties_pct", num(100 * double(w.ties) / n)},
          {"losses_pct", num(100 * double(w.losses) / n)},
          {"win_rate", num(w.win_rate)},
          {"bootstrap_95", {num(w.boot_lo), num(w.boot_hi)}},
          {"wilson_95", {num(w.wilson.lo), num(w.wilson.hi)}}};
}

// The pairs present, oriented: baseline second, otherwise alphabetical.
std::vector<std::pair<std::string, std::string>> pairs_of(const std::vector<Comparison>& rows,
                                                          const std::string& baseline) {
  std::set<std::pair<std::string, std::string>> s;
  for (const auto& c : rows) {
    auto p = std::minmax(c.a, c.b);
    std::pair<std::string, std::string> q{p.first, p.second};
    if (q.first == baseline) std::swap(q.first, q.second);
    s.insert(q);
  }
  return {s.begin(), s.end()};
}

template <class Key>
std::vector<Comparison> subset(const std::vector<Comparison>& rows, Key key,
                               const std::string& value) {
  std::vector<Comparison> out;
  for (const auto& c : rows)
    if (key(c) == value) out.push_back(c);
  return out;
}

std::string pct(const json& x) {
  if (x.is_null()) return "-";
  char b[32];
  std::snprintf(b, sizeof b, "%.1f", 100 * x.get<double>());
  return b;
}

std::string fixed(const json& x, const char* fmt = "%.1f") {
  if (x.is_null()) return "-";
  char b[32];
  std::snprintf(b, sizeof b, fmt, x.get<double>());
  return b;
}

}  // namespace

json study_results(store::Db& db, const ResultsOptions& opts) {
  const StudyInfo info = study_info(db);
  const LoadedComparisons lc = load_comparisons(db);
  const auto& rows = lc.rows;
  json r;
  r["study"] = info.name;
  r["scale"] = info.scale;
  size_t ratings = 0;
  for (const auto& c : rows) ratings += c.source == "ratings";
  r["counts"] = {{"comparisons", rows.size()},
                 {"ratings", ratings},
                 {"judgments", rows.size() - ratings},
                 {"dropped_identity", lc.dropped_identity}};
  r["bootstrap"] = {{"samples", opts.bootstrap.samples},
                    {"seed", opts.bootstrap.seed},
                    {"level", opts.bootstrap.level},
                    {"resamples", "prompts"}};
  json pairs = json::array();
  for (const auto& [a, b] : pairs_of(rows, opts.baseline)) {
    json p = win_json(win_rate(rows, a, b, opts.bootstrap));
    std::set<std::string> cats, raters;
    for (const auto& c : rows)
      if ((c.a == a && c.b == b) || (c.a == b && c.b == a)) {
        cats.insert(c.category);
        raters.insert(c.rater);
      }
    json pc = json::array(), pr = json::array();
    for (const auto& cat : cats) {
      json x = win_json(win_rate(subset(
                                     rows, [](const Comparison& c) { return c.category; }, cat),
                                 a, b, opts.bootstrap));
      x["category"] = cat;
      pc.push_back(x);
    }
    for (const auto& rt : raters) {
      json x = win_json(win_rate(subset(
                                     rows, [](const Comparison& c) { return c.rater; }, rt),
                                 a, b, opts.bootstrap));
      x["rater"] = rt;
      pr.push_back(x);
    }
    p["per_category"] = pc;
    p["per_rater"] = pr;
    pairs.push_back(p);
  }
  r["pairs"] = pairs;

  const PositionBias pb = position_bias(rows);
  r["position_bias"] = {{"decided", pb.decided},
                        {"left_wins", pb.left_wins},
                        {"ties", pb.ties},
                        {"left_rate", num(pb.left_rate)},
                        {"p_value", num(pb.p_value)}};
  const Agreement ag = agreement(rows);
  r["agreement"] = {{"units", ag.units},
                    {"raters", ag.raters},
                    {"raw", num(ag.raw)},
                    {"cohen_kappa", num(ag.cohen_kappa)},
                    {"cohen_units", ag.cohen_units},
                    {"fleiss_kappa", num(ag.fleiss_kappa)},
                    {"fleiss_units", ag.fleiss_units},
                    {"fleiss_ratings_per_unit", ag.fleiss_m},
                    {"krippendorff_alpha", num(ag.krippendorff_alpha)}};

  std::set<std::string> systems;
  for (const auto& c : rows) systems.insert(c.a), systems.insert(c.b);
  r["bradley_terry"] = nullptr;
  if (systems.size() >= 3) {
    const BradleyTerry bt = bradley_terry(rows, opts.bootstrap);
    json s = json::array();
    for (size_t i = 0; i < bt.systems.size(); ++i)
      s.push_back({{"system", bt.systems[i]},
                   {"rating", num(bt.rating[i])},
                   {"bootstrap_95", {num(bt.lo[i]), num(bt.hi[i])}}});
    r["bradley_terry"] = {{"systems", s},
                          {"regularised", bt.regularised},
                          {"scale", "1000 + 400 log10(p), geometric mean 1000"}};
  }
  json ae = json::array();
  for (const auto& s : alpaca_eval_scores(rows))
    ae.push_back({{"model", s.model},
                  {"reference", s.reference},
                  {"n", s.n},
                  {"alpaca_eval_win_rate", num(s.win_rate)},
                  {"alpaca_eval_standard_error", num(s.standard_error)}});
  r["alpaca_eval"] = ae;

  json raters = json::array();
  for (const auto& rt : list_raters(db)) {
    const Progress p = rater_progress(db, rt.id);
    store::Stmt s(db, "SELECT seconds FROM sxs_ratings WHERE rater_id = ? ORDER BY seconds");
    s.bind(1, rt.id);
    std::vector<double> secs;
    while (s.step()) secs.push_back(s.column_double_or_nan(0));
    const double median = secs.empty() ? NAN
                          : secs.size() % 2
                              ? secs[secs.size() / 2]
                              : (secs[secs.size() / 2 - 1] + secs[secs.size() / 2]) / 2;
    raters.push_back({{"rater", rt.name},
                      {"done", p.done},
                      {"total", p.total},
                      {"median_seconds", num(median)}});
  }
  r["raters"] = raters;
  return r;
}

std::string format_results(const json& r) {
  std::ostringstream o;
  o << "study " << r["study"].get<std::string>() << ": " << r["counts"]["comparisons"]
    << " comparisons (" << r["counts"]["ratings"] << " ratings, " << r["counts"]["judgments"]
    << " imported judgments; " << r["counts"]["dropped_identity"]
    << " ratings dropped for revealed identity)\n";
  auto line = [&](const json& p, const std::string& label) {
    o << "  " << label << "n=" << p["n"] << " W/T/L " << p["wins"] << "/" << p["ties"] << "/"
      << p["losses"] << " (" << fixed(p["wins_pct"]) << "/" << fixed(p["ties_pct"]) << "/"
      << fixed(p["losses_pct"]) << "%)  win rate " << pct(p["win_rate"]) << "% bootstrap ["
      << pct(p["bootstrap_95"][0]) << ", " << pct(p["bootstrap_95"][1]) << "] Wilson ["
      << pct(p["wilson_95"][0]) << ", " << pct(p["wilson_95"][1]) << "]\n";
  };
  for (const auto& p : r["pairs"]) {
    o << "\n"
      << p["a"].get<std::string>() << " vs " << p["b"].get<std::string>() << " (" << p["prompts"]
      << " prompts)\n";
    line(p, "");
    for (const auto& c : p["per_category"])
      line(c, "category " + c["category"].get<std::string>() + ": ");
    for (const auto& c : p["per_rater"]) line(c, "rater " + c["rater"].get<std::string>() + ": ");
  }
  const auto& pb = r["position_bias"];
  o << "\nposition bias: left won " << pb["left_wins"] << " of " << pb["decided"]
    << " decided ratings (" << pct(pb["left_rate"])
    << "%), binomial test p = " << fixed(pb["p_value"], "%.4g") << "\n";
  const auto& ag = r["agreement"];
  o << "agreement: " << ag["units"] << " units rated by 2+ of " << ag["raters"] << " raters; raw "
    << fixed(ag["raw"], "%.3f") << ", Cohen's kappa " << fixed(ag["cohen_kappa"], "%.3f")
    << ", Fleiss' kappa " << fixed(ag["fleiss_kappa"], "%.3f") << ", Krippendorff's alpha "
    << fixed(ag["krippendorff_alpha"], "%.3f") << "\n";
  if (!r["bradley_terry"].is_null()) {
    o << "\nBradley-Terry (Elo scale, bootstrap 95%)\n";
    for (const auto& s : r["bradley_terry"]["systems"])
      o << "  " << s["system"].get<std::string>() << " " << fixed(s["rating"]) << " ["
        << fixed(s["bootstrap_95"][0]) << ", " << fixed(s["bootstrap_95"][1]) << "]\n";
  }
  for (const auto& a : r["alpaca_eval"])
    o << "\nAlpacaEval convention: " << a["model"].get<std::string>() << " vs "
      << a["reference"].get<std::string>() << " n=" << a["n"] << ": alpaca_eval_win_rate "
      << fixed(a["alpaca_eval_win_rate"], "%.4f") << " +- "
      << fixed(a["alpaca_eval_standard_error"], "%.4f") << "\n";
  if (!r["raters"].empty()) {
    o << "\nraters\n";
    for (const auto& x : r["raters"])
      o << "  " << x["rater"].get<std::string>() << " " << x["done"] << " / " << x["total"]
        << ", median " << fixed(x["median_seconds"]) << " s per item\n";
  }
  return o.str();
}

}  // namespace rgeval::sidebyside
