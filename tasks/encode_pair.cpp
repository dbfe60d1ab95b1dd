#include "tasks/encode_pair.h"

#include "engine/error.h"
#include "tasks/py_string.h"

namespace rgeval::tasks {

EncodedPair encode_pair(const Tokenizer& tok, const std::string& context_in, const std::string& continuation_in) {
  const std::string context = py_rstrip(context_in);
  const std::string continuation = context_in.substr(context.size()) + continuation_in;
  if (continuation.empty()) fail(tok.source(), "cannot score an empty continuation");
  const int bos = tok.bos_id();
  if (bos < 0) fail(tok.source(), "the tokenizer has no <bos> token");
  EncodedPair p;
  p.context_ids.push_back(bos);
  if (context.empty()) {
    p.continuation_ids = tok.encode(continuation);
  } else {
    const auto ctx = tok.encode(context);
    p.context_ids.insert(p.context_ids.end(), ctx.begin(), ctx.end());
    const auto whole = tok.encode(context + continuation);  // without bos: offsets shift by one
    if (whole.size() > ctx.size()) p.continuation_ids.assign(whole.begin() + ptrdiff_t(ctx.size()), whole.end());
  }
  if (p.continuation_ids.empty()) {
    p.continuation_ids = tok.encode(continuation);
    p.fallback = true;
    if (p.continuation_ids.empty()) fail(tok.source(), "the continuation encodes to no tokens");
  }
  return p;
}

}  // namespace rgeval::tasks
