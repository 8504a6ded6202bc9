// sala/adapters/{outbox_mailer,smtp_mailer,zoom_rest}.hpp: the real mail and
// Zoom adapters, each bound when its target (sala::outbox/smtp/zoom) is built.
#include "args.hpp"

#ifndef SALA_PY_HAVE_OUTBOX
#define SALA_PY_HAVE_OUTBOX 0
#endif
#ifndef SALA_PY_HAVE_SMTP
#define SALA_PY_HAVE_SMTP 0
#endif
#ifndef SALA_PY_HAVE_ZOOM
#define SALA_PY_HAVE_ZOOM 0
#endif

#if SALA_PY_HAVE_OUTBOX
#include "sala/adapters/outbox_mailer.hpp"
#endif
#if SALA_PY_HAVE_SMTP
#include "sala/adapters/smtp_mailer.hpp"
SALA_PY_ENUM_CASTER(sala::smtp_tls, "sala.SmtpTls")
#endif
#if SALA_PY_HAVE_ZOOM
#include "sala/adapters/zoom_rest.hpp"
#endif

namespace sala::python {

namespace {

template <class T, class C>
void millis_prop(C& c, const char* name, std::chrono::milliseconds T::*field, const char* doc) {
    c.def_property(
        name, [field](const T& x) { return (x.*field).count() / 1000.0; },
        [field, name](T& x, double secs) {
            if (!(secs > 0) || secs > 86400.0 * 7)
                throw invalid_settings(name, "must be between 0 and one week");
            x.*field = std::chrono::milliseconds{static_cast<long long>(secs * 1000)};
        },
        doc);
}

}  // namespace

void bind_adapters(py::module_& m) {
    m.attr("HAVE_OUTBOX") = bool(SALA_PY_HAVE_OUTBOX);
    m.attr("HAVE_SMTP") = bool(SALA_PY_HAVE_SMTP);
    m.attr("HAVE_ZOOM") = bool(SALA_PY_HAVE_ZOOM);
#if SALA_PY_HAVE_OUTBOX
    py::class_<outbox_mailer, mailer, std::shared_ptr<outbox_mailer>> ob(
        m, "OutboxMailer",
        "Mailer writing each message as <folder>/<key>.eml (RFC 5322); a resend overwrites.");
    ob.def(
        py::init([](const std::string& folder) { return std::make_shared<outbox_mailer>(folder); }),
        py::arg("folder"), "Creates ``folder`` if missing (BackendError if it cannot).");
    ob.def(
        "path_for",
        [](const outbox_mailer& o, const std::string& key) { return o.path_for(key).string(); },
        py::arg("idempotency_key"), "The file a message with this key is written to.");
    ob.def_property_readonly(
        "folder", [](const outbox_mailer& o) { return o.folder().string(); }, "The folder.");
    m.def(
        "format_rfc5322", [](const mail_message& msg) { return format_rfc5322(msg); },
        py::arg("message"),
        "The message as RFC 5322 text (encoded headers, multipart text + HTML, Message-ID).");
    m.def("rfc5322_message_id", &rfc5322_message_id, py::arg("message"),
          "The Message-ID derived from the idempotency key.");
#endif
#if SALA_PY_HAVE_SMTP
    make_enum<smtp_tls>(m, "SmtpTls", "NONE (plain), STARTTLS (587) or IMPLICIT (465).",
                        enum_members<smtp_tls>());
    py::class_<smtp_config> sc(m, "SmtpConfig",
                               "Where and how to send mail (mutable). Timeouts in seconds.");
    sc.def(py::init([](std::string host, int port, std::string user, std::string password,
                       smtp_tls tls) {
               smtp_config c;
               c.host = std::move(host);
               c.port = port;
               c.user = std::move(user);
               c.password = std::move(password);
               c.tls = tls;
               return c;
           }),
           py::arg("host") = "127.0.0.1", py::arg("port") = 25, py::arg("user") = "",
           py::arg("password") = "", py::arg("tls") = smtp_tls::none,
           "Plain loopback SMTP by default.");
    sc.def_static("from_env", &smtp_config::from_env,
                  "From SALA_SMTP_* variables; InvalidSettingsError names a malformed one.");
    def_field(sc, "host", &smtp_config::host, "Server.");
    def_field(sc, "port", &smtp_config::port, "Port.");
    def_field(sc, "user", &smtp_config::user, "'' for no AUTH.");
    def_field(sc, "password", &smtp_config::password, "Never logged.");
    def_field(sc, "tls", &smtp_config::tls, "SmtpTls.");
    def_field(sc, "verify_peer", &smtp_config::verify_peer, "TLS certificate and host checks.");
    def_field(sc, "ca_file", &smtp_config::ca_file, "PEM bundle to trust; '' for the system's.");
    def_field(sc, "helo_name", &smtp_config::helo_name, "EHLO name; '' lets libcurl choose.");
    millis_prop<smtp_config>(sc, "connect_timeout", &smtp_config::connect_timeout, "Seconds.");
    millis_prop<smtp_config>(sc, "total_timeout", &smtp_config::total_timeout, "Seconds.");
    sc.def("__repr__", [](const smtp_config& c) {
        return "SmtpConfig(host='" + c.host + "', port=" + std::to_string(c.port) + ", user='" +
               c.user + "', password=<hidden>)";
    });
    py::class_<smtp_mailer, mailer, std::shared_ptr<smtp_mailer>> sm(
        m, "SmtpMailer",
        "Mailer over SMTP (libcurl): 4xx and connection failures are retryable, 5xx not.");
    sm.def(py::init([](smtp_config c) { return std::make_shared<smtp_mailer>(std::move(c)); }),
           py::arg("config"), "InvalidSettingsError for an empty host or a bad port.");
    sm.def_property_readonly(
        "config", [](const smtp_mailer& s) { return s.config(); }, "SmtpConfig (a copy).");
#endif
#if SALA_PY_HAVE_ZOOM
    py::register_exception_translator([](std::exception_ptr p) {
        if (!p) return;
        try {
            std::rethrow_exception(p);
        } catch (const zoom_error& e) {
            py::object ex = zoom_error_class()(e.what(), e.retryable(), e.retry_after_seconds(),
                                               e.http_status(), e.zoom_code());
            PyErr_SetObject(reinterpret_cast<PyObject*>(Py_TYPE(ex.ptr())), ex.ptr());
        }
    });
    py::class_<zoom_config> zc(m, "ZoomConfig",
                               "Zoom Server-to-Server OAuth app and API endpoints (mutable).");
    zc.def(py::init([](std::string account, std::string client, std::string secret,
                       std::string api_base, std::string oauth_url) {
               zoom_config c;
               c.account_id = std::move(account);
               c.client_id = std::move(client);
               c.client_secret = std::move(secret);
               if (!api_base.empty()) c.api_base = std::move(api_base);
               if (!oauth_url.empty()) c.oauth_url = std::move(oauth_url);
               return c;
           }),
           py::arg("account_id"), py::arg("client_id"), py::arg("client_secret"), py::kw_only(),
           py::arg("api_base") = "", py::arg("oauth_url") = "", "Credentials are never logged.");
    zc.def_static("from_env", &zoom_config::from_env,
                  "From ZOOM_ACCOUNT_ID, ZOOM_CLIENT_ID, ZOOM_CLIENT_SECRET (+ SALA_ZOOM_*); "
                  "InvalidSettingsError names a missing one.");
    def_field(zc, "account_id", &zoom_config::account_id, "S2S OAuth account id.");
    def_field(zc, "client_id", &zoom_config::client_id, "S2S OAuth client id.");
    def_field(zc, "client_secret", &zoom_config::client_secret, "Never logged.");
    def_field(zc, "api_base", &zoom_config::api_base, "https://api.zoom.us/v2");
    def_field(zc, "oauth_url", &zoom_config::oauth_url, "https://zoom.us/oauth/token");
    def_field(zc, "page_size", &zoom_config::page_size, "Up to 300.");
    def_field(zc, "max_reply_bytes", &zoom_config::max_reply_bytes,
              "Largest API reply read (default 8 MiB); larger ones fail, retryable.");
    millis_prop<zoom_config>(zc, "connect_timeout", &zoom_config::connect_timeout, "Seconds.");
    millis_prop<zoom_config>(zc, "total_timeout", &zoom_config::total_timeout,
                             "Seconds, one API call.");
    millis_prop<zoom_config>(zc, "download_timeout", &zoom_config::download_timeout,
                             "Seconds, one recording.");
    zc.def("__repr__", [](const zoom_config& c) {
        return "ZoomConfig(account_id='" + c.account_id + "', api_base='" + c.api_base +
               "', client_secret=<hidden>)";
    });
    py::class_<zoom_rest, conferencing, std::shared_ptr<zoom_rest>> zr(
        m, "ZoomRest",
        "Conferencing over the Zoom REST API v2; failures raise ZoomError (a BackendError).");
    zr.def(py::init([](zoom_config c) { return std::make_shared<zoom_rest>(std::move(c)); }),
           py::arg("config"),
           "InvalidSettingsError for missing credentials or bad URLs; fetches no token yet.");
    zr.def("tokens_fetched", &zoom_rest::tokens_fetched, "OAuth tokens fetched so far.");
#endif
}

}  // namespace sala::python
