#include "sidebyside/terminal_rate.h"

#include <chrono>
#include <istream>
#include <ostream>

#include "engine/error.h"
#include "sidebyside/assignment.h"
#include "sidebyside/raters.h"
#include "sidebyside/ratings.h"

namespace rgeval::sidebyside {

std::string terminal_safe(const std::string& s) {
  std::string o;
  for (size_t i = 0; i < s.size(); ++i) {
    const unsigned char c = static_cast<unsigned char>(s[i]);
    const bool c1 = c == 0xC2 && i + 1 < s.size() && static_cast<unsigned char>(s[i + 1]) >= 0x80 &&
                    static_cast<unsigned char>(s[i + 1]) <= 0x9F;  // C1 controls (U+0080-U+009F)
    if ((c < 0x20 && c != '\n' && c != '\t') || c == 0x7F || c1) {
      o += "\xEF\xBF\xBD";
      if (c1) ++i;
    } else {
      o += char(c);
    }
  }
  return o;
}

size_t rate_in_terminal(store::Db& db, const std::string& token, std::istream& in,
                        std::ostream& out) {
  const auto rater = rater_by_token(db, token);
  if (!rater) fail(db.path(), "unknown rater token");
  const StudyInfo study = study_info(db);
  size_t stored = 0;
  for (;;) {
    const auto item = next_item(db, study, rater->id);
    const Progress p = rater_progress(db, rater->id);
    if (!item) {
      out << "All " << p.total << " items rated. Thank you!\n";
      break;
    }
    const auto start = std::chrono::steady_clock::now();
    out << "\n==== " << p.done << " / " << p.total << " ====\n\n--- Prompt ---\n"
        << terminal_safe(item->prompt) << "\n\n--- Response A ---\n"
        << terminal_safe(item->left) << "\n\n--- Response B ---\n"
        << terminal_safe(item->right) << "\n\n";
    for (int c = 1; c <= study.scale; ++c)
      out << "  " << c << ": " << choice_label(study.scale, c) << "\n";
    std::string line;
    int choice = 0;
    for (;;) {
      out << "Choice 1-" << study.scale << " (q to stop): " << std::flush;
      if (!std::getline(in, line) || line == "q") return stored;
      if (line.size() == 1 && line[0] >= '1' && line[0] < char('1' + study.scale)) {
        choice = line[0] - '0';
        break;
      }
      out << "Please type a number from 1 to " << study.scale << ".\n";
    }
    RatingInput r;
    r.item_id = item->item_id;
    r.choice = choice;
    out << "Comment (optional, Enter to skip): " << std::flush;
    if (!std::getline(in, r.comment)) r.comment.clear();
    out << "Does a response reveal which model wrote it? [y/N]: " << std::flush;
    if (std::getline(in, line)) r.flag_identity = line == "y" || line == "Y";
    r.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    const SubmitResult s = submit_rating(db, study, rater->id, r);
    if (s.status == SubmitStatus::stored)
      ++stored;
    else
      out << "Not stored: " << s.message << "\n";
    if (s.status == SubmitStatus::invalid) continue;
  }
  return stored;
}

}  // namespace rgeval::sidebyside
