// `rgeval sxs serve|rate|results`: running a study and reading its results (docs/sidebyside.md).
#include <filesystem>
#include <iostream>

#include "cli/commands.h"
#include "engine/error.h"
#include "sidebyside/results.h"
#include "sidebyside/server.h"
#include "sidebyside/study_db.h"
#include "sidebyside/terminal_rate.h"

namespace rgeval::cli {

namespace {

namespace sxs = rgeval::sidebyside;

struct UseOpts {
  std::string db, host = "127.0.0.1", token, baseline;
  int port = 8080;
  bool json = false;
  size_t samples = 2000;
  uint64_t seed = 20240411;
};

void require_file(const std::string& path) {
  if (!std::filesystem::exists(path))
    fail(path, "no such study database (create it with `rgeval sxs create`)");
}

}  // namespace

void add_sxs_use(CLI::App& g, Runner& run) {
  auto o = std::make_shared<UseOpts>();

  auto* serve = g.add_subcommand("serve", "Serve the rating web app (raters: /, admin: /admin)");
  serve->add_option("--db", o->db, "Study database")->required();
  serve->add_option("--host", o->host,
                    "Address to bind (default loopback; the app speaks plain HTTP)");
  serve->add_option("--port", o->port, "Port (0: any free port)")->check(CLI::Range(0, 65535));
  serve->callback([o, &run] {
    run = [o] {
      require_file(o->db);
      sxs::ServeOptions so;
      so.db_path = o->db;
      so.host = o->host;
      so.port = o->port;
      so.on_listening = [](const std::string& host, int port) {
        std::cout << "rgeval sxs: serving on http://" << host << ":" << port
                  << "/ (raters: /, admin: /admin)" << std::endl;
      };
      if (o->host != "127.0.0.1" && o->host != "localhost" && o->host != "::1")
        std::cerr << "rgeval sxs: warning: binding to " << o->host
                  << " exposes the app beyond this machine over plain HTTP; put it behind TLS\n";
      sxs::serve(so);
    };
  });

  auto* rate = g.add_subcommand("rate", "Rate in the terminal (for raters without a browser)");
  rate->add_option("--db", o->db, "Study database")->required();
  rate->add_option("--rater", o->token, "The rater's token")->required();
  rate->callback([o, &run] {
    run = [o] {
      require_file(o->db);
      store::Db db(o->db);
      sxs::ensure_schema(db);
      const size_t n = sxs::rate_in_terminal(db, o->token, std::cin, std::cout);
      std::cout << n << " ratings stored\n";
    };
  });

  auto* res = g.add_subcommand(
      "results",
      "Win rates with bootstrap and Wilson intervals, W/T/L, bias, agreement, Bradley-Terry");
  res->add_option("--db", o->db, "Study database")->required();
  res->add_flag("--json", o->json, "JSON instead of text");
  res->add_option("--bootstrap", o->samples, "Bootstrap replicates (prompts resampled)")
      ->check(CLI::Range(10, 1000000));
  res->add_option("--seed", o->seed, "Bootstrap seed");
  res->add_option("--baseline", o->baseline, "Report pairs with this system as (other, baseline)");
  res->callback([o, &run] {
    run = [o] {
      require_file(o->db);
      store::Db db(o->db);
      sxs::ensure_schema(db);
      sxs::ResultsOptions ro;
      ro.bootstrap.samples = o->samples;
      ro.bootstrap.seed = o->seed;
      ro.baseline = o->baseline;
      const auto r = sxs::study_results(db, ro);
      std::cout << (o->json ? r.dump(1) + "\n" : sxs::format_results(r)) << std::flush;
    };
  });
}

}  // namespace rgeval::cli
