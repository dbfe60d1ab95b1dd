// `rgeval throughput --models M1,M2 [--depths ...] [--batches ...] [--prompt-lens ...] --out FILE
// [--charts DIR] [--db FILE] [--preset quick]`: sampling tokens/s vs depth, prefill tokens/s vs
// prompt length, state memory and the largest batch within a memory budget (docs/throughput.md).
// Logic: bench/throughput.h; charts: reports/throughput_charts.h.
#include <cctype>
#include <fstream>
#include <iostream>

#include "bench/throughput.h"
#include "cli/command_line.h"
#include "cli/commands.h"
#include "engine/error.h"
#include "reports/throughput_charts.h"

namespace rgeval::cli {

namespace {

struct Opts {
  bench::ThroughputOptions t;
  std::string memory_budget, preset, out, charts, db = "rgeval.db";
  int bandwidth_mib = 1024;
  bool no_db = false, no_png = false;
};

// "123", "16G", "16GiB", "512MB", "1.5GiB" -> bytes (K/M/G/T are binary multiples).
int64_t parse_bytes(const std::string& s) {
  size_t used = 0;
  double v = 0;
  try {
    v = std::stod(s, &used);
  } catch (const std::exception&) {
    fail("--memory-budget", "'" + s + "' is not a size (e.g. 17179869184, 16G, 16GiB)");
  }
  std::string unit = s.substr(used);
  for (auto& ch : unit) ch = char(std::toupper(static_cast<unsigned char>(ch)));
  double mult = 1;
  if (unit.empty() || unit == "B")
    mult = 1;
  else if (unit == "K" || unit == "KB" || unit == "KIB")
    mult = 1024.0;
  else if (unit == "M" || unit == "MB" || unit == "MIB")
    mult = 1048576.0;
  else if (unit == "G" || unit == "GB" || unit == "GIB")
    mult = 1073741824.0;
  else if (unit == "T" || unit == "TB" || unit == "TIB")
    mult = 1099511627776.0;
  else
    fail("--memory-budget", "unknown unit '" + s.substr(used) + "' (B, K, M, G, T)");
  if (!(v > 0)) fail("--memory-budget", "'" + s + "' must be positive");
  return int64_t(v * mult);
}

void run_throughput_cmd(Opts& o, const CLI::App* cmd) {
  bench::ThroughputOptions& t = o.t;
  auto given = [&](const char* name) { return cmd->count(name) > 0; };
  if (o.preset == "quick") {  // a small grid on the tiny built-ins; explicit options still win
    if (!given("--models")) t.models = {"builtin:tiny-griffin", "builtin:tiny-gemma"};
    if (!given("--depths")) t.depths = {16, 64, 256, 1024};
    if (!given("--batches")) t.batches = {1, 4};
    if (!given("--prompt-lens")) t.prompt_lens = {16, 64, 256};
    if (!given("--reps")) t.reps = 2;
    if (!given("--steps")) t.steps = 8;
    if (!given("--warmup")) t.warmup = 1;
    if (!given("--settle-seconds")) t.settle_seconds = 0;
    if (!given("--max-batch-cap")) t.max_batch_cap = 16;
    if (!given("--bandwidth-mib")) o.bandwidth_mib = 128;
  }
  t.bandwidth_bytes = int64_t(o.bandwidth_mib) << 20;
  t.command_line = command_line();
  t.log = [](const std::string& s) { std::cerr << "rgeval throughput: " << s << std::endl; };

  const nlohmann::json r = bench::run_throughput(t);
  std::cout << bench::format_throughput_table(r) << std::flush;
  if (!o.out.empty()) {
    std::ofstream f(o.out);
    f << r.dump(2) << "\n";
    if (!f) fail(o.out, "cannot write");
    std::cerr << "rgeval: wrote " << o.out << "\n";
  }
  if (!o.charts.empty()) {
    try {
      const auto files = reports::write_throughput_charts(r, o.charts, !o.no_png);
      std::cerr << "rgeval: wrote " << files.size() << " chart files to " << o.charts << "\n";
    } catch (const std::runtime_error& e) {
      throw Error(e.what());
    }
  }
  if (!o.no_db && !o.db.empty()) {
    const int64_t id = bench::store_throughput(o.db, r);
    std::cerr << "rgeval: stored as throughput run " << id << " in " << o.db << "\n";
  }
}

}  // namespace

void add_throughput(CLI::App& app, Runner& run) {
  auto o = std::make_shared<Opts>();
  CLI::App* cmd = app.add_subcommand(
      "throughput",
      "Sampling tokens/s vs depth, prefill tokens/s vs prompt length, state memory and max batch");
  auto& t = o->t;
  cmd->add_option("--models", t.models, "Models: directories or builtin:NAME, comma-separated")
      ->delimiter(',');
  cmd->add_option("--depths", t.depths,
                  "Depths (tokens in each state before the timed decode steps)")
      ->delimiter(',')
      ->capture_default_str();
  cmd->add_option("--batches", t.batches, "Decode batch sizes")
      ->delimiter(',')
      ->capture_default_str();
  cmd->add_option("--prompt-lens", t.prompt_lens, "Prefill prompt lengths")
      ->delimiter(',')
      ->capture_default_str();
  cmd->add_option("--reps", t.reps, "Repetitions (median, min, max reported)")
      ->check(CLI::PositiveNumber)
      ->capture_default_str();
  cmd->add_option("--steps", t.steps, "Timed decode steps per repetition")
      ->check(CLI::PositiveNumber)
      ->capture_default_str();
  cmd->add_option("--warmup", t.warmup, "Untimed decode steps before each repetition")
      ->check(CLI::NonNegativeNumber)
      ->capture_default_str();
  cmd->add_option("--settle-seconds", t.settle_seconds,
                  "Untimed decode steps after each model's load: at least this long, then until "
                  "the step time settles (at most 60 s)")
      ->check(CLI::NonNegativeNumber)
      ->capture_default_str();
  cmd->add_option("--threads", t.threads, "Threads (default: all cores)")
      ->check(CLI::NonNegativeNumber);
  cmd->add_option("--dtype", t.dtype, "Compute dtype: auto, f32, bf16")
      ->check(CLI::IsMember({"auto", "f32", "bf16"}))
      ->capture_default_str();
  cmd->add_option("--memory-budget", o->memory_budget,
                  "Memory budget, bytes (suffixes K, M, G; default: MemTotal)");
  cmd->add_option("--fill", t.fill,
                  "How states reach the depth: synthetic (arbitrary contents, default for "
                  "builtin:) or prefill "
                  "(a real prompt of `depth` random tokens, default for directories)")
      ->check(CLI::IsMember({"auto", "synthetic", "prefill"}))
      ->capture_default_str();
  cmd->add_option("--max-batch-cap", t.max_batch_cap,
                  "Largest batch actually run at the memory-budget batch")
      ->check(CLI::NonNegativeNumber)
      ->capture_default_str();
  cmd->add_option("--max-batch-depths", t.max_batch_depths,
                  "Depths for the max-batch runs (default: first, middle and last depth)")
      ->delimiter(',');
  cmd->add_option("--bandwidth-mib", o->bandwidth_mib, "Read-bandwidth probe buffer, MiB")
      ->check(CLI::Range(16, 65536))
      ->capture_default_str();
  cmd->add_option("--out", o->out, "Write the results as JSON to this file");
  cmd->add_option("--charts", o->charts,
                  "Write SVG charts (and PNG when rsvg-convert or convert exists) here");
  cmd->add_flag("--no-png", o->no_png, "Write SVG charts only");
  cmd->add_option("--db", o->db, "SQLite results database")->capture_default_str();
  cmd->add_flag("--no-db", o->no_db, "Do not store the results in the database");
  cmd->add_option("--preset", o->preset,
                  "quick: a small grid on the tiny built-in models (CI, demo)")
      ->check(CLI::IsMember({"quick"}));
  cmd->callback([o, cmd, &run] {  // usage errors here exit with 2
    if (o->t.models.empty() && o->preset.empty())
      throw CLI::RequiredError("--models (or --preset quick)");
    if (!o->memory_budget.empty()) {
      try {
        o->t.memory_budget = parse_bytes(o->memory_budget);
      } catch (const Error& e) {
        throw CLI::ValidationError(e.what());
      }
    }
    run = [o, cmd] { run_throughput_cmd(*o, cmd); };
  });
}

}  // namespace rgeval::cli
