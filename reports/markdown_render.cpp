#include "reports/markdown_render.h"

#include <sstream>

namespace rgeval::reports {

namespace {

// A table cell: pipes escaped, line breaks as spaces.
std::string md_cell(const std::string& s) {
  std::string o;
  for (char c : s) {
    if (c == '|')
      o += "\\|";
    else if (c == '\n' || c == '\r')
      o += ' ';
    else
      o += c;
  }
  return o;
}

}  // namespace

std::string render_markdown(const Report& r) {
  std::ostringstream o;
  o << "# " << r.title << "\n\n";
  for (const std::string& p : r.intro) o << p << "\n\n";
  for (const Section& s : r.sections) {
    o << "## " << s.title << "\n\n";
    for (const std::string& p : s.paragraphs) o << p << "\n\n";
    for (const Table& t : s.tables) {
      o << "### " << t.caption << "\n\n|";
      for (const std::string& h : t.header) o << " " << md_cell(h) << " |";
      o << "\n|";
      for (size_t i = 0; i < t.header.size(); ++i) o << "---|";
      o << "\n";
      for (const auto& row : t.rows) {
        o << "|";
        for (const Cell& c : row)
          o << " " << md_cell(c.published && !c.text.empty() ? "*" + c.text + "*" : c.text) << " |";
        o << "\n";
      }
      o << "\n";
      if (!t.note.empty()) o << t.note << "\n\n";
    }
    for (const NamedChart& c : s.charts)
      o << "![" << md_cell(c.chart.title) << "](" << c.id << ".svg)\n\n";
  }
  return o.str();
}

}  // namespace rgeval::reports
