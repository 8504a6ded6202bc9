#pragma once
// Helpers shared by the outbox and SMTP mailers (not installed).
#include <cstdint>
#include <string>
#include <string_view>

#include "common/text.hpp"       // base64
#include "sala/detail/utf8.hpp"  // valid_utf8

namespace sala::detail {

// Throws sala::invalid_argument(field) for CR/LF, other control characters, bad UTF-8.
void check_header_field(const std::string& value, const std::string& field);
void check_idempotency_key(const std::string& key);
std::uint64_t fnv1a(std::string_view s, std::uint64_t seed);
std::string hex64(std::uint64_t v);
std::string random_hex();
// Key -> [A-Za-z0-9_-] and %XX escapes (injective; long keys get a hash suffix).
std::string encode_key(const std::string& key);

}  // namespace sala::detail
