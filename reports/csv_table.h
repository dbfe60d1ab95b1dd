// A report table as CSV (RFC 4180: fields with a comma, quote or line break are quoted, quotes
// doubled; CRLF-free, one header row), from the cells' full-precision values.
#pragma once
#include <string>

#include "reports/report_doc.h"

namespace rgeval::reports {

std::string csv_field(const std::string& s);
std::string csv_text(const Table& t);

}  // namespace rgeval::reports
