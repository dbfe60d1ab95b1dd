// The HTML pages of the rating app, rendered on the server. Inline style and script carry the
// response's CSP nonce; no external resources. System names never appear on rater pages.
#pragma once
#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>

#include "sidebyside/assignment.h"

namespace rgeval::sidebyside {

// A whole page around `body`.
std::string page(const std::string& title, const std::string& nonce, const std::string& body);

// Token form posting to `action` (the rater's "/login" or the admin's "/admin/login"). On the
// rater login page a link of the form http://HOST:PORT/#t=TOKEN fills and submits the form (the
// fragment never reaches the server or its logs).
std::string login_page(const std::string& nonce, const std::string& action, const std::string& who,
                       const std::string& error);

struct RaterView {
  std::string study;
  int scale = 5;
  std::string
      token;  // the rater's own token, echoed in the form (CSRF: a foreign site cannot read it)
  int64_t served_ms = 0;  // server time the item was shown, for the time spent
  ShownItem item;
  Progress progress;
};
std::string rater_page(const std::string& nonce, const RaterView& v);
std::string done_page(const std::string& nonce, const std::string& study, const Progress& p);
std::string message_page(const std::string& nonce, const std::string& title,
                         const std::string& text);

// Per-rater progress and the live results (study_results JSON).
std::string admin_page(const std::string& nonce, const nlohmann::json& results,
                       const std::string& report);

}  // namespace rgeval::sidebyside
