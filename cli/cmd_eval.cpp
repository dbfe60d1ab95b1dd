// `rgeval eval --model M --tasks mmlu,hellaswag,piqa --data DIR [--db FILE] [--out FILE] ...`:
// academic benchmarks with results stored (and resumed) in SQLite. Logic: tasks/evaluate.h.
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <fstream>
#include <iostream>

#include "cli/command_line.h"
#include "cli/commands.h"
#include "cli/load.h"
#include "engine/error.h"
#include "tasks/evaluate.h"

namespace rgeval::cli {

namespace {

struct Opts {
  ModelArgs model;
  std::vector<std::string> tasks;
  std::string data, db = "rgeval.db", out, log_samples;
  int num_fewshot = -1, limit = -1;
  size_t unit_docs = 64;
  bool naive = false;
};

void run_eval(const Opts& o) {
  tasks::EvalOptions eo;
  eo.tasks = o.tasks;
  eo.data_dir = o.data;
  eo.num_fewshot = o.num_fewshot;
  eo.limit = o.limit;
  eo.naive = o.naive;
  eo.db_path = o.db;
  eo.log_samples = o.log_samples;
  eo.command_line = command_line();
  eo.threads = o.model.threads;
  eo.unit_docs = o.unit_docs;
  if (const char* k = std::getenv("RGEVAL_TEST_KILL_AFTER_DOCS")) eo.test_kill_after_docs = std::atoi(k);  // tests only
  const bool tty = ::isatty(2);
  auto last = std::chrono::steady_clock::now() - std::chrono::seconds(1);
  eo.on_progress = [&](const tasks::EvalProgress& p) {
    const auto now = std::chrono::steady_clock::now();
    if (!p.final && now - last < std::chrono::milliseconds(500)) return;
    last = now;
    std::cerr << (tty ? "\r\033[K" : "") << tasks::format_progress(p) << (tty && !p.final ? "" : "\n") << std::flush;
  };

  LoadedModel m = load_model_args(o.model);
  const tasks::ModelIdentity id = tasks::model_identity(o.model.model, m.checkpoint, *m.model);
  const tasks::EvalResult r = tasks::evaluate(*m.model, *m.tokenizer, id, eo);
  std::cerr << "rgeval: run " << r.run_key.substr(0, 12) << " in " << o.db << ": " << r.docs_total
            << " documents, " << r.docs_reused << " already stored, " << r.docs_computed << " computed\n";
  std::cout << tasks::format_table(r) << std::flush;
  if (!o.out.empty()) {
    std::ofstream f(o.out, std::ios::binary);
    if (!f) fail(o.out, "cannot write");
    f << r.json.dump(1) << '\n';
    if (!f.flush()) fail(o.out, "write error");
  }
}

}  // namespace

void add_eval(CLI::App& app, Runner& run) {
  auto* cmd = app.add_subcommand("eval", "Run benchmarks (MMLU, HellaSwag, PIQA, ...), results stored in SQLite");
  auto o = std::make_shared<Opts>();
  add_model_options(cmd, o->model);
  cmd->add_option("--tasks", o->tasks,
                  "Comma-separated: mmlu, mmlu_<subject>, hellaswag, piqa, arc_easy, arc_challenge, openbookqa, "
                  "boolq, social_iqa")
      ->required()
      ->delimiter(',');
  cmd->add_option("--data", o->data, "Data directory (holding mmlu/, hellaswag/, piqa/, ...)")->required();
  cmd->add_option("--num-fewshot", o->num_fewshot, "Few-shot examples (default: MMLU 5, others 0)")
      ->check(CLI::NonNegativeNumber);
  cmd->add_option("--limit", o->limit, "First N documents per task (per MMLU subject)")->check(CLI::NonNegativeNumber);
  cmd->add_option("--db", o->db, "Results database (SQLite; created if absent; resumes a run)")
      ->capture_default_str();
  cmd->add_option("--out", o->out, "Write the results JSON here");
  cmd->add_option("--log-samples", o->log_samples, "Write one JSON line per document (requests, scores, predictions)");
  cmd->add_option("--unit-docs", o->unit_docs, "Documents per scoring call (shared prefixes are computed once per call)")
      ->capture_default_str()
      ->check(CLI::PositiveNumber);
  cmd->add_flag("--naive", o->naive, "One full forward per request (no prefix sharing)");
  cmd->callback([&run, o] { run = [o] { run_eval(*o); }; });
}

}  // namespace rgeval::cli
