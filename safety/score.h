// Offline scoring of stored safety responses with a refusal classifier: per set and per
// type/category, the refusal rate on prompts that should be refused (higher is better) and the
// over-refusal rate on safe prompts (lower is better), with counts and Wilson 95% intervals.
#pragma once
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "safety/refusal.h"
#include "safety/safety_db.h"
#include "tasks/binomial.h"

namespace rgeval::safety {

// Printed with every report: what string matching cannot see.
extern const char* const kStringMatchCaveat;

struct GroupScore {
  std::string name;                // the set, or one category
  size_t n = 0;                    // prompts
  tasks::Proportion refusal;       // refused / should-refuse prompts
  tasks::Proportion over_refusal;  // refused / safe prompts
};

struct SafetyScore {
  std::string set;
  GroupScore overall;
  std::vector<GroupScore> categories;  // in order of first appearance
  std::vector<bool> refused;           // per response, as given
};

SafetyScore score_responses(const std::string& set, const std::vector<ResponseRow>& responses,
                            const RefusalClassifier& c);

// {"results": {set: {n, refusal_rate: {refused, n, rate, ci95_lo, ci95_hi}, over_refusal_rate:
// {...}, by_category: {name: {n, refusal_rate, over_refusal_rate}}}}, "classifier": {...},
// "note": kStringMatchCaveat}. Rates and bounds are null where n is 0.
nlohmann::ordered_json score_json(const SafetyScore& s, const RefusalClassifier& c);

// A fixed-width table of the same numbers, the classifier and the caveat.
std::string score_table(const SafetyScore& s, const RefusalClassifier& c);

}  // namespace rgeval::safety
