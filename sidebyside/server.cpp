#include "sidebyside/server.h"

#include <httplib.h>

#include <chrono>
#include <mutex>
#include <optional>
#include <set>

#include "engine/error.h"
#include "sidebyside/assignment.h"
#include "sidebyside/pages.h"
#include "sidebyside/raters.h"
#include "sidebyside/ratings.h"
#include "sidebyside/results.h"
#include "sidebyside/study_db.h"
#include "sidebyside/tokens.h"

namespace rgeval::sidebyside {

struct App {
  std::mutex mu;  // one SQLite connection, one request at a time (ratings are small)
  store::Db db;
  StudyInfo study;
  explicit App(const std::string& path) : db(path) {
    ensure_schema(db);
    if (get_meta(db, "admin_token_sha256").empty())
      fail(path, "holds no study (run `rgeval sxs create` first)");
    study = study_info(db);
  }
};

namespace {

const char* const kRaterCookie = "sxs_rater";
const char* const kAdminCookie = "sxs_admin";

int64_t now_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

std::string new_nonce() { return new_token(); }

void security_headers(httplib::Response& res, const std::string& nonce) {
  const std::string src = nonce.empty() ? "'none'" : "'nonce-" + nonce + "'";
  res.set_header("Content-Security-Policy",
                 "default-src 'none'; script-src " + src + "; style-src " + src +
                     "; form-action 'self'; base-uri 'none'; frame-ancestors 'none'");
  res.set_header("X-Content-Type-Options", "nosniff");
  res.set_header("X-Frame-Options", "DENY");
  res.set_header("Referrer-Policy", "same-origin");
  res.set_header("Cache-Control", "no-store");
  res.set_header("Cross-Origin-Opener-Policy", "same-origin");
  res.set_header("Cross-Origin-Resource-Policy", "same-origin");
}

void send_html(httplib::Response& res, int status, const std::string& nonce,
               const std::string& html) {
  res.status = status;
  security_headers(res, nonce);
  res.set_content(html, "text/html; charset=utf-8");
}

void send_error(httplib::Response& res, int status, const std::string& text) {
  const std::string n = new_nonce();
  send_html(res, status, n, message_page(n, std::to_string(status), text));
}

void redirect(httplib::Response& res, const std::string& to) {
  res.status = 303;
  security_headers(res, "");
  res.set_header("Location", to);
}

// The value of cookie `name` (cookies are "a=b; c=d"); "" when absent.
std::string cookie(const httplib::Request& req, const std::string& name) {
  const std::string h = req.get_header_value("Cookie");
  size_t pos = 0;
  while (pos < h.size()) {
    size_t end = h.find(';', pos);
    if (end == std::string::npos) end = h.size();
    std::string part = h.substr(pos, end - pos);
    const size_t s = part.find_first_not_of(' ');
    part = s == std::string::npos ? "" : part.substr(s);
    if (part.rfind(name + "=", 0) == 0) return part.substr(name.size() + 1);
    pos = end + 1;
  }
  return "";
}

void set_cookie(httplib::Response& res, const std::string& name, const std::string& value,
                bool clear = false) {
  res.set_header("Set-Cookie", name + "=" + value + "; Path=/; HttpOnly; SameSite=Strict" +
                                   (clear ? "; Max-Age=0" : ""));
}

// The form fields of a POST, checked: urlencoded body only (no query string), only `allowed`
// names, each at most once, values of at most `max_len` bytes. nullopt (and a 4xx sent) otherwise.
std::optional<std::map<std::string, std::string>> form(const httplib::Request& req,
                                                       httplib::Response& res,
                                                       const std::set<std::string>& allowed,
                                                       size_t max_len) {
  if (req.target.find('?') != std::string::npos) {
    send_error(res, 400, "no query string on a form submission");
    return std::nullopt;
  }
  const std::string ct = req.get_header_value("Content-Type");
  if (ct.rfind("application/x-www-form-urlencoded", 0) != 0) {
    send_error(res, 415, "expected an application/x-www-form-urlencoded form");
    return std::nullopt;
  }
  const std::string origin = req.get_header_value("Origin");
  if (!origin.empty() && origin != "http://" + req.get_header_value("Host")) {
    send_error(res, 403, "cross-origin form submission refused");
    return std::nullopt;
  }
  std::map<std::string, std::string> f;
  for (const auto& [k, v] : req.params) {
    if (!allowed.count(k) || f.count(k) || v.size() > max_len) {
      send_error(res, 400, "unexpected, repeated or oversized form field");
      return std::nullopt;
    }
    f[k] = v;
  }
  return f;
}

// A decimal integer of 1..18 digits, or nullopt.
std::optional<int64_t> parse_id(const std::string& s) {
  if (s.empty() || s.size() > 18) return std::nullopt;
  int64_t v = 0;
  for (char c : s) {
    if (c < '0' || c > '9') return std::nullopt;
    v = v * 10 + (c - '0');
  }
  return v;
}

void get_rate(App& app, const httplib::Request& req, httplib::Response& res) {
  const std::string token = cookie(req, kRaterCookie);
  std::lock_guard lock(app.mu);
  const auto rater = rater_by_token(app.db, token);
  if (!rater) return redirect(res, "/");
  const std::string n = new_nonce();
  const auto item = next_item(app.db, app.study, rater->id);
  const Progress p = rater_progress(app.db, rater->id);
  if (!item) return send_html(res, 200, n, done_page(n, app.study.name, p));
  RaterView v{app.study.name, app.study.scale, token, now_ms(), *item, p};
  send_html(res, 200, n, rater_page(n, v));
}

void post_rate(App& app, const httplib::Request& req, httplib::Response& res) {
  const auto f =
      form(req, res, {"token", "item", "choice", "comment", "flag", "served"}, kMaxCommentBytes);
  if (!f) return;
  const auto get = [&](const char* k) { return f->count(k) ? f->at(k) : std::string(); };
  const auto item = parse_id(get("item")), choice = parse_id(get("choice")),
             served = parse_id(get("served"));
  const std::string flag = get("flag");
  if (!item || !choice || !served || (!flag.empty() && flag != "1"))
    return send_error(res, 400, "malformed rating form");
  RatingInput in;
  in.item_id = *item;
  in.choice = int(std::min<int64_t>(*choice, 99));
  in.comment = get("comment");
  in.flag_identity = flag == "1";
  in.seconds = double(now_ms() - *served) / 1000.0;
  std::lock_guard lock(app.mu);
  const auto rater = rater_by_token(app.db, get("token"));
  if (!rater) return send_error(res, 403, "unknown rater token");
  const SubmitResult r = submit_rating(app.db, app.study, rater->id, in);
  switch (r.status) {
    case SubmitStatus::stored:
      return redirect(res, "/rate");
    case SubmitStatus::already_rated:
      return send_error(res, 409, "This item was already rated; the first rating counts.");
    case SubmitStatus::no_such_item:
      return send_error(res, 404, r.message);
    case SubmitStatus::invalid:
      return send_error(res, 400, r.message);
  }
}

void post_login(App& app, const httplib::Request& req, httplib::Response& res, bool admin) {
  const auto f = form(req, res, {"token"}, 64);
  if (!f) return;
  const std::string token = f->count("token") ? f->at("token") : "";
  bool ok;
  {
    std::lock_guard lock(app.mu);
    ok = admin ? admin_token_valid(app.db, token) : rater_by_token(app.db, token).has_value();
  }
  if (!ok) {
    const std::string n = new_nonce();
    return send_html(res, 403, n,
                     login_page(n, admin ? "/admin/login" : "/login", admin ? "admin" : "rater",
                                "Unknown token."));
  }
  redirect(res, admin ? "/admin" : "/rate");
  set_cookie(res, admin ? kAdminCookie : kRaterCookie, token);
}

bool admin_ok(App& app, const httplib::Request& req) {
  std::lock_guard lock(app.mu);
  return admin_token_valid(app.db, cookie(req, kAdminCookie));
}

nlohmann::json live_results(App& app) {
  std::lock_guard lock(app.mu);
  ResultsOptions o;
  o.bootstrap.samples = 1000;
  return study_results(app.db, o);
}

}  // namespace

std::shared_ptr<App> install_routes(httplib::Server& server, const std::string& db_path) {
  auto app = std::make_shared<App>(db_path);
  App& a = *app;
  server.set_payload_max_length(kMaxBodyBytes);
  server.Get("/", [](const httplib::Request&, httplib::Response& res) {
    const std::string n = new_nonce();
    send_html(res, 200, n, login_page(n, "/login", "rater", ""));
  });
  server.Post("/login", [&a](const httplib::Request& req, httplib::Response& res) {
    post_login(a, req, res, false);
  });
  server.Get("/rate",
             [&a](const httplib::Request& req, httplib::Response& res) { get_rate(a, req, res); });
  server.Post("/rate", [&a](const httplib::Request& req, httplib::Response& res) {
    post_rate(a, req, res);
  });
  server.Post("/logout", [&a](const httplib::Request& req, httplib::Response& res) {
    const auto f = form(req, res, {"token"}, 64);
    if (!f) return;
    {
      std::lock_guard lock(a.mu);
      if (!rater_by_token(a.db, f->count("token") ? f->at("token") : ""))
        return send_error(res, 403, "unknown rater token");
    }
    redirect(res, "/");
    set_cookie(res, kRaterCookie, "", true);
  });
  server.Get("/admin", [&a](const httplib::Request& req, httplib::Response& res) {
    const std::string n = new_nonce();
    if (!admin_ok(a, req))
      return send_html(res, 200, n, login_page(n, "/admin/login", "admin", ""));
    const nlohmann::json r = live_results(a);
    send_html(res, 200, n, admin_page(n, r, format_results(r)));
  });
  server.Post("/admin/login", [&a](const httplib::Request& req, httplib::Response& res) {
    post_login(a, req, res, true);
  });
  server.Get("/admin/results.json", [&a](const httplib::Request& req, httplib::Response& res) {
    if (!admin_ok(a, req)) return send_error(res, 403, "admin sign-in needed");
    security_headers(res, "");
    res.set_content(live_results(a).dump(1), "application/json");
  });
  server.set_error_handler([](const httplib::Request&, httplib::Response& res) {
    if (!res.body.empty()) return;  // a page of ours already explains the error
    const int status = res.status;
    send_error(res, status,
               status == 404   ? "no such page"
               : status == 413 ? "request too large"
                               : "bad request");
  });
  server.set_exception_handler(
      [](const httplib::Request&, httplib::Response& res, std::exception_ptr ep) {
        std::string what = "internal error";
        try {
          std::rethrow_exception(ep);
        } catch (const std::exception& e) {
          what = e.what();
        } catch (...) {
        }
        std::fprintf(stderr, "rgeval sxs serve: %s\n", what.c_str());
        send_error(res, 500, "internal error");
      });
  return app;
}

void serve(const ServeOptions& opts) {
  httplib::Server server;
  const auto app = install_routes(server, opts.db_path);
  int port = opts.port;
  if (port == 0) {
    port = server.bind_to_any_port(opts.host.c_str());
    if (port < 0) fail(opts.host, "cannot bind a port");
  } else if (!server.bind_to_port(opts.host.c_str(), port)) {
    fail(opts.host + ":" + std::to_string(port),
         "cannot bind (in use, or not an address of this machine)");
  }
  if (opts.on_listening) opts.on_listening(opts.host, port);
  if (!server.listen_after_bind())
    fail(opts.host + ":" + std::to_string(port), "server stopped with an error");
}

}  // namespace rgeval::sidebyside
