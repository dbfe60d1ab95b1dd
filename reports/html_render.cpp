#include "reports/html_render.h"

#include <sstream>

namespace rgeval::reports {

namespace {

constexpr const char* kCss = R"css(
:root { color-scheme: light; }
* { box-sizing: border-box; }
body { margin: 0; font: 15px/1.5 system-ui, -apple-system, "Segoe UI", Roboto, Helvetica, Arial, sans-serif;
       color: #1d1d1f; background: #f6f7f9; }
main { max-width: 1180px; margin: 0 auto; padding: 16px; }
header h1 { font-size: 1.6em; margin: 0.4em 0; }
nav { display: flex; flex-wrap: wrap; gap: 6px 14px; margin: 8px 0 16px; }
nav a { color: #0b57d0; text-decoration: none; }
section { background: #fff; border: 1px solid #e1e4e8; border-radius: 8px; padding: 12px 16px; margin: 16px 0; }
h2 { font-size: 1.3em; margin: 0.3em 0 0.6em; }
h3 { font-size: 1.05em; margin: 1em 0 0.4em; }
p { margin: 0.5em 0; overflow-wrap: anywhere; }
.scroll { overflow-x: auto; -webkit-overflow-scrolling: touch; }
table { border-collapse: collapse; font-size: 0.9em; margin: 4px 0; }
th, td { border: 1px solid #d8dde3; padding: 4px 8px; text-align: left; vertical-align: top; white-space: nowrap; }
td.wrap { white-space: normal; min-width: 16em; overflow-wrap: anywhere; }
th { background: #eef1f5; }
td.pub { background: #fff7e0; font-style: italic; }
.note { color: #555; font-size: 0.85em; }
figure { margin: 12px 0; }
figure svg { width: 100%; height: auto; max-width: 960px; display: block; }
details summary { cursor: pointer; margin: 8px 0; font-weight: 600; }
footer { color: #666; font-size: 0.85em; margin: 16px 0; }
@media (max-width: 600px) { main { padding: 8px; } section { padding: 8px; } body { font-size: 14px; } }
)css";

std::string esc(const std::string& s) { return xml_escape(s); }

void table_html(std::ostringstream& o, const Table& t) {
  std::ostringstream b;
  b << "<div class=\"scroll\"><table id=\"table-" << esc(t.id) << "\">\n<thead><tr>";
  for (const std::string& h : t.header) b << "<th>" << esc(h) << "</th>";
  b << "</tr></thead>\n<tbody>\n";
  for (const auto& row : t.rows) {
    b << "<tr>";
    for (const Cell& c : row) {
      const bool wide = c.text.size() > 60;
      b << "<td"
        << (c.published ? " class=\"pub\""
            : wide      ? " class=\"wrap\""
                        : "")
        << ">" << esc(c.text) << "</td>";
    }
    b << "</tr>\n";
  }
  b << "</tbody></table></div>\n";
  if (t.collapsed) {
    o << "<details><summary>" << esc(t.caption) << " (" << t.rows.size() << " rows)</summary>\n"
      << b.str();
  } else {
    o << "<h3>" << esc(t.caption) << "</h3>\n" << b.str();
  }
  if (!t.note.empty()) o << "<p class=\"note\">" << esc(t.note) << "</p>\n";
  if (t.collapsed) o << "</details>\n";
}

}  // namespace

std::string inline_svg(const std::string& svg) {
  const size_t start = svg.find("<svg");
  return start == std::string::npos ? std::string() : svg.substr(start);
}

std::string render_html(const Report& r) {
  std::ostringstream o;
  o << "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
    << "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
    << "<title>" << esc(r.title) << "</title>\n<style>" << kCss
    << "</style>\n</head>\n<body>\n<main>\n<header><h1>" << esc(r.title) << "</h1>\n";
  for (const std::string& p : r.intro) o << "<p>" << esc(p) << "</p>\n";
  o << "<nav>";
  for (const Section& s : r.sections)
    o << "<a href=\"#" << esc(s.id) << "\">" << esc(s.title) << "</a>";
  o << "</nav>\n</header>\n";
  for (const Section& s : r.sections) {
    o << "<section id=\"" << esc(s.id) << "\">\n<h2>" << esc(s.title) << "</h2>\n";
    for (const std::string& p : s.paragraphs) o << "<p>" << esc(p) << "</p>\n";
    for (const Table& t : s.tables) table_html(o, t);
    for (const NamedChart& c : s.charts)
      o << "<figure id=\"chart-" << esc(c.id) << "\">" << inline_svg(render_svg(c.chart))
        << "</figure>\n";
    o << "</section>\n";
  }
  o << "<footer>Written by rgeval report; the tables are also in CSV and the numbers at full "
       "precision in "
       "report.json beside this file.</footer>\n</main>\n</body>\n</html>\n";
  return o.str();
}

}  // namespace rgeval::reports
