#include "safety/export.h"

#include <fstream>
#include <functional>
#include <nlohmann/json.hpp>

#include "engine/error.h"

namespace rgeval::safety {

namespace {

using nlohmann::ordered_json;

void write_lines(const std::vector<ResponseRow>& rows, const std::string& path,
                 const std::function<ordered_json(const ResponseRow&)>& line) {
  std::ofstream f(path, std::ios::binary);
  if (!f) fail(path, "cannot write");
  for (const ResponseRow& r : rows)  // generated text may hold invalid UTF-8: written as U+FFFD
    f << line(r).dump(-1, ' ', false, nlohmann::json::error_handler_t::replace) << '\n';
  if (!f.flush()) fail(path, "write error");
}

}  // namespace

void write_responses_jsonl(const std::vector<ResponseRow>& responses, const std::string& system,
                           const std::string& path) {
  write_lines(responses, path, [&](const ResponseRow& r) {
    return ordered_json{{"prompt_id", r.prompt_id}, {"system", system}, {"response", r.response}};
  });
}

void write_prompts_jsonl(const std::vector<ResponseRow>& responses, const std::string& path) {
  write_lines(responses, path, [](const ResponseRow& r) {
    return ordered_json{{"id", r.prompt_id}, {"category", r.category}, {"prompt", r.prompt}};
  });
}

}  // namespace rgeval::safety
