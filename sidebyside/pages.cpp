#include "sidebyside/pages.h"

#include <cmath>
#include <cstdio>

#include "sidebyside/html.h"
#include "sidebyside/ratings.h"

namespace rgeval::sidebyside {

namespace {

const char* const kStyle = R"css(
*{box-sizing:border-box}body{font:16px/1.5 system-ui,sans-serif;margin:0;padding:0 12px 40px;color:#1b1b1b;background:#fafafa}
header{display:flex;justify-content:space-between;align-items:center;padding:10px 0;border-bottom:1px solid #ddd;margin-bottom:12px}
h1{font-size:1.1rem;margin:0}h2{font-size:1rem;margin:0 0 6px}
.progress{font-weight:600;font-variant-numeric:tabular-nums}
section{background:#fff;border:1px solid #ddd;border-radius:6px;padding:10px 12px;margin-bottom:12px;min-width:0}
.pair{display:grid;grid-template-columns:1fr 1fr;gap:12px}
@media (max-width:800px){.pair{grid-template-columns:1fr}}
.text{white-space:pre-wrap;overflow-wrap:anywhere}
pre.code{background:#f3f4f6;border:1px solid #e2e4e8;border-radius:4px;padding:8px;overflow-x:auto;font:14px/1.4 ui-monospace,monospace;white-space:pre}
fieldset{border:1px solid #ddd;border-radius:6px;background:#fff}
.scale{display:flex;flex-wrap:wrap;gap:8px}
.scale label{border:1px solid #bbb;border-radius:4px;padding:6px 10px;cursor:pointer;background:#fff}
.scale input:checked+span{font-weight:700}
textarea{width:100%;min-height:3em}
button{font:inherit;padding:8px 18px;margin-top:8px}
table{border-collapse:collapse;background:#fff}td,th{border:1px solid #ddd;padding:4px 8px;text-align:left}
.error{color:#a00}kbd{border:1px solid #aaa;border-radius:3px;padding:0 4px;font-size:.85em}
)css";

std::string pct(const nlohmann::json& x) {
  if (x.is_null()) return "-";
  char b[32];
  std::snprintf(b, sizeof b, "%.1f", 100 * x.get<double>());
  return b;
}

std::string progress_text(const Progress& p) {
  return std::to_string(p.done) + " / " + std::to_string(p.total);
}

}  // namespace

std::string page(const std::string& title, const std::string& nonce, const std::string& body) {
  return "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
         "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">"
         "<meta name=\"referrer\" content=\"same-origin\"><title>" +
         html_escape(title) + "</title><style nonce=\"" + nonce + "\">" + kStyle +
         "</style></head><body>" + body + "</body></html>\n";
}

std::string login_page(const std::string& nonce, const std::string& action, const std::string& who,
                       const std::string& error) {
  std::string b = "<header><h1>Side-by-side study: " + html_escape(who) + " sign-in</h1></header>";
  if (!error.empty()) b += "<p class=\"error\" id=\"error\">" + html_escape(error) + "</p>";
  b += "<section><form method=\"post\" action=\"" + html_escape(action) +
       "\" id=\"login\" autocomplete=\"off\">"
       "<label>Token <input name=\"token\" id=\"token\" type=\"password\" maxlength=\"32\" "
       "pattern=\"[0-9a-f]{32}\" required autofocus></label> "
       "<button type=\"submit\">Sign in</button></form></section>";
  b += "<script nonce=\"" + nonce + R"js(">
(function(){var m=/^#t=([0-9a-f]{32})$/.exec(location.hash);if(!m)return;
history.replaceState(null,'',location.pathname);document.getElementById('token').value=m[1];
document.getElementById('login').submit();})();
</script>)js";
  return page("Sign in", nonce, b);
}

std::string rater_page(const std::string& nonce, const RaterView& v) {
  const ShownItem& it = v.item;
  std::string b = "<header><h1>" + html_escape(v.study) +
                  "</h1><span class=\"progress\" id=\"progress\">" + progress_text(v.progress) +
                  "</span></header>";
  b += "<section id=\"prompt\"><h2>Prompt</h2>" + render_text(it.prompt) + "</section>";
  b += "<div class=\"pair\"><section id=\"left\"><h2>Response A</h2>" + render_text(it.left) +
       "</section><section id=\"right\"><h2>Response B</h2>" + render_text(it.right) +
       "</section></div>";
  b += "<form method=\"post\" action=\"/rate\" id=\"rate\" autocomplete=\"off\">"
       "<input type=\"hidden\" name=\"token\" value=\"" +
       html_escape(v.token) +
       "\">"
       "<input type=\"hidden\" name=\"item\" value=\"" +
       std::to_string(it.item_id) +
       "\">"
       "<input type=\"hidden\" name=\"served\" value=\"" +
       std::to_string(v.served_ms) +
       "\">"
       "<fieldset><legend>Which response is better?</legend><div class=\"scale\">";
  for (int c = 1; c <= v.scale; ++c) {
    const std::string n = std::to_string(c);
    b += "<label><input type=\"radio\" name=\"choice\" value=\"" + n + "\" id=\"choice" + n +
         "\" required> <span><kbd>" + n + "</kbd> " + choice_label(v.scale, c) + "</span></label>";
  }
  b += "</div><p><label>Comment (optional)<textarea name=\"comment\" "
       "maxlength=\"2000\"></textarea></label></p>"
       "<p><label><input type=\"checkbox\" name=\"flag\" value=\"1\"> A response reveals which "
       "model wrote it</label></p>"
       "<button type=\"submit\" id=\"next\">Next (<kbd>n</kbd>)</button></fieldset></form>"
       "<p>Keys: <kbd>1</kbd>-<kbd>" +
       std::to_string(v.scale) + "</kbd> choose, <kbd>n</kbd> next.</p>";
  b += "<script nonce=\"" + nonce + R"js(">
(function(){var f=document.getElementById('rate'),max=)js" +
       std::to_string(v.scale) + R"js(;
document.addEventListener('keydown',function(e){
 if(e.ctrlKey||e.metaKey||e.altKey)return;var t=e.target.tagName;if(t==='TEXTAREA'||t==='INPUT'&&e.target.type==='text')return;
 var k=e.key;if(k>='1'&&k<=String(max)){document.getElementById('choice'+k).checked=true;e.preventDefault();}
 else if(k==='n'||k==='N'){e.preventDefault();if(f.reportValidity())f.submit();}
});})();
</script>)js";
  return page(v.study + " " + progress_text(v.progress), nonce, b);
}

std::string done_page(const std::string& nonce, const std::string& study, const Progress& p) {
  return page(
      study, nonce,
      "<header><h1>" + html_escape(study) + "</h1><span class=\"progress\" id=\"progress\">" +
          progress_text(p) +
          "</span></header><section id=\"done\"><h2>All items rated. Thank you!</h2></section>");
}

std::string message_page(const std::string& nonce, const std::string& title,
                         const std::string& text) {
  return page(title, nonce,
              "<header><h1>" + html_escape(title) + "</h1></header><section><p id=\"message\">" +
                  html_escape(text) + "</p><p><a href=\"/rate\">Continue</a></p></section>");
}

std::string admin_page(const std::string& nonce, const nlohmann::json& r,
                       const std::string& report) {
  std::string b =
      "<header><h1>" + html_escape(r["study"].get<std::string>()) + ": admin</h1></header>";
  b += "<section><h2>Raters</h2><table id=\"raters\"><tr><th>rater</th><th>progress</th><th>median "
       "s/item</th></tr>";
  for (const auto& x : r["raters"]) {
    char med[32] = "-";
    if (!x["median_seconds"].is_null())
      std::snprintf(med, sizeof med, "%.1f", x["median_seconds"].get<double>());
    b += "<tr><td>" + html_escape(x["rater"].get<std::string>()) + "</td><td>" +
         std::to_string(x["done"].get<size_t>()) + " / " +
         std::to_string(x["total"].get<size_t>()) + "</td><td>" + med + "</td></tr>";
  }
  b += "</table></section><section><h2>Results</h2><table "
       "id=\"results\"><tr><th>A</th><th>B</th><th>n</th><th>wins</th>"
       "<th>ties</th><th>losses</th><th>win rate %</th><th>bootstrap 95%</th><th>Wilson "
       "95%</th></tr>";
  for (const auto& p : r["pairs"])
    b += "<tr class=\"pair-row\"><td>" + html_escape(p["a"].get<std::string>()) + "</td><td>" +
         html_escape(p["b"].get<std::string>()) + "</td><td class=\"n\">" +
         std::to_string(p["n"].get<size_t>()) + "</td><td class=\"wins\">" +
         std::to_string(p["wins"].get<size_t>()) + "</td><td class=\"ties\">" +
         std::to_string(p["ties"].get<size_t>()) + "</td><td class=\"losses\">" +
         std::to_string(p["losses"].get<size_t>()) + "</td><td>" + pct(p["win_rate"]) +
         "</td><td>" + pct(p["bootstrap_95"][0]) + " – " + pct(p["bootstrap_95"][1]) + "</td><td>" +
         pct(p["wilson_95"][0]) + " – " + pct(p["wilson_95"][1]) + "</td></tr>";
  const auto& pb = r["position_bias"];
  b += "</table><p id=\"position\">Left won " + std::to_string(pb["left_wins"].get<size_t>()) +
       " of " + std::to_string(pb["decided"].get<size_t>()) + " decided ratings.</p></section>";
  b += "<section><h2>Report</h2><pre class=\"code\" id=\"report\">" + html_escape(report) +
       "</pre></section>";
  b += "<p>Live: this page reloads every 30 s.</p><script nonce=\"" + nonce +
       "\">setTimeout(function(){location.reload();},30000);</script>";
  return page("Admin", nonce, b);
}

}  // namespace rgeval::sidebyside
