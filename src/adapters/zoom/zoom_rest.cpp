// Zoom REST adapter (docs/zoom.md §0-§12). One libcurl easy handle per adapter,
// reused (connection keep-alive) under a mutex; calls are serialised.
#include "sala/adapters/zoom_rest.hpp"

#include <algorithm>
#include <atomic>
#include <cctype>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <map>
#include <mutex>
#include <optional>

#include <curl/curl.h>
#include <nlohmann/json.hpp>

#include "adapters/zoom/backend_text.hpp"
#include "adapters/zoom/zoom_wire.hpp"
#include "common/text.hpp"
#include "sala/text.hpp"
#include "sala/time.hpp"

namespace sala {
namespace {

using namespace zoom_detail;
using steady = std::chrono::steady_clock;

void global_init() {
    static std::once_flag once;
    std::call_once(once, [] { curl_global_init(CURL_GLOBAL_DEFAULT); });
}

struct curl_deleter {
    void operator()(CURL* c) const { curl_easy_cleanup(c); }
};
struct slist_deleter {
    void operator()(curl_slist* l) const { curl_slist_free_all(l); }
};

// Where a reply's body goes, with the most it may bring: past `limit` the
// transfer is aborted (returning less than given makes libcurl stop), so an
// endless body costs `limit` bytes of memory or disk, not more.
struct body_sink {
    std::string* text = nullptr;
    std::ofstream* file = nullptr;
    std::int64_t limit = 0;
    std::int64_t received = 0;
    bool over = false;
};
std::size_t write_body(char* p, std::size_t size, std::size_t n, void* ud) {
    auto* b = static_cast<body_sink*>(ud);
    const auto len = static_cast<std::int64_t>(size * n);
    if (b->received + len > b->limit) {
        b->over = true;
        return 0;
    }
    b->received += len;
    if (b->file) {
        b->file->write(p, static_cast<std::streamsize>(len));
        return *b->file ? size * n : 0;
    }
    b->text->append(p, size * n);
    return size * n;
}

// Headers of one call (its redirects included), at most this many bytes: an
// endless header stream is refused, as an endless body is.
constexpr std::size_t max_header_bytes = 64 * 1024;
struct header_sink {
    std::map<std::string, std::string> values;  // lower-case names
    std::size_t bytes = 0;
    bool over = false;
};
std::size_t header_cb(char* p, std::size_t size, std::size_t n, void* ud) {
    auto* hs = static_cast<header_sink*>(ud);
    auto* h = &hs->values;
    const std::string line(p, size * n);
    if (line.rfind("HTTP/", 0) == 0) h->clear();  // a new response (after a redirect)
    hs->bytes += line.size();  // over all responses of the call: a redirect's are small
    if (hs->bytes > max_header_bytes) {
        hs->over = true;
        return 0;
    }
    const auto colon = line.find(':');
    if (colon != std::string::npos) {
        std::string name = line.substr(0, colon);
        for (auto& c : name) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
        std::string value = line.substr(colon + 1);
        const auto b = value.find_first_not_of(" \t");
        const auto e = value.find_last_not_of(" \t\r\n");
        (*h)[name] = b == std::string::npos ? "" : value.substr(b, e - b + 1);
    }
    return size * n;
}

struct http_request {
    std::string method;
    std::string url;
    std::string what;  // "GET /users": for errors, never holds a secret
    std::vector<std::string> headers;
    std::optional<std::string> body;
    std::chrono::milliseconds timeout{0};
    // Download target instead of the body string; (re)created empty by every
    // attempt, so a refused first attempt leaves nothing behind in it.
    std::optional<std::filesystem::path> sink;
    bool follow = false;
    std::int64_t limit = 0;  // the most the body may bring
    std::string too_big;     // the error text when it brings more
    bool too_big_retryable = true;
};

}  // namespace

// ---------------------------------------------------------------------------

zoom_config zoom_config::from_env() {
    auto get = [](const char* name) {
        const char* v = std::getenv(name);
        return v ? std::string(v) : std::string();
    };
    zoom_config c;
    c.account_id = get("ZOOM_ACCOUNT_ID");
    c.client_id = get("ZOOM_CLIENT_ID");
    c.client_secret = get("ZOOM_CLIENT_SECRET");
    for (const auto& [name, value] :
         {std::pair<const char*, const std::string*>{"ZOOM_ACCOUNT_ID", &c.account_id},
          {"ZOOM_CLIENT_ID", &c.client_id},
          {"ZOOM_CLIENT_SECRET", &c.client_secret}})
        if (value->empty()) throw invalid_settings(name, "is not set");
    if (const auto v = get("SALA_ZOOM_API_BASE"); !v.empty()) c.api_base = v;
    if (const auto v = get("SALA_ZOOM_OAUTH_URL"); !v.empty()) c.oauth_url = v;
    if (const auto v = get("SALA_ZOOM_TIMEOUT_SECONDS"); !v.empty()) {
        char* end = nullptr;
        const long n = std::strtol(v.c_str(), &end, 10);
        if (*end != '\0' || n < 1 || n > 3600)
            throw invalid_settings("SALA_ZOOM_TIMEOUT_SECONDS",
                                   "'" + v + "' is not a number in 1-3600");
        c.total_timeout = std::chrono::seconds(n);
        c.connect_timeout = std::min<std::chrono::milliseconds>(c.connect_timeout, c.total_timeout);
    }
    return c;
}

struct zoom_rest::impl {
    zoom_config cfg;
    std::mutex mutex;
    std::unique_ptr<CURL, curl_deleter> curl;
    std::string token;
    steady::time_point token_expiry{};
    std::atomic<int> tokens_fetched{0};

    // Transport: curl failures (connect, timeout, reset) are retryable.
    response perform(const http_request& rq) {
        CURL* c = curl.get();
        curl_easy_reset(c);
        response r;
        char errbuf[CURL_ERROR_SIZE] = {0};
        curl_easy_setopt(c, CURLOPT_URL, rq.url.c_str());
        curl_easy_setopt(c, CURLOPT_ERRORBUFFER, errbuf);
        curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
        curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT_MS,
                         static_cast<long>(cfg.connect_timeout.count()));
        curl_easy_setopt(c, CURLOPT_TIMEOUT_MS, static_cast<long>(rq.timeout.count()));
        curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "http,https");
        curl_easy_setopt(c, CURLOPT_REDIR_PROTOCOLS_STR, "http,https");
        if (rq.follow) {
            curl_easy_setopt(c, CURLOPT_FOLLOWLOCATION, 1L);
            curl_easy_setopt(c, CURLOPT_MAXREDIRS, 10L);
        }
        std::unique_ptr<curl_slist, slist_deleter> headers;
        for (const auto& h : rq.headers)
            headers.reset(curl_slist_append(headers.release(), h.c_str()));
        curl_easy_setopt(c, CURLOPT_HTTPHEADER, headers.get());
        if (rq.method == "GET") {
            curl_easy_setopt(c, CURLOPT_HTTPGET, 1L);
        } else {
            curl_easy_setopt(c, CURLOPT_CUSTOMREQUEST, rq.method.c_str());
        }
        if (rq.body) {
            curl_easy_setopt(c, CURLOPT_POSTFIELDS, rq.body->c_str());
            curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE_LARGE,
                             static_cast<curl_off_t>(rq.body->size()));
        }
        std::ofstream file;
        body_sink body;
        body.limit = rq.limit > 0 ? rq.limit : static_cast<std::int64_t>(cfg.max_reply_bytes);
        if (rq.sink) {
            file.open(*rq.sink, std::ios::binary | std::ios::trunc);
            if (!file) throw backend_error("zoom: cannot write " + rq.sink->string(), false);
            body.file = &file;
        } else {
            body.text = &r.body;
        }
        curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, write_body);
        curl_easy_setopt(c, CURLOPT_WRITEDATA, &body);
        // A Content-Length past the bound is refused before any byte is read.
        curl_easy_setopt(c, CURLOPT_MAXFILESIZE_LARGE, static_cast<curl_off_t>(body.limit));
        header_sink hs;
        curl_easy_setopt(c, CURLOPT_HEADERFUNCTION, header_cb);
        curl_easy_setopt(c, CURLOPT_HEADERDATA, &hs);
        const CURLcode rc = curl_easy_perform(c);
        curl_easy_setopt(c, CURLOPT_HTTPHEADER, nullptr);
        r.headers = std::move(hs.values);
        if (rq.sink) {
            file.close();
            if (rc == CURLE_OK && !file)
                throw backend_error("zoom: cannot write " + rq.sink->string(), true);
        }
        if (body.over || rc == CURLE_FILESIZE_EXCEEDED) {
            const std::string limit = std::to_string(body.limit);
            throw backend_error(
                "zoom: " + rq.what + ": " +
                    (rq.too_big.empty() ? "reply larger than " + limit + " bytes" : rq.too_big),
                rq.too_big_retryable);
        }
        if (hs.over)
            throw backend_error("zoom: " + rq.what + ": reply headers larger than " +
                                    std::to_string(max_header_bytes) + " bytes",
                                true);
        if (rc != CURLE_OK) {
            const bool timeout = rc == CURLE_OPERATION_TIMEDOUT;
            throw backend_error("zoom: " + rq.what + ": " + (timeout ? "timed out: " : "") +
                                    clean(errbuf[0] ? std::string(errbuf) : curl_easy_strerror(rc)),
                                rc != CURLE_WRITE_ERROR || !rq.sink);
        }
        curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &r.status);
        if (rq.sink && r.status >= 300) {
            // An error answer went to the file: read it back for its {"code","message"}.
            std::ifstream in(*rq.sink, std::ios::binary);
            r.body.assign(std::istreambuf_iterator<char>(in), {});
            r.body.resize(std::min<std::size_t>(r.body.size(), 4096));
        }
        return r;
    }

    // Recently used tokens: a server may echo one back after it was replaced.
    std::vector<std::string> old_tokens;

    // Backend text made fit for an error message or a log (docs/zoom.md §12):
    // every credential the adapter holds and every "Bearer …"/"Basic …"/
    // "access_token=…" value replaced by [redacted], then one line of at most
    // 300 characters of valid UTF-8.
    std::string clean(std::string text) const {
        std::vector<std::string> secrets{cfg.client_secret, pct(cfg.client_secret), cfg.client_id,
                                         detail::base64(cfg.client_id + ":" + cfg.client_secret),
                                         token};
        secrets.insert(secrets.end(), old_tokens.begin(), old_tokens.end());
        for (const auto& secret : secrets) {
            if (secret.size() < 4) continue;  // too short to be a credential; would mangle text
            for (auto at = text.find(secret); at != std::string::npos;
                 at = text.find(secret, at + 10))
                text.replace(at, secret.size(), "[redacted]");
        }
        std::string lower = text;
        for (auto& ch : lower) ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
        for (const std::string_view scheme : {"bearer ", "basic ", "access_token="}) {
            for (auto at = lower.find(scheme); at != std::string::npos;
                 at = lower.find(scheme, at + 1)) {
                const auto from = at + scheme.size();
                auto to = from;
                while (to < text.size() && text[to] != '"' && text[to] != '\'' && text[to] != '&' &&
                       text[to] != ',' && text[to] != ';' &&
                       static_cast<unsigned char>(text[to]) > 0x20)
                    ++to;
                if (to == from || text.compare(from, to - from, "[redacted]") == 0) continue;
                text.replace(from, to - from, "[redacted]");
                lower.replace(from, to - from, "[redacted]");
            }
        }
        return sanitize_text(text, 300);
    }

    [[noreturn]] void fail(const std::string& what, const response& r) {
        const auto [code, message] = zoom_code_message(r.body);
        std::string text = "zoom: " + what + ": HTTP " + std::to_string(r.status);
        if (code != 0) text += ", code " + std::to_string(code);
        if (const std::string m = clean(message); !m.empty()) text += ": " + m;
        const int status = static_cast<int>(r.status);
        if (status == 429) throw zoom_error(text, status, code, true, retry_after(r));
        // A 503 may say when to come back too (RFC 9110 §10.2.3); capped alike.
        if (status == 503)
            throw zoom_error(text, status, code, true, retry_after_header(r).value_or(0));
        throw zoom_error(text, status, code, status >= 500 || status == 408);
    }

    void fetch_token() {
        http_request rq;
        rq.method = "POST";
        rq.url = cfg.oauth_url;
        rq.what = "POST oauth token";
        rq.headers = {
            "Authorization: Basic " + detail::base64(cfg.client_id + ":" + cfg.client_secret),
            "Content-Type: application/x-www-form-urlencoded", "Accept: application/json"};
        rq.body = "grant_type=account_credentials&account_id=" + pct(cfg.account_id);
        rq.timeout = cfg.total_timeout;
        const auto started = steady::now();
        const response r = perform(rq);
        if (r.status != 200) fail(rq.what, r);
        const json j = parse_reply(r.body);
        const std::string fresh = str(j, "access_token");
        if (fresh.empty())
            throw backend_error("zoom: " + rq.what + ": no access_token in the reply", true);
        // It goes into a header line: a token with a blank, a control or a
        // non-token character (RFC 6750 §2.1) could inject another header.
        if (fresh.size() > 8192 || !std::all_of(fresh.begin(), fresh.end(), [](char ch) {
                return std::isalnum(static_cast<unsigned char>(ch)) ||
                       std::string_view("-._~+/=").find(ch) != std::string_view::npos;
            }))
            throw backend_error("zoom: " + rq.what + ": the access_token in the reply is unusable",
                                true);
        if (!token.empty()) {
            old_tokens.push_back(token);
            if (old_tokens.size() > 4) old_tokens.erase(old_tokens.begin());
        }
        token = fresh;
        // Clamped: a day at most, so a bogus expires_in cannot overflow the clock.
        const auto expires = std::clamp<std::int64_t>(
            j.contains("expires_in") ? num(j, "expires_in") : 3599, 1, 86'400);
        // Renew a minute early so a token never expires in flight.
        token_expiry = started + std::chrono::seconds(std::max<std::int64_t>(expires - 60, 1));
        ++tokens_fetched;
    }

    const std::string& bearer() {
        if (token.empty() || steady::now() >= token_expiry) fetch_token();
        return token;
    }

    static bool expired_token(const response& r) {
        return r.status == 401 && zoom_code_message(r.body).first == 124;
    }

    // One authenticated call. A 401 with code 124 refreshes the token and
    // retries once (docs/zoom.md §1); a second 401 is final.
    response call(http_request rq, std::initializer_list<long> ok = {200, 201, 204},
                  std::initializer_list<long> tolerated = {}) {
        rq.headers.push_back("Accept: application/json");
        if (rq.body) rq.headers.push_back("Content-Type: application/json");
        if (rq.timeout.count() == 0) rq.timeout = cfg.total_timeout;
        rq.headers.push_back("Authorization: Bearer " + bearer());
        response r = perform(rq);
        if (expired_token(r)) {
            token.clear();
            rq.headers.back() = "Authorization: Bearer " + bearer();
            r = perform(rq);
        }
        if (std::find(ok.begin(), ok.end(), r.status) != ok.end() ||
            std::find(tolerated.begin(), tolerated.end(), r.status) != tolerated.end())
            return r;
        fail(rq.what, r);
    }

    response api(const std::string& method, const std::string& path, const std::string& query = {},
                 std::optional<json> body = std::nullopt,
                 std::initializer_list<long> tolerated = {}) {
        http_request rq;
        rq.method = method;
        rq.url = cfg.api_base + path + (query.empty() ? "" : "?" + query);
        rq.what = method + " " + path;
        if (body) rq.body = body->dump();
        return call(std::move(rq), {200, 201, 204}, tolerated);
    }

    static json parse(const response& r, const std::string& what) {
        json j = parse_reply(r.body);
        if (j.is_discarded() || !j.is_object())
            throw backend_error("zoom: " + what + ": reply is not a JSON object", true);
        return j;
    }

    // Every page of a list (docs/zoom.md §0: next_page_token, empty on the last page).
    std::vector<json> all_pages(const std::string& path, const std::string& array_key,
                                const std::string& query = {}) {
        std::vector<json> items;
        std::string next;
        std::size_t bytes = 0;
        for (int page = 0; page < zoom_rest::max_pages; ++page) {
            std::string q = "page_size=" + std::to_string(cfg.page_size);
            if (!query.empty()) q = query + "&" + q;
            if (!next.empty()) q += "&next_page_token=" + pct(next);
            const response r = api("GET", path, q);
            bytes += r.body.size();
            if (bytes > 8 * cfg.max_reply_bytes)
                throw backend_error("zoom: GET " + path + ": the pages together are larger than " +
                                        std::to_string(8 * cfg.max_reply_bytes) + " bytes",
                                    true);
            const json j = parse(r, "GET " + path);
            if (const auto it = j.find(array_key); it != j.end() && it->is_array())
                for (const auto& e : *it) items.push_back(e);
            const std::string token_now = str(j, "next_page_token");
            if (token_now.empty() || token_now == next) return items;
            next = token_now;
        }
        throw backend_error("zoom: GET " + path + ": paging did not end after " +
                                std::to_string(zoom_rest::max_pages) + " pages",
                            true);
    }
};

zoom_rest::zoom_rest(zoom_config config) : impl_(std::make_unique<impl>()) {
    if (config.account_id.empty()) throw invalid_settings("account_id", "is empty");
    if (config.client_id.empty()) throw invalid_settings("client_id", "is empty");
    if (config.client_secret.empty()) throw invalid_settings("client_secret", "is empty");
    for (const auto* url : {&config.api_base, &config.oauth_url})
        if (url->rfind("https://", 0) != 0 && url->rfind("http://", 0) != 0)
            throw invalid_settings(url == &config.api_base ? "api_base" : "oauth_url",
                                   "'" + *url + "' is not an http(s) URL");
    while (!config.api_base.empty() && config.api_base.back() == '/') config.api_base.pop_back();
    if (config.page_size < 1 || config.page_size > 300)
        throw invalid_settings("page_size", std::to_string(config.page_size) + " is not in 1-300");
    if (config.total_timeout.count() <= 0 || config.connect_timeout.count() <= 0 ||
        config.download_timeout.count() <= 0)
        throw invalid_settings("timeout", "must be positive");
    global_init();
    impl_->cfg = std::move(config);
    impl_->curl.reset(curl_easy_init());
    if (!impl_->curl) throw backend_error("zoom: curl_easy_init failed", true);
}

zoom_rest::~zoom_rest() = default;

int zoom_rest::tokens_fetched() const noexcept { return impl_->tokens_fetched.load(); }

std::vector<account_user> zoom_rest::list_users() {
    std::lock_guard lock(impl_->mutex);
    std::vector<account_user> out;
    for (const json& u : impl_->all_pages("/users", "users", "status=active")) {
        account_user a;
        a.user_id = str(u, "id");
        a.email = str(u, "email");
        // Pending users have no id yet; an id or address that is not plain
        // text (controls, blanks, not an address) cannot be used as a room:
        // skipped like them (docs/adapters.md, "Hostile answers").
        if (!usable_id(a.user_id) || !usable_email(a.email)) continue;
        a.display_name = sanitize_text(text(u, "first_name") + " " + text(u, "last_name"), 200);
        if (a.display_name.empty()) a.display_name = a.email;
        const std::string seg = "/users/" + pct(a.user_id);
        const json detail = impl_->parse(impl_->api("GET", seg), "GET " + seg);
        a.owner = str(detail, "role_name") == "Owner";
        const auto type = num(u, "type");
        a.licensed = false;
        a.capacity = 0;
        if (type == 2 || type == 3) {  // only Licensed/On-prem users can hold the webinar add-on
            const json s =
                impl_->parse(impl_->api("GET", seg + "/settings"), "GET " + seg + "/settings");
            if (const auto f = s.find("feature"); f != s.end() && f->is_object()) {
                a.licensed = f->value("webinar", false);
                if (a.licensed) a.capacity = static_cast<int>(num(*f, "webinar_capacity"));
            }
        }
        out.push_back(std::move(a));
    }
    return out;
}

webinar_handle zoom_rest::create_webinar(const webinar_spec& spec) {
    require_id(spec.host_user_id, "host_user_id");
    if (spec.topic.empty()) throw invalid_argument("topic", "is empty");
    if (spec.topic.size() > 200)
        throw invalid_argument("topic", "is longer than Zoom's 200 characters");
    if (spec.duration <= minutes{0}) throw invalid_argument("duration", "must be positive");
    if (spec.passcode.size() > 10)
        throw invalid_argument("passcode", "is longer than 10 characters");
    for (const char ch : spec.passcode)
        if (!std::isalnum(static_cast<unsigned char>(ch)) &&
            std::string_view("@-_*!").find(ch) == std::string_view::npos)
            throw invalid_argument("passcode", "may hold only a-z A-Z 0-9 @ - _ * !");
    if (!spec.zone.empty()) check_zone(spec.zone);

    json body = {{"topic", spec.topic},
                 {"type", 5},
                 {"start_time", format_iso_utc(spec.start)},
                 {"duration", spec.duration.count()},
                 {"settings", {{"approval_type", spec.admission == admission::manual ? 1 : 0}}}};
    if (!spec.zone.empty()) body["timezone"] = spec.zone;
    if (!spec.passcode.empty()) body["password"] = spec.passcode;
    if (!spec.agenda.empty()) {
        std::string agenda = spec.agenda.substr(0, 2000);  // docs/zoom.md §3
        while (agenda.size() < spec.agenda.size() && !agenda.empty() &&
               (static_cast<unsigned char>(spec.agenda[agenda.size()]) & 0xC0) == 0x80)
            agenda.pop_back();
        body["agenda"] = agenda;
    }
    std::lock_guard lock(impl_->mutex);
    const std::string path = "/users/" + pct(spec.host_user_id) + "/webinars";
    const json j = impl_->parse(impl_->api("POST", path, {}, body), "POST " + path);
    webinar_handle h{str(j, "id"), str(j, "join_url"), str(j, "start_url")};
    if (h.webinar_id.empty()) throw backend_error("zoom: POST " + path + ": reply has no id", true);
    // Created, but with values sala cannot store or mail: not retryable (a
    // retry would create a second webinar); the text names the id if usable.
    if (!usable_id(h.webinar_id))
        throw backend_error("zoom: POST " + path + ": reply's id is not a usable id", false);
    for (const auto& [name, url] :
         {std::pair{"join_url", &h.join_url}, {"start_url", &h.start_url}})
        if (!url->empty() && !usable_url(*url))
            throw backend_error("zoom: POST " + path + ": webinar " + h.webinar_id + ": reply's " +
                                    name + " is not a usable http(s) URL",
                                false);
    return h;
}

void zoom_rest::delete_webinar(const std::string& webinar_id) {
    require_id(webinar_id, "webinar_id");
    std::lock_guard lock(impl_->mutex);
    impl_->api("DELETE", "/webinars/" + webinar_segment(webinar_id), {}, std::nullopt, {404});
}

void zoom_rest::end_webinar(const std::string& webinar_id) {
    require_id(webinar_id, "webinar_id");
    std::lock_guard lock(impl_->mutex);
    impl_->api("PUT", "/webinars/" + webinar_segment(webinar_id) + "/status", {},
               json{{"action", "end"}}, {404});
}

void zoom_rest::set_user_password(const std::string& user_id, const std::string& password) {
    require_id(user_id, "user_id");
    if (password.empty()) throw invalid_argument("password", "is empty");
    if (password.size() > 31) throw invalid_argument("password", "is longer than 31 characters");
    std::lock_guard lock(impl_->mutex);
    impl_->api("PUT", "/users/" + pct(user_id) + "/password", {}, json{{"password", password}});
}

std::vector<participant> zoom_rest::participants_report(const std::string& webinar_id) {
    require_id(webinar_id, "webinar_id");
    std::lock_guard lock(impl_->mutex);
    const std::string path = "/report/webinars/" + webinar_segment(webinar_id) + "/participants";
    std::vector<json> rows;
    try {
        rows = impl_->all_pages(path, "participants");
    } catch (const zoom_error& e) {
        // Zoom builds the report a while after the end: a 404 now may be fine later.
        if (e.http_status() == 404)
            throw zoom_error(std::string(e.what()) + " (report not ready yet?)", 404, e.zoom_code(),
                             true, 60);
        throw;
    }
    std::vector<participant> out;
    for (const json& p : rows)
        out.push_back({text(p, "name"), text(p, "user_email", 254),
                       parse_instant(str(p, "join_time")), parse_instant(str(p, "leave_time")),
                       num(p, "duration")});
    return out;
}

std::vector<recording_file> zoom_rest::list_recordings(const std::string& webinar_id) {
    require_id(webinar_id, "webinar_id");
    std::lock_guard lock(impl_->mutex);
    const std::string path = "/meetings/" + webinar_segment(webinar_id) + "/recordings";
    const response r = impl_->api("GET", path, {}, std::nullopt, {404});
    std::vector<recording_file> out;
    if (r.status == 404) return out;  // 3301: no recording (yet)
    const json j = impl_->parse(r, "GET " + path);
    if (const auto it = j.find("recording_files"); it != j.end() && it->is_array())
        for (const auto& f : *it)
            out.push_back({text(f, "id", 128), text(f, "file_type", 32), str(f, "download_url"),
                           num(f, "file_size")});
    return out;
}

void zoom_rest::download_recording(const recording_file& file,
                                   const std::string& destination_path) {
    if (!usable_url(file.download_url))
        throw invalid_argument("download_url", "'" + url_for_message(file.download_url) +
                                                   "' is not an http(s) URL without blanks");
    if (destination_path.empty()) throw invalid_argument("destination_path", "is empty");
    const std::filesystem::path dest(destination_path);
    std::error_code ec;
    if (dest.has_parent_path()) std::filesystem::create_directories(dest.parent_path(), ec);
    auto tmp = dest;
    tmp += ".part";
    std::lock_guard lock(impl_->mutex);
    http_request rq;
    rq.method = "GET";
    rq.url = file.download_url;
    rq.what = "download recording " + sanitize_text(file.id, 128);
    rq.sink = tmp;
    rq.follow = true;  // the download URL redirects to storage
    rq.timeout = impl_->cfg.download_timeout;
    // Disk is bounded by what the listing announced (docs/zoom.md §12). A file
    // larger than that will be as large next time: not retryable.
    rq.limit = download_limit(file);
    rq.too_big = "the file is larger than " + std::to_string(rq.limit) + " bytes (Zoom listed " +
                 std::to_string(file.size_bytes) + ")";
    rq.too_big_retryable = false;
    try {
        impl_->call(std::move(rq), {200});
    } catch (...) {
        std::filesystem::remove(tmp, ec);
        throw;
    }
    std::filesystem::rename(tmp, dest, ec);
    if (ec)
        throw backend_error("zoom: cannot rename to " + dest.string() + ": " + ec.message(), false);
}

void zoom_rest::trash_recordings(const std::string& webinar_id) {
    require_id(webinar_id, "webinar_id");
    std::lock_guard lock(impl_->mutex);
    impl_->api("DELETE", "/meetings/" + webinar_segment(webinar_id) + "/recordings", "action=trash",
               std::nullopt, {404});
}

void zoom_rest::apply_room_settings(const std::string& user_id, const room_settings& s) {
    require_id(user_id, "user_id");
    std::lock_guard lock(impl_->mutex);
    impl_->api("PATCH", "/users/" + pct(user_id) + "/settings", {},
               json{{"in_meeting",
                     {{"waiting_room", s.waiting_room}, {"auto_saving_chat", s.auto_save_chat}}}});
}

}  // namespace sala
