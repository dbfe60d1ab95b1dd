#include "sidebyside/study_db.h"

#include <ctime>

#include "engine/error.h"

namespace rgeval::sidebyside {

namespace {

const char* const kSchema = R"sql(
CREATE TABLE IF NOT EXISTS sxs_meta(key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS sxs_prompts(
  id INTEGER PRIMARY KEY,
  prompt_key TEXT NOT NULL UNIQUE,
  source TEXT NOT NULL,
  category TEXT NOT NULL,
  prompt TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS sxs_systems(id INTEGER PRIMARY KEY, name TEXT NOT NULL UNIQUE);
CREATE TABLE IF NOT EXISTS sxs_responses(
  prompt_id INTEGER NOT NULL REFERENCES sxs_prompts(id),
  system_id INTEGER NOT NULL REFERENCES sxs_systems(id),
  response TEXT NOT NULL,
  reveals_identity INTEGER NOT NULL DEFAULT 0,
  PRIMARY KEY(prompt_id, system_id));
CREATE TABLE IF NOT EXISTS sxs_items(
  id INTEGER PRIMARY KEY,
  prompt_id INTEGER NOT NULL REFERENCES sxs_prompts(id),
  system_a INTEGER NOT NULL REFERENCES sxs_systems(id),
  system_b INTEGER NOT NULL REFERENCES sxs_systems(id),
  UNIQUE(prompt_id, system_a, system_b),
  CHECK(system_a < system_b));
CREATE TABLE IF NOT EXISTS sxs_raters(
  id INTEGER PRIMARY KEY,
  name TEXT NOT NULL UNIQUE,
  token_sha256 TEXT NOT NULL UNIQUE,
  created TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS sxs_ratings(
  id INTEGER PRIMARY KEY,
  rater_id INTEGER NOT NULL REFERENCES sxs_raters(id),
  item_id INTEGER NOT NULL REFERENCES sxs_items(id),
  seed INTEGER NOT NULL,
  left_system INTEGER NOT NULL REFERENCES sxs_systems(id),
  right_system INTEGER NOT NULL REFERENCES sxs_systems(id),
  scale INTEGER NOT NULL CHECK(scale IN (3, 5)),
  choice INTEGER NOT NULL CHECK(choice BETWEEN 1 AND scale),
  winner INTEGER REFERENCES sxs_systems(id),
  margin INTEGER NOT NULL CHECK(margin BETWEEN 0 AND 2),
  comment TEXT NOT NULL DEFAULT '',
  seconds REAL NOT NULL,
  flag_identity INTEGER NOT NULL DEFAULT 0,
  created TEXT NOT NULL,
  UNIQUE(rater_id, item_id));
CREATE TABLE IF NOT EXISTS sxs_judgments(
  id INTEGER PRIMARY KEY,
  source TEXT NOT NULL,
  prompt_key TEXT NOT NULL,
  category TEXT NOT NULL,
  system_a TEXT NOT NULL,
  system_b TEXT NOT NULL,
  judge TEXT NOT NULL,
  turn INTEGER NOT NULL,
  score_a REAL NOT NULL CHECK(score_a BETWEEN 0 AND 1),
  raw TEXT NOT NULL);
)sql";

}  // namespace

void ensure_schema(store::Db& db) {
  db.exec(kSchema);
  const std::string v = get_meta(db, "schema_version");
  if (v.empty()) {
    set_meta(db, "schema_version", std::to_string(kSchemaVersion));
  } else if (v != std::to_string(kSchemaVersion)) {
    fail(db.path(),
         "study schema version " + v + " is not the supported " + std::to_string(kSchemaVersion));
  }
}

std::string get_meta(store::Db& db, const std::string& key, const std::string& fallback) {
  store::Stmt s(db, "SELECT value FROM sxs_meta WHERE key = ?");
  s.bind(1, key);
  return s.step() ? s.column_text(0) : fallback;
}

void set_meta(store::Db& db, const std::string& key, const std::string& value) {
  store::Stmt s(db,
                "INSERT INTO sxs_meta(key, value) VALUES(?, ?) ON CONFLICT(key) DO UPDATE SET "
                "value = excluded.value");
  s.bind(1, key).bind(2, value).run();
}

int64_t system_id(store::Db& db, const std::string& name) {
  if (name.empty()) fail(db.path(), "empty system name");
  store::Stmt ins(db, "INSERT OR IGNORE INTO sxs_systems(name) VALUES(?)");
  ins.bind(1, name).run();
  store::Stmt s(db, "SELECT id FROM sxs_systems WHERE name = ?");
  s.bind(1, name);
  if (!s.step()) fail(db.path(), "system '" + name + "' missing");
  return s.column_int(0);
}

StudyInfo study_info(store::Db& db) {
  StudyInfo i;
  i.name = get_meta(db, "name", "study");
  const std::string scale = get_meta(db, "scale", "5");
  i.scale = scale == "3" ? 3 : 5;
  try {
    i.seed = std::stoull(get_meta(db, "seed", "0"));
  } catch (const std::exception&) {
    fail(db.path(), "sxs_meta 'seed' is not an unsigned integer");
  }
  return i;
}

std::string utc_now() {
  const std::time_t t = std::time(nullptr);
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return buf;
}

}  // namespace rgeval::sidebyside
