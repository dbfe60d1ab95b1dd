// `rgeval sxs ...`: side-by-side human preference studies (docs/sidebyside.md). This file: the
// study set-up commands (create, import-prompts, import-responses, add-rater, admin-token, flag,
// import); cmd_sxs_use.cpp: serve, rate, results. Logic: sidebyside/.
#include <filesystem>
#include <iostream>

#include "cli/commands.h"
#include "engine/error.h"
#include "sidebyside/judgments_import.h"
#include "sidebyside/prompts_import.h"
#include "sidebyside/raters.h"
#include "sidebyside/responses_import.h"
#include "sidebyside/study_db.h"

namespace rgeval::cli {

namespace {

namespace sxs = rgeval::sidebyside;

struct Opts {
  std::string db, name, format, file, url = "http://127.0.0.1:8080", prompt, system;
  int scale = 5;
  int64_t seed = -1;
  long limit = 0;
  bool clear = false;
};

// An existing study database (every command but create).
std::unique_ptr<store::Db> open_study(const std::string& path) {
  if (!std::filesystem::exists(path))
    fail(path, "no such study database (create it with `rgeval sxs create`)");
  auto db = std::make_unique<store::Db>(path);
  sxs::ensure_schema(*db);
  return db;
}

CLI::Option* add_db(CLI::App* c, Opts& o) {
  return c->add_option("--db", o.db, "Study database (SQLite)")->required();
}

}  // namespace

void add_sxs(CLI::App& app, Runner& run) {
  auto* g = app.add_subcommand(
      "sxs", "Side-by-side human preference studies: set up, rate (web or terminal), results");
  g->require_subcommand(1);
  auto o = std::make_shared<Opts>();

  auto* create = g->add_subcommand("create", "Create a study database; prints the admin token");
  add_db(create, *o);
  create->add_option("--name", o->name, "Study name shown to raters")->required();
  create->add_option("--scale", o->scale, "5 (A much better .. B much better) or 3 points")
      ->check(CLI::IsMember({3, 5}));
  create
      ->add_option("--seed", o->seed,
                   "Seed of the left/right and order randomisation (default: random)")
      ->check(CLI::NonNegativeNumber);
  create->callback([o, &run] {
    run = [o] {
      if (std::filesystem::exists(o->db))
        fail(o->db, "exists already; a study gets a new database");
      store::Db db(o->db);
      const auto s = sxs::create_study(
          db, o->name, o->scale, o->seed >= 0 ? std::optional<uint64_t>(o->seed) : std::nullopt);
      std::cout << "study '" << o->name << "' created in " << o->db << " (scale " << o->scale
                << ", seed " << s.seed << ")\n"
                << "admin token (shown once; keep it secret): " << s.admin_token << "\n";
    };
  });

  auto* ip = g->add_subcommand(
      "import-prompts",
      "Add prompts: mt_bench, vicuna, alpaca_eval, humaneval, xstest, advbench, jsonl");
  add_db(ip, *o);
  ip->add_option("--format", o->format, "Format of FILE")
      ->required()
      ->check(CLI::IsMember(sxs::prompt_formats()));
  ip->add_option("--limit", o->limit, "Only the first N prompts")->check(CLI::NonNegativeNumber);
  ip->add_option("file", o->file, "Prompt file")->required();
  ip->callback([o, &run] {
    run = [o] {
      auto db = open_study(o->db);
      const auto c = sxs::store_prompts(*db, sxs::read_prompts(o->file, o->format, o->limit));
      std::cout << o->file << ": " << c.added << " prompts added, " << c.unchanged
                << " already present\n";
    };
  });

  auto* ir = g->add_subcommand("import-responses",
                               "Add responses: JSONL {\"prompt_id\",\"system\",\"response\"}");
  add_db(ir, *o);
  ir->add_option("file", o->file, "Responses JSONL")->required();
  ir->callback([o, &run] {
    run = [o] {
      auto db = open_study(o->db);
      const auto r = sxs::import_responses(*db, o->file);
      std::cout << o->file << ": " << r.added << " responses added, " << r.unchanged
                << " already present; " << r.items_total << " items to rate\n";
    };
  });

  auto* ar = g->add_subcommand("add-rater",
                               "Add a rater; prints the rater's secret token and sign-in link");
  add_db(ar, *o);
  ar->add_option("--name", o->name, "Rater name (letters, digits, . _ - @)")->required();
  ar->add_option("--url", o->url, "Base URL of `sxs serve`, for the printed link");
  ar->callback([o, &run] {
    run = [o] {
      auto db = open_study(o->db);
      const std::string t = sxs::add_rater(*db, o->name);
      std::string base = o->url;
      while (!base.empty() && base.back() == '/') base.pop_back();
      std::cout << "rater " << o->name << " token (shown once): " << t << "\nlink: " << base
                << "/#t=" << t << "\n";
    };
  });

  auto* at = g->add_subcommand(
      "admin-token", "Replace the admin token (the old one stops working); prints the new one");
  add_db(at, *o);
  at->callback([o, &run] {
    run = [o] {
      auto db = open_study(o->db);
      std::cout << "admin token (shown once): " << sxs::reset_admin_token(*db) << "\n";
    };
  });

  auto* fl = g->add_subcommand(
      "flag",
      "Mark a response as revealing its system's identity (its ratings leave the statistics)");
  add_db(fl, *o);
  fl->add_option("--prompt", o->prompt, "prompt_key")->required();
  fl->add_option("--system", o->system, "System name")->required();
  fl->add_flag("--clear", o->clear, "Remove the mark");
  fl->callback([o, &run] {
    run = [o] {
      auto db = open_study(o->db);
      sxs::flag_response(*db, o->prompt, o->system, !o->clear);
      std::cout << (o->clear ? "cleared" : "flagged") << ": " << o->system << " on " << o->prompt
                << "\n";
    };
  });

  auto* im = g->add_subcommand(
      "import", "Import pairwise judgments: AlpacaEval annotations.json or FastChat judgments");
  im->add_option("--db", o->db, "Study database (created if absent)")->required();
  im->add_option("--format", o->format, "alpaca_eval or fastchat")
      ->required()
      ->check(CLI::IsMember({"alpaca_eval", "fastchat"}));
  im->add_option("file", o->file, "Judgments file")->required();
  im->callback([o, &run] {
    run = [o] {
      store::Db db(o->db);
      sxs::ensure_schema(db);
      const auto r = sxs::import_judgments(db, o->file, o->format);
      std::cout << o->file << ": " << r.added << " judgments imported, " << r.skipped
                << " skipped (no preference)\n";
    };
  });

  add_sxs_use(*g, run);
}

}  // namespace rgeval::cli
