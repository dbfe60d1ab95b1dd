// The report as Markdown (GitHub tables; charts linked as the SVG files written beside it).
#pragma once
#include <string>

#include "reports/report_doc.h"

namespace rgeval::reports {

std::string render_markdown(const Report& r);

}  // namespace rgeval::reports
