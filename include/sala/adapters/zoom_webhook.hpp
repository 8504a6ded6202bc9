#pragma once
// Zoom webhooks in (docs/zoom.md, "Webhooks in"): the URL validation
// handshake, the x-zm-signature check and the events sala acts on, parsed
// into a small value. No I/O and no server: a host verifies and parses here,
// then hands the event to durable_lifecycle (note_webinar_started, ...).
//
//   auto check = sala::verify_zoom_signature(secret, headers["x-zm-signature"],
//                                            headers["x-zm-request-timestamp"], body, now);
//   if (!check) return 401;                      // check.field / check.reason say why
//   auto ev = sala::parse_zoom_event(body);      // throws
//   sala::invalid_argument("payload.object.id", ...)
//
// The secret token is never part of a result, an error or a log line.
// Target sala::zoom (libcrypto's HMAC, nlohmann-json, both inside).

#include <chrono>
#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "sala/enum_names.hpp"
#include "sala/ports/conferencing.hpp"

namespace sala {

enum class zoom_event_kind {
    url_validation,       // endpoint.url_validation: answer with zoom_url_validation_reply
    webinar_started,      // webinar.started
    webinar_ended,        // webinar.ended
    recording_completed,  // recording.completed
    app_deauthorized,     // app_deauthorized: the account removed sala's app
    other,                // anything else: acknowledged, logged, not acted on
};
template <>
struct enum_names<zoom_event_kind> {
    static constexpr enum_table<zoom_event_kind, 6> entries{
        {SALA_ENUM_NAME(zoom_event_kind, url_validation),
         SALA_ENUM_NAME(zoom_event_kind, webinar_started),
         SALA_ENUM_NAME(zoom_event_kind, webinar_ended),
         SALA_ENUM_NAME(zoom_event_kind, recording_completed),
         SALA_ENUM_NAME(zoom_event_kind, app_deauthorized),
         SALA_ENUM_NAME(zoom_event_kind, other)}};
};
inline const char* to_string(zoom_event_kind v) { return enum_name(v); }

// One webhook delivery, as far as sala reads it.
struct zoom_event {
    zoom_event_kind kind = zoom_event_kind::other;
    std::string name;        // "webinar.started", as Zoom spelt it
    std::string account_id;  // payload.account_id
    std::string webinar_id;  // payload.object.id, as text (Zoom sends a number)
    std::string webinar_uuid;
    std::string host_id;
    std::optional<std::chrono::sys_time<std::chrono::milliseconds>> event_ts;
    std::optional<std::chrono::sys_seconds> start_time;  // payload.object.start_time
    std::optional<std::chrono::sys_seconds> end_time;    // payload.object.end_time
    // recording.completed: valid about 24 hours; a secret, like the files' URLs with it.
    std::string download_token;
    std::vector<recording_file> recordings;  // payload.object.recording_files
    std::string plain_token;                 // endpoint.url_validation
    // Same for every retry of one delivery (Zoom resends the same body):
    // event name, event_ts and the object's ids. The dedup key of an inbox.
    std::string delivery_key;
};

// The outcome of a signature check: ok, or the header at fault and why.
struct zoom_signature_check {
    bool ok = false;
    std::string field;   // "x-zm-signature" or "x-zm-request-timestamp"
    std::string reason;  // never contains the secret or the expected signature
    explicit operator bool() const noexcept { return ok; }
};

// How far x-zm-request-timestamp may be from `now`, either way (docs/zoom.md §13).
inline constexpr std::chrono::seconds zoom_signature_tolerance{300};

// hex(HMAC-SHA256(key, message)), lower case.
std::string zoom_hmac_sha256_hex(std::string_view key, std::string_view message);

// Checks x-zm-signature == "v0=" + hex HMAC-SHA256(secret, "v0:{timestamp}:{body}")
// in constant time, and that the timestamp (Unix seconds) is within `tolerance`
// of `now`. An empty secret throws sala::invalid_settings("zoom_webhook_secret").
zoom_signature_check verify_zoom_signature(
    std::string_view secret, std::string_view signature, std::string_view timestamp,
    std::string_view body, std::chrono::sys_seconds now,
    std::chrono::seconds tolerance = zoom_signature_tolerance);

// The JSON body that answers endpoint.url_validation:
// {"plainToken": ..., "encryptedToken": hex HMAC-SHA256(secret, plainToken)}.
std::string zoom_url_validation_reply(std::string_view secret, std::string_view plain_token);

// Parses a delivery's raw body. Throws sala::invalid_argument naming the field
// ("body", "event", "payload.object.id", "download_token", ...) for a body
// that is not JSON, or an event sala acts on without the fields it needs.
// Bodies over max_zoom_webhook_body are refused as "body".
inline constexpr std::size_t max_zoom_webhook_body = 1u << 20;
zoom_event parse_zoom_event(std::string_view body);

}  // namespace sala
