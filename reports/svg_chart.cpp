#include "reports/svg_chart.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <sstream>

namespace rgeval::reports {

namespace {

const char* const kPalette[] = {"#1f77b4", "#d62728", "#2ca02c", "#ff7f0e", "#9467bd",
                                "#8c564b", "#e377c2", "#17becf", "#7f7f7f", "#bcbd22"};
constexpr size_t kColors = sizeof kPalette / sizeof kPalette[0];

std::string num(double v) {  // coordinates
  char b[32];
  std::snprintf(b, sizeof b, "%.2f", v);
  return b;
}

std::string fmt(const char* f, double v) {
  char b[64];
  std::snprintf(b, sizeof b, f, v);
  return b;
}

double log_base(Scale s) { return s == Scale::Log2 ? 2.0 : 10.0; }

bool usable(double v, Scale s) { return std::isfinite(v) && (s == Scale::Linear || v > 0); }

// Maps data values of one axis to pixels.
struct Mapper {
  Scale scale = Scale::Linear;
  double lo = 0, hi = 1;  // data domain
  double p0 = 0, p1 = 1;  // pixels
  double t(double v) const {
    return scale == Scale::Linear ? v : std::log(v) / std::log(log_base(scale));
  }
  double operator()(double v) const {
    const double a = t(lo), b = t(hi);
    return p0 + (t(v) - a) / (b - a) * (p1 - p0);
  }
};

double nice_step(double range, int target) {
  const double raw = range / std::max(1, target);
  const double mag = std::pow(10.0, std::floor(std::log10(raw)));
  const double f = raw / mag;
  return (f <= 1 ? 1 : f <= 2 ? 2 : f <= 2.5 ? 2.5 : f <= 5 ? 5 : 10) * mag;
}

// Sets the domain from the data and returns the tick positions.
std::vector<double> domain_and_ticks(Mapper& m, double dmin, double dmax, bool from_zero) {
  std::vector<double> ticks;
  if (!(dmin <= dmax))
    dmin = m.scale == Scale::Linear ? 0 : 1, dmax = m.scale == Scale::Linear ? 1 : 10;
  if (m.scale == Scale::Linear) {
    if (from_zero) dmin = std::min(0.0, dmin), dmax = std::max(0.0, dmax);
    if (dmax - dmin <= 0) dmax = dmin + (dmin == 0 ? 1 : std::fabs(dmin) * 0.5);
    const double step = nice_step(dmax - dmin, 5);
    m.lo = std::floor(dmin / step + 1e-9) * step;
    m.hi = std::ceil(dmax / step - 1e-9) * step;
    for (double v = m.lo; v <= m.hi + step * 1e-6; v += step)
      ticks.push_back(std::fabs(v) < step * 1e-9 ? 0 : v);
    return ticks;
  }
  const double b = log_base(m.scale);
  int e0 = int(std::floor(std::log(dmin) / std::log(b) + 1e-9));
  int e1 = int(std::ceil(std::log(dmax) / std::log(b) - 1e-9));
  if (e1 <= e0) e1 = e0 + 1;
  m.lo = std::pow(b, e0);
  m.hi = std::pow(b, e1);
  const int every = std::max(1, (e1 - e0 + 9) / 10);
  for (int e = e0; e <= e1; ++e)
    if ((e - e0) % every == 0) ticks.push_back(std::pow(b, e));
  return ticks;
}

void text(std::ostringstream& o, double x, double y, std::string_view s, const std::string& attrs) {
  o << "<text x=\"" << num(x) << "\" y=\"" << num(y) << "\" " << attrs << ">" << xml_escape(s)
    << "</text>\n";
}

}  // namespace

std::string xml_escape(std::string_view s) {
  std::string r;
  r.reserve(s.size());
  for (char c : s) {
    switch (c) {
      case '&':
        r += "&amp;";
        break;
      case '<':
        r += "&lt;";
        break;
      case '>':
        r += "&gt;";
        break;
      case '"':
        r += "&quot;";
        break;
      case '\'':
        r += "&apos;";
        break;
      default:
        if (static_cast<unsigned char>(c) < 0x20 && c != '\t' && c != '\n')
          break;  // not allowed in XML 1.0
        r += c;
    }
  }
  return r;
}

std::string format_tick(double v, Units u) {
  if (!std::isfinite(v)) return "-";
  const double a = std::fabs(v);
  switch (u) {
    case Units::Bytes: {
      const char* units[] = {"B", "KiB", "MiB", "GiB", "TiB"};
      int i = 0;
      double x = v;
      while (std::fabs(x) >= 1024 && i < 4) x /= 1024, ++i;
      return fmt("%.3g", x) + " " + units[i];
    }
    case Units::BinaryCount:
      if (a >= 1048576 && std::fmod(a, 1048576) == 0) return fmt("%.0fM", v / 1048576);
      if (a >= 1024 && std::fmod(a, 1024) == 0) return fmt("%.0fK", v / 1024);
      return fmt("%g", v);
    case Units::Number:
      break;
  }
  if (a >= 1e9) return fmt("%.3g", v / 1e9) + "G";
  if (a >= 1e6) return fmt("%.3g", v / 1e6) + "M";
  if (a >= 1e4) return fmt("%.3g", v / 1e3) + "k";
  if (a == 0) return "0";
  if (a >= 100) return fmt("%.0f", v);
  return fmt("%.3g", v);
}

std::string render_svg(const Chart& c) {
  const double W = c.width, H = c.height;
  const double left = 92, right = 250, top = c.subtitle.empty() ? 58 : 76,
               bottom = c.footnote.empty() ? 70 : 92;
  const double px0 = left, px1 = W - right, py0 = top, py1 = H - bottom;
  const bool bar = c.kind == Chart::Kind::Bar;

  // Data ranges.
  double xmin = INFINITY, xmax = -INFINITY, ymin = INFINITY, ymax = -INFINITY;
  size_t points = 0;
  for (const auto& s : c.series)
    for (size_t i = 0; i < s.y.size(); ++i) {
      const double y = s.y[i];
      if (!usable(y, c.y.scale)) continue;
      if (!bar) {
        if (i >= s.x.size() || !usable(s.x[i], c.x.scale)) continue;
        xmin = std::min(xmin, s.x[i]), xmax = std::max(xmax, s.x[i]);
      } else if (i >= c.categories.size()) {
        continue;
      }
      ymin = std::min(ymin, y), ymax = std::max(ymax, y);
      if (bar && i < s.hi.size() && usable(s.hi[i], c.y.scale)) ymax = std::max(ymax, s.hi[i]);
      ++points;
    }
  Mapper mx{c.x.scale, 0, 1, px0, px1}, my{c.y.scale, 0, 1, py1, py0};
  const std::vector<double> yt = domain_and_ticks(my, ymin, ymax, true);
  std::vector<double> xt;
  if (!bar) xt = domain_and_ticks(mx, xmin, xmax, false);

  std::ostringstream o;
  o << "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
    << "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"" << int(W) << "\" height=\"" << int(H)
    << "\" viewBox=\"0 0 " << int(W) << " " << int(H)
    << "\" font-family=\"Helvetica, Arial, sans-serif\">\n"
    << "<rect x=\"0\" y=\"0\" width=\"" << int(W) << "\" height=\"" << int(H)
    << "\" fill=\"#ffffff\"/>\n";
  text(o, W / 2, 28, c.title, "text-anchor=\"middle\" font-size=\"18\" font-weight=\"bold\"");
  if (!c.subtitle.empty())
    text(o, W / 2, 50, c.subtitle, "text-anchor=\"middle\" font-size=\"12\" fill=\"#444444\"");

  // Grid and y ticks.
  o << "<g font-size=\"11\" fill=\"#333333\">\n";
  for (double v : yt) {
    const double y = my(v);
    o << "<line x1=\"" << num(px0) << "\" y1=\"" << num(y) << "\" x2=\"" << num(px1) << "\" y2=\""
      << num(y) << "\" stroke=\"#e5e5e5\" stroke-width=\"1\"/>\n";
    text(o, px0 - 6, y + 4, format_tick(v, c.y.units), "text-anchor=\"end\"");
  }
  // x ticks (line) or category labels (bar).
  const size_t ncat = c.categories.size();
  const double cat_w = ncat ? (px1 - px0) / double(ncat) : 0;
  if (!bar) {
    for (double v : xt) {
      const double x = mx(v);
      o << "<line x1=\"" << num(x) << "\" y1=\"" << num(py1) << "\" x2=\"" << num(x) << "\" y2=\""
        << num(py1 + 5) << "\" stroke=\"#333333\"/>\n";
      text(o, x, py1 + 18, format_tick(v, c.x.units), "text-anchor=\"middle\"");
    }
  } else {
    for (size_t i = 0; i < ncat; ++i)
      text(o, px0 + cat_w * (double(i) + 0.5), py1 + 18, c.categories[i], "text-anchor=\"middle\"");
  }
  o << "</g>\n";
  // Axes and their labels.
  o << "<path d=\"M" << num(px0) << " " << num(py0) << " L" << num(px0) << " " << num(py1) << " L"
    << num(px1) << " " << num(py1)
    << "\" fill=\"none\" stroke=\"#333333\" stroke-width=\"1.2\"/>\n";
  text(o, (px0 + px1) / 2, py1 + 42, c.x.label, "text-anchor=\"middle\" font-size=\"13\"");
  {
    const double x = 22, y = (py0 + py1) / 2;
    o << "<text x=\"" << num(x) << "\" y=\"" << num(y)
      << "\" text-anchor=\"middle\" font-size=\"13\" transform=\"rotate(-90 " << num(x) << " "
      << num(y) << ")\">" << xml_escape(c.y.label) << "</text>\n";
  }

  // Data.
  const size_t ns = c.series.size();
  for (size_t si = 0; si < ns; ++si) {
    const Series& s = c.series[si];
    const std::string color = kPalette[si % kColors];
    o << "<g>\n<title>" << xml_escape(s.name) << "</title>\n";
    if (!bar) {
      std::string d;
      std::ostringstream marks;
      for (size_t i = 0; i < s.y.size() && i < s.x.size(); ++i) {
        if (!usable(s.x[i], c.x.scale) || !usable(s.y[i], c.y.scale)) continue;
        const double x = mx(s.x[i]), y = my(s.y[i]);
        d += (d.empty() ? "M" : " L") + num(x) + " " + num(y);
        marks << "<circle cx=\"" << num(x) << "\" cy=\"" << num(y) << "\" r=\"3\" fill=\"" << color
              << "\"/>\n";
      }
      if (!d.empty())
        o << "<path d=\"" << d << "\" fill=\"none\" stroke=\"" << color << "\" stroke-width=\"2\""
          << (s.dashed ? " stroke-dasharray=\"6 4\"" : "") << "/>\n";
      o << marks.str();
    } else {
      const double group = cat_w * 0.8, bw = ns ? group / double(ns) : 0;
      for (size_t i = 0; i < s.y.size() && i < ncat; ++i) {
        if (!usable(s.y[i], c.y.scale)) continue;
        const double x = px0 + cat_w * double(i) + cat_w * 0.1 + bw * double(si);
        const double base = c.y.scale == Scale::Linear ? my(std::max(my.lo, 0.0)) : py1;
        const double y = my(s.y[i]);
        o << "<rect x=\"" << num(x) << "\" y=\"" << num(std::min(y, base)) << "\" width=\""
          << num(std::max(1.0, bw - 2)) << "\" height=\"" << num(std::fabs(base - y))
          << "\" fill=\"" << color << "\"/>\n";
        double label_y = std::min(y, base);
        if (i < s.lo.size() && i < s.hi.size() && usable(s.lo[i], c.y.scale) &&
            usable(s.hi[i], c.y.scale)) {
          const double cx = x + bw / 2 - 1, ylo = my(s.lo[i]), yhi = my(s.hi[i]),
                       cap = std::min(6.0, bw / 4);
          o << "<path d=\"M" << num(cx) << " " << num(ylo) << " L" << num(cx) << " " << num(yhi)
            << " M" << num(cx - cap) << " " << num(ylo) << " L" << num(cx + cap) << " " << num(ylo)
            << " M" << num(cx - cap) << " " << num(yhi) << " L" << num(cx + cap) << " " << num(yhi)
            << "\" stroke=\"#222222\" stroke-width=\"1.5\" fill=\"none\"/>\n";
          label_y = std::min(label_y, yhi);
        }
        if (c.bar_labels)
          text(o, x + bw / 2 - 1, label_y - 4, format_tick(s.y[i], c.y.units),
               "text-anchor=\"middle\" font-size=\"10\" fill=\"#333333\"");
      }
    }
    o << "</g>\n";
  }
  if (points == 0)
    text(o, (px0 + px1) / 2, (py0 + py1) / 2, "no data",
         "text-anchor=\"middle\" font-size=\"14\" fill=\"#888888\"");

  // Legend.
  o << "<g font-size=\"12\">\n";
  const double lx = px1 + 18;
  const double step = ns > 20 ? 14 : 18;
  for (size_t si = 0; si < ns; ++si) {
    const double y = py0 + 8 + step * double(si);
    const std::string color = kPalette[si % kColors];
    if (bar) {
      o << "<rect x=\"" << num(lx) << "\" y=\"" << num(y - 8)
        << "\" width=\"22\" height=\"10\" fill=\"" << color << "\"/>\n";
    } else {
      o << "<line x1=\"" << num(lx) << "\" y1=\"" << num(y - 3) << "\" x2=\"" << num(lx + 22)
        << "\" y2=\"" << num(y - 3) << "\" stroke=\"" << color << "\" stroke-width=\"2\""
        << (c.series[si].dashed ? " stroke-dasharray=\"6 4\"" : "") << "/>\n";
    }
    text(o, lx + 28, y + 1, c.series[si].name, "");
  }
  o << "</g>\n";
  if (!c.footnote.empty()) text(o, 12, H - 14, c.footnote, "font-size=\"11\" fill=\"#555555\"");
  o << "</svg>\n";
  return o.str();
}

}  // namespace rgeval::reports
