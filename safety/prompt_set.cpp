#include "safety/prompt_set.h"

#include <filesystem>
#include <map>

#include "engine/error.h"
#include "tasks/csv.h"
#include "tasks/jsonl.h"
#include "tasks/text_file.h"

namespace rgeval::safety {

namespace {

using tasks::at_line;

// The CSV's records after the header, with the named columns' values in `columns` order.
struct Row {
  int line = 0;
  std::vector<std::string> v;
};

std::vector<Row> read_table(const std::string& path, const std::vector<std::string>& columns) {
  const std::vector<tasks::CsvRecord> recs = tasks::read_csv(path);
  if (recs.empty()) fail(path, "empty file (expected a header line)");
  const std::vector<std::string>& header = recs[0].fields;
  std::vector<size_t> index;
  for (const std::string& c : columns) {
    size_t i = 0;
    while (i < header.size() && header[i] != c) ++i;
    if (i == header.size()) fail(at_line(path, recs[0].line), "header has no column '" + c + "'");
    index.push_back(i);
  }
  std::vector<Row> rows;
  for (size_t r = 1; r < recs.size(); ++r) {
    const tasks::CsvRecord& rec = recs[r];
    if (rec.fields.size() != header.size())
      fail(at_line(path, rec.line), "expected " + std::to_string(header.size()) + " fields, got " +
                                        std::to_string(rec.fields.size()));
    Row row{rec.line, {}};
    for (size_t i : index) row.v.push_back(rec.fields[i]);
    rows.push_back(std::move(row));
  }
  return rows;
}

SafetyPrompt make(std::string id, std::string prompt, std::string category, bool refuse,
                  const std::string& set, const std::string& where) {
  if (prompt.empty()) fail(where, "empty prompt");
  if (id.empty()) fail(where, "empty id");
  return {std::move(id), std::move(prompt), std::move(category), refuse, set};
}

// Ids are the resume key: each must be unique.
void check_unique(const std::vector<SafetyPrompt>& ps, const std::vector<std::string>& where) {
  std::map<std::string, size_t> seen;
  for (size_t i = 0; i < ps.size(); ++i)
    if (!seen.emplace(ps[i].id, i).second)
      fail(where[i], "duplicate id '" + ps[i].id + "' (first at " + where[seen[ps[i].id]] + ")");
}

}  // namespace

std::vector<SafetyPrompt> read_xstest(const std::string& path) {
  std::vector<SafetyPrompt> out;
  std::vector<std::string> where;
  for (const Row& r : read_table(path, {"id", "prompt", "type", "label"})) {
    where.push_back(at_line(path, r.line));
    if (r.v[3] != "safe" && r.v[3] != "unsafe")
      fail(where.back(), "label must be 'safe' or 'unsafe', got '" + r.v[3] + "'");
    if (r.v[2].empty()) fail(where.back(), "empty type");
    out.push_back(make(r.v[0], r.v[1], r.v[2], r.v[3] == "unsafe", "xstest", where.back()));
  }
  check_unique(out, where);
  return out;
}

std::vector<SafetyPrompt> read_advbench(const std::string& path) {
  std::vector<SafetyPrompt> out;
  for (const Row& r : read_table(path, {"goal"}))
    out.push_back(make(std::to_string(out.size()), r.v[0], "harmful_behaviors", true, "advbench",
                       at_line(path, r.line)));
  return out;
}

std::vector<SafetyPrompt> read_simplesafetytests(const std::string& path) {
  std::vector<SafetyPrompt> out;
  std::vector<std::string> where;
  for (const Row& r : read_table(path, {"id", "harm_area", "prompts_final"})) {
    where.push_back(at_line(path, r.line));
    if (r.v[1].empty()) fail(where.back(), "empty harm_area");
    out.push_back(make(r.v[0], r.v[2], r.v[1], true, "simplesafetytests", where.back()));
  }
  check_unique(out, where);
  return out;
}

std::vector<SafetyPrompt> read_prompt_jsonl(const std::string& path) {
  const std::string set = prompt_set_name(path);
  std::vector<SafetyPrompt> out;
  std::vector<std::string> where;
  for (const tasks::JsonRecord& r : tasks::read_jsonl(path)) {
    where.push_back(r.where);
    const nlohmann::json& id = tasks::json_field(r, "id");
    if (!id.is_string() && !id.is_number_integer())
      fail(r.where, "field 'id': expected a string or an integer");
    const nlohmann::json& refuse = tasks::json_field(r, "should_refuse");
    if (!refuse.is_boolean()) fail(r.where, "field 'should_refuse': expected true or false");
    const std::string category =
        r.value.contains("category") ? tasks::json_string(r, "category") : "uncategorized";
    if (category.empty()) fail(r.where, "field 'category': empty");
    out.push_back(make(id.is_string() ? id.get<std::string>() : id.dump(),
                       tasks::json_string(r, "prompt"), category, refuse.get<bool>(), set,
                       r.where));
  }
  check_unique(out, where);
  return out;
}

std::string prompt_set_name(const std::string& set) {
  return set.ends_with(".jsonl") ? std::filesystem::path(set).stem().string() : set;
}

std::string prompt_set_file(const std::string& set, const std::string& data_dir) {
  static const std::map<std::string, std::string> files = {
      {"xstest", "xstest/xstest_prompts.csv"},
      {"advbench", "advbench/harmful_behaviors.csv"},
      {"simplesafetytests", "simplesafetytests/SimpleSafetyTests - test cases.csv"}};
  const auto it = files.find(set);
  if (it != files.end()) {
    if (data_dir.empty()) fail("--set " + set, "needs --data DIR");
    return (std::filesystem::path(data_dir) / it->second).string();
  }
  if (set.size() > 6 && set.ends_with(".jsonl")) return set;
  fail("--set",
       "unknown prompt set '" + set + "' (xstest, advbench, simplesafetytests or FILE.jsonl)");
}

std::vector<SafetyPrompt> load_prompt_set(const std::string& set, const std::string& data_dir,
                                          int limit) {
  const std::string path = prompt_set_file(set, data_dir);
  std::vector<SafetyPrompt> ps = set == "xstest"              ? read_xstest(path)
                                 : set == "advbench"          ? read_advbench(path)
                                 : set == "simplesafetytests" ? read_simplesafetytests(path)
                                                              : read_prompt_jsonl(path);
  if (limit >= 0 && size_t(limit) < ps.size()) ps.resize(size_t(limit));
  return ps;
}

}  // namespace rgeval::safety
