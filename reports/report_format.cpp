#include "reports/report_format.h"

#include <cmath>
#include <cstdio>

namespace rgeval::reports {

std::string fixed(double v, int digits) {
  if (!std::isfinite(v)) return "-";
  char b[64];
  std::snprintf(b, sizeof b, "%.*f", digits, v);
  return b;
}

std::string full(double v) {
  if (!std::isfinite(v)) return "";
  char b[64];
  std::snprintf(b, sizeof b, "%.17g", v);
  return b;
}

Cell number_cell(double v, int digits) { return Cell(fixed(v, digits), full(v)); }

Cell mean_pm(double mean, double se, double scale, int digits) {
  std::string t = fixed(scale * mean, digits);
  if (std::isfinite(mean) && std::isfinite(se)) t += " ± " + fixed(scale * se, digits);
  return Cell(t, full(mean));
}

Cell rate_ci(double rate, double lo, double hi) {
  if (!std::isfinite(rate)) return Cell("-", "");
  std::string t = fixed(100 * rate, 1) + "%";
  if (std::isfinite(lo) && std::isfinite(hi))
    t += " [" + fixed(100 * lo, 1) + ", " + fixed(100 * hi, 1) + "]";
  return Cell(t, full(rate));
}

std::string seconds_text(double s) {
  if (!std::isfinite(s)) return "-";
  if (s < 60) return fixed(s, 2) + " s";
  const long m = long(s / 60);
  char b[32];
  std::snprintf(b, sizeof b, "%ldm %02lds", m, long(s) % 60);
  return b;
}

}  // namespace rgeval::reports
