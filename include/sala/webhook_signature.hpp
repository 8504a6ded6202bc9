#pragma once
// Standard Webhooks signatures (https://www.standardwebhooks.com/): how sala
// signs the webhooks it sends to a host platform, and how a receiver checks
// them. The signed content is "{webhook-id}.{webhook-timestamp}.{body}"; the
// signature is HMAC-SHA256 under the secret's key, sent as
// `webhook-signature: v1,<base64>`. A secret is "whsec_" + base64 of the key.
//
//   const auto secret = sala::generate_webhook_secret();
//   const auto sig = sala::sign_webhook(secret, "msg_1", 1614265330, body);
//   auto v = sala::verify_webhook(secret, "msg_1", "1614265330", sig, body, now_seconds);
//   if (!v) reject(v.reason);

#include <cstdint>
#include <string>
#include <string_view>

namespace sala {

// A fresh secret: "whsec_" + base64 of 32 bytes from the OS's cryptographic RNG.
std::string generate_webhook_secret();

// Why `secret` is not a usable Standard Webhooks secret ("" when it is): it
// must be "whsec_" followed by standard base64 of 24 to 64 bytes.
std::string webhook_secret_problem(std::string_view secret);

// "v1,<base64 HMAC-SHA256>" of "{id}.{timestamp}.{body}". Throws
// sala::invalid_argument("secret") for a secret webhook_secret_problem refuses,
// and ("webhook_id") for an empty id (the message never names the secret).
std::string sign_webhook(std::string_view secret, std::string_view id, std::int64_t timestamp,
                         std::string_view body);

// The result of checking a received webhook: an expected outcome, not an error.
struct webhook_verification {
    bool valid = false;
    std::string reason;  // why not, e.g. "timestamp outside the tolerance"
    explicit operator bool() const noexcept { return valid; }
};

// Checks `signature_header` (one or more space-separated "v1,<base64>"
// entries; other versions are skipped) against the content, in constant time,
// and that `timestamp_header` (Unix seconds) is within `tolerance_seconds` of
// `now_seconds` either way (replays of old messages fail). Throws
// sala::invalid_argument("secret") for a malformed secret: that is the
// receiver's configuration, not the sender's fault.
webhook_verification verify_webhook(std::string_view secret, std::string_view id,
                                    std::string_view timestamp_header,
                                    std::string_view signature_header, std::string_view body,
                                    std::int64_t now_seconds, std::int64_t tolerance_seconds = 300);

}  // namespace sala
