// The rating web app (cpp-httplib). Routes:
//   GET  /               rater sign-in (token form; a link http://HOST:PORT/#t=TOKEN signs in)
//   POST /login          token -> HttpOnly SameSite=Strict cookie, 303 to /rate
//   GET  /rate           the rater's next item (prompt, responses A and B, scale, comment, flag)
//   POST /rate           token, item, choice, [comment], [flag], served -> stored, 303 to /rate
//   POST /logout         token -> cookie cleared
//   GET  /admin          admin sign-in, or (admin cookie) per-rater progress and live results
//   POST /admin/login    admin token -> cookie, 303 to /admin
//   GET  /admin/results.json   the results JSON (admin cookie)
// Security: every state-changing request is a POST of an urlencoded form carrying the secret
// token in its body (a foreign site can neither read nor guess it; the cookie alone changes
// nothing) and, when the browser sends Origin, from this origin; fields are validated strictly
// (unknown, repeated or oversized fields: 400; bodies over 64 KiB: 413); SQL is parameterised;
// no file is ever served (unknown paths: 404); every response carries CSP (default-src 'none',
// per-response nonce for the inline style and script), nosniff, frame-ancestors/X-Frame-Options,
// same-origin referrer policy (browsers then send Origin on our forms; no-referrer would make it
// "null") and no-store headers.
#pragma once
#include <functional>
#include <memory>
#include <string>

namespace httplib {
class Server;
}

namespace rgeval::sidebyside {

inline constexpr size_t kMaxBodyBytes = 64 * 1024;

struct App;  // the open study database and its lock

// Installs the routes on `server` for the study at `db_path` (the returned object must outlive
// the server's use).
std::shared_ptr<App> install_routes(httplib::Server& server, const std::string& db_path);

struct ServeOptions {
  std::string db_path, host = "127.0.0.1";
  int port = 8080;  // 0: any free port
  std::function<void(const std::string& host, int port)> on_listening;
};

// Serves until the process ends (or the server fails to bind: throws rgeval::Error).
void serve(const ServeOptions& opts);

}  // namespace rgeval::sidebyside
