// The study database: one SQLite file per side-by-side study. Schema (stable; the report module
// reads it, docs/sidebyside.md documents every column):
//   sxs_meta(key, value)                      schema_version, study name, scale, seed, admin token
//   hash sxs_prompts(id, prompt_key, source, category, prompt) sxs_systems(id, name)
//   sxs_responses(prompt_id, system_id, response, reveals_identity)
//   sxs_items(id, prompt_id, system_a, system_b)          one pair of responses to compare
//   sxs_raters(id, name, token_sha256, created)
//   sxs_ratings(id, rater_id, item_id, seed, left_system, right_system, scale, choice, winner,
//               margin, comment, seconds, flag_identity, created)        UNIQUE(rater_id, item_id)
//   sxs_judgments(id, source, prompt_key, category, system_a, system_b, judge, turn, score_a, raw)
#pragma once
#include <cstdint>
#include <string>

#include "store/sqlite_db.h"

namespace rgeval::sidebyside {

inline constexpr int kSchemaVersion = 1;

// Opens `path` and creates the tables if absent. A database of a newer schema is an error.
void ensure_schema(store::Db& db);

// sxs_meta access; get_meta returns `fallback` when the key is absent.
std::string get_meta(store::Db& db, const std::string& key, const std::string& fallback = "");
void set_meta(store::Db& db, const std::string& key, const std::string& value);

// The id of system `name`, created when absent.
int64_t system_id(store::Db& db, const std::string& name);

// Study settings kept in sxs_meta.
struct StudyInfo {
  std::string name;
  int scale = 5;      // 5 or 3 points
  uint64_t seed = 0;  // the study seed, from which each (rater, item) seed derives
};
StudyInfo study_info(store::Db& db);

// The current UTC time as "YYYY-MM-DDTHH:MM:SSZ".
std::string utc_now();

}  // namespace rgeval::sidebyside
