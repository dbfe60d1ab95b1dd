#include "sidebyside/comparisons.h"

#include "sidebyside/study_db.h"

namespace rgeval::sidebyside {

LoadedComparisons load_comparisons(store::Db& db) {
  ensure_schema(db);
  LoadedComparisons out;
  store::Stmt r(
      db,
      "SELECT p.prompt_key, p.category, rt.name, i.id, sa.name, sb.name, r.winner, i.system_a, "
      "r.margin, "
      "r.left_system, r.seconds, r.flag_identity + ra.reveals_identity + rb.reveals_identity "
      "FROM sxs_ratings r JOIN sxs_items i ON i.id = r.item_id JOIN sxs_prompts p ON p.id = "
      "i.prompt_id "
      "JOIN sxs_raters rt ON rt.id = r.rater_id JOIN sxs_systems sa ON sa.id = i.system_a "
      "JOIN sxs_systems sb ON sb.id = i.system_b "
      "JOIN sxs_responses ra ON ra.prompt_id = i.prompt_id AND ra.system_id = i.system_a "
      "JOIN sxs_responses rb ON rb.prompt_id = i.prompt_id AND rb.system_id = i.system_b ORDER BY "
      "r.id");
  while (r.step()) {
    if (r.column_int(11) > 0) {
      ++out.dropped_identity;
      continue;
    }
    Comparison c;
    c.source = "ratings";
    c.prompt = r.column_text(0);
    c.category = r.column_text(1);
    c.rater = r.column_text(2);
    c.unit = "item:" + std::to_string(r.column_int(3));
    c.a = r.column_text(4);
    c.b = r.column_text(5);
    c.score_a = r.column_is_null(6) ? 0.5 : r.column_int(6) == r.column_int(7) ? 1.0 : 0.0;
    c.margin = int(r.column_int(8));
    c.a_left = r.column_int(9) == r.column_int(7) ? 1 : 0;
    c.seconds = r.column_double_or_nan(10);
    out.rows.push_back(std::move(c));
  }
  store::Stmt j(db,
                "SELECT j.source, j.prompt_key, CASE WHEN j.category <> '' THEN j.category ELSE "
                "COALESCE(p.category, '') END, "
                "j.judge, j.system_a, j.system_b, j.turn, j.score_a FROM sxs_judgments j "
                "LEFT JOIN sxs_prompts p ON p.prompt_key = j.prompt_key ORDER BY j.id");
  while (j.step()) {
    Comparison c;
    c.source = j.column_text(0);
    c.prompt = j.column_text(1);
    c.category = j.column_text(2);
    c.rater = j.column_text(3);
    c.a = j.column_text(4);
    c.b = j.column_text(5);
    const std::string lo = c.a < c.b ? c.a : c.b, hi = c.a < c.b ? c.b : c.a;
    c.unit =
        c.source + "|" + c.prompt + "|" + lo + "|" + hi + "|" + std::to_string(j.column_int(6));
    c.score_a = j.column_double_or_nan(7);
    out.rows.push_back(std::move(c));
  }
  return out;
}

}  // namespace rgeval::sidebyside
