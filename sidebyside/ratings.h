// Storing one rating: validated, sides recomputed on the server from the recorded seed (the client
// only says which item and which point of the scale), one transaction, at most once per
// (rater, item) (UNIQUE constraint; a second submission is reported, not stored).
//
// The scale, as the rater sees it (left = the response shown on the left):
//   5 points: 1 left much better, 2 left better, 3 about the same, 4 right better, 5 right much
//   better 3 points: 1 left better, 2 about the same, 3 right better
// Stored with the rating: choice (as clicked), winner (system id, NULL for a tie) and margin
// (2 much better, 1 better, 0 tie).
#pragma once
#include <cstdint>
#include <string>

#include "sidebyside/study_db.h"

namespace rgeval::sidebyside {

inline constexpr size_t kMaxCommentBytes = 2000;

struct RatingInput {
  int64_t item_id = 0;
  int choice = 0;              // 1..scale
  std::string comment;         // optional, at most kMaxCommentBytes of UTF-8
  double seconds = 0;          // time spent on the item (clamped to [0, 86400])
  bool flag_identity = false;  // a response reveals which system wrote it
};

enum class SubmitStatus { stored, already_rated, no_such_item, invalid };

struct SubmitResult {
  SubmitStatus status = SubmitStatus::invalid;
  std::string message;  // for invalid input: what is wrong
};

// The scale's labels as raters see them (A = the left response), 1-based by choice.
const char* choice_label(int scale, int choice);

SubmitResult submit_rating(store::Db& db, const StudyInfo& study, int64_t rater_id,
                           const RatingInput& in);

}  // namespace rgeval::sidebyside
