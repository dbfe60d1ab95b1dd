// Study creation (its admin token) and raters (each with a secret token). Tokens are printed
// once, at creation, and stored only as SHA-256 hashes.
#pragma once
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "store/sqlite_db.h"

namespace rgeval::sidebyside {

struct NewStudy {
  std::string admin_token;
  uint64_t seed = 0;
};
// Initialises an empty study database: name, scale (5 or 3), seed (random when absent). Throws
// when the database already holds a study.
NewStudy create_study(store::Db& db, const std::string& name, int scale,
                      std::optional<uint64_t> seed);

// A fresh admin token replacing the old one (the old one stops working).
std::string reset_admin_token(store::Db& db);
bool admin_token_valid(store::Db& db, const std::string& token);

struct Rater {
  int64_t id = 0;
  std::string name;
};
// Adds rater `name` (1-64 characters of letters, digits, '.', '_', '-', '@') and returns the token.
std::string add_rater(store::Db& db, const std::string& name);
// The rater holding `token`, if any (malformed tokens are never looked up).
std::optional<Rater> rater_by_token(store::Db& db, const std::string& token);
std::vector<Rater> list_raters(store::Db& db);

}  // namespace rgeval::sidebyside
