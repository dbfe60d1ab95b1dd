#include "reports/repro_section.h"

#include <sys/utsname.h>

#include <fstream>
#include <set>
#include <thread>

#include "engine/version.h"
#include "reports/report_format.h"

namespace rgeval::reports {

namespace {

std::string proc_value(const std::string& file, const std::string& key) {
  std::ifstream f(file);
  std::string line;
  while (std::getline(f, line))
    if (line.rfind(key, 0) == 0) {
      const size_t c = line.find(':');
      if (c == std::string::npos) continue;
      const size_t b = line.find_first_not_of(" \t", c + 1);
      return b == std::string::npos ? "" : line.substr(b);
    }
  return "";
}

}  // namespace

std::string this_machine() {
  std::string m = proc_value("/proc/cpuinfo", "model name");
  m += (m.empty() ? "" : ", ") + std::to_string(std::thread::hardware_concurrency()) +
       " logical cores";
  const std::string mem = proc_value("/proc/meminfo", "MemTotal");  // "16318548 kB"
  try {
    if (!mem.empty()) m += ", " + format_tick(std::stod(mem) * 1024.0, Units::Bytes) + " memory";
  } catch (const std::exception&) {  // an unexpected /proc format: leave the memory out
  }
  utsname u{};
  if (uname(&u) == 0) m += ", " + std::string(u.sysname) + " " + u.release + " " + u.machine;
  return m;
}

Section repro_section(const ReportProvenance& p, const std::vector<EvalRun>& evals,
                      const std::vector<SafetyRun>& safety,
                      const std::vector<ThroughputRun>& throughput,
                      const std::vector<SxsStudy>& studies) {
  Section s;
  s.id = "reproducibility";
  s.title = "Reproducibility";
  s.paragraphs.push_back("Report written by rgeval " + std::string(rgeval::version()) +
                         " (commit " + rgeval::commit() + ") on " + p.date + " on " +
                         this_machine() + ".");
  if (!p.command_line.empty()) s.paragraphs.push_back("Command: " + p.command_line);
  std::string dbs = "Databases:";
  for (const std::string& d : p.databases) dbs += " " + d;
  s.paragraphs.push_back(dbs);

  Table runs;
  runs.id = "repro_runs";
  runs.caption = "Runs: what produced each number";
  runs.header = {"Kind", "Database", "Run", "Model", "Started (UTC)", "rgeval", "Command line"};
  Table models;
  models.id = "repro_models";
  models.caption = "Models";
  models.header = {"Model",         "Config sha256", "Weights fingerprint", "Tokenizer sha256",
                   "Weights dtype", "Compute dtype"};
  Table data;
  data.id = "repro_data";
  data.caption = "Data files";
  data.header = {"Run", "Data directory", "File", "sha256"};
  std::set<std::string> seen_models;
  auto add_model = [&](const tasks::ModelIdentity& m) {
    const std::string key =
        m.model + m.config_sha256 + m.weights_fingerprint + m.tokenizer_sha256 + m.compute_dtype;
    if (seen_models.insert(key).second)
      models.rows.push_back({Cell(m.model), Cell(m.config_sha256), Cell(m.weights_fingerprint),
                             Cell(m.tokenizer_sha256), Cell(m.weights_dtype),
                             Cell(m.compute_dtype)});
  };
  for (const EvalRun& r : evals) {
    const std::string id = std::to_string(r.run_id);
    for (const EvalAttempt& a : r.attempts)
      runs.rows.push_back({Cell("eval"), Cell(r.db_path), Cell(id), Cell(r.model.model),
                           Cell(a.started_at), Cell(a.rgeval_version + " " + a.rgeval_commit),
                           Cell(a.command_line)});
    add_model(r.model);
    for (const auto& [rel, sha] : r.data_files.items())
      data.rows.push_back({Cell("eval " + id),
                           Cell(r.data_dir.empty() ? "(not found)" : r.data_dir), Cell(rel),
                           Cell(sha.is_string() ? sha.get<std::string>() : "")});
  }
  for (const SafetyRun& r : safety) {
    const std::string id = std::to_string(r.run.run_id);
    for (const std::string& c : r.command_lines)
      runs.rows.push_back({Cell("safety"), Cell(r.db_path), Cell(id), Cell(r.run.model.model),
                           Cell(r.run.started_at),
                           Cell(r.run.rgeval_version + " " + r.run.rgeval_commit), Cell(c)});
    add_model(r.run.model);
    data.rows.push_back(
        {Cell("safety " + id), Cell(""), Cell(r.run.prompt_set), Cell(r.run.set_file_sha256)});
  }
  for (const ThroughputRun& r : throughput) {
    const auto& R = r.result;
    runs.rows.push_back({Cell("throughput"), Cell(r.db_path), Cell(std::to_string(r.run_id)),
                         Cell(""), Cell(R.value("started_at", "")),
                         Cell(R.value("rgeval_version", "") + " " + R.value("rgeval_commit", "")),
                         Cell(R.value("command_line", ""))});
  }
  for (const SxsStudy& st : studies)
    runs.rows.push_back({Cell("side-by-side"), Cell(st.db_path), Cell(""), Cell(""), Cell(""),
                         Cell(""), Cell("rgeval sxs results --db " + st.db_path + " --json")});
  for (Table* t : {&runs, &models, &data})
    if (!t->rows.empty()) s.tables.push_back(*t);
  return s;
}

}  // namespace rgeval::reports
