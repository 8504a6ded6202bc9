// sala/webhook_signature.hpp: Standard Webhooks signing and verification,
// checked against the example vector published in the specification
// (github.com/standard-webhooks/standard-webhooks, spec/standard-webhooks.md).
#include "sala/webhook_signature.hpp"

#include <gtest/gtest.h>

#include <functional>
#include <string>

#include "sala/error.hpp"

namespace {

// The specification's example.
const std::string secret = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";
const std::string id = "msg_p5jXN8AQM9LWM0D4loKWxJek";
constexpr std::int64_t ts = 1614265330;
const std::string body = R"({"test": 2432232314})";
const std::string expected = "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=";

std::string field_of(const std::function<void()>& f) {
    try {
        f();
    } catch (const sala::invalid_argument& e) {
        return e.field() + " | " + e.what();
    }
    return "no error";
}

}  // namespace

TEST(webhook_signature, signs_the_specification_example) {
    EXPECT_EQ(sala::sign_webhook(secret, id, ts, body), expected);
}

TEST(webhook_signature, verifies_the_specification_example_within_the_tolerance) {
    EXPECT_TRUE(sala::verify_webhook(secret, id, "1614265330", expected, body, ts));
    EXPECT_TRUE(sala::verify_webhook(secret, id, "1614265330", expected, body, ts + 300));
    EXPECT_TRUE(sala::verify_webhook(secret, id, "1614265330", expected, body, ts - 300));
}

TEST(webhook_signature, stale_and_future_timestamps_are_refused) {
    auto v = sala::verify_webhook(secret, id, "1614265330", expected, body, ts + 301);
    EXPECT_FALSE(v);
    EXPECT_EQ(v.reason, "webhook-timestamp is outside the tolerance");
    EXPECT_FALSE(sala::verify_webhook(secret, id, "1614265330", expected, body, ts - 301));
    EXPECT_FALSE(sala::verify_webhook(secret, id, "1614265330", expected, body, ts + 3600, 600));
    EXPECT_EQ(sala::verify_webhook(secret, id, "16142x", expected, body, ts).reason,
              "webhook-timestamp is not a whole number of seconds");
    EXPECT_FALSE(sala::verify_webhook(secret, id, "", expected, body, ts));
    EXPECT_FALSE(sala::verify_webhook(secret, id, " 1614265330", expected, body, ts));
}

TEST(webhook_signature, any_change_to_id_timestamp_body_or_signature_is_refused) {
    EXPECT_FALSE(sala::verify_webhook(secret, id + "x", "1614265330", expected, body, ts));
    EXPECT_FALSE(sala::verify_webhook(secret, id, "1614265331", expected, body, ts));
    EXPECT_FALSE(sala::verify_webhook(secret, id, "1614265330", expected, body + " ", ts));
    std::string flipped = expected;
    flipped[5] = flipped[5] == 'A' ? 'B' : 'A';
    const auto v = sala::verify_webhook(secret, id, "1614265330", flipped, body, ts);
    EXPECT_FALSE(v);
    EXPECT_EQ(v.reason, "no signature matches");
    EXPECT_FALSE(sala::verify_webhook(secret, id, "1614265330", "v1,", body, ts));
    EXPECT_FALSE(sala::verify_webhook(secret, id, "1614265330", "v1,not base64!", body, ts));
    EXPECT_EQ(sala::verify_webhook(secret, id, "1614265330", "v1a,abc", body, ts).reason,
              "webhook-signature has no v1 signature");
    EXPECT_FALSE(sala::verify_webhook(secret, "", "1614265330", expected, body, ts));
    // The same MAC under another key.
    const auto other = sala::generate_webhook_secret();
    EXPECT_FALSE(sala::verify_webhook(other, id, "1614265330", expected, body, ts));
}

TEST(webhook_signature, several_space_separated_signatures_one_matching_is_accepted) {
    const std::string header = "v1,bm90IHRoZSByaWdodCBvbmU= v1a,ignored " + expected;
    EXPECT_TRUE(sala::verify_webhook(secret, id, "1614265330", header, body, ts));
    // Rotation: the old and the new secret's signatures side by side.
    const auto next = sala::generate_webhook_secret();
    const std::string both = sala::sign_webhook(next, id, ts, body) + " " + expected;
    EXPECT_TRUE(sala::verify_webhook(secret, id, "1614265330", both, body, ts));
    EXPECT_TRUE(sala::verify_webhook(next, id, "1614265330", both, body, ts));
}

TEST(webhook_signature, generated_secrets_are_fresh_valid_and_round_trip) {
    const auto a = sala::generate_webhook_secret();
    const auto b = sala::generate_webhook_secret();
    EXPECT_NE(a, b);
    EXPECT_EQ(a.rfind("whsec_", 0), 0U);
    EXPECT_EQ(sala::webhook_secret_problem(a), "");
    const auto sig = sala::sign_webhook(a, "msg_1", 1700000000, "{}");
    EXPECT_TRUE(sala::verify_webhook(a, "msg_1", "1700000000", sig, "{}", 1700000000));
}

TEST(webhook_signature, malformed_secrets_are_refused_naming_the_field_not_the_secret) {
    EXPECT_EQ(sala::webhook_secret_problem("MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"),
              "must start with \"whsec_\"");
    EXPECT_NE(sala::webhook_secret_problem("whsec_not*base64"), "");
    EXPECT_NE(sala::webhook_secret_problem("whsec_"), "");
    EXPECT_EQ(sala::webhook_secret_problem("whsec_c2hvcnQ="), "the key must be 24 to 64 bytes");
    const std::string bad = "whsec_TOPSECRET*";
    const auto msg = field_of([&] { sala::sign_webhook(bad, id, ts, body); });
    EXPECT_EQ(msg.rfind("secret | secret: ", 0), 0U) << msg;
    EXPECT_EQ(msg.find("TOPSECRET"), std::string::npos) << msg;
    EXPECT_EQ(field_of([&] {
                  sala::verify_webhook(bad, id, "1", expected, body, 1);
              }).rfind("secret | ", 0),
              0U);
    EXPECT_EQ(field_of([&] { sala::sign_webhook(secret, "", ts, body); }).rfind("webhook_id | ", 0),
              0U);
}
