// `rgeval sxs rate`: the rating flow in a terminal, for raters without a browser. For each item:
// the progress, the prompt, responses A and B (control characters shown as U+FFFD so a response
// cannot drive the terminal), then three questions: the choice (1..scale, or q to stop), an
// optional comment, and whether a response reveals which model wrote it (y/N).
#pragma once
#include <iosfwd>
#include <string>

#include "store/sqlite_db.h"

namespace rgeval::sidebyside {

// Text safe to print: control characters except '\n' and '\t' become U+FFFD.
std::string terminal_safe(const std::string& s);

// Returns the number of ratings stored; throws rgeval::Error for an unknown token.
size_t rate_in_terminal(store::Db& db, const std::string& token, std::istream& in,
                        std::ostream& out);

}  // namespace rgeval::sidebyside
