// The report as one self-contained HTML page: inline CSS and inline SVG charts, no script and no
// network resource; readable from phone to laptop widths (wide tables scroll sideways, charts
// scale). Every text from the databases is escaped.
#pragma once
#include <string>

#include "reports/report_doc.h"

namespace rgeval::reports {

std::string render_html(const Report& r);

// An SVG document as an element to inline in HTML (the XML declaration removed).
std::string inline_svg(const std::string& svg);

}  // namespace rgeval::reports
