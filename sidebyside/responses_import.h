// Responses of the compared systems: JSONL {"prompt_id","system","response"} (what `rgeval
// safety export` and any other generator write), stored in sxs_responses. After an import every
// prompt with responses of two or more systems gets one item per pair of systems (sxs_items).
#pragma once
#include <string>

#include "store/sqlite_db.h"

namespace rgeval::sidebyside {

inline constexpr size_t kMaxResponseBytes = 256 * 1024;

struct ResponseImport {
  size_t added = 0, unchanged = 0, items_total = 0;
};

// One transaction: a prompt_id not in the study, an empty system, a response over
// kMaxResponseBytes or a (prompt, system) already stored with another text are errors naming the
// file and line, and nothing is stored.
ResponseImport import_responses(store::Db& db, const std::string& path);

// Marks (or clears) the response of `system` to `prompt_key` as revealing the system's identity;
// ratings of items showing it are then left out of the statistics (as FastChat drops such battles).
void flag_response(store::Db& db, const std::string& prompt_key, const std::string& system,
                   bool reveals);

// Creates the missing items (every pair of systems that answered a prompt); returns the total.
size_t refresh_items(store::Db& db);

}  // namespace rgeval::sidebyside
