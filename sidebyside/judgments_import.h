// Existing pairwise judgments, imported to reuse the statistics (sxs_judgments):
//   alpaca_eval: AlpacaEval annotations.json, a JSON array of {instruction, generator_1,
//     generator_2, dataset, annotator, preference}; preference 1 = output_1 preferred,
//     2 = output_2 preferred, 0 = a tie (identical outputs), values between 1 and 2 = a soft
//     preference; null (a failed annotation) is skipped. score_a = 2 - preference (0 -> 0.5).
//   fastchat: FastChat/MT-Bench/Chatbot Arena records (JSON array or JSONL) either
//     {question_id, model_a, model_b, winner: model_a|model_b|tie|tie (bothbad), judge, turn}
//     (human judgments, arena battles) or {question_id, model_1, model_2, g1_winner, g2_winner,
//     judge, turn} (GPT-4 pairwise: the two orders must agree, otherwise a tie, as FastChat's
//     show_result counts them; "error" is skipped). prompt_key = "mt_bench/<question_id>".
// A file whose bytes were imported before is refused (its SHA-256 is kept in sxs_meta).
#pragma once
#include <string>

#include "store/sqlite_db.h"

namespace rgeval::sidebyside {

struct JudgmentImport {
  size_t added = 0, skipped = 0;
};

JudgmentImport import_judgments(store::Db& db, const std::string& path, const std::string& format);

}  // namespace rgeval::sidebyside
