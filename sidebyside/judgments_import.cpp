#include "sidebyside/judgments_import.h"

#include <cmath>
#include <optional>

#include "engine/error.h"
#include "sidebyside/study_db.h"
#include "store/sha256.h"
#include "tasks/jsonl.h"
#include "tasks/text_file.h"

namespace rgeval::sidebyside {

namespace {

using nlohmann::json;

struct Judgment {
  std::string prompt_key, category, a, b, judge;
  int turn = 1;
  double score_a = 0.5;
  std::string raw;
};

// Records of a JSON array file or a JSONL file, each with "path:LINE" or "path: element N".
std::vector<tasks::JsonRecord> read_records(const std::string& path, const std::string& text) {
  const size_t first = text.find_first_not_of(" \t\r\n");
  if (first == std::string::npos || text[first] != '[') return tasks::read_jsonl(path);
  json arr;
  try {
    arr = json::parse(text);
  } catch (const json::exception& e) {
    fail(path, std::string("invalid JSON: ") + e.what());
  }
  std::vector<tasks::JsonRecord> out;
  for (size_t i = 0; i < arr.size(); ++i) {
    tasks::JsonRecord r{path + ": element " + std::to_string(i), int(i) + 1, arr[i]};
    if (!r.value.is_object()) fail(r.where, "expected a JSON object");
    out.push_back(std::move(r));
  }
  return out;
}

std::string text_or_int(const tasks::JsonRecord& r, const std::string& key) {
  const json& v = tasks::json_field(r, key);
  if (v.is_number_integer()) return std::to_string(v.get<long long>());
  return tasks::json_string(r, key);
}

std::string optional_text(const tasks::JsonRecord& r, const std::string& key) {
  if (!r.value.contains(key) || r.value[key].is_null()) return "";
  const json& v = r.value[key];
  if (v.is_string()) return v.get<std::string>();
  return v.dump();  // e.g. FastChat's judge ["gpt-4", "pair-v2"]
}

// AlpacaEval's preference as a number (it is a string in some annotation files), nullopt for null.
std::optional<double> preference(const tasks::JsonRecord& r) {
  const json& v = tasks::json_field(r, "preference");
  if (v.is_null()) return std::nullopt;
  double p = NAN;
  if (v.is_number())
    p = v.get<double>();
  else if (v.is_string()) {
    const std::string s = v.get<std::string>();
    size_t used = 0;
    try {
      p = std::stod(s, &used);
    } catch (const std::exception&) {
      used = 0;
    }
    if (used != s.size() || s.empty())
      fail(r.where, "field 'preference': '" + s + "' is not a number");
  } else {
    fail(r.where, "field 'preference': expected a number");
  }
  if (!(p == 0 || (p >= 1 && p <= 2)))
    fail(r.where, "field 'preference': " + v.dump() + " is not 0 or in [1, 2]");
  return p;
}

std::optional<Judgment> alpaca_eval(const tasks::JsonRecord& r) {
  const auto p = preference(r);
  if (!p) return std::nullopt;
  Judgment j;
  j.prompt_key = tasks::json_string(r, "instruction");
  j.category = optional_text(r, "dataset");
  j.a = tasks::json_string(r, "generator_1");
  j.b = tasks::json_string(r, "generator_2");
  j.judge = optional_text(r, "annotator");
  j.score_a = *p == 0 ? 0.5 : 2 - *p;
  j.raw = tasks::json_field(r, "preference").dump();
  return j;
}

std::optional<Judgment> fastchat(const tasks::JsonRecord& r) {
  Judgment j;
  j.prompt_key = "mt_bench/" + text_or_int(r, "question_id");
  j.judge = optional_text(r, "judge");
  if (r.value.contains("turn")) j.turn = int(tasks::json_int(r, "turn"));
  std::string winner;
  if (r.value.contains("model_a")) {
    j.a = tasks::json_string(r, "model_a");
    j.b = tasks::json_string(r, "model_b");
    winner = tasks::json_string(r, "winner");
    j.raw = winner;
    if (winner == "model_a")
      j.score_a = 1;
    else if (winner == "model_b")
      j.score_a = 0;
    else if (winner == "tie" || winner == "tie (bothbad)")
      j.score_a = 0.5;
    else
      fail(r.where,
           "field 'winner': '" + winner + "' is not model_a, model_b, tie or tie (bothbad)");
  } else {
    j.a = tasks::json_string(r, "model_1");
    j.b = tasks::json_string(r, "model_2");
    const std::string g1 = tasks::json_string(r, "g1_winner"),
                      g2 = tasks::json_string(r, "g2_winner");
    j.raw = g1 + "," + g2;
    if (g1 == "error" || g2 == "error") return std::nullopt;
    for (const auto& g : {g1, g2})
      if (g != "model_1" && g != "model_2" && g != "tie")
        fail(r.where, "winner '" + g + "' is not model_1, model_2, tie or error");
    winner = g1 == g2 ? g1 : "tie";
    j.score_a = winner == "model_1" ? 1 : winner == "model_2" ? 0 : 0.5;
  }
  return j;
}

}  // namespace

JudgmentImport import_judgments(store::Db& db, const std::string& path, const std::string& format) {
  if (format != "alpaca_eval" && format != "fastchat")
    fail(path, "unknown judgment format '" + format + "' (alpaca_eval, fastchat)");
  ensure_schema(db);
  const std::string text = tasks::read_utf8(path);
  const std::string key = "imported:" + store::sha256_hex(text);
  JudgmentImport res;
  store::Transaction tx(db);
  if (!get_meta(db, key).empty())
    fail(path, "already imported into " + db.path() + " (same bytes)");
  store::Stmt ins(db,
                  "INSERT INTO sxs_judgments(source, prompt_key, category, system_a, system_b, "
                  "judge, turn, score_a, raw) "
                  "VALUES(?, ?, ?, ?, ?, ?, ?, ?, ?)");
  for (const auto& r : read_records(path, text)) {
    const auto j = format == "alpaca_eval" ? alpaca_eval(r) : fastchat(r);
    if (!j) {
      ++res.skipped;
      continue;
    }
    if (j->a.empty() || j->b.empty() || j->a == j->b)
      fail(r.where, "needs two different, non-empty system names");
    ins.reset();
    ins.bind(1, format)
        .bind(2, j->prompt_key)
        .bind(3, j->category)
        .bind(4, j->a)
        .bind(5, j->b)
        .bind(6, j->judge);
    ins.bind(7, j->turn).bind(8, j->score_a).bind(9, j->raw).run();
    ++res.added;
  }
  set_meta(db, key, path);
  tx.commit();
  return res;
}

}  // namespace rgeval::sidebyside
