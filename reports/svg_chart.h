// A small SVG chart writer for result reports: line charts (x/y series, optional log scales) and
// grouped bar charts, with axes, ticks, unit-aware tick labels, a legend, a title and a footnote
// line. Every text is XML-escaped. Depends on nothing but the standard library.
#pragma once
#include <string>
#include <string_view>
#include <vector>

namespace rgeval::reports {

// &, <, >, " and ' as entities; control characters other than tab/newline are dropped.
std::string xml_escape(std::string_view s);

enum class Scale { Linear, Log2, Log10 };
// How tick labels read: plain numbers (0.5, 12, 3.4k, 1.2M), binary counts (256, 1K, 32K),
// or bytes (512 B, 16 MiB, 4 GiB).
enum class Units { Number, BinaryCount, Bytes };

struct Axis {
  std::string label;  // with its unit, e.g. "tokens/s"
  Scale scale = Scale::Linear;
  Units units = Units::Number;
};

struct Series {
  std::string name;
  std::vector<double> x, y;  // line charts: points (x ascending); bar charts: y per category
  bool dashed = false;
  std::vector<double> lo = {},
                      hi = {};  // bar charts, optional: an interval per category (error bar)
};

struct Chart {
  enum class Kind { Line, Bar };
  Kind kind = Kind::Line;
  std::string title, subtitle, footnote;
  Axis x, y;
  std::vector<std::string> categories;  // bar charts: one group of bars per category
  std::vector<Series> series;
  bool bar_labels = true;  // bar charts: the value above each bar
  int width = 960, height = 560;
};

// The chart as a standalone SVG document. Points with non-finite values (or <= 0 on a log
// axis) are left out; an empty chart still renders its axes and a "no data" note.
std::string render_svg(const Chart& c);

// A tick label for `v` in `u` units ("32K", "16.4 MiB", "1.5k").
std::string format_tick(double v, Units u);

}  // namespace rgeval::reports
