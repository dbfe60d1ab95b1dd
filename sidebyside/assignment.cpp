#include "sidebyside/assignment.h"

namespace rgeval::sidebyside {

namespace {

uint64_t splitmix64(uint64_t x) {
  x += 0x9e3779b97f4a7c15ULL;
  x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
  x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
  return x ^ (x >> 31);
}

// The position of an item in the rater's order (independent of the side seed).
uint64_t order_key(uint64_t study_seed, int64_t rater_id, int64_t item_id) {
  return splitmix64(item_seed(study_seed, rater_id, item_id) ^ 0x6f72646572ULL);
}

}  // namespace

uint64_t item_seed(uint64_t study_seed, int64_t rater_id, int64_t item_id) {
  // Kept below 2^63 so that it is stored exactly as an SQLite integer.
  return splitmix64(splitmix64(splitmix64(study_seed) ^ uint64_t(rater_id)) ^ uint64_t(item_id)) >>
         1;
}

std::optional<ShownItem> item_for(store::Db& db, const StudyInfo& study, int64_t rater_id,
                                  int64_t item_id) {
  store::Stmt s(
      db,
      "SELECT p.prompt_key, p.category, p.prompt, i.system_a, ra.response, i.system_b, rb.response "
      "FROM sxs_items i JOIN sxs_prompts p ON p.id = i.prompt_id "
      "JOIN sxs_responses ra ON ra.prompt_id = i.prompt_id AND ra.system_id = i.system_a "
      "JOIN sxs_responses rb ON rb.prompt_id = i.prompt_id AND rb.system_id = i.system_b WHERE "
      "i.id = ?");
  s.bind(1, item_id);
  if (!s.step()) return std::nullopt;
  ShownItem it;
  it.item_id = item_id;
  it.prompt_key = s.column_text(0);
  it.category = s.column_text(1);
  it.prompt = s.column_text(2);
  it.seed = item_seed(study.seed, rater_id, item_id);
  const bool a_left = it.seed & 1;
  it.left_system = a_left ? s.column_int(3) : s.column_int(5);
  it.right_system = a_left ? s.column_int(5) : s.column_int(3);
  it.left = s.column_text(a_left ? 4 : 6);
  it.right = s.column_text(a_left ? 6 : 4);
  return it;
}

std::optional<ShownItem> next_item(store::Db& db, const StudyInfo& study, int64_t rater_id) {
  store::Stmt s(db,
                "SELECT id FROM sxs_items WHERE id NOT IN (SELECT item_id FROM sxs_ratings WHERE "
                "rater_id = ?)");
  s.bind(1, rater_id);
  std::optional<std::pair<uint64_t, int64_t>> best;
  while (s.step()) {
    const int64_t id = s.column_int(0);
    const std::pair<uint64_t, int64_t> k{order_key(study.seed, rater_id, id), id};
    if (!best || k < *best) best = k;
  }
  if (!best) return std::nullopt;
  return item_for(db, study, rater_id, best->second);
}

Progress rater_progress(store::Db& db, int64_t rater_id) {
  Progress p;
  store::Stmt d(db, "SELECT COUNT(*) FROM sxs_ratings WHERE rater_id = ?");
  d.bind(1, rater_id);
  d.step();
  p.done = size_t(d.column_int(0));
  store::Stmt t(db, "SELECT COUNT(*) FROM sxs_items");
  t.step();
  p.total = size_t(t.column_int(0));
  return p;
}

}  // namespace rgeval::sidebyside
