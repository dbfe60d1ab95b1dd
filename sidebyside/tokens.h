// Secret tokens of raters and the admin: 128 random bits from the kernel (getrandom) as 32
// lowercase hex digits. The database keeps only their SHA-256, so a copy of the database does not
// let anyone rate or administer.
#pragma once
#include <cstdint>
#include <string>
#include <string_view>

namespace rgeval::sidebyside {

std::string new_token();                         // 32 hex digits
uint64_t random_u64();                           // from getrandom
std::string token_hash(std::string_view token);  // SHA-256 hex
// A well-formed token: exactly 32 characters of [0-9a-f]. Anything else is rejected before lookup.
bool token_well_formed(std::string_view token);
// Comparison whose time does not depend on where the strings differ.
bool constant_time_equal(std::string_view a, std::string_view b);

}  // namespace rgeval::sidebyside
