// rgeval report and rgeval demo: the pieces (command-line parsing, CSV, paper values, escaping),
// the demo end to end (sections and numbers against the databases and the commands' results JSON),
// a study with judgments, and a report of golden-model runs on ../shared/data.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "engine/error.h"
#include "reports/command_args.h"
#include "reports/csv_table.h"
#include "reports/html_render.h"
#include "reports/paper_values.h"
#include "reports/report.h"
#include "reports/report_format.h"
#include "reports/throughput_charts.h"
#include "sidebyside/judgments_import.h"
#include "sidebyside/results.h"
#include "sidebyside/study_db.h"
#include "store/sqlite_db.h"
#include "tests/testing.h"

namespace {

using nlohmann::json;
using rgeval::testing::read_file;
using rgeval::testing::run_cli;
using rgeval::testing::TempDir;
using rgeval::testing::write_file;
namespace rp = rgeval::reports;

json read_json(const std::string& path) { return json::parse(read_file(path)); }

// Rows of a CSV written by csv_text (no quoted line breaks in these tables).
std::vector<std::vector<std::string>> read_csv_rows(const std::string& path) {
  std::vector<std::vector<std::string>> rows;
  std::istringstream in(read_file(path));
  std::string line;
  while (std::getline(in, line)) {
    std::vector<std::string> row;
    std::string cur;
    bool q = false;
    for (size_t i = 0; i < line.size(); ++i) {
      const char c = line[i];
      if (q && c == '"' && i + 1 < line.size() && line[i + 1] == '"')
        cur += '"', ++i;
      else if (c == '"')
        q = !q;
      else if (c == ',' && !q)
        row.push_back(cur), cur.clear();
      else
        cur += c;
    }
    row.push_back(cur);
    rows.push_back(row);
  }
  return rows;
}

int64_t count(const std::string& db_path, const std::string& sql) {
  rgeval::store::Db db(db_path);
  rgeval::store::Stmt s(db, sql);
  return s.step() ? s.column_int(0) : -1;
}

// The eval "results" and "groups" of report.json equal those of a results JSON file exactly.
void expect_same_eval(const json& report, const json& results) {
  bool found = false;
  for (const json& e : report["eval"])
    if (e["config"]["model"] == results["config"]["model"]) {
      found = true;
      EXPECT_EQ(e["results"], results["results"]) << results["config"]["model"];
      EXPECT_EQ(e["groups"], results["groups"]) << results["config"]["model"];
    }
  EXPECT_TRUE(found) << results["config"]["model"] << " not in the report";
}

TEST(ReportPieces, ShellWordsAndOptions) {
  const auto w = rp::split_shell_words("rgeval eval --data '/a b/c'\"'\"'d' --limit=4 x\\ y");
  ASSERT_EQ(w.size(), 6u);
  EXPECT_EQ(w[3], "/a b/c'd");
  EXPECT_EQ(w[4], "--limit=4");
  EXPECT_EQ(w[5], "x y");
  EXPECT_EQ(rp::option_value(w, "--data").value(), "/a b/c'd");
  EXPECT_EQ(rp::option_value(rp::split_shell_words("a --limit=4"), "--limit").value(), "4");
  EXPECT_FALSE(rp::option_value(w, "--db").has_value());
}

TEST(ReportPieces, CsvAndFormatting) {
  EXPECT_EQ(rp::csv_field("plain"), "plain");
  EXPECT_EQ(rp::csv_field("a,b"), "\"a,b\"");
  EXPECT_EQ(rp::csv_field("say \"hi\""), "\"say \"\"hi\"\"\"");
  rp::Table t;
  t.header = {"x", "y"};
  t.rows = {{rp::Cell("1"), rp::mean_pm(0.25, 0.05)}};
  EXPECT_EQ(rp::csv_text(t), "x,y\n1,0.25\n");
  EXPECT_EQ(rp::mean_pm(0.25, 0.05).text, "25.0 ± 5.0");
  EXPECT_EQ(rp::mean_pm(0.5, NAN).text, "50.0");
  EXPECT_EQ(rp::rate_ci(0.3, 0.181, 0.454).text, "30.0% [18.1, 45.4]");
  EXPECT_EQ(rp::rate_ci(NAN, 0, 0).text, "-");
}

TEST(ReportPieces, PaperValuesHaveSources) {
  const rp::PaperValues& p = rp::paper_values();
  ASSERT_FALSE(p.academic.empty());
  EXPECT_EQ(p.academic[0].task, "mmlu");
  EXPECT_DOUBLE_EQ(p.academic[0].values.at("RecurrentGemma-2B").value, 38.4);
  EXPECT_DOUBLE_EQ(p.academic[0].values.at("Gemma-2B").value, 42.3);
  for (const auto& r : p.academic)
    for (const auto& [m, v] : r.values)
      EXPECT_TRUE(p.sources.count(v.source)) << r.task << " " << m;
  ASSERT_EQ(p.side_by_side.size(), 2u);
  EXPECT_DOUBLE_EQ(p.side_by_side[0].win_rate, 43.7);
  EXPECT_DOUBLE_EQ(p.side_by_side[1].lo, 57.1);
  EXPECT_THROW(
      rp::parse_paper_values(R"({"paper":"p","sources":{},"models":[],"academic":[{"task":"mmlu",
      "metric":"acc","label":"MMLU","values":{"X":[1.0,"nowhere"]}}],"side_by_side":[]})",
                             "f.json"),
      rgeval::Error);
  EXPECT_THROW(rp::parse_paper_values("{", "f.json"), rgeval::Error);
}

TEST(ReportPieces, HtmlEscapesEverything) {
  rp::Report r;
  r.title = "t<1>";
  rp::Section s;
  s.id = "x\"y";
  s.title = "<script>alert(1)</script>";
  s.paragraphs = {"a & b"};
  rp::Table t;
  t.id = "tab";
  t.caption = "c";
  t.header = {"<h>"};
  t.rows = {{rp::Cell("<img src=x onerror=alert(1)>")}};
  s.tables.push_back(t);
  r.sections.push_back(s);
  const std::string html = rp::render_html(r);
  EXPECT_EQ(html.find("<script>"), std::string::npos);
  EXPECT_EQ(html.find("<img"), std::string::npos);
  EXPECT_NE(html.find("&lt;script&gt;alert(1)&lt;/script&gt;"), std::string::npos);
  EXPECT_NE(html.find("a &amp; b"), std::string::npos);
  EXPECT_NE(html.find("id=\"x&quot;y\""), std::string::npos);
}

TEST(Report, MissingDatabaseIsAnError) {
  TempDir t;
  const auto r = run_cli("report --db " + t.file("nope.db") + " --out " + t.file("out"));
  EXPECT_EQ(r.code, 1);
  EXPECT_NE(r.err.find("nope.db: no such database file"), std::string::npos) << r.err;
}

TEST(Report, EmptyDatabaseHasOnlyReproducibility) {
  TempDir t;
  { rgeval::store::Db db(t.file("empty.db")); }
  const auto r = run_cli("report --db " + t.file("empty.db") + " --out " + t.file("out"));
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_EQ(read_json(t.file("out/report.json"))["sections"], json({"reproducibility"}));
  EXPECT_NE(read_file(t.file("out/report.html")).find("hold no results yet"), std::string::npos);
}

TEST(Report, StudyWithJudgments) {
  TempDir t;
  const std::string db_path = t.file("study.db");
  std::string lines;
  const char* winners[] = {"model_a", "model_a", "model_a", "model_b", "tie", "model_a",
                           "model_b", "model_a", "tie",     "model_a"};  // 6 / 2 / 2 for rg
  for (int i = 0; i < 10; ++i)
    lines += "{\"question_id\": " + std::to_string(81 + i) +
             ", \"model_a\": \"rg\", \"model_b\": \"gemma\", \"winner\": \"" + winners[i] +
             "\", \"judge\": \"h" + std::to_string(i % 2) + "\", \"turn\": 1}\n";
  write_file(t.file("j.jsonl"), lines);
  {
    rgeval::store::Db db(db_path);
    rgeval::sidebyside::ensure_schema(db);
    rgeval::sidebyside::import_judgments(db, t.file("j.jsonl"), "fastchat");
  }
  const auto r = run_cli("report --db " + db_path + " --out " + t.file("out"));
  ASSERT_EQ(r.code, 0) << r.err;
  const json rep = read_json(t.file("out/report.json"));
  EXPECT_EQ(rep["sections"], json({"sxs", "reproducibility"}));
  json expected;
  {
    rgeval::store::Db db(db_path);
    expected = rgeval::sidebyside::study_results(db, {});
  }
  EXPECT_EQ(rep["sxs"][0]["results"], expected);
  const auto rows = read_csv_rows(t.file("out/sxs_win_rates.csv"));
  ASSERT_GE(rows.size(), 2u);
  const json& p = expected["pairs"][0];
  const std::string pair = p["a"].get<std::string>() + " vs " + p["b"].get<std::string>();
  EXPECT_EQ(rows[1][0], pair);
  EXPECT_EQ(rows[1][2], "10");
  const bool rg_first = p["a"] == "rg";
  EXPECT_EQ(rows[1][3], rg_first ? "6/2/2" : "2/2/6");
  EXPECT_DOUBLE_EQ(std::stod(rows[1][4]), rg_first ? 0.7 : 0.3);
  EXPECT_DOUBLE_EQ(p["win_rate"].get<double>(), rg_first ? 0.7 : 0.3);
  const std::string html = read_file(t.file("out/report.html"));
  EXPECT_NE(html.find(rg_first ? "70.0% [" : "30.0% ["), std::string::npos);
  EXPECT_NE(html.find("43.7% [41.8, 45.6]"), std::string::npos);
  EXPECT_NE(html.find("59.8% [57.1, 62.6]"), std::string::npos);
  EXPECT_TRUE(std::filesystem::exists(t.file("out/sxs_win_rates.svg")));
}

// The README's main command: everything on the tiny models, then the report; run twice (the
// second run resumes and must leave the same numbers and one throughput run).
TEST(ReportDemo, EndToEnd) {
  TempDir t;
  const std::string out = t.file("demo");
  for (int pass = 0; pass < 2; ++pass) {
    const auto r = run_cli("demo --out " + out + " --threads 1 --max-new-tokens 8");
    ASSERT_EQ(r.code, 0) << r.err;
    EXPECT_NE(r.out.find("Report: " + out + "/report/report.html"), std::string::npos) << r.out;
    EXPECT_NE(r.out.find("chance level"), std::string::npos);
    EXPECT_NE(r.out.find("rgeval sxs serve --db " + out + "/study.db"), std::string::npos);
    EXPECT_NE(r.err.find("rgeval demo [6/6"), std::string::npos);
    if (pass == 0) {
      EXPECT_NE(r.out.find("/#t="), std::string::npos);  // the rater's link, at creation only
    }
  }
  const json rep = read_json(out + "/report/report.json");
  EXPECT_EQ(rep["sections"], json({"academic", "safety", "sxs", "throughput", "reproducibility"}));
  // Eval and safety: the same numbers as the commands' results JSON.
  ASSERT_EQ(rep["eval"].size(), 2u);
  for (const char* m : {"tiny-griffin", "tiny-gemma"}) {
    const json e = read_json(out + "/eval-" + m + ".json");
    expect_same_eval(rep, e);
    EXPECT_EQ(e["groups"]["mmlu"]["n"], 8);  // 4 subjects x 2 test rows
    const json s = read_json(out + "/safety-" + std::string(m) + ".json");
    bool found = false;
    for (const json& x : rep["safety"])
      if (x["config"]["model"] == s["config"]["model"]) {
        found = true;
        EXPECT_EQ(x["results"], s["results"]);
        EXPECT_EQ(x["results"]["xstest"]["n"], 8);
      }
    EXPECT_TRUE(found) << m;
  }
  // The shown Table 2 cell of MMLU is the results JSON's value.
  const json g = read_json(out + "/eval-tiny-gemma.json")["groups"]["mmlu"];
  const std::string cell =
      rp::mean_pm(g["acc"].get<double>(), g["acc_stderr"].get<double>()).text + " (n 8)";
  const std::string html = read_file(out + "/report/report.html");
  EXPECT_NE(html.find(cell), std::string::npos) << cell;
  for (const char* id : {"academic", "safety", "sxs", "throughput", "reproducibility"})
    EXPECT_NE(html.find("<section id=\"" + std::string(id) + "\">"), std::string::npos) << id;
  // Side-by-side: the study the demo prepared (8 prompts, 2 systems, 8 items, no ratings yet).
  EXPECT_EQ(count(out + "/study.db", "SELECT COUNT(*) FROM sxs_items"), 8);
  EXPECT_EQ(rep["sxs"][0]["results"]["counts"]["comparisons"], 0);
  EXPECT_NE(html.find("No ratings yet"), std::string::npos);
  // Throughput: one run, every stored row in the report and in the CSV, medians equal.
  ASSERT_EQ(rep["throughput"].size(), 1u);
  const std::string tdb = out + "/throughput.db";
  EXPECT_EQ(count(tdb, "SELECT COUNT(*) FROM throughput_runs"), 1);
  const int64_t tg =
      count(tdb, "SELECT COUNT(*) FROM throughput_rows WHERE test = 'tg' AND NOT skipped");
  const auto csv = read_csv_rows(out + "/report/throughput_sampling.csv");
  EXPECT_EQ(int64_t(csv.size()) - 1, tg);
  const json tjson = read_json(out + "/throughput.json");
  size_t checked = 0;
  for (const json& row : tjson["rows"])
    if (row["test"] == "tg" && row["depth"] == 1024 && row["batch"] == 4 &&
        !row.value("at_max_batch", false))
      for (const auto& c : csv)
        if (c[2] == "1024" && c[3] == "4" && c[10].empty() &&
            c[1] == rp::short_model_name(row["model"])) {
          EXPECT_DOUBLE_EQ(std::stod(c[4]), row["tokens_per_s"]["median"].get<double>());
          ++checked;
        }
  EXPECT_EQ(checked, 2u);
  for (const char* f :
       {"tg_vs_depth.svg", "pp_vs_length.svg", "state_bytes.svg", "max_batch.svg", "report.md",
        "academic_table2.csv", "mmlu_categories.csv", "safety_refusal.csv", "repro_runs.csv"})
    EXPECT_TRUE(std::filesystem::exists(out + "/report/" + f)) << f;
  // Without the data files the stored predictions still give acc/acc_norm (and the groups), noted.
  std::filesystem::rename(out + "/data", out + "/data-moved");
  const auto moved = run_cli("report --db " + out + "/rgeval.db --out " + out + "/report2");
  ASSERT_EQ(moved.code, 0) << moved.err;
  const json rep2 = read_json(out + "/report2/report.json");
  ASSERT_EQ(rep2["eval"].size(), 2u);
  for (size_t i = 0; i < 2; ++i) {
    EXPECT_FALSE(rep2["eval"][i]["config"]["notes"].empty());
    const json& a = rep2["eval"][i]["results"];
    const json& b = rep["eval"][i]["results"];
    ASSERT_EQ(a.size(), b.size());
    for (const auto& [task, m] : b.items())
      for (const auto& [k, v] : m.items())
        if (v.is_number()) {
          EXPECT_NEAR(a[task][k].get<double>(), v.get<double>(), 1e-12) << task << " " << k;
        }
    EXPECT_EQ(rep2["eval"][i]["groups"]["mmlu"]["acc"], rep["eval"][i]["groups"]["mmlu"]["acc"]);
  }
  // Eval documents were computed once: the second demo run reused them.
  EXPECT_EQ(count(out + "/rgeval.db", "SELECT COUNT(*) FROM attempts"), 4);
  EXPECT_EQ(count(out + "/rgeval.db", "SELECT COUNT(*) FROM documents"), 2 * (8 + 4 + 4));
}

// Golden runs: the tiny golden checkpoints on the shared data (--limit), reported from the
// database.
TEST(ReportGolden, SameNumbersAsResultsJson) {
  RGEVAL_REQUIRE_SHARED();
  TempDir t;
  const std::string data = rgeval::testing::shared_dir() + "/data";
  const std::string db = t.file("golden.db");
  std::vector<json> results;
  for (const char* m : {"recurrentgemma-tiny", "gemma-tiny-mqa"}) {
    const std::string out = t.file(std::string(m) + ".json");
    const auto r = run_cli("eval --model " + rgeval::testing::golden(m) +
                           " --tasks mmlu,hellaswag,piqa,crows_pairs,"
                           "truthfulqa_mc2,winogender --limit 6 --threads 1 --data " +
                           data + " --db " + db + " --out " + out);
    ASSERT_EQ(r.code, 0) << r.err;
    results.push_back(read_json(out));
  }
  const auto r = run_cli("report --db " + db + " --out " + t.file("report"));
  ASSERT_EQ(r.code, 0) << r.err;
  const json rep = read_json(t.file("report/report.json"));
  EXPECT_EQ(rep["sections"], json({"academic", "safety", "reproducibility"}));
  for (const json& res : results) expect_same_eval(rep, res);
  for (const json& e : rep["eval"])
    EXPECT_TRUE(e["config"]["notes"].empty()) << e["config"]["notes"];
  const std::string html = read_file(t.file("report/report.html"));
  const json& h = results[0]["results"]["hellaswag"];
  EXPECT_NE(
      html.find(rp::mean_pm(h["acc_norm"].get<double>(), h["acc_norm_stderr"].get<double>()).text +
                " (n 6)"),
      std::string::npos);
  const json& c = results[1]["results"]["crows_pairs"];
  EXPECT_NE(html.find(rp::mean_pm(c["pct_stereotype"].get<double>(),
                                  c["pct_stereotype_stderr"].get<double>())
                          .text +
                      " (n 6)"),
            std::string::npos);
}

}  // namespace
