// Standard Webhooks signing with OpenSSL: HMAC-SHA256, CRYPTO_memcmp for the
// constant-time comparison, RAND_bytes for fresh secrets.
#include "sala/webhook_signature.hpp"

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/rand.h>

#include <array>
#include <charconv>
#include <optional>
#include <string>
#include <vector>

#include "common/text.hpp"
#include "sala/error.hpp"

namespace sala {

namespace {

constexpr std::string_view secret_prefix = "whsec_";

int b64_value(char c) {
    if (c >= 'A' && c <= 'Z') return c - 'A';
    if (c >= 'a' && c <= 'z') return c - 'a' + 26;
    if (c >= '0' && c <= '9') return c - '0' + 52;
    if (c == '+') return 62;
    if (c == '/') return 63;
    return -1;
}

// Strict standard base64 with padding; nullopt for anything else.
std::optional<std::string> unbase64(std::string_view in) {
    if (in.empty() || in.size() % 4 != 0) return std::nullopt;
    std::string out;
    out.reserve(in.size() / 4 * 3);
    for (std::size_t i = 0; i < in.size(); i += 4) {
        const bool last = i + 4 == in.size();
        int v[4];
        int pad = 0;
        for (int k = 0; k < 4; ++k) {
            const char c = in[i + static_cast<std::size_t>(k)];
            if (c == '=' && last && k >= 2) {
                v[k] = 0;
                ++pad;
                continue;
            }
            if (pad > 0) return std::nullopt;  // data after padding
            v[k] = b64_value(c);
            if (v[k] < 0) return std::nullopt;
        }
        const std::uint32_t n =
            static_cast<std::uint32_t>(v[0]) << 18 | static_cast<std::uint32_t>(v[1]) << 12 |
            static_cast<std::uint32_t>(v[2]) << 6 | static_cast<std::uint32_t>(v[3]);
        out += static_cast<char>((n >> 16) & 0xff);
        if (pad < 2) out += static_cast<char>((n >> 8) & 0xff);
        if (pad < 1) out += static_cast<char>(n & 0xff);
    }
    return out;
}

std::string key_of(std::string_view secret) {
    if (const auto why = webhook_secret_problem(secret); !why.empty())
        throw invalid_argument("secret", why);
    return *unbase64(secret.substr(secret_prefix.size()));
}

std::string hmac_sha256(const std::string& key, std::string_view id, std::string_view timestamp,
                        std::string_view body) {
    std::string content;
    content.reserve(id.size() + timestamp.size() + body.size() + 2);
    content.append(id).append(".").append(timestamp).append(".").append(body);
    std::array<unsigned char, EVP_MAX_MD_SIZE> mac{};
    unsigned int len = 0;
    if (!HMAC(EVP_sha256(), key.data(), static_cast<int>(key.size()),
              reinterpret_cast<const unsigned char*>(content.data()), content.size(), mac.data(),
              &len))
        throw error("webhook signature: HMAC-SHA256 failed");
    return std::string(reinterpret_cast<const char*>(mac.data()), len);
}

}  // namespace

std::string generate_webhook_secret() {
    std::array<unsigned char, 32> key{};
    if (RAND_bytes(key.data(), static_cast<int>(key.size())) != 1)
        throw error("webhook secret: the random generator failed");
    return std::string(secret_prefix) +
           detail::base64(std::string_view(reinterpret_cast<const char*>(key.data()), key.size()));
}

std::string webhook_secret_problem(std::string_view secret) {
    if (secret.substr(0, secret_prefix.size()) != secret_prefix)
        return "must start with \"whsec_\"";
    const auto key = unbase64(secret.substr(secret_prefix.size()));
    if (!key) return "must be \"whsec_\" followed by standard base64 (RFC 4648, padded)";
    if (key->size() < 24 || key->size() > 64) return "the key must be 24 to 64 bytes";
    return {};
}

std::string sign_webhook(std::string_view secret, std::string_view id, std::int64_t timestamp,
                         std::string_view body) {
    const std::string key = key_of(secret);
    if (id.empty()) throw invalid_argument("webhook_id", "must not be empty");
    return "v1," + detail::base64(hmac_sha256(key, id, std::to_string(timestamp), body));
}

webhook_verification verify_webhook(std::string_view secret, std::string_view id,
                                    std::string_view timestamp_header,
                                    std::string_view signature_header, std::string_view body,
                                    std::int64_t now_seconds, std::int64_t tolerance_seconds) {
    const std::string key = key_of(secret);
    if (id.empty()) return {false, "webhook-id is missing"};
    std::int64_t ts = 0;
    const auto* end = timestamp_header.data() + timestamp_header.size();
    const auto [p, ec] = std::from_chars(timestamp_header.data(), end, ts);
    if (timestamp_header.empty() || ec != std::errc{} || p != end)
        return {false, "webhook-timestamp is not a whole number of seconds"};
    if (ts < now_seconds - tolerance_seconds || ts > now_seconds + tolerance_seconds)
        return {false, "webhook-timestamp is outside the tolerance"};
    const std::string expected = hmac_sha256(key, id, timestamp_header, body);
    bool any_v1 = false;
    std::size_t i = 0;
    while (i < signature_header.size()) {
        std::size_t j = signature_header.find(' ', i);
        if (j == std::string_view::npos) j = signature_header.size();
        const std::string_view entry = signature_header.substr(i, j - i);
        i = j + 1;
        if (entry.substr(0, 3) != "v1,") continue;
        any_v1 = true;
        const auto mac = unbase64(entry.substr(3));
        if (mac && mac->size() == expected.size() &&
            CRYPTO_memcmp(mac->data(), expected.data(), expected.size()) == 0)
            return {true, {}};
    }
    return {false, any_v1 ? "no signature matches" : "webhook-signature has no v1 signature"};
}

}  // namespace sala
