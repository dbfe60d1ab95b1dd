// `rgeval eval --model M --tasks mmlu,hellaswag,piqa --data DIR [--db FILE] [--out FILE] ...`:
// academic benchmarks with results stored (and resumed) in SQLite. Logic: tasks/evaluate.h.

#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <iostream>

#include "cli/command_line.h"
#include "cli/commands.h"
#include "cli/load.h"
#include "cli/progress_line.h"
#include "engine/error.h"
#include "tasks/eval_cluster.h"
#include "tasks/evaluate.h"
#ifdef RGEVAL_MPI
#include "tasks/eval_mpi.h"
#endif

namespace rgeval::cli {

namespace {

struct Opts {
  ModelArgs model;
  tasks::EvalOptions eval;  // the options bound to the command line (and their defaults)
  std::string out;
};

// "a / b / c (max/mean 1.02)"
std::string per_rank(const std::vector<int64_t>& v) {
  std::string s;
  for (size_t i = 0; i < v.size(); ++i) s += (i ? " / " : "") + std::to_string(v[i]);
  char buf[48];
  std::snprintf(buf, sizeof buf, " (max/mean %.3f)", tasks::max_over_mean(v));
  return s + buf;
}

// One process, or one rank of a distributed run (`cluster`, docs/mpi.md: only rank 0 prints).
void run_eval_on(const Opts& o, tasks::EvalCluster* cluster) {
  const bool root = !cluster || cluster->rank() == 0;
  tasks::EvalOptions eo = o.eval;
  eo.cluster = cluster;
  eo.command_line = command_line();
  eo.threads = o.model.threads;
  if (const char* k = std::getenv("RGEVAL_TEST_KILL_AFTER_DOCS"))
    eo.test_kill_after_docs = std::atoi(k);  // tests only
  if (const char* r = std::getenv("RGEVAL_TEST_KILL_RANK");
      r && cluster && std::atoi(r) != cluster->rank())
    eo.test_kill_after_docs = -1;  // tests only: the hook applies to that rank alone
  ProgressLine line;
  if (cluster && root)
    cluster->on_plan = [&](const tasks::ShardPlan& plan) {
      std::cerr << "rgeval: " << cluster->size() << " ranks, planned tokens per rank "
                << per_rank(plan.tokens_per_rank) << "\n";
    };
  if (root)
    eo.on_progress = [&](const tasks::EvalProgress& p) {
      line.show(tasks::format_progress(p), p.final);
    };

  LoadedModel m = load_model_args(o.model);
  const tasks::ModelIdentity id = tasks::model_identity(o.model.model, m.checkpoint, *m.model);
  const tasks::EvalResult r = tasks::evaluate(*m.model, *m.tokenizer, id, eo);
  if (!root) return;
  std::cerr << "rgeval: run " << r.run_key.substr(0, 12) << " in " << eo.db_path << ": "
            << r.docs_total << " documents, " << r.docs_reused << " already stored, "
            << r.docs_computed << " computed\n";
  if (cluster) {
    const auto& j = r.json.at("mpi");
    std::cerr << "rgeval: " << cluster->size() << " ranks, tokens forwarded per rank "
              << per_rank(j.at("tokens_forwarded_per_rank").get<std::vector<int64_t>>())
              << ", documents " << per_rank(j.at("docs_per_rank").get<std::vector<int64_t>>())
              << "\n";
  }
  std::cout << tasks::format_table(r) << std::flush;
  if (!o.out.empty()) {
    std::ofstream f(o.out, std::ios::binary);
    if (!f) fail(o.out, "cannot write");
    f << r.json.dump(1) << '\n';
    if (!f.flush()) fail(o.out, "write error");
  }
}

void run_eval(const Opts& o) {
#ifdef RGEVAL_MPI
  if (tasks::mpi_launched()) {  // a rank of `mpirun ... rgeval eval` (docs/mpi.md)
    tasks::MpiEvalCluster mpi;
    try {
      run_eval_on(o, &mpi);
    } catch (const std::exception& e) {
      mpi.abort(e.what());  // every rank ends, the job fails naming this rank
    }
    return;
  }
#endif
  run_eval_on(o, nullptr);
}

}  // namespace

void add_eval(CLI::App& app, Runner& run) {
  auto* cmd = app.add_subcommand(
      "eval", "Run benchmarks (MMLU, HellaSwag, PIQA, ...), results stored in SQLite");
  auto o = std::make_shared<Opts>();
  add_model_options(cmd, o->model);
  cmd->add_option("--tasks", o->eval.tasks,
                  "Comma-separated: mmlu, mmlu_<subject>, hellaswag, piqa, arc_easy, "
                  "arc_challenge, openbookqa, "
                  "boolq, social_iqa")
      ->required()
      ->delimiter(',');
  cmd->add_option("--data", o->eval.data_dir,
                  "Data directory (holding mmlu/, hellaswag/, piqa/, ...)")
      ->required();
  cmd->add_option("--num-fewshot", o->eval.num_fewshot,
                  "Few-shot examples (default: MMLU 5, others 0)")
      ->check(CLI::NonNegativeNumber);
  cmd->add_option("--limit", o->eval.limit, "First N documents per task (per MMLU subject)")
      ->check(CLI::NonNegativeNumber);
  cmd->add_option("--db", o->eval.db_path,
                  "Results database (SQLite; created if absent; resumes a run)")
      ->capture_default_str();
  cmd->add_option("--out", o->out, "Write the results JSON here");
  cmd->add_option("--log-samples", o->eval.log_samples,
                  "Write one JSON line per document (requests, scores, predictions)");
  cmd->add_option("--unit-docs", o->eval.unit_docs,
                  "Documents per scoring call (shared prefixes are computed once per call)")
      ->capture_default_str()
      ->check(CLI::PositiveNumber);
  cmd->add_flag("--naive", o->eval.naive, "One full forward per request (no prefix sharing)");
  cmd->callback([&run, o] { run = [o] { run_eval(*o); }; });
}

}  // namespace rgeval::cli
