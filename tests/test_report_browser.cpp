// The report in headless Chromium (Debian's /usr/bin/chromium): screenshots at laptop and phone
// widths saved under the build folder (tests/report_browser/), every section of the data present
// in the rendered page, and no network request from the page (Chromium's net log; a control page
// with an external image shows the check sees one). Skipped when Chromium is absent.
#include <gtest/gtest.h>

#include <filesystem>
#include <nlohmann/json.hpp>
#include <regex>

#include "tests/testing.h"

namespace {

namespace fs = std::filesystem;
using nlohmann::json;
using rgeval::testing::read_file;
using rgeval::testing::run_cli;
using rgeval::testing::write_file;

std::string chromium() {
  for (const char* p : {"/usr/bin/chromium", "/usr/bin/chromium-browser"})
    if (fs::exists(p)) return p;
  return "";
}

// Runs headless Chromium on `url` with a fresh profile; `extra` adds --screenshot/--dump-dom etc.
int run_chromium(const std::string& profile, const std::string& extra, const std::string& url,
                 const std::string& stdout_file = "/dev/null") {
  fs::remove_all(profile);
  const std::string cmd =
      "timeout 180 " + chromium() +
      " --headless --no-sandbox --disable-gpu --disable-quic --no-first-run"
      " --disable-background-networking --disable-component-update --disable-sync"
      " --hide-scrollbars --user-data-dir=" +
      profile + " " + extra + " '" + url + "' >" + stdout_file + " 2>/dev/null";
  const int status = std::system(cmd.c_str());
  return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

// URLs the page itself requested (not the browser's own background requests, whose initiator is
// "not an origin"), from a Chromium net log.
std::vector<std::string> page_requests(const std::string& netlog_path) {
  std::string text = read_file(netlog_path);
  json j;
  try {
    j = json::parse(text);
  } catch (const std::exception&) {  // a log cut short: close it
    while (!text.empty() && (text.back() == '\n' || text.back() == ',')) text.pop_back();
    j = json::parse(text + "]}");
  }
  int start_job = -1;
  for (const auto& [name, id] : j["constants"]["logEventTypes"].items())
    if (name == "URL_REQUEST_START_JOB") start_job = id.get<int>();
  std::vector<std::string> out;
  for (const json& e : j["events"]) {
    if (e.value("type", -1) != start_job || !e.contains("params")) continue;
    const json& p = e["params"];
    const std::string url = p.value("url", ""), initiator = p.value("initiator", "");
    if (!url.empty() && initiator != "not an origin" && url.rfind("file:", 0) != 0 &&
        url.rfind("data:", 0) != 0)
      out.push_back(url);
  }
  return out;
}

TEST(ReportBrowser, RendersSelfContained) {
  if (chromium().empty())
    GTEST_SKIP() << "chromium is not installed (apt-get install chromium): skipped";
  const fs::path dir = RGEVAL_REPORT_ARTIFACTS;
  fs::remove_all(dir);
  fs::create_directories(dir);
  const std::string demo = (dir / "demo").string();
  const auto r = run_cli("demo --out " + demo + " --threads 1 --max-new-tokens 8");
  ASSERT_EQ(r.code, 0) << r.err;
  const std::string html_path = demo + "/report/report.html";
  const std::string html = read_file(html_path);
  const json rep = json::parse(read_file(demo + "/report/report.json"));

  // Nothing in the file that could load from elsewhere.
  EXPECT_FALSE(std::regex_search(
      html, std::regex(R"((src|href)\s*=\s*["']?\s*(https?:)?//)", std::regex::icase)));
  EXPECT_FALSE(std::regex_search(
      html, std::regex(R"(url\(|@import|<script|<link|<iframe|<img)", std::regex::icase)));

  // Screenshots (artifacts): laptop and phone widths.
  for (const int w : {1280, 390}) {
    const std::string png = (dir / ("report-" + std::to_string(w) + ".png")).string();
    EXPECT_EQ(run_chromium((dir / "profile").string(),
                           "--screenshot=" + png + " --window-size=" + std::to_string(w) + ",3000",
                           "file://" + html_path),
              0);
    ASSERT_TRUE(fs::exists(png)) << png;
    EXPECT_EQ(read_file(png).substr(1, 3), "PNG");
    EXPECT_GT(fs::file_size(png), 20000u);
  }

  // The rendered DOM has every section of the data, and the page requested nothing.
  const std::string dom_path = (dir / "report-dom.html").string(),
                    netlog = (dir / "netlog.json").string();
  ASSERT_EQ(run_chromium(
                (dir / "profile").string(),
                "--host-resolver-rules='MAP * ~NOTFOUND' --log-net-log=" + netlog + " --dump-dom",
                "file://" + html_path, dom_path),
            0);
  const std::string dom = read_file(dom_path);
  ASSERT_EQ(rep["sections"].size(), 5u);
  for (const json& id : rep["sections"])
    EXPECT_NE(dom.find("<section id=\"" + id.get<std::string>() + "\">"), std::string::npos) << id;
  for (const char* title : {"Academic benchmarks", "Safety", "Human side-by-side",
                            "Throughput and memory", "Reproducibility"})
    EXPECT_NE(dom.find(std::string("<h2>") + title + "</h2>"), std::string::npos) << title;
  EXPECT_GE(std::count(dom.begin(), dom.end(), '\n'), 100);
  EXPECT_NE(dom.find("<svg"), std::string::npos);
  const auto requests = page_requests(netlog);
  EXPECT_TRUE(requests.empty()) << requests.front();

  // Control: a page with an external image is caught by the same check.
  const std::string ctl = (dir / "control.html").string(),
                    ctl_log = (dir / "control-netlog.json").string();
  write_file(ctl,
             "<!DOCTYPE html><html><body><img src=\"http://example.invalid/x.png\"></body></html>");
  ASSERT_EQ(run_chromium(
                (dir / "profile").string(),
                "--host-resolver-rules='MAP * ~NOTFOUND' --log-net-log=" + ctl_log + " --dump-dom",
                "file://" + ctl),
            0);
  const auto ctl_requests = page_requests(ctl_log);
  ASSERT_FALSE(ctl_requests.empty());
  for (const std::string& u : ctl_requests) EXPECT_EQ(u, "http://example.invalid/x.png");
  fs::remove_all(dir / "profile");
}

}  // namespace
