// Zoom's wire formats (docs/zoom.md §0, §8, §9, §12): path encoding, JSON
// fields, instants, error bodies and Retry-After.
#include "adapters/zoom/zoom_wire.hpp"

#include <algorithm>
#include <cctype>
#include <cstdio>
#include <cstdlib>

#include "adapters/zoom/backend_text.hpp"
#include "sala/adapters/zoom_rest.hpp"
#include "sala/text.hpp"

namespace sala::zoom_detail {

// encodeURIComponent: everything but unreserved characters.
std::string pct(const std::string& s) {
    static constexpr char d[] = "0123456789ABCDEF";
    std::string out;
    for (const char ch : s) {
        const auto c = static_cast<unsigned char>(ch);
        if (std::isalnum(c) || c == '-' || c == '_' || c == '.' || c == '~') {
            out += ch;
        } else {
            out += '%';
            out += d[c >> 4];
            out += d[c & 15];
        }
    }
    return out;
}

// docs/zoom.md §0: a UUID starting with '/' or containing "//" is encoded twice.
std::string webinar_segment(const std::string& id) {
    if (!id.empty() && (id.front() == '/' || id.find("//") != std::string::npos))
        return pct(pct(id));
    return pct(id);
}

void require_id(const std::string& value, const char* field) {
    if (value.empty()) throw invalid_argument(field, "is empty");
    for (const char ch : value)
        if (static_cast<unsigned char>(ch) < 0x20 || ch == 0x7F)
            throw invalid_argument(field, "contains a control character");
}

// A string or an integer (ids arrive as JSON numbers, docs/zoom.md §0); ""
// for anything else, which no caller can use (and an array nested a million
// deep must not be dumped).
std::string str(const json& j, const char* key) {
    if (!j.is_object()) return {};
    const auto it = j.find(key);
    if (it == j.end()) return {};
    if (it->is_string()) return it->get<std::string>();
    if (it->is_number_integer()) return it->dump();
    return {};
}

std::int64_t num(const json& j, const char* key) {
    if (!j.is_object()) return 0;
    const auto it = j.find(key);
    if (it == j.end()) return 0;
    if (it->is_number_integer()) return it->get<std::int64_t>();
    if (it->is_number()) {
        const double d = it->get<double>();
        return d > -9.0e18 && d < 9.0e18 ? static_cast<std::int64_t>(d) : 0;
    }
    if (it->is_string()) return std::strtoll(it->get<std::string>().c_str(), nullptr, 10);
    return 0;
}

// One-line text from Zoom, bounded (names, e-mails, file types).
std::string text(const json& j, const char* key, std::size_t max_chars) {
    return sanitize_text(str(j, key), max_chars);
}

// An id Zoom gave that can go into a path and a log: 1-128 printable ASCII
// characters, no space. Zoom's user ids are letters, digits, '-' and '_'.
bool usable_id(const std::string& id) {
    return !id.empty() && id.size() <= 128 &&
           std::all_of(id.begin(), id.end(), [](char c) { return c > 0x20 && c < 0x7F; });
}

// An address sala can mail credentials to (sala/text.hpp): others are skipped.
bool usable_email(const std::string& e) { return email_problem(e).empty(); }

// An http(s) URL without blanks or controls (join and download links).
bool usable_url(const std::string& u) {
    return (u.rfind("https://", 0) == 0 || u.rfind("http://", 0) == 0) && u.size() <= 4096 &&
           std::all_of(u.begin(), u.end(), [](char c) { return c > 0x20 && c < 0x7F; });
}

// A URL for a message: without its query (which may hold an access_token).
std::string url_for_message(const std::string& u) {
    return sanitize_text(u.substr(0, u.find_first_of("?#")), 200);
}

// "2021-05-12T13:05:07Z", optionally with fractions or a "+02:00" offset
// (Zoom sends UTC with Z) -> UTC seconds.
std::optional<std::chrono::sys_seconds> parse_iso(const std::string& s) {
    int y = 0, mo = 0, d = 0, h = 0, mi = 0, se = 0, used = 0;
    if (std::sscanf(s.c_str(), "%4d-%2d-%2dT%2d:%2d:%2d%n", &y, &mo, &d, &h, &mi, &se, &used) != 6)
        return std::nullopt;
    if (y < 0 || mo < 1 || mo > 12 || h < 0 || h > 23 || mi < 0 || mi > 59 || se < 0 || se > 60)
        return std::nullopt;
    const std::chrono::year_month_day ymd{std::chrono::year{y},
                                          std::chrono::month{static_cast<unsigned>(mo)},
                                          std::chrono::day{static_cast<unsigned>(d)}};
    if (!ymd.ok()) return std::nullopt;
    auto t = std::chrono::sys_days{ymd} + std::chrono::hours{h} + std::chrono::minutes{mi} +
             std::chrono::seconds{se};
    std::size_t i = static_cast<std::size_t>(used);
    if (i < s.size() && s[i] == '.')
        while (++i < s.size() && std::isdigit(static_cast<unsigned char>(s[i]))) {
        }
    int oh = 0, om = 0;
    if (i < s.size() && (s[i] == '+' || s[i] == '-') &&
        std::sscanf(s.c_str() + i + 1, "%2d:%2d", &oh, &om) == 2) {
        const auto offset = std::chrono::hours{oh} + std::chrono::minutes{om};
        t = s[i] == '+' ? t - offset : t + offset;
    }
    return t;
}

instant parse_instant(const std::string& s) {
    const auto t = parse_iso(s);
    if (!t) return instant{};
    return std::chrono::floor<minutes>(*t);
}

json parse_reply(const std::string& body) {
    // Copying or printing a json value recurses: values nested deeper than
    // Zoom ever nests (a few levels) are dropped while parsing.
    const json::parser_callback_t shallow = [](int depth, json::parse_event_t, json&) {
        return depth <= max_json_depth;
    };
    // Invalid UTF-8 in a name must not cost the whole reply: repaired to U+FFFD.
    return json::parse(detail::repair_utf8(body), shallow, false);
}

// Zoom's {"code","message"} (docs/zoom.md §9); the message is raw backend
// text, to be redacted and sanitised by the caller.
std::pair<int, std::string> zoom_code_message(const std::string& body) {
    const json j = parse_reply(body);
    if (j.is_discarded() || !j.is_object()) return {0, body.substr(0, 300)};
    const auto code = num(j, "code");
    std::string message = str(j, "message");
    if (message.empty()) message = str(j, "reason");
    if (message.empty()) message = str(j, "error");
    if (const auto it = j.find("errors"); it != j.end() && it->is_array())
        for (const auto& e : *it) {
            if (message.size() > 1000) break;
            message += "; " + str(e, "field") + ": " + str(e, "message");
        }
    return {code > 0 && code < 1'000'000 ? static_cast<int>(code) : 0, message};
}

// "Sun, 06 Nov 1994 08:49:37 GMT" (RFC 9110 §5.6.7, the HTTP-date form of
// Retry-After) -> UTC seconds.
std::optional<std::chrono::sys_seconds> parse_http_date(const std::string& s) {
    char weekday[4] = {0}, month[4] = {0};
    int d = 0, y = 0, h = 0, mi = 0, se = 0;
    if (std::sscanf(s.c_str(), "%3s, %2d %3s %4d %2d:%2d:%2d GMT", weekday, &d, month, &y, &h, &mi,
                    &se) != 7)
        return std::nullopt;
    static constexpr std::string_view months = "JanFebMarAprMayJunJulAugSepOctNovDec";
    const auto m = months.find(month);
    if (std::string_view(month).size() != 3 || m == std::string_view::npos || m % 3 != 0)
        return std::nullopt;
    char iso[40];
    std::snprintf(iso, sizeof iso, "%04d-%02d-%02dT%02d:%02d:%02dZ", y, static_cast<int>(m / 3 + 1),
                  d, h, mi, se);
    return parse_iso(iso);
}

// Retry-After as seconds from now, capped to [1, max_retry_after_seconds]
// (docs/zoom.md §12): Zoom sends an ISO-8601 instant (§8); delay-seconds and
// the HTTP-date form are accepted too. Anything else counts as absent.
std::optional<int> retry_after_header(const response& r) {
    constexpr std::int64_t cap = zoom_rest::max_retry_after_seconds;
    const auto it = r.headers.find("retry-after");
    if (it == r.headers.end() || it->second.empty()) return std::nullopt;
    const std::string& v = it->second;
    std::int64_t seconds = 0;
    if (std::all_of(v.begin(), v.end(),
                    [](char c) { return std::isdigit(static_cast<unsigned char>(c)); })) {
        // More digits than the cap has is more than the cap (and would overflow).
        seconds = v.size() > 9 ? cap : std::strtoll(v.c_str(), nullptr, 10);
    } else {
        auto t = parse_iso(v);
        if (!t) t = parse_http_date(v);
        if (!t) return std::nullopt;
        const auto now = std::chrono::floor<std::chrono::seconds>(std::chrono::system_clock::now());
        seconds = (*t - now).count();
    }
    return static_cast<int>(std::clamp<std::int64_t>(seconds, 1, cap));
}

// Seconds to wait after a 429 (docs/zoom.md §8): Retry-After when usable;
// without it a daily limit waits for 00:00 UTC and a per-second limit 1 s.
int retry_after(const response& r) {
    if (const auto s = retry_after_header(r)) return *s;
    const auto now = std::chrono::floor<std::chrono::seconds>(std::chrono::system_clock::now());
    if (const auto it = r.headers.find("x-ratelimit-type");
        it != r.headers.end() && it->second.find("Daily") != std::string::npos) {
        const auto midnight = std::chrono::floor<std::chrono::days>(now) + std::chrono::days{1};
        return static_cast<int>((midnight - now).count());
    }
    return 1;
}

}  // namespace sala::zoom_detail
