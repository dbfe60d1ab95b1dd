// `rgeval report --db FILE [--db FILE ...] --out DIR [--data DIR]`: one report (HTML, Markdown,
// CSV, SVG, JSON) of everything the databases hold; never runs a model. Logic: reports/report.h.
#include <iostream>

#include "cli/command_line.h"
#include "cli/commands.h"
#include "reports/report.h"

namespace rgeval::cli {

void add_report(CLI::App& app, Runner& run) {
  auto* cmd = app.add_subcommand(
      "report",
      "Write an HTML/Markdown report of eval, safety, side-by-side and throughput results");
  auto o = std::make_shared<reports::ReportOptions>();
  auto out = std::make_shared<std::string>();
  cmd->add_option("--db", o->databases,
                  "Results database or side-by-side study database (repeatable)")
      ->required();
  cmd->add_option(
         "--out", *out,
         "Directory for report.html, report.md, report.json, the CSV tables and SVG charts")
      ->required();
  cmd->add_option("--data", o->data_dir,
                  "Data directory of the eval runs, when not where their --data said");
  cmd->callback([o, out, &run] {
    run = [o, out] {
      o->command_line = command_line();
      const reports::Report r = reports::build_report(*o);
      const auto files = reports::write_report(r, *out);
      std::cout << "report: " << files.front() << "\nsections:";
      for (const auto& s : r.sections) std::cout << " " << s.id;
      std::cout << "\n" << files.size() << " files in " << *out << "\n";
    };
  });
}

}  // namespace rgeval::cli
