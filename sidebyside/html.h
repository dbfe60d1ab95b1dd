// HTML output of untrusted text (prompts, model responses, comments, names): everything goes
// through html_escape, and fenced code blocks (``` lines) become <pre><code> so code stays
// readable.
#pragma once
#include <string>
#include <string_view>

namespace rgeval::sidebyside {

// Escapes & < > " ' (safe in element content and in quoted attribute values).
std::string html_escape(std::string_view s);

// The text as HTML: fenced blocks (a line starting with ```, up to the next such line or the end)
// as <pre class="code"><code>…</code></pre>, other text as <div class="text">…</div>
// (white-space: pre-wrap in the page's style). Every character of `s` is escaped.
std::string render_text(std::string_view s);

}  // namespace rgeval::sidebyside
