#include "sidebyside/ratings.h"

#include <algorithm>
#include <cmath>

#include "sidebyside/assignment.h"
#include "tasks/utf8.h"

namespace rgeval::sidebyside {

const char* choice_label(int scale, int choice) {
  static const char* five[] = {"A much better", "A better", "About the same", "B better",
                               "B much better"};
  static const char* three[] = {"A better", "About the same", "B better"};
  if (scale == 5 && choice >= 1 && choice <= 5) return five[choice - 1];
  if (scale == 3 && choice >= 1 && choice <= 3) return three[choice - 1];
  return "?";
}

SubmitResult submit_rating(store::Db& db, const StudyInfo& study, int64_t rater_id,
                           const RatingInput& in) {
  if (in.choice < 1 || in.choice > study.scale)
    return {SubmitStatus::invalid, "choice must be 1-" + std::to_string(study.scale)};
  if (in.comment.size() > kMaxCommentBytes)
    return {SubmitStatus::invalid,
            "comment longer than " + std::to_string(kMaxCommentBytes) + " bytes"};
  if (!tasks::utf8_valid(in.comment)) return {SubmitStatus::invalid, "comment is not valid UTF-8"};
  const double seconds = std::isfinite(in.seconds) ? std::clamp(in.seconds, 0.0, 86400.0) : 0.0;

  store::Transaction tx(db);
  const auto item = item_for(db, study, rater_id, in.item_id);
  if (!item) return {SubmitStatus::no_such_item, "no item " + std::to_string(in.item_id)};
  const int mid = (study.scale + 1) / 2;  // "about the same"
  const int margin = study.scale == 5 ? std::abs(in.choice - mid) : (in.choice == mid ? 0 : 1);
  store::Stmt s(db,
                "INSERT OR IGNORE INTO sxs_ratings(rater_id, item_id, seed, left_system, "
                "right_system, scale, choice, "
                "winner, margin, comment, seconds, flag_identity, created) VALUES(?, ?, ?, ?, ?, "
                "?, ?, ?, ?, ?, ?, ?, ?)");
  s.bind(1, rater_id)
      .bind(2, in.item_id)
      .bind(3, int64_t(item->seed))
      .bind(4, item->left_system)
      .bind(5, item->right_system);
  s.bind(6, study.scale).bind(7, in.choice);
  if (in.choice < mid)
    s.bind(8, item->left_system);
  else if (in.choice > mid)
    s.bind(8, item->right_system);
  else
    s.bind_null(8);
  s.bind(9, margin)
      .bind(10, in.comment)
      .bind(11, seconds)
      .bind(12, in.flag_identity ? 1 : 0)
      .bind(13, utc_now());
  s.run();
  if (db.changes() == 0) return {SubmitStatus::already_rated, "item already rated"};
  tx.commit();
  return {SubmitStatus::stored, ""};
}

}  // namespace rgeval::sidebyside
