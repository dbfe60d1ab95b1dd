// What a rater sees: every item of the study once, in an order of its own, with the two responses
// placed left/right by a seed derived from the study seed, the rater and the item (so a reload
// shows the same order, and the seed stored with the rating reproduces it). System names never
// leave the server: a ShownItem carries their ids only for storing the rating.
#pragma once
#include <cstdint>
#include <optional>
#include <string>

#include "sidebyside/study_db.h"

namespace rgeval::sidebyside {

// splitmix64 of the study seed, rater and item: bit 0 decides the sides (1: system_a on the left).
uint64_t item_seed(uint64_t study_seed, int64_t rater_id, int64_t item_id);

struct ShownItem {
  int64_t item_id = 0;
  std::string prompt_key, category, prompt, left, right;
  uint64_t seed = 0;
  int64_t left_system = 0, right_system = 0;
};

struct Progress {
  size_t done = 0, total = 0;
};

// The rater's next unrated item, or nullopt when all are rated.
std::optional<ShownItem> next_item(store::Db& db, const StudyInfo& study, int64_t rater_id);
// Item `item_id` as this rater sees it, or nullopt when there is no such item.
std::optional<ShownItem> item_for(store::Db& db, const StudyInfo& study, int64_t rater_id,
                                  int64_t item_id);
Progress rater_progress(store::Db& db, int64_t rater_id);

}  // namespace rgeval::sidebyside
