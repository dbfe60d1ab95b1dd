#include "reports/report.h"

#include <chrono>
#include <ctime>
#include <filesystem>
#include <fstream>

#include "engine/error.h"
#include "engine/version.h"
#include "reports/academic_section.h"
#include "reports/csv_table.h"
#include "reports/html_render.h"
#include "reports/markdown_render.h"
#include "reports/repro_section.h"
#include "reports/safety_section.h"
#include "reports/throughput_section.h"

namespace rgeval::reports {

namespace {

namespace fs = std::filesystem;
using nlohmann::ordered_json;

std::string utc_now() {
  const std::time_t t = std::chrono::system_clock::to_time_t(std::chrono::system_clock::now());
  std::tm tm{};
  gmtime_r(&t, &tm);
  char b[32];
  std::strftime(b, sizeof b, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return b;
}

void write_text(const fs::path& p, const std::string& text) {
  std::ofstream f(p, std::ios::binary);
  f << text;
  if (!f.flush()) fail(p.string(), "cannot write");
}

}  // namespace

Report build_report(const ReportOptions& o) {
  if (o.databases.empty()) fail("--db", "no database given");
  std::vector<EvalRun> evals;
  std::vector<SafetyRun> safety;
  std::vector<ThroughputRun> throughput;
  std::vector<SxsStudy> studies;
  for (const std::string& path : o.databases) {
    if (!fs::is_regular_file(path)) fail(path, "no such database file");
    store::Db db(path);
    for (EvalRun& r : load_eval_runs(db, o.data_dir)) evals.push_back(std::move(r));
    for (SafetyRun& r : load_safety_runs(db)) safety.push_back(std::move(r));
    for (ThroughputRun& r : load_throughput_runs(db)) throughput.push_back(std::move(r));
    if (auto s = load_sxs_study(db)) studies.push_back(std::move(*s));
  }
  Report r;
  r.title = "rgeval report";
  const PaperValues& paper = paper_values();
  if (auto s = academic_section(evals, paper)) r.sections.push_back(std::move(*s));
  if (auto s = safety_section(safety, evals)) r.sections.push_back(std::move(*s));
  if (auto s = sxs_section(studies, paper)) r.sections.push_back(std::move(*s));
  if (auto s = throughput_section(throughput)) r.sections.push_back(std::move(*s));
  const ReportProvenance prov{o.command_line, o.databases, utc_now()};
  r.sections.push_back(repro_section(prov, evals, safety, throughput, studies));
  r.intro.push_back(
      "RecurrentGemma (Griffin: RG-LRU recurrence + local attention) against Gemma (a transformer) "
      "on "
      "quality, safety, human preference and speed, measured by rgeval " +
      std::string(rgeval::version()) + " and set beside " + paper.paper + ".");
  if (r.sections.size() == 1)
    r.intro.push_back(
        "The databases hold no results yet: run `rgeval eval`, `rgeval safety`, `rgeval "
        "throughput` or "
        "an `rgeval sxs` study first (or `rgeval demo`).");

  ordered_json& d = r.data;
  d["schema"] = "rgeval.report/1";
  d["generated_at"] = prov.date;
  d["rgeval_version"] = rgeval::version();
  d["rgeval_commit"] = rgeval::commit();
  d["databases"] = o.databases;
  d["sections"] = ordered_json::array();
  for (const Section& s : r.sections) d["sections"].push_back(s.id);
  d["eval"] = ordered_json::array();
  for (const EvalRun& e : evals) d["eval"].push_back(e.json);
  d["safety"] = ordered_json::array();
  for (const SafetyRun& s : safety) d["safety"].push_back(s.json);
  d["sxs"] = ordered_json::array();
  for (const SxsStudy& s : studies) d["sxs"].push_back({{"db", s.db_path}, {"results", s.results}});
  d["throughput"] = ordered_json::array();
  for (const ThroughputRun& t : throughput)
    d["throughput"].push_back({{"db", t.db_path}, {"run_id", t.run_id}, {"result", t.result}});
  return r;
}

std::vector<std::string> write_report(const Report& r, const std::string& dir) {
  std::error_code ec;
  fs::create_directories(dir, ec);
  if (ec || !fs::is_directory(dir)) fail(dir, "cannot create the report directory");
  const fs::path base(dir);
  std::vector<std::string> out;
  auto put = [&](const std::string& name, const std::string& text) {
    write_text(base / name, text);
    out.push_back((base / name).string());
  };
  put("report.html", render_html(r));
  put("report.md", render_markdown(r));
  put("report.json", r.data.dump(1) + "\n");
  for (const Section& s : r.sections) {
    for (const Table& t : s.tables) put(t.id + ".csv", csv_text(t));
    for (const NamedChart& c : s.charts) put(c.id + ".svg", render_svg(c.chart));
  }
  return out;
}

}  // namespace rgeval::reports
