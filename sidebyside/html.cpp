#include "sidebyside/html.h"

namespace rgeval::sidebyside {

std::string html_escape(std::string_view s) {
  std::string o;
  o.reserve(s.size() + s.size() / 8);
  for (char c : s) {
    switch (c) {
      case '&':
        o += "&amp;";
        break;
      case '<':
        o += "&lt;";
        break;
      case '>':
        o += "&gt;";
        break;
      case '"':
        o += "&quot;";
        break;
      case '\'':
        o += "&#39;";
        break;
      case '\0':
        o += "\xEF\xBF\xBD";
        break;  // U+FFFD: NUL is not allowed in HTML text
      default:
        o += c;
    }
  }
  return o;
}

std::string render_text(std::string_view s) {
  std::string out, text, code;
  bool in_code = false;
  auto flush_text = [&] {
    if (text.find_first_not_of(" \t\r\n") != std::string::npos)
      out += "<div class=\"text\">" + html_escape(text) + "</div>";
    text.clear();
  };
  size_t pos = 0;
  while (pos <= s.size()) {
    size_t end = s.find('\n', pos);
    const bool last = end == std::string_view::npos;
    if (last) end = s.size();
    const std::string_view line = s.substr(pos, end - pos);
    const size_t indent = line.find_first_not_of(" \t");
    const bool fence = indent != std::string_view::npos && line.substr(indent, 3) == "```";
    if (fence && !in_code) {
      flush_text();
      in_code = true;
    } else if (fence && in_code) {
      out += "<pre class=\"code\"><code>" + html_escape(code) + "</code></pre>";
      code.clear();
      in_code = false;
    } else {
      std::string& dst = in_code ? code : text;
      dst.append(line);
      if (!last) dst += '\n';
    }
    if (last) break;
    pos = end + 1;
  }
  if (in_code) out += "<pre class=\"code\"><code>" + html_escape(code) + "</code></pre>";
  flush_text();
  return out;
}

}  // namespace rgeval::sidebyside
