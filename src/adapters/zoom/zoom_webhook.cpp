// Zoom webhooks in: HMAC-SHA256 with libcrypto, the body read with nlohmann-json.
#include "sala/adapters/zoom_webhook.hpp"

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>

#include <charconv>
#include <nlohmann/json.hpp>

#include "sala/error.hpp"

namespace sala {

namespace {

using json = nlohmann::json;

std::string hex(const unsigned char* p, std::size_t n) {
    static constexpr char digits[] = "0123456789abcdef";
    std::string out;
    out.reserve(2 * n);
    for (std::size_t i = 0; i < n; ++i) {
        out += digits[p[i] >> 4];
        out += digits[p[i] & 0xf];
    }
    return out;
}

void need_secret(std::string_view secret) {
    if (secret.empty())
        throw invalid_settings("zoom_webhook_secret",
                               "empty: set the app's Secret Token (SALA_ZOOM_WEBHOOK_SECRET)");
}

zoom_signature_check refuse(std::string field, std::string reason) {
    return {false, std::move(field), std::move(reason)};
}

// A JSON string, or a number written as text (Zoom's webinar ids are numbers).
std::optional<std::string> text_of(const json& j) {
    if (j.is_string()) return j.get<std::string>();
    if (j.is_number_unsigned()) return std::to_string(j.get<std::uint64_t>());
    if (j.is_number_integer()) return std::to_string(j.get<std::int64_t>());
    return std::nullopt;
}

const json* member(const json& j, const char* key) {
    if (!j.is_object()) return nullptr;
    auto it = j.find(key);
    return it == j.end() || it->is_null() ? nullptr : &*it;
}

std::string required_text(const json& j, const char* key, const std::string& path) {
    const json* v = member(j, key);
    if (!v) throw invalid_argument(path, "missing");
    auto s = text_of(*v);
    if (!s || s->empty()) throw invalid_argument(path, "must be a non-empty string or number");
    if (s->size() > 512) throw invalid_argument(path, "longer than 512 characters");
    return *s;
}

std::string optional_text(const json& j, const char* key, const std::string& path) {
    return member(j, key) ? required_text(j, key, path) : std::string{};
}

// "2026-12-02T15:00:00Z", the only form Zoom's webhook times take.
std::optional<std::chrono::sys_seconds> parse_utc(std::string_view s) {
    if (s.size() != 20 || s[4] != '-' || s[7] != '-' || s[10] != 'T' || s[13] != ':' ||
        s[16] != ':' || s[19] != 'Z')
        return std::nullopt;
    const auto num = [&](std::size_t at, std::size_t n, int& out) {
        const auto [end, ec] = std::from_chars(s.data() + at, s.data() + at + n, out);
        return ec == std::errc{} && end == s.data() + at + n;
    };
    int y = 0, mo = 0, d = 0, h = 0, mi = 0, sec = 0;
    if (!num(0, 4, y) || !num(5, 2, mo) || !num(8, 2, d) || !num(11, 2, h) || !num(14, 2, mi) ||
        !num(17, 2, sec) || h > 23 || mi > 59 || sec > 59)
        return std::nullopt;
    const std::chrono::year_month_day ymd{std::chrono::year{y},
                                          std::chrono::month{static_cast<unsigned>(mo)},
                                          std::chrono::day{static_cast<unsigned>(d)}};
    if (!ymd.ok()) return std::nullopt;
    return std::chrono::sys_days{ymd} + std::chrono::hours{h} + std::chrono::minutes{mi} +
           std::chrono::seconds{sec};
}

std::optional<std::chrono::sys_seconds> optional_time(const json& j, const char* key,
                                                      const std::string& path) {
    const json* v = member(j, key);
    if (!v) return std::nullopt;
    if (!v->is_string()) throw invalid_argument(path, "must be an RFC 3339 UTC time string");
    const auto t = parse_utc(v->get<std::string>());
    if (!t) throw invalid_argument(path, "not a time like 2026-12-02T15:00:00Z");
    return t;
}

zoom_event_kind kind_of(std::string_view name) {
    if (name == "endpoint.url_validation") return zoom_event_kind::url_validation;
    if (name == "webinar.started") return zoom_event_kind::webinar_started;
    if (name == "webinar.ended") return zoom_event_kind::webinar_ended;
    if (name == "recording.completed") return zoom_event_kind::recording_completed;
    if (name == "app_deauthorized") return zoom_event_kind::app_deauthorized;
    return zoom_event_kind::other;
}

std::vector<recording_file> files_of(const json& object) {
    const json* files = member(object, "recording_files");
    if (!files) throw invalid_argument("payload.object.recording_files", "missing");
    if (!files->is_array())
        throw invalid_argument("payload.object.recording_files", "must be an array");
    std::vector<recording_file> out;
    for (std::size_t i = 0; i < files->size(); ++i) {
        const json& f = (*files)[i];
        const std::string at = "payload.object.recording_files[" + std::to_string(i) + "]";
        if (!f.is_object()) throw invalid_argument(at, "must be an object");
        recording_file r;
        r.id = required_text(f, "id", at + ".id");
        r.file_type = optional_text(f, "file_type", at + ".file_type");
        r.download_url = required_text(f, "download_url", at + ".download_url");
        if (r.download_url.rfind("https://", 0) != 0 && r.download_url.rfind("http://", 0) != 0)
            throw invalid_argument(at + ".download_url", "must be an http(s) URL");
        if (const json* size = member(f, "file_size")) {
            if (!size->is_number_integer() || size->get<std::int64_t>() < 0)
                throw invalid_argument(at + ".file_size", "must be a non-negative integer");
            r.size_bytes = size->get<std::int64_t>();
        }
        out.push_back(std::move(r));
    }
    return out;
}

}  // namespace

std::string zoom_hmac_sha256_hex(std::string_view key, std::string_view message) {
    unsigned char mac[EVP_MAX_MD_SIZE];
    unsigned int n = 0;
    if (!HMAC(EVP_sha256(), key.data(), static_cast<int>(key.size()),
              reinterpret_cast<const unsigned char*>(message.data()), message.size(), mac, &n))
        throw error("zoom webhook: HMAC-SHA256 failed in libcrypto");
    return hex(mac, n);
}

zoom_signature_check verify_zoom_signature(std::string_view secret, std::string_view signature,
                                           std::string_view timestamp, std::string_view body,
                                           std::chrono::sys_seconds now,
                                           std::chrono::seconds tolerance) {
    need_secret(secret);
    if (timestamp.empty()) return refuse("x-zm-request-timestamp", "missing");
    long long ts = 0;
    const auto [end, ec] =
        std::from_chars(timestamp.data(), timestamp.data() + timestamp.size(), ts);
    if (ec != std::errc{} || end != timestamp.data() + timestamp.size() || ts < 0)
        return refuse("x-zm-request-timestamp", "not a whole number of seconds since 1970");
    const auto at = std::chrono::sys_seconds{std::chrono::seconds{ts}};
    if (at < now - tolerance)
        return refuse("x-zm-request-timestamp",
                      "older than " + std::to_string(tolerance.count()) + " s (stale or replayed)");
    if (at > now + tolerance)
        return refuse("x-zm-request-timestamp",
                      "more than " + std::to_string(tolerance.count()) + " s in the future");
    if (signature.empty()) return refuse("x-zm-signature", "missing");
    if (signature.substr(0, 3) != "v0=")
        return refuse("x-zm-signature", "does not start with the scheme 'v0='");
    std::string message = "v0:";
    message.append(timestamp).append(":").append(body);
    const std::string expected = "v0=" + zoom_hmac_sha256_hex(secret, message);
    if (signature.size() != expected.size() ||
        CRYPTO_memcmp(signature.data(), expected.data(), expected.size()) != 0)
        return refuse("x-zm-signature", "does not match the body under the secret token");
    return {true, {}, {}};
}

std::string zoom_url_validation_reply(std::string_view secret, std::string_view plain_token) {
    need_secret(secret);
    if (plain_token.empty()) throw invalid_argument("payload.plainToken", "missing");
    // Zoom's tokens are short base64-like strings. Refusing anything else (':'
    // above all) keeps this reply from signing a "v0:{ts}:{body}" message.
    if (plain_token.size() > 256 ||
        plain_token.find_first_not_of("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
                                      "0123456789+/=_-") != std::string_view::npos)
        throw invalid_argument("payload.plainToken",
                               "not a Zoom token (up to 256 letters, digits, + / = _ -)");
    return json{{"plainToken", std::string(plain_token)},
                {"encryptedToken", zoom_hmac_sha256_hex(secret, plain_token)}}
        .dump();
}

zoom_event parse_zoom_event(std::string_view body) {
    if (body.size() > max_zoom_webhook_body)
        throw invalid_argument("body",
                               "larger than " + std::to_string(max_zoom_webhook_body) + " bytes");
    const json j = json::parse(body, nullptr, false);
    if (j.is_discarded()) throw invalid_argument("body", "not JSON");
    if (!j.is_object()) throw invalid_argument("body", "not a JSON object");
    zoom_event ev;
    ev.name = required_text(j, "event", "event");
    ev.kind = kind_of(ev.name);
    if (const json* ts = member(j, "event_ts")) {
        if (!ts->is_number_integer() || ts->get<std::int64_t>() < 0)
            throw invalid_argument("event_ts", "must be milliseconds since 1970");
        ev.event_ts = std::chrono::sys_time<std::chrono::milliseconds>{
            std::chrono::milliseconds{ts->get<std::int64_t>()}};
    }
    const json* payload = member(j, "payload");
    if (ev.kind == zoom_event_kind::other) {
        // Acknowledged as it is: read what is there, require nothing.
        if (payload && payload->is_object()) {
            if (const json* a = member(*payload, "account_id"))
                ev.account_id = text_of(*a).value_or("");
        }
    } else {
        if (!payload) throw invalid_argument("payload", "missing");
        if (!payload->is_object()) throw invalid_argument("payload", "must be an object");
    }
    switch (ev.kind) {
        case zoom_event_kind::url_validation:
            ev.plain_token = required_text(*payload, "plainToken", "payload.plainToken");
            break;
        case zoom_event_kind::app_deauthorized:
            ev.account_id = required_text(*payload, "account_id", "payload.account_id");
            if (const auto t =
                    optional_time(*payload, "deauthorization_time", "payload.deauthorization_time"))
                ev.end_time = t;
            break;
        case zoom_event_kind::webinar_started:
        case zoom_event_kind::webinar_ended:
        case zoom_event_kind::recording_completed: {
            ev.account_id = optional_text(*payload, "account_id", "payload.account_id");
            const json* object = member(*payload, "object");
            if (!object) throw invalid_argument("payload.object", "missing");
            if (!object->is_object()) throw invalid_argument("payload.object", "must be an object");
            ev.webinar_id = required_text(*object, "id", "payload.object.id");
            ev.webinar_uuid = optional_text(*object, "uuid", "payload.object.uuid");
            ev.host_id = optional_text(*object, "host_id", "payload.object.host_id");
            ev.start_time = optional_time(*object, "start_time", "payload.object.start_time");
            ev.end_time = optional_time(*object, "end_time", "payload.object.end_time");
            if (ev.kind == zoom_event_kind::recording_completed) {
                ev.download_token = optional_text(j, "download_token", "download_token");
                ev.recordings = files_of(*object);
            }
            break;
        }
        case zoom_event_kind::other: break;
    }
    ev.delivery_key =
        ev.name + "/" +
        (ev.event_ts ? std::to_string(ev.event_ts->time_since_epoch().count()) : std::string("-")) +
        "/" + ev.account_id + "/" + ev.webinar_id + "/" + ev.webinar_uuid;
    return ev;
}

}  // namespace sala
