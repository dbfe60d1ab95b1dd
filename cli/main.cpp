// rgeval: evaluate and benchmark recurrent (RecurrentGemma) and transformer (Gemma) models on CPU.
#include <iostream>

#include "cli/commands.h"
#include "engine/error.h"
#include "engine/version.h"

int main(int argc, char** argv) {
  CLI::App app{"rgeval: evaluate and benchmark RecurrentGemma and Gemma models on CPU"};
  app.set_version_flag("--version",
                       std::string("rgeval ") + rgeval::version() + " (" + rgeval::commit() + ")");
  app.require_subcommand(1);
  rgeval::cli::Runner run;
  rgeval::cli::add_info(app, run);
  rgeval::cli::add_tokenize(app, run);
  rgeval::cli::add_logits(app, run);
  rgeval::cli::add_generate(app, run);
  rgeval::cli::add_score(app, run);
  rgeval::cli::add_requests(app, run);
  rgeval::cli::add_eval(app, run);
  rgeval::cli::add_throughput(app, run);
  rgeval::cli::add_safety(app, run);
  rgeval::cli::add_sxs(app, run);
  rgeval::cli::add_report(app, run);
  rgeval::cli::add_demo(app, run);
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    const int code = app.exit(e);
    return code == 0 ? 0 : 2;
  }
  try {
    run();
  } catch (const rgeval::Error& e) {
    std::cerr << "rgeval: " << e.what() << "\n";
    return 1;
  } catch (const std::exception& e) {
    std::cerr << "rgeval: internal error: " << e.what() << "\n";
    return 1;
  }
  return 0;
}
