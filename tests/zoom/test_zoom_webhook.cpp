// sala/adapters/zoom_webhook.hpp: the handshake, the signature check with an
// explicit now, and the events parsed, each ugly input refused naming its field.
// Expected HMACs were computed independently (Python's hmac module).
#include "sala/adapters/zoom_webhook.hpp"

#include <gtest/gtest.h>

#include <string>

#include "sala/error.hpp"

namespace {

using namespace std::chrono_literals;

const std::string secret = "whsec-test-0123";
const std::string started_body =
    R"({"event":"webinar.started","event_ts":1764687600000,"payload":{"account_id":"acc1",)"
    R"("object":{"id":86123456789,"uuid":"4444AAAiAAAAAiAiAiiAii==","host_id":"u9",)"
    R"("start_time":"2025-12-02T15:00:00Z"}}})";
const std::string started_sig =
    "v0=a72112cbbf95087aa74e14780563fa4016fabf43361182cd2200145609a56f65";
const std::chrono::sys_seconds sent{1764687600s};

std::string field_of(const std::string& body) {
    try {
        sala::parse_zoom_event(body);
    } catch (const sala::invalid_argument& e) {
        return e.field();
    }
    return "(accepted)";
}

TEST(ZoomWebhook, UrlValidationReplyIsTheHmacOfThePlainToken) {
    EXPECT_EQ(
        sala::zoom_url_validation_reply(secret, "qgg8vlvZRS6UYooatFL8Aw"),
        R"({"encryptedToken":"9607b5cf8be622d814f22564600ab2aa42c67fb869968c964d10a9ff452c2227",)"
        R"("plainToken":"qgg8vlvZRS6UYooatFL8Aw"})");
    EXPECT_THROW(sala::zoom_url_validation_reply("", "x"), sala::invalid_settings);
    EXPECT_THROW(sala::zoom_url_validation_reply(secret, ""), sala::invalid_argument);
    // Never an oracle for the signature's message "v0:{ts}:{body}".
    EXPECT_THROW(sala::zoom_url_validation_reply(secret, "v0:1764687600:{}"),
                 sala::invalid_argument);
    EXPECT_THROW(sala::zoom_url_validation_reply(secret, std::string(257, 'a')),
                 sala::invalid_argument);
}

TEST(ZoomWebhook, AcceptsZoomsSignatureWithinFiveMinutesEitherWay) {
    EXPECT_TRUE(sala::verify_zoom_signature(secret, started_sig, "1764687600", started_body, sent));
    EXPECT_TRUE(
        sala::verify_zoom_signature(secret, started_sig, "1764687600", started_body, sent + 300s));
    EXPECT_TRUE(
        sala::verify_zoom_signature(secret, started_sig, "1764687600", started_body, sent - 300s));
}

TEST(ZoomWebhook, RefusesEachBadHeaderNamingIt) {
    struct bad {
        std::string sig, ts, body;
        std::chrono::sys_seconds now;
        std::string field, reason_part;
    };
    const bad cases[] = {
        {started_sig, "", started_body, sent, "x-zm-request-timestamp", "missing"},
        {started_sig, "17646876OO", started_body, sent, "x-zm-request-timestamp", "whole number"},
        {started_sig, "-5", started_body, sent, "x-zm-request-timestamp", "whole number"},
        {started_sig, "1764687600", started_body, sent + 301s, "x-zm-request-timestamp", "stale"},
        {started_sig, "1764687600", started_body, sent - 301s, "x-zm-request-timestamp", "future"},
        {"", "1764687600", started_body, sent, "x-zm-signature", "missing"},
        {"v1=" + started_sig.substr(3), "1764687600", started_body, sent, "x-zm-signature", "v0="},
        {started_sig.substr(0, 20), "1764687600", started_body, sent, "x-zm-signature", "match"},
        {started_sig, "1764687600", started_body + " ", sent, "x-zm-signature", "match"},
        {started_sig, "1764687601", started_body, sent, "x-zm-signature", "match"},
    };
    for (const auto& c : cases) {
        const auto r = sala::verify_zoom_signature(secret, c.sig, c.ts, c.body, c.now);
        EXPECT_FALSE(r) << c.field << " " << c.reason_part;
        EXPECT_EQ(r.field, c.field);
        EXPECT_NE(r.reason.find(c.reason_part), std::string::npos) << r.reason;
        EXPECT_EQ(r.reason.find(secret), std::string::npos);
    }
    const auto wrong_key =
        sala::verify_zoom_signature("another", started_sig, "1764687600", started_body, sent);
    EXPECT_FALSE(wrong_key);
    EXPECT_THROW(sala::verify_zoom_signature("", started_sig, "1764687600", started_body, sent),
                 sala::invalid_settings);
}

TEST(ZoomWebhook, ParsesWebinarStarted) {
    const auto ev = sala::parse_zoom_event(started_body);
    EXPECT_EQ(ev.kind, sala::zoom_event_kind::webinar_started);
    EXPECT_EQ(ev.name, "webinar.started");
    EXPECT_EQ(ev.account_id, "acc1");
    EXPECT_EQ(ev.webinar_id, "86123456789");
    EXPECT_EQ(ev.webinar_uuid, "4444AAAiAAAAAiAiAiiAii==");
    EXPECT_EQ(ev.host_id, "u9");
    ASSERT_TRUE(ev.start_time);
    EXPECT_EQ(*ev.start_time, sent);
    EXPECT_FALSE(ev.end_time);
    EXPECT_EQ(ev.delivery_key,
              "webinar.started/1764687600000/acc1/86123456789/4444AAAiAAAAAiAiAiiAii==");
}

TEST(ZoomWebhook, ParsesEndedRecordingDeauthorizedValidationAndOther) {
    const auto ended = sala::parse_zoom_event(
        R"({"event":"webinar.ended","event_ts":1,"payload":{"object":{"id":"77","uuid":"u==",)"
        R"("start_time":"2025-12-02T15:00:00Z","end_time":"2025-12-02T15:40:00Z"}}})");
    EXPECT_EQ(ended.kind, sala::zoom_event_kind::webinar_ended);
    ASSERT_TRUE(ended.end_time);
    EXPECT_EQ(*ended.end_time, sent + 40min);

    const auto rec = sala::parse_zoom_event(
        R"({"event":"recording.completed","event_ts":2,"download_token":"dt-1",)"
        R"("payload":{"account_id":"acc1","object":{"id":77,"recording_files":[)"
        R"({"id":"f1","file_type":"MP4","download_url":"https://zoom.example/rec/f1","file_size":1024},)"
        R"({"id":"f2","download_url":"https://zoom.example/rec/f2"}]}}})");
    EXPECT_EQ(rec.kind, sala::zoom_event_kind::recording_completed);
    EXPECT_EQ(rec.download_token, "dt-1");
    ASSERT_EQ(rec.recordings.size(), 2u);
    EXPECT_EQ(rec.recordings[0],
              (sala::recording_file{"f1", "MP4", "https://zoom.example/rec/f1", 1024}));
    EXPECT_EQ(rec.recordings[1].size_bytes, 0);

    const auto de = sala::parse_zoom_event(
        R"({"event":"app_deauthorized","event_ts":3,"payload":{"account_id":"acc1",)"
        R"("user_id":"x","deauthorization_time":"2025-12-02T15:00:00Z"}})");
    EXPECT_EQ(de.kind, sala::zoom_event_kind::app_deauthorized);
    EXPECT_EQ(de.account_id, "acc1");

    const auto v = sala::parse_zoom_event(
        R"({"event":"endpoint.url_validation","event_ts":4,"payload":{"plainToken":"pt"}})");
    EXPECT_EQ(v.kind, sala::zoom_event_kind::url_validation);
    EXPECT_EQ(v.plain_token, "pt");

    const auto other = sala::parse_zoom_event(R"({"event":"meeting.sharing_started","payload":7})");
    EXPECT_EQ(other.kind, sala::zoom_event_kind::other);
    EXPECT_EQ(other.name, "meeting.sharing_started");
    EXPECT_STREQ(sala::to_string(other.kind), "other");
}

TEST(ZoomWebhook, RefusesUglyBodiesNamingTheField) {
    EXPECT_EQ(field_of(""), "body");
    EXPECT_EQ(field_of("{\"event\":"), "body");
    EXPECT_EQ(field_of("[1,2]"), "body");
    EXPECT_EQ(field_of(std::string(sala::max_zoom_webhook_body + 1, ' ')), "body");
    EXPECT_EQ(field_of("{}"), "event");
    EXPECT_EQ(field_of(R"({"event":""})"), "event");
    EXPECT_EQ(field_of(R"({"event":["x"]})"), "event");
    EXPECT_EQ(field_of(R"({"event":"webinar.started","event_ts":"soon","payload":{}})"),
              "event_ts");
    EXPECT_EQ(field_of(R"({"event":"webinar.started"})"), "payload");
    EXPECT_EQ(field_of(R"({"event":"webinar.started","payload":"x"})"), "payload");
    EXPECT_EQ(field_of(R"({"event":"webinar.started","payload":{}})"), "payload.object");
    EXPECT_EQ(field_of(R"({"event":"webinar.started","payload":{"object":[]}})"), "payload.object");
    EXPECT_EQ(field_of(R"({"event":"webinar.ended","payload":{"object":{"uuid":"u"}}})"),
              "payload.object.id");
    EXPECT_EQ(field_of(R"({"event":"webinar.ended","payload":{"object":{"id":true}}})"),
              "payload.object.id");
    EXPECT_EQ(
        field_of(
            R"({"event":"webinar.ended","payload":{"object":{"id":1,"end_time":"yesterday"}}})"),
        "payload.object.end_time");
    EXPECT_EQ(
        field_of(
            R"({"event":"webinar.ended","payload":{"object":{"id":1,"end_time":"2025-12-02T15:40:00+01:00"}}})"),
        "payload.object.end_time");
    EXPECT_EQ(field_of(R"({"event":"recording.completed","payload":{"object":{"id":1}}})"),
              "payload.object.recording_files");
    EXPECT_EQ(
        field_of(
            R"({"event":"recording.completed","payload":{"object":{"id":1,"recording_files":[{"id":"f"}]}}})"),
        "payload.object.recording_files[0].download_url");
    EXPECT_EQ(
        field_of(
            R"({"event":"recording.completed","payload":{"object":{"id":1,"recording_files":[{"id":"f","download_url":"file:///etc/passwd"}]}}})"),
        "payload.object.recording_files[0].download_url");
    EXPECT_EQ(
        field_of(
            R"({"event":"recording.completed","download_token":5,"payload":{"object":{"id":1,"recording_files":[]}}})"),
        "(accepted)");
    EXPECT_EQ(
        field_of(
            R"({"event":"recording.completed","download_token":{},"payload":{"object":{"id":1,"recording_files":[]}}})"),
        "download_token");
    EXPECT_EQ(field_of(R"({"event":"app_deauthorized","payload":{}})"), "payload.account_id");
    EXPECT_EQ(field_of(R"({"event":"endpoint.url_validation","payload":{}})"),
              "payload.plainToken");
}

}  // namespace
