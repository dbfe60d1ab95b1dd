// Number formatting shared by the report's sections: fixed digits for display, full precision
// for CSV, "-" for a value that does not exist (NaN), value ± stderr and rates with intervals.
#pragma once
#include <string>

#include "reports/report_doc.h"

namespace rgeval::reports {

// "%.<digits>f" of v, or "-" when v is not finite.
std::string fixed(double v, int digits);
// "%.17g" of v, or "" when v is not finite (a CSV cell).
std::string full(double v);
// A cell of v with `digits` decimals ("-" when not finite), CSV: full precision.
Cell number_cell(double v, int digits);
// A cell "scale·mean ± scale·se" (the ± part only when se is finite), CSV: the mean unscaled.
Cell mean_pm(double mean, double se, double scale = 100, int digits = 1);
// A cell "30.0% [18.1, 45.4]" for a proportion and its interval; "-" when rate is not finite.
Cell rate_ci(double rate, double lo, double hi);
// "1.23 s", "4m 05s".
std::string seconds_text(double s);

}  // namespace rgeval::reports
