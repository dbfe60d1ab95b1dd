// lm-eval's tokenization of a loglikelihood request (TemplateLM._encode_pair with a BOS prefix,
// the rule for Gemma-family models):
//   1. trailing whitespace of the context (Python str.rstrip() set) moves to the front of the
//      continuation;
//   2. context_ids = [bos] + encode(context); whole = [bos] + encode(context + continuation);
//   3. continuation_ids = whole[len(context_ids):]   (joint tokenization split at the context's
//      token count, NOT encode(continuation)).
// An empty context gives context_ids = [bos], continuation_ids = encode(continuation).
// Deviation from lm-eval (which asserts, #1053/#1297/#3336): when a token spans the join so that
// step 3 leaves nothing, continuation_ids = encode(continuation) instead (the fix of lm-eval
// PR #4055) and `fallback` is set. An empty continuation is an error.
#pragma once
#include <string>
#include <vector>

#include "engine/tokenizer.h"

namespace rgeval::tasks {

struct EncodedPair {
  std::vector<int> context_ids;       // starts with bos; the model input is context + continuation[:-1]
  std::vector<int> continuation_ids;  // the tokens scored
  bool fallback = false;              // continuation encoded on its own (see above)
};

EncodedPair encode_pair(const Tokenizer& tok, const std::string& context, const std::string& continuation);

}  // namespace rgeval::tasks
