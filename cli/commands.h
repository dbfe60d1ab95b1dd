// Each subcommand registers itself on the app; run() executes the parsed one.
#pragma once
#include <CLI/CLI.hpp>
#include <functional>

namespace rgeval::cli {

using Runner = std::function<void()>;

// Each add_* adds a subcommand and sets `run` to its action when the subcommand is chosen.
void add_info(CLI::App& app, Runner& run);
void add_tokenize(CLI::App& app, Runner& run);
void add_logits(CLI::App& app, Runner& run);
void add_generate(CLI::App& app, Runner& run);
void add_score(CLI::App& app, Runner& run);
void add_requests(CLI::App& app, Runner& run);
void add_eval(CLI::App& app, Runner& run);
void add_throughput(CLI::App& app, Runner& run);
void add_safety(CLI::App& app, Runner& run);
void add_sxs(CLI::App& app, Runner& run);      // cmd_sxs.cpp: side-by-side studies
void add_sxs_use(CLI::App& sxs, Runner& run);  // cmd_sxs_use.cpp: sxs serve, rate, results
void add_report(CLI::App& app, Runner& run);   // cmd_report.cpp: rgeval report
void add_demo(CLI::App& app, Runner& run);     // cmd_demo.cpp: rgeval demo

}  // namespace rgeval::cli
