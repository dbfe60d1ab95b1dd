// `rgeval demo [--out DIR]`: the whole pipeline on a fresh machine, without a checkpoint or a
// download: sample data written by rgeval, eval and safety of the two tiny built-in models, a
// side-by-side study of their responses ready to rate, the quick throughput preset, and the report.
// Each step runs this same binary's subcommand (the commands a user would type, printed), so the
// demo exercises exactly what they do; progress goes to stderr, the summary to stdout.
#include <fcntl.h>
#include <spawn.h>
#include <sys/wait.h>

#include <cerrno>
#include <chrono>
#include <cmath>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iostream>

#include "cli/command_line.h"
#include "cli/commands.h"
#include "engine/error.h"
#include "reports/demo_data.h"
#include "reports/report.h"
#include "safety/export.h"
#include "safety/safety_db.h"
#include "sidebyside/prompts_import.h"
#include "sidebyside/raters.h"
#include "sidebyside/responses_import.h"
#include "sidebyside/study_db.h"

extern char** environ;

namespace rgeval::cli {

namespace {

namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;
using nlohmann::json;

struct DemoOpts {
  std::string out = "rgeval-demo";
  int threads = 0;
  int max_new_tokens = 24;
};

const char* const kModels[] = {"builtin:tiny-griffin", "builtin:tiny-gemma"};

std::string short_name(const std::string& m) { return m.substr(m.find(':') + 1); }

struct Demo {
  DemoOpts o;
  fs::path out, data, logs;
  std::string db, study, tput_db;
  Clock::time_point start = Clock::now();
  int step = 0;
  static constexpr int kSteps = 6;

  void progress(const std::string& what) {
    const double s = std::chrono::duration<double>(Clock::now() - start).count();
    std::fprintf(stderr, "rgeval demo [%d/%d, %.0f s]: %s\n", ++step, kSteps, s, what.c_str());
  }

  // Runs `rgeval ARGS...` (this binary), stdout to logs/NAME.txt, stderr (progress) shown.
  void run_rgeval(const std::string& name, std::vector<std::string> args) {
    if (o.threads > 0 && args[0] != "throughput")
      args.insert(args.end(), {"--threads", std::to_string(o.threads)});
    std::string shown = "rgeval";
    for (const auto& a : args) shown += " " + shell_quote(a);
    std::cerr << "  $ " << shown << std::endl;
    const std::string log = (logs / (name + ".txt")).string();
    std::vector<std::string> argv_s = {"rgeval"};
    argv_s.insert(argv_s.end(), args.begin(), args.end());
    std::vector<char*> argv;
    for (auto& a : argv_s) argv.push_back(a.data());
    argv.push_back(nullptr);
    posix_spawn_file_actions_t fa;
    posix_spawn_file_actions_init(&fa);
    posix_spawn_file_actions_addopen(&fa, 1, log.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    pid_t pid = 0;
    const int rc = posix_spawn(&pid, "/proc/self/exe", &fa, nullptr, argv.data(), environ);
    posix_spawn_file_actions_destroy(&fa);
    if (rc != 0) fail("rgeval demo", "cannot start '" + shown + "': " + std::strerror(rc));
    int status = 0;
    while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {
    }
    if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
      fail("rgeval demo", "'" + shown + "' failed (" +
                              (WIFEXITED(status) ? "exit " + std::to_string(WEXITSTATUS(status))
                                                 : "signal " + std::to_string(WTERMSIG(status))) +
                              "); its output is in " + log);
  }

  json read_json(const fs::path& p) {
    std::ifstream f(p);
    try {
      return json::parse(f);
    } catch (const std::exception& e) {
      fail(p.string(), std::string("invalid JSON: ") + e.what());
    }
  }

  // The study: prompts and both models' responses from the safety runs (created once; rerunning
  // the demo imports the same responses again, which changes nothing and keeps any ratings).
  std::string prepare_study(const std::vector<int64_t>& safety_runs) {
    const fs::path sxs_dir = out / "sxs";
    fs::create_directories(sxs_dir);
    std::vector<std::string> response_files;
    {
      store::Db db(this->db);
      for (size_t i = 0; i < safety_runs.size(); ++i) {
        const auto responses = safety::load_responses(db, safety_runs[i]);
        const std::string f =
            (sxs_dir / ("responses-" + short_name(kModels[i]) + ".jsonl")).string();
        safety::write_responses_jsonl(responses, short_name(kModels[i]), f);
        response_files.push_back(f);
        if (i == 0) safety::write_prompts_jsonl(responses, (sxs_dir / "prompts.jsonl").string());
      }
    }
    const bool fresh = !fs::exists(study);
    store::Db db(study);
    std::string token;
    if (fresh) {
      sidebyside::create_study(db, "rgeval demo: tiny-griffin vs tiny-gemma (XSTest-style prompts)",
                               5, 20240411);
      token = sidebyside::add_rater(db, "demo");
    } else {
      sidebyside::ensure_schema(db);
    }
    sidebyside::store_prompts(
        db, sidebyside::read_prompts((sxs_dir / "prompts.jsonl").string(), "jsonl"));
    size_t items = 0;
    for (const auto& f : response_files) items = sidebyside::import_responses(db, f).items_total;
    std::cerr << "  study " << study << ": " << items << " items to rate\n";
    return token;
  }
};

std::string pct(const json& v) {
  if (!v.is_number()) return "-";
  char b[32];
  std::snprintf(b, sizeof b, "%.1f%%", 100 * v.get<double>());
  return b;
}

void run_demo(const DemoOpts& opts) {
  Demo d;
  d.o = opts;
  d.out = fs::absolute(opts.out);
  d.data = d.out / "data";
  d.logs = d.out / "logs";
  d.db = (d.out / "rgeval.db").string();
  d.study = (d.out / "study.db").string();
  d.tput_db = (d.out / "throughput.db").string();
  fs::create_directories(d.logs);
  std::cerr << "rgeval demo: the whole pipeline on the two tiny built-in models (random weights: "
               "every score is\n"
               "chance level, 25% on four choices, 50% on two; the point is to see the pipeline "
               "work). Output: "
            << d.out.string() << "\n";

  d.progress("writing the sample data (a few MMLU, HellaSwag, PIQA and XSTest-style items) to " +
             d.data.string());
  reports::write_demo_data(d.data.string());

  d.progress("evaluating both models on mmlu, hellaswag, piqa (resumes from " + d.db + ")");
  for (const char* m : kModels)
    d.run_rgeval("eval-" + short_name(m),
                 {"eval", "--model", m, "--tasks", "mmlu,hellaswag,piqa", "--data", d.data.string(),
                  "--db", d.db, "--out", (d.out / ("eval-" + short_name(m) + ".json")).string()});

  d.progress("safety: generating both models' answers to the XSTest-style prompts");
  std::vector<int64_t> safety_runs;
  for (const char* m : kModels) {
    const fs::path res = d.out / ("safety-" + short_name(m) + ".json");
    d.run_rgeval(
        "safety-" + short_name(m),
        {"safety", "--model", m, "--set", "xstest", "--data", d.data.string(), "--db", d.db,
         "--max-new-tokens", std::to_string(opts.max_new_tokens), "--out", res.string()});
    safety_runs.push_back(d.read_json(res)["config"]["run_id"].get<int64_t>());
  }

  d.progress("side-by-side: a study of the two models' responses, ready to rate");
  const std::string token = d.prepare_study(safety_runs);

  d.progress("throughput: the quick preset (sampling vs depth, prefill, state bytes, max batch)");
  for (const char* suffix : {"", "-wal", "-shm"})
    fs::remove(d.tput_db + suffix);  // one run per demo
  d.run_rgeval("throughput", {"throughput", "--preset", "quick", "--db", d.tput_db, "--out",
                              (d.out / "throughput.json").string(), "--no-png"});

  d.progress("writing the report");
  reports::ReportOptions ro;
  ro.databases = {d.db, d.study, d.tput_db};
  ro.command_line = command_line();
  const reports::Report report = reports::build_report(ro);
  const auto files = reports::write_report(report, (d.out / "report").string());
  const double secs = std::chrono::duration<double>(Clock::now() - d.start).count();

  // The summary, from the numbers in the report.
  const json data = json::parse(report.data.dump());
  std::cout << "\nrgeval demo done in " << std::lround(secs) << " s. Report: " << files.front()
            << "\n\n";
  for (const auto& e : data["eval"]) {
    const auto& r = e["results"];
    std::cout << "  " << e["config"]["model"].get<std::string>() << ": MMLU "
              << pct(e["groups"]["mmlu"]["acc"]) << ", HellaSwag acc_norm "
              << pct(r["hellaswag"]["acc_norm"]) << ", PIQA acc_norm " << pct(r["piqa"]["acc_norm"])
              << "\n";
  }
  for (const auto& s : data["safety"]) {
    const auto& x = s["results"].begin().value();
    std::cout << "  " << s["config"]["model"].get<std::string>() << " on "
              << s["config"]["set"].get<std::string>() << ": refusal "
              << pct(x["refusal_rate"]["rate"]) << ", over-refusal "
              << pct(x["over_refusal_rate"]["rate"]) << "\n";
  }
  for (const auto& t : data["throughput"])
    for (const auto& row : t["result"]["rows"])
      if (row["test"] == "tg" && row["batch"] == 1 && !row.value("at_max_batch", false) &&
          (row["depth"] == 16 || row["depth"] == 1024))
        std::cout << "  " << row["model"].get<std::string>() << " sampling at depth "
                  << row["depth"] << ": "
                  << std::lround(row["tokens_per_s"]["median"].get<double>()) << " tokens/s, state "
                  << row["state_bytes"] << " bytes\n";
  std::cout << "\nThese tiny models have random weights: the scores above are chance level and "
               "compare nothing.\n"
               "The throughput rows do show the architectures: tiny-griffin's state stops growing "
               "at its 32-token\n"
               "window, tiny-gemma's cache grows with the depth.\n\n"
               "Rate the side-by-side study (in a browser):\n"
               "  rgeval sxs serve --db "
            << d.study << "\n";
  if (!token.empty())
    std::cout << "  then open http://127.0.0.1:8080/#t=" << token
              << " (rater \"demo\"; the token is shown once)\n";
  else
    std::cout << "  add a rater first: rgeval sxs add-rater --db " << d.study << " --name NAME\n";
  std::cout << "  and write the report again: rgeval report --db " << d.db << " --db " << d.study
            << " --db " << d.tput_db << " --out " << (d.out / "report").string() << "\n\n"
            << "Real models and data (README, \"Real models\"): download the Hugging Face "
               "checkpoints (e.g.\n"
               "  huggingface-cli download google/recurrentgemma-2b --local-dir ckpt/rg2b) and the "
               "benchmarks in\n"
               "  their original formats under DATA/, then:\n"
               "  rgeval eval --model ckpt/rg2b --tasks mmlu,hellaswag,piqa --data DATA --db "
               "rgeval.db --out rg2b.json\n"
               "  rgeval throughput --models builtin:recurrentgemma-2b,builtin:gemma-2b --db "
               "rgeval.db --out fig1.json\n"
               "  rgeval report --db rgeval.db --out report/\n";
}

}  // namespace

void add_demo(CLI::App& app, Runner& run) {
  auto* cmd = app.add_subcommand(
      "demo", "Run everything on the tiny built-in models and sample data, then write the report");
  auto o = std::make_shared<DemoOpts>();
  cmd->add_option("--out", o->out, "Output directory (data, databases, logs, report/)")
      ->capture_default_str();
  cmd->add_option("--threads", o->threads, "Threads for eval and safety (default: all cores)")
      ->check(CLI::NonNegativeNumber);
  cmd->add_option("--max-new-tokens", o->max_new_tokens, "Tokens per safety response")
      ->check(CLI::PositiveNumber)
      ->capture_default_str();
  cmd->callback([o, &run] { run = [o] { run_demo(*o); }; });
}

}  // namespace rgeval::cli
