#include "reports/throughput_charts.h"

#include <fcntl.h>
#include <spawn.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <set>
#include <stdexcept>

extern char** environ;

namespace rgeval::reports {

namespace {

using json = nlohmann::json;

std::string str(const json& j, const char* key, const std::string& dflt = "") {
  return j.is_object() && j.contains(key) && j[key].is_string() ? j[key].get<std::string>() : dflt;
}

double num(const json& j, const char* key, double dflt = NAN) {
  return j.is_object() && j.contains(key) && j[key].is_number() ? j[key].get<double>() : dflt;
}

std::string fmt(const char* f, double v) {
  char b[64];
  std::snprintf(b, sizeof b, f, v);
  return b;
}

std::string machine_line(const json& r) {
  const json m = r.value("machine", json::object());
  std::string s = str(m, "cpu", "unknown CPU");
  s += " | oneDNN ISA " + str(m, "dnnl_isa", "?");
  if (m.contains("threads")) s += " | " + std::to_string(m["threads"].get<int>()) + " threads";
  const double bw = num(m, "read_bandwidth_gbs");
  if (std::isfinite(bw)) s += " | read bandwidth " + fmt("%.1f", bw) + " GB/s";
  const std::string dt = str(r.value("options", json::object()), "dtype");
  if (!dt.empty()) s += " | dtype " + dt;
  const std::string ver = str(r, "rgeval_version");
  if (!ver.empty()) s += " | rgeval " + ver;
  const std::string when = str(r, "started_at");
  if (!when.empty()) s += " | " + when;
  return s;
}

// Orders model names as they first appear in the rows.
template <typename Key>
struct Ordered {
  std::vector<Key> keys;
  std::map<Key, size_t> index;
  size_t at(const Key& k) {
    auto [it, fresh] = index.emplace(k, keys.size());
    if (fresh) keys.push_back(k);
    return it->second;
  }
};

Scale y_scale_for(const std::vector<Series>& ss) {
  double lo = INFINITY, hi = 0;
  for (const auto& s : ss)
    for (double v : s.y)
      if (std::isfinite(v) && v > 0) lo = std::min(lo, v), hi = std::max(hi, v);
  return hi > 0 && hi / lo > 30 ? Scale::Log10 : Scale::Linear;
}

bool on_path(const std::string& prog) {
  const char* path = std::getenv("PATH");
  if (!path) return false;
  std::string p = path;
  size_t i = 0;
  while (i <= p.size()) {
    const size_t j = p.find(':', i);
    const std::string dir = p.substr(i, j == std::string::npos ? std::string::npos : j - i);
    const std::string f = (dir.empty() ? "." : dir) + "/" + prog;
    if (::access(f.c_str(), X_OK) == 0) return true;
    if (j == std::string::npos) break;
    i = j + 1;
  }
  return false;
}

// Runs argv with stdin/stdout/stderr on /dev/null; true on exit status 0.
bool run_quiet(std::vector<std::string> args) {
  std::vector<char*> argv;
  for (auto& a : args) argv.push_back(a.data());
  argv.push_back(nullptr);
  posix_spawn_file_actions_t fa;
  posix_spawn_file_actions_init(&fa);
  posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDONLY, 0);
  posix_spawn_file_actions_addopen(&fa, 1, "/dev/null", O_WRONLY, 0);
  posix_spawn_file_actions_addopen(&fa, 2, "/dev/null", O_WRONLY, 0);
  pid_t pid = 0;
  const int rc = posix_spawnp(&pid, argv[0], &fa, nullptr, argv.data(), environ);
  posix_spawn_file_actions_destroy(&fa);
  if (rc != 0) return false;
  int status = 0;
  if (waitpid(pid, &status, 0) != pid) return false;
  return WIFEXITED(status) && WEXITSTATUS(status) == 0;
}

}  // namespace

std::string short_model_name(const std::string& spec) {
  if (spec.rfind("builtin:", 0) == 0) return spec.substr(8);
  std::string s = spec;
  while (s.size() > 1 && s.back() == '/') s.pop_back();
  const size_t slash = s.find_last_of('/');
  return slash == std::string::npos ? s : s.substr(slash + 1);
}

std::vector<std::pair<std::string, Chart>> throughput_charts(const json& r) {
  std::vector<std::pair<std::string, Chart>> out;
  const std::string foot = machine_line(r);
  const json rows = r.value("rows", json::array());
  const json opts = r.value("options", json::object());
  const int reps = opts.contains("reps") && opts["reps"].is_number() ? opts["reps"].get<int>() : 0;
  const std::string reps_s = reps > 0 ? "median of " + std::to_string(reps) + " repetitions" : "median";

  // 1. Sampling tokens/s vs depth: one line per model x batch (the grid, not the max-batch runs).
  {
    Chart c;
    c.title = "Sampling throughput vs depth";
    c.subtitle = "batched decode steps at a given depth, prompt processing excluded (" + reps_s + ")";
    c.footnote = foot;
    c.x = {"depth (tokens already in each sequence's state)", Scale::Log2, Units::BinaryCount};
    Ordered<std::pair<std::string, int>> keys;
    std::vector<Series> ss;
    for (const auto& row : rows) {
      if (str(row, "test") != "tg" || row.value("at_max_batch", false)) continue;
      const auto key = std::make_pair(str(row, "model"), int(num(row, "batch", 0)));
      const size_t i = keys.at(key);
      if (i == ss.size()) ss.push_back({short_model_name(key.first) + " B=" + std::to_string(key.second), {}, {}, false});
      ss[i].x.push_back(num(row, "depth"));
      ss[i].y.push_back(num(row.value("tokens_per_s", json::object()), "median"));
    }
    for (auto& s : ss) {  // x ascending
      std::vector<size_t> idx(s.x.size());
      for (size_t i = 0; i < idx.size(); ++i) idx[i] = i;
      std::sort(idx.begin(), idx.end(), [&](size_t a, size_t b) { return s.x[a] < s.x[b]; });
      Series t{s.name, {}, {}, s.dashed};
      for (size_t i : idx) t.x.push_back(s.x[i]), t.y.push_back(s.y[i]);
      s = std::move(t);
    }
    c.y = {"tokens/s (all sequences of the batch)", y_scale_for(ss), Units::Number};
    c.series = std::move(ss);
    out.emplace_back("tg_vs_depth", std::move(c));
  }
  // 2. Prefill tokens/s vs prompt length.
  {
    Chart c;
    c.title = "Prefill throughput vs prompt length";
    c.subtitle = "one sequence, fresh state, whole prompt through forward() (" + reps_s + ")";
    c.footnote = foot;
    c.x = {"prompt length (tokens)", Scale::Log2, Units::BinaryCount};
    Ordered<std::string> keys;
    std::vector<Series> ss;
    for (const auto& row : rows) {
      if (str(row, "test") != "pp") continue;
      const size_t i = keys.at(str(row, "model"));
      if (i == ss.size()) ss.push_back({short_model_name(keys.keys[i]), {}, {}, false});
      ss[i].x.push_back(num(row, "n_tokens"));
      ss[i].y.push_back(num(row.value("tokens_per_s", json::object()), "median"));
    }
    c.y = {"prompt tokens/s", y_scale_for(ss), Units::Number};
    c.series = std::move(ss);
    out.emplace_back("pp_vs_length", std::move(c));
  }
  const json mem = r.value("memory", json::object());
  const json models = mem.value("models", json::array());
  const double budget = num(mem, "budget_bytes");
  // 3. State bytes vs length.
  {
    Chart c;
    c.title = "Per-sequence state vs sequence length";
    c.subtitle = "bytes of one sequence's state (KV cache, attention ring, conv and RG-LRU state)";
    c.footnote = foot;
    c.x = {"sequence length (tokens)", Scale::Log2, Units::BinaryCount};
    c.y = {"state bytes per sequence", Scale::Log2, Units::Bytes};
    for (const auto& m : models) {
      Series s{short_model_name(str(m, "model")), {}, {}, false};
      for (const auto& p : m.value("state_curve", json::array())) {
        s.x.push_back(num(p, "length"));
        s.y.push_back(num(p, "state_bytes"));
      }
      c.series.push_back(std::move(s));
    }
    out.emplace_back("state_bytes", std::move(c));
  }
  // 4. Largest batch within the memory budget, per depth.
  {
    Chart c;
    c.kind = Chart::Kind::Bar;
    c.title = "Largest batch within the memory budget";
    c.subtitle = "(budget - weights - activation margin) / (state + activations per sequence), budget " +
                 (std::isfinite(budget) ? format_tick(budget, Units::Bytes) : std::string("?"));
    c.footnote = foot;
    std::vector<double> depths;
    for (const auto& m : models)
      for (const auto& p : m.value("state", json::array())) depths.push_back(num(p, "depth"));
    std::sort(depths.begin(), depths.end());
    depths.erase(std::unique(depths.begin(), depths.end()), depths.end());
    for (double d : depths) c.categories.push_back(format_tick(d, Units::BinaryCount));
    for (const auto& m : models) {
      Series s{short_model_name(str(m, "model")), {}, std::vector<double>(depths.size(), NAN), false};
      for (const auto& p : m.value("state", json::array())) {
        const auto it = std::lower_bound(depths.begin(), depths.end(), num(p, "depth"));
        if (it != depths.end()) s.y[size_t(it - depths.begin())] = num(p, "max_batch");
      }
      c.series.push_back(std::move(s));
    }
    c.x = {"depth (tokens)", Scale::Linear, Units::BinaryCount};
    c.y = {"sequences", y_scale_for(c.series), Units::Number};
    out.emplace_back("max_batch", std::move(c));
  }
  // 5. Tokens/s at that batch (capped), for the depths that were run.
  {
    Chart c;
    c.kind = Chart::Kind::Bar;
    c.title = "Sampling throughput at the largest batch";
    const double cap = num(mem, "max_batch_cap");
    c.subtitle = "decode tokens/s at batch = min(largest batch within the budget, " +
                 (std::isfinite(cap) ? fmt("%.0f", cap) : std::string("cap")) + ")";
    c.footnote = foot;
    std::vector<double> depths;
    for (const auto& row : rows)
      if (str(row, "test") == "tg" && row.value("at_max_batch", false)) depths.push_back(num(row, "depth"));
    std::sort(depths.begin(), depths.end());
    depths.erase(std::unique(depths.begin(), depths.end()), depths.end());
    Ordered<std::string> keys;
    std::vector<Series> ss;
    for (const auto& row : rows) {
      if (str(row, "test") != "tg" || !row.value("at_max_batch", false)) continue;
      const size_t i = keys.at(str(row, "model"));
      if (i == ss.size())
        ss.push_back({short_model_name(keys.keys[i]), {}, std::vector<double>(depths.size(), NAN), false});
      const auto it = std::lower_bound(depths.begin(), depths.end(), num(row, "depth"));
      ss[i].y[size_t(it - depths.begin())] = num(row.value("tokens_per_s", json::object()), "median");
    }
    for (double d : depths) c.categories.push_back("depth " + format_tick(d, Units::BinaryCount));
    for (auto& s : ss) {  // the batch each bar ran at, in the legend
      std::set<int> b;
      for (const auto& row : rows)
        if (str(row, "test") == "tg" && row.value("at_max_batch", false) &&
            short_model_name(str(row, "model")) == s.name)
          b.insert(int(num(row, "batch", 0)));
      std::string bs;
      for (int x : b) bs += (bs.empty() ? "" : ",") + std::to_string(x);
      s.name += " (B=" + bs + ")";
    }
    c.x = {"depth (tokens)", Scale::Linear, Units::BinaryCount};
    c.y = {"tokens/s (all sequences of the batch)", y_scale_for(ss), Units::Number};
    c.series = std::move(ss);
    out.emplace_back("max_batch_tokens_per_s", std::move(c));
  }
  return out;
}

std::vector<std::string> write_throughput_charts(const json& result, const std::string& dir, bool png) {
  std::error_code ec;
  std::filesystem::create_directories(dir, ec);
  if (ec) throw std::runtime_error(dir + ": cannot create the chart directory: " + ec.message());
  const bool rsvg = png && on_path("rsvg-convert");
  const bool magick = png && !rsvg && on_path("convert");
  std::vector<std::string> written;
  for (const auto& [stem, chart] : throughput_charts(result)) {
    const std::string svg = (std::filesystem::path(dir) / (stem + ".svg")).string();
    {
      std::ofstream f(svg, std::ios::binary);
      f << render_svg(chart);
      if (!f) throw std::runtime_error(svg + ": cannot write");
    }
    written.push_back(svg);
    if (!rsvg && !magick) continue;
    const std::string out = (std::filesystem::path(dir) / (stem + ".png")).string();
    const bool ok = rsvg ? run_quiet({"rsvg-convert", "-o", out, svg}) : run_quiet({"convert", svg, out});
    if (ok && std::filesystem::exists(out)) written.push_back(out);
  }
  return written;
}

}  // namespace rgeval::reports
