#include "sala/adapters/smtp_mailer.hpp"

#include <cstdlib>
#include <cstring>
#include <mutex>

#include <curl/curl.h>
#include <sys/socket.h>

#include "sala/adapters/outbox_mailer.hpp"
#include "sala/error.hpp"

namespace sala {
namespace {

void global_init() {
    static std::once_flag once;
    std::call_once(once, [] { curl_global_init(CURL_GLOBAL_DEFAULT); });
}

struct upload {
    const std::string* data;
    std::size_t pos = 0;
};

std::size_t read_cb(char* buffer, std::size_t size, std::size_t nitems, void* userp) {
    auto* u = static_cast<upload*>(userp);
    const std::size_t room = size * nitems;
    const std::size_t n = std::min(room, u->data->size() - u->pos);
    std::memcpy(buffer, u->data->data() + u->pos, n);
    u->pos += n;
    return n;
}

// Closing the handle says QUIT on a connection that is still open and waits
// for the reply, with only the per-reply timeout as a bound: a server that
// stalls (after DATA, or at QUIT) would hold the send for up to a second
// total_timeout. Shutting the socket's read side first lets QUIT go out but
// makes the wait for its reply end at once (the transaction is over by then:
// the message was accepted or the send failed).
struct curl_deleter {
    void operator()(CURL* c) const {
        curl_socket_t s = CURL_SOCKET_BAD;
        if (curl_easy_getinfo(c, CURLINFO_ACTIVESOCKET, &s) == CURLE_OK && s != CURL_SOCKET_BAD)
            ::shutdown(s, SHUT_RD);
        curl_easy_cleanup(c);
    }
};
struct slist_deleter {
    void operator()(curl_slist* l) const { curl_slist_free_all(l); }
};

bool retryable_curl(CURLcode rc) {
    switch (rc) {
        case CURLE_LOGIN_DENIED:
        case CURLE_USE_SSL_FAILED:
        case CURLE_PEER_FAILED_VERIFICATION:
        case CURLE_SSL_CACERT_BADFILE:
        case CURLE_UNSUPPORTED_PROTOCOL:
        case CURLE_URL_MALFORMAT:
        case CURLE_NOT_BUILT_IN: return false;
        default: return true;
    }
}

std::string env(const char* name) {
    const char* v = std::getenv(name);
    return v ? std::string(v) : std::string();
}

int env_int(const char* name, int fallback, int lo, int hi) {
    const std::string v = env(name);
    if (v.empty()) return fallback;
    char* end = nullptr;
    const long n = std::strtol(v.c_str(), &end, 10);
    if (*end != '\0' || n < lo || n > hi)
        throw invalid_settings(name, "'" + v + "' is not a number in " + std::to_string(lo) + "-" +
                                         std::to_string(hi));
    return static_cast<int>(n);
}

}  // namespace

smtp_config smtp_config::from_env() {
    smtp_config c;
    if (const auto h = env("SALA_SMTP_HOST"); !h.empty()) c.host = h;
    c.user = env("SALA_SMTP_USER");
    c.password = env("SALA_SMTP_PASSWORD");
    const std::string tls = env("SALA_SMTP_TLS");
    if (tls.empty() || tls == "none")
        c.tls = smtp_tls::none;
    else if (tls == "starttls")
        c.tls = smtp_tls::starttls;
    else if (tls == "implicit" || tls == "tls" || tls == "smtps")
        c.tls = smtp_tls::implicit;
    else
        throw invalid_settings("SALA_SMTP_TLS",
                               "'" + tls + "' is not one of none, starttls, implicit");
    const int default_port = c.tls == smtp_tls::implicit   ? 465
                             : c.tls == smtp_tls::starttls ? 587
                                                           : 25;
    c.port = env_int("SALA_SMTP_PORT", default_port, 1, 65535);
    c.verify_peer = env_int("SALA_SMTP_VERIFY", 1, 0, 1) == 1;
    c.ca_file = env("SALA_SMTP_CA_FILE");
    c.total_timeout = std::chrono::seconds(env_int("SALA_SMTP_TIMEOUT_SECONDS", 60, 1, 3600));
    c.connect_timeout = std::min<std::chrono::milliseconds>(c.connect_timeout, c.total_timeout);
    return c;
}

smtp_mailer::smtp_mailer(smtp_config config) : config_(std::move(config)) {
    if (config_.host.empty() || config_.host.find_first_of(" /\r\n@") != std::string::npos)
        throw invalid_settings("host", "'" + config_.host + "' is not a host name");
    if (config_.port < 1 || config_.port > 65535)
        throw invalid_settings("port", std::to_string(config_.port) + " is not in 1-65535");
    if (config_.total_timeout <= std::chrono::milliseconds{0} ||
        config_.connect_timeout <= std::chrono::milliseconds{0})
        throw invalid_settings("timeout", "must be positive");
    global_init();
}

smtp_mailer::~smtp_mailer() = default;

void smtp_mailer::send(const mail_message& m) {
    const std::string data = format_rfc5322(m);  // validates everything before connecting

    std::unique_ptr<CURL, curl_deleter> curl(curl_easy_init());
    if (!curl) throw backend_error("smtp: curl_easy_init failed", true);
    CURL* c = curl.get();

    const std::string scheme = config_.tls == smtp_tls::implicit ? "smtps://" : "smtp://";
    const std::string host =
        config_.host.find(':') != std::string::npos ? "[" + config_.host + "]" : config_.host;
    std::string url = scheme + host + ":" + std::to_string(config_.port);
    if (!config_.helo_name.empty()) url += "/" + config_.helo_name;
    curl_easy_setopt(c, CURLOPT_URL, url.c_str());
    if (config_.tls == smtp_tls::starttls)
        curl_easy_setopt(c, CURLOPT_USE_SSL, static_cast<long>(CURLUSESSL_ALL));
    if (!config_.ca_file.empty()) curl_easy_setopt(c, CURLOPT_CAINFO, config_.ca_file.c_str());
    if (!config_.verify_peer) {
        curl_easy_setopt(c, CURLOPT_SSL_VERIFYPEER, 0L);
        curl_easy_setopt(c, CURLOPT_SSL_VERIFYHOST, 0L);
    }
    if (!config_.user.empty()) {
        curl_easy_setopt(c, CURLOPT_USERNAME, config_.user.c_str());
        curl_easy_setopt(c, CURLOPT_PASSWORD, config_.password.c_str());
    }
    curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT_MS,
                     static_cast<long>(config_.connect_timeout.count()));
    curl_easy_setopt(c, CURLOPT_TIMEOUT_MS, static_cast<long>(config_.total_timeout.count()));
    // libcurl waits for the reply to the end of DATA in a blocking loop that
    // checks only the per-reply timeout (a known libcurl limitation): bound it too, or a
    // silent server holds a send for libcurl's default 120 s.
    curl_easy_setopt(
        c, CURLOPT_SERVER_RESPONSE_TIMEOUT,
        static_cast<long>(std::chrono::ceil<std::chrono::seconds>(config_.total_timeout).count()));

    const std::string from = "<" + m.from.email + ">";
    curl_easy_setopt(c, CURLOPT_MAIL_FROM, from.c_str());
    std::unique_ptr<curl_slist, slist_deleter> rcpt;
    for (const auto& to : m.to) {
        curl_slist* next = curl_slist_append(rcpt.get(), ("<" + to.email + ">").c_str());
        if (!next) throw backend_error("smtp: out of memory", true);
        rcpt.release();
        rcpt.reset(next);
    }
    curl_easy_setopt(c, CURLOPT_MAIL_RCPT, rcpt.get());

    upload up{&data};
    curl_easy_setopt(c, CURLOPT_READFUNCTION, read_cb);
    curl_easy_setopt(c, CURLOPT_READDATA, &up);
    curl_easy_setopt(c, CURLOPT_UPLOAD, 1L);
    curl_easy_setopt(c, CURLOPT_INFILESIZE_LARGE, static_cast<curl_off_t>(data.size()));

    char errbuf[CURL_ERROR_SIZE] = {0};
    curl_easy_setopt(c, CURLOPT_ERRORBUFFER, errbuf);

    const CURLcode rc = curl_easy_perform(c);
    if (rc == CURLE_OK) return;

    long reply = 0;
    curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &reply);
    // libcurl's text is one line about the protocol, never the server's
    // words; kept to printable characters and without the password anyway.
    std::string detail = errbuf[0] ? std::string(errbuf) : std::string(curl_easy_strerror(rc));
    if (!config_.password.empty())
        for (auto at = detail.find(config_.password); at != std::string::npos;
             at = detail.find(config_.password, at + 10))
            detail.replace(at, config_.password.size(), "[redacted]");
    for (auto& ch : detail)
        if (static_cast<unsigned char>(ch) < 0x20 || ch == 0x7F) ch = ' ';
    std::string what = "smtp: sending '" + m.idempotency_key + "' via " + config_.host + ":" +
                       std::to_string(config_.port) +
                       " failed: " + (rc == CURLE_OPERATION_TIMEDOUT ? "timed out: " : "") + detail;
    if (reply > 0) what += " (SMTP reply " + std::to_string(reply) + ")";
    // 4xx is a transient refusal (RFC 5321 §4.2.1), 5xx a permanent one.
    bool retryable = retryable_curl(rc);
    if (reply >= 500 && reply < 600)
        retryable = false;
    else if (reply >= 400 && reply < 500)
        retryable = true;
    throw backend_error(what, retryable);
}

}  // namespace sala
