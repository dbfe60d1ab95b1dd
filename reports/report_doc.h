// The document model of `rgeval report`: sections of paragraphs, tables and charts, built from the
// databases by the section builders and written as HTML, Markdown, CSV and SVG by the renderers.
// Plain data: every string is raw text (renderers escape it).
#pragma once
#include <nlohmann/json.hpp>
#include <string>
#include <utility>
#include <vector>

#include "reports/svg_chart.h"

namespace rgeval::reports {

// One table cell: what is shown, and what goes into the CSV (full precision; defaults to `text`).
struct Cell {
  std::string text, csv;
  bool published = false;  // a value from the paper (styled apart from measured values)
  Cell() = default;
  Cell(std::string t) : text(t), csv(std::move(t)) {}  // NOLINT: implicit from text on purpose
  Cell(std::string t, std::string c, bool pub = false)
      : text(std::move(t)), csv(std::move(c)), published(pub) {}
};

struct Table {
  std::string id;       // file stem of the CSV (unique in a report)
  std::string caption;  // shown above the table
  std::vector<std::string> header;
  std::vector<std::vector<Cell>> rows;
  std::string note;        // shown below the table
  bool collapsed = false;  // long detail tables: folded in the HTML
};

struct NamedChart {
  std::string id;  // file stem of the SVG (unique in a report)
  Chart chart;
};

struct Section {
  std::string id;  // HTML anchor and the section's key in report.json ("academic", "safety", ...)
  std::string title;
  std::vector<std::string> paragraphs;
  std::vector<Table> tables;
  std::vector<NamedChart> charts;
};

struct Report {
  std::string title;
  std::vector<std::string> intro;  // paragraphs above the sections
  std::vector<Section> sections;
  // The numbers behind the sections at full precision, in the shapes of the commands' results
  // JSON (eval --out, safety --out, sxs results --json, throughput --out); written as report.json.
  nlohmann::ordered_json data = nlohmann::ordered_json::object();
};

}  // namespace rgeval::reports
