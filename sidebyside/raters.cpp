#include "sidebyside/raters.h"

#include "engine/error.h"
#include "sidebyside/study_db.h"
#include "sidebyside/tokens.h"

namespace rgeval::sidebyside {

namespace {

bool name_ok(const std::string& n) {
  if (n.empty() || n.size() > 64) return false;
  for (char c : n) {
    const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                    c == '.' || c == '_' || c == '-' || c == '@';
    if (!ok) return false;
  }
  return true;
}

}  // namespace

NewStudy create_study(store::Db& db, const std::string& name, int scale,
                      std::optional<uint64_t> seed) {
  if (scale != 3 && scale != 5)
    fail(db.path(), "scale must be 3 or 5, not " + std::to_string(scale));
  if (name.empty() || name.size() > 200) fail(db.path(), "study name must have 1-200 characters");
  ensure_schema(db);
  store::Transaction tx(db);
  if (!get_meta(db, "admin_token_sha256").empty())
    fail(db.path(), "already holds a study ('" + get_meta(db, "name") + "')");
  NewStudy s;
  s.admin_token = new_token();
  s.seed =
      seed ? *seed : random_u64() >> 1;  // kept below 2^63: it round-trips through SQLite integers
  set_meta(db, "name", name);
  set_meta(db, "scale", std::to_string(scale));
  set_meta(db, "seed", std::to_string(s.seed));
  set_meta(db, "created", utc_now());
  set_meta(db, "admin_token_sha256", token_hash(s.admin_token));
  tx.commit();
  return s;
}

std::string reset_admin_token(store::Db& db) {
  ensure_schema(db);
  const std::string t = new_token();
  set_meta(db, "admin_token_sha256", token_hash(t));
  return t;
}

bool admin_token_valid(store::Db& db, const std::string& token) {
  if (!token_well_formed(token)) return false;
  const std::string stored = get_meta(db, "admin_token_sha256");
  return !stored.empty() && constant_time_equal(stored, token_hash(token));
}

std::string add_rater(store::Db& db, const std::string& name) {
  if (!name_ok(name))
    fail(db.path(), "rater name '" + name +
                        "' must be 1-64 characters of letters, digits, '.', '_', '-', '@'");
  const std::string token = new_token();
  store::Transaction tx(db);
  store::Stmt dup(db, "SELECT 1 FROM sxs_raters WHERE name = ?");
  dup.bind(1, name);
  if (dup.step()) fail(db.path(), "rater '" + name + "' exists already");
  store::Stmt s(db, "INSERT INTO sxs_raters(name, token_sha256, created) VALUES(?, ?, ?)");
  s.bind(1, name).bind(2, token_hash(token)).bind(3, utc_now()).run();
  tx.commit();
  return token;
}

std::optional<Rater> rater_by_token(store::Db& db, const std::string& token) {
  if (!token_well_formed(token)) return std::nullopt;
  store::Stmt s(db, "SELECT id, name FROM sxs_raters WHERE token_sha256 = ?");
  s.bind(1, token_hash(token));
  if (!s.step()) return std::nullopt;
  return Rater{s.column_int(0), s.column_text(1)};
}

std::vector<Rater> list_raters(store::Db& db) {
  std::vector<Rater> r;
  store::Stmt s(db, "SELECT id, name FROM sxs_raters ORDER BY id");
  while (s.step()) r.push_back({s.column_int(0), s.column_text(1)});
  return r;
}

}  // namespace rgeval::sidebyside
