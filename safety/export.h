// A safety run's responses as one side of a side-by-side study: the formats the side-by-side
// module imports (docs/safety.md, "Export").
#pragma once
#include <string>
#include <vector>

#include "safety/safety_db.h"

namespace rgeval::safety {

// One line per response: {"prompt_id", "system", "response"}.
void write_responses_jsonl(const std::vector<ResponseRow>& responses, const std::string& system,
                           const std::string& path);
// One line per prompt: {"id", "category", "prompt"}.
void write_prompts_jsonl(const std::vector<ResponseRow>& responses, const std::string& path);

}  // namespace rgeval::safety
