// CrowS-Pairs (lm-eval `crows_pairs_english`) from the original nyu-mll/crows-pairs release:
//   DIR/crows_pairs/crows_pairs_anonymized.csv, header
//   ",sent_more,sent_less,stereo_antistereo,bias_type,annotations,anon_writer,anon_annotators"
//   (the unnamed first column is the row index in the full file: the doc_id).
// Requests: empty context (doc_to_text ""), target_delimiter "", choices [sent_more, sent_less]
// scored as whole sentences after BOS; gold 0.
// Metrics (lm-eval utils.process_results, mean aggregation): likelihood_diff =
// |ll(sent_more) - ll(sent_less)|, pct_stereotype = 1[ll(sent_more) > ll(sent_less)]; the same per
// bias_type as `<metric>_<bias_type>` (lm-eval's crows_pairs_english_<type> tasks).
#pragma once
#include <string>
#include <vector>

#include "tasks/doc.h"
#include "tasks/named_metric.h"

namespace rgeval::tasks {

std::vector<Doc> load_crows_pairs(const std::string& data_dir, int num_fewshot, int limit);

std::vector<NamedMetric> crows_pairs_metrics(const std::vector<const Doc*>& docs,
                                             const std::vector<std::vector<double>>& lls);

}  // namespace rgeval::tasks
