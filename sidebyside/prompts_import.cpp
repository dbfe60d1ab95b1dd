#include "sidebyside/prompts_import.h"

#include <zlib.h>

#include <map>

#include "engine/error.h"
#include "sidebyside/study_db.h"
#include "tasks/csv.h"
#include "tasks/jsonl.h"
#include "tasks/text_file.h"
#include "tasks/utf8.h"

namespace rgeval::sidebyside {

namespace {

using nlohmann::json;

// The text of a JSON id: a string as is, an integer in decimal.
std::string id_text(const tasks::JsonRecord& r, const std::string& key) {
  const json& v = tasks::json_field(r, key);
  if (v.is_string()) return v.get<std::string>();
  if (v.is_number_integer()) return std::to_string(v.get<long long>());
  fail(r.where, "field '" + key + "': expected a string or an integer");
}

// The bytes of a gzip file (HumanEval ships as .jsonl.gz).
std::string read_gzip(const std::string& path) {
  gzFile f = gzopen(path.c_str(), "rb");
  if (!f) fail(path, "cannot open");
  std::string out;
  char buf[65536];
  for (;;) {
    const int n = gzread(f, buf, sizeof buf);
    if (n < 0) {
      gzclose(f);
      fail(path, "not a readable gzip file");
    }
    if (n == 0) break;
    out.append(buf, size_t(n));
    if (out.size() > (size_t(256) << 20)) {
      gzclose(f);
      fail(path, "larger than 256 MiB uncompressed");
    }
  }
  gzclose(f);
  return out;
}

std::vector<tasks::JsonRecord> read_jsonl_maybe_gz(const std::string& path) {
  if (path.size() < 3 || path.substr(path.size() - 3) != ".gz") return tasks::read_jsonl(path);
  const std::string text = read_gzip(path);
  tasks::utf8_check(text, path);
  std::vector<tasks::JsonRecord> out;
  size_t pos = 0;
  int line = 0;
  while (pos < text.size()) {
    size_t end = text.find('\n', pos);
    if (end == std::string::npos) end = text.size();
    std::string l = text.substr(pos, end - pos);
    pos = end + 1;
    ++line;
    if (!l.empty() && l.back() == '\r') l.pop_back();
    if (l.find_first_not_of(" \t") == std::string::npos) continue;
    tasks::JsonRecord r{tasks::at_line(path, line), line, {}};
    try {
      r.value = json::parse(l);
    } catch (const json::exception& e) {
      fail(r.where, std::string("invalid JSON: ") + e.what());
    }
    if (!r.value.is_object()) fail(r.where, "expected a JSON object");
    out.push_back(std::move(r));
  }
  return out;
}

std::vector<PromptRecord> from_questions(const std::string& path, const std::string& prefix) {
  std::vector<PromptRecord> out;
  for (const auto& r : tasks::read_jsonl(path)) {
    const auto turns = tasks::json_string_list(r, "turns");
    if (turns.empty()) fail(r.where, "field 'turns' is empty");
    out.push_back({prefix + "/" + id_text(r, "question_id"), prefix,
                   tasks::json_string(r, "category"), turns[0]});
  }
  return out;
}

std::vector<PromptRecord> from_alpaca_eval(const std::string& path) {
  json arr;
  try {
    arr = json::parse(tasks::read_utf8(path));
  } catch (const json::exception& e) {
    fail(path, std::string("invalid JSON: ") + e.what());
  }
  if (!arr.is_array()) fail(path, "expected a JSON array of {dataset, instruction, ...}");
  std::vector<PromptRecord> out;
  for (size_t i = 0; i < arr.size(); ++i) {
    const json& o = arr[i];
    const std::string where = path + ": element " + std::to_string(i);
    if (!o.is_object() || !o.contains("instruction") || !o["instruction"].is_string())
      fail(where, "expected an object with a string 'instruction'");
    const std::string dataset =
        o.contains("dataset") && o["dataset"].is_string() ? o["dataset"].get<std::string>() : "";
    out.push_back({"alpaca_eval/" + std::to_string(i), "alpaca_eval", dataset,
                   o["instruction"].get<std::string>()});
  }
  return out;
}

std::vector<PromptRecord> from_humaneval(const std::string& path) {
  std::vector<PromptRecord> out;
  for (const auto& r : read_jsonl_maybe_gz(path))
    out.push_back(
        {tasks::json_string(r, "task_id"), "humaneval", "coding", tasks::json_string(r, "prompt")});
  return out;
}

// A CSV with a header: the columns named in `want`, in that order, for each record.
std::vector<std::pair<int, std::vector<std::string>>> csv_columns(
    const std::string& path, const std::vector<std::string>& want) {
  const auto recs = tasks::read_csv(path);
  if (recs.empty()) fail(path, "empty CSV");
  std::vector<size_t> idx;
  for (const auto& w : want) {
    size_t k = 0;
    while (k < recs[0].fields.size() && recs[0].fields[k] != w) ++k;
    if (k == recs[0].fields.size())
      fail(tasks::at_line(path, recs[0].line), "header has no column '" + w + "'");
    idx.push_back(k);
  }
  std::vector<std::pair<int, std::vector<std::string>>> out;
  for (size_t i = 1; i < recs.size(); ++i) {
    std::vector<std::string> row;
    for (size_t k : idx) {
      if (k >= recs[i].fields.size())
        fail(tasks::at_line(path, recs[i].line),
             "has " + std::to_string(recs[i].fields.size()) + " fields, fewer than the header");
      row.push_back(recs[i].fields[k]);
    }
    out.emplace_back(recs[i].line, std::move(row));
  }
  return out;
}

std::vector<PromptRecord> from_xstest(const std::string& path) {
  std::vector<PromptRecord> out;
  for (auto& [line, f] : csv_columns(path, {"id", "prompt", "label"}))
    out.push_back({"xstest/" + f[0], "xstest", "xstest_" + f[2], f[1]});
  return out;
}

std::vector<PromptRecord> from_advbench(const std::string& path) {
  std::vector<PromptRecord> out;
  size_t row = 0;
  for (auto& [line, f] : csv_columns(path, {"goal"}))
    out.push_back({"advbench/" + std::to_string(++row), "advbench", "advbench", f[0]});
  return out;
}

std::vector<PromptRecord> from_jsonl(const std::string& path) {
  std::vector<PromptRecord> out;
  for (const auto& r : tasks::read_jsonl(path)) {
    std::string category;
    if (r.value.contains("category")) category = tasks::json_string(r, "category");
    out.push_back({id_text(r, "id"), "jsonl", category, tasks::json_string(r, "prompt")});
  }
  return out;
}

}  // namespace

const std::vector<std::string>& prompt_formats() {
  static const std::vector<std::string> f = {"mt_bench", "vicuna",   "alpaca_eval", "humaneval",
                                             "xstest",   "advbench", "jsonl"};
  return f;
}

std::vector<PromptRecord> read_prompts(const std::string& path, const std::string& format,
                                       long limit) {
  std::vector<PromptRecord> p;
  if (format == "mt_bench")
    p = from_questions(path, "mt_bench");
  else if (format == "vicuna")
    p = from_questions(path, "vicuna");
  else if (format == "alpaca_eval")
    p = from_alpaca_eval(path);
  else if (format == "humaneval")
    p = from_humaneval(path);
  else if (format == "xstest")
    p = from_xstest(path);
  else if (format == "advbench")
    p = from_advbench(path);
  else if (format == "jsonl")
    p = from_jsonl(path);
  else
    fail(path, "unknown prompt format '" + format + "'");
  if (limit > 0 && p.size() > size_t(limit)) p.resize(size_t(limit));
  std::map<std::string, size_t> seen;
  for (size_t i = 0; i < p.size(); ++i) {
    const std::string where = path + ": prompt '" + p[i].key + "'";
    if (p[i].key.empty() || p[i].key.size() > 200) fail(where, "id must have 1-200 bytes");
    if (p[i].text.empty()) fail(where, "empty prompt");
    if (p[i].text.size() > kMaxPromptBytes)
      fail(where, "prompt longer than " + std::to_string(kMaxPromptBytes) + " bytes");
    if (p[i].category.size() > 100) fail(where, "category longer than 100 bytes");
    if (!seen.emplace(p[i].key, i).second) fail(where, "duplicate id");
  }
  return p;
}

ImportCounts store_prompts(store::Db& db, const std::vector<PromptRecord>& prompts) {
  ensure_schema(db);
  ImportCounts c;
  store::Transaction tx(db);
  store::Stmt get(db, "SELECT category, prompt FROM sxs_prompts WHERE prompt_key = ?");
  store::Stmt ins(
      db, "INSERT INTO sxs_prompts(prompt_key, source, category, prompt) VALUES(?, ?, ?, ?)");
  for (const auto& p : prompts) {
    get.reset();
    get.bind(1, p.key);
    if (get.step()) {
      if (get.column_text(0) != p.category || get.column_text(1) != p.text)
        fail(db.path(),
             "prompt '" + p.key + "' is already in the study with another text or category");
      ++c.unchanged;
      continue;
    }
    ins.reset();
    ins.bind(1, p.key).bind(2, p.source).bind(3, p.category).bind(4, p.text).run();
    ++c.added;
  }
  tx.commit();
  return c;
}

}  // namespace rgeval::sidebyside
