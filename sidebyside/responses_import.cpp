#include "sidebyside/responses_import.h"

#include "engine/error.h"
#include "sidebyside/study_db.h"
#include "tasks/jsonl.h"

namespace rgeval::sidebyside {

namespace {

int64_t prompt_row(store::Db& db, const std::string& key) {
  store::Stmt s(db, "SELECT id FROM sxs_prompts WHERE prompt_key = ?");
  s.bind(1, key);
  return s.step() ? s.column_int(0) : 0;
}

}  // namespace

size_t refresh_items(store::Db& db) {
  store::Stmt ins(
      db,
      "INSERT OR IGNORE INTO sxs_items(prompt_id, system_a, system_b) "
      "SELECT a.prompt_id, a.system_id, b.system_id FROM sxs_responses a JOIN sxs_responses b "
      "ON a.prompt_id = b.prompt_id AND a.system_id < b.system_id ORDER BY a.prompt_id, "
      "a.system_id, b.system_id");
  ins.run();
  store::Stmt n(db, "SELECT COUNT(*) FROM sxs_items");
  n.step();
  return size_t(n.column_int(0));
}

ResponseImport import_responses(store::Db& db, const std::string& path) {
  ensure_schema(db);
  const auto recs = tasks::read_jsonl(path);
  ResponseImport r;
  store::Transaction tx(db);
  store::Stmt get(db, "SELECT response FROM sxs_responses WHERE prompt_id = ? AND system_id = ?");
  store::Stmt ins(db, "INSERT INTO sxs_responses(prompt_id, system_id, response) VALUES(?, ?, ?)");
  for (const auto& rec : recs) {
    std::string key;
    const auto& id = tasks::json_field(rec, "prompt_id");
    if (id.is_number_integer())
      key = std::to_string(id.get<long long>());
    else
      key = tasks::json_string(rec, "prompt_id");
    const std::string system = tasks::json_string(rec, "system");
    const std::string text = tasks::json_string(rec, "response");
    if (system.empty() || system.size() > 200)
      fail(rec.where, "field 'system' must have 1-200 bytes");
    if (text.size() > kMaxResponseBytes)
      fail(rec.where, "response longer than " + std::to_string(kMaxResponseBytes) + " bytes");
    const int64_t p = prompt_row(db, key);
    if (p == 0)
      fail(rec.where,
           "prompt_id '" + key + "' is not a prompt of the study (import the prompts first)");
    const int64_t s = system_id(db, system);
    get.reset();
    get.bind(1, p).bind(2, s);
    if (get.step()) {
      if (get.column_text(0) != text)
        fail(rec.where, "system '" + system + "' already has another response to '" + key + "'");
      ++r.unchanged;
      continue;
    }
    ins.reset();
    ins.bind(1, p).bind(2, s).bind(3, text).run();
    ++r.added;
  }
  r.items_total = refresh_items(db);
  tx.commit();
  return r;
}

void flag_response(store::Db& db, const std::string& prompt_key, const std::string& system,
                   bool reveals) {
  ensure_schema(db);
  store::Stmt s(db,
                "UPDATE sxs_responses SET reveals_identity = ? WHERE prompt_id = (SELECT id FROM "
                "sxs_prompts WHERE prompt_key = ?) "
                "AND system_id = (SELECT id FROM sxs_systems WHERE name = ?)");
  s.bind(1, reveals ? 1 : 0).bind(2, prompt_key).bind(3, system).run();
  if (db.changes() != 1)
    fail(db.path(), "no response of system '" + system + "' to prompt '" + prompt_key + "'");
}

}  // namespace rgeval::sidebyside
