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
#include "sala/adapters/zoom_webhook.hpp"
SALA_PY_ENUM_CASTER(sala::zoom_event_kind, "sala.ZoomEventKind")
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

#if SALA_PY_HAVE_ZOOM
// Aware UTC datetimes, exact to the millisecond (no float rounding).
template <class D>
py::object opt_time(const std::optional<std::chrono::sys_time<D>>& t) {
    if (!t) return py::none();
    const auto ms = std::chrono::floor<std::chrono::milliseconds>(*t).time_since_epoch().count();
    const auto dt = py::module_::import("datetime");
    const long long secs = ms >= 0 ? ms / 1000 : -((-ms + 999) / 1000);
    return dt.attr("datetime").attr("fromtimestamp")(secs, dt.attr("timezone").attr("utc")) +
           dt.attr("timedelta")(py::arg("milliseconds") = ms - secs * 1000);
}
std::chrono::sys_seconds seconds_arg(py::handle now) {
    double secs = 0;
    if (py::hasattr(now, "timestamp")) {
        if (now.attr("tzinfo").is_none())
            throw invalid_argument("now", "must be an aware datetime (or Unix seconds)");
        secs = now.attr("timestamp")().cast<double>();
    } else if (py::isinstance<py::int_>(now) || py::isinstance<py::float_>(now)) {
        secs = now.cast<double>();
    } else {
        throw invalid_argument("now", "must be an aware datetime or Unix seconds");
    }
    return std::chrono::sys_seconds{std::chrono::seconds{static_cast<long long>(secs)}};
}

void bind_zoom_webhook(py::module_& m) {
    make_enum<zoom_event_kind>(m, "ZoomEventKind",
                               "The Zoom webhook events sala acts on; OTHER is acknowledged only.",
                               enum_members<zoom_event_kind>());
    py::class_<zoom_signature_check> sc(m, "ZoomSignatureCheck",
                                        "ok, or the header at fault (field) and why (reason).");
    sc.def_readonly("ok", &zoom_signature_check::ok, "True when the delivery is Zoom's.");
    sc.def_readonly("field", &zoom_signature_check::field, "The header at fault, or ''.");
    sc.def_readonly("reason", &zoom_signature_check::reason, "Why (never the secret).");
    sc.def("__bool__", [](const zoom_signature_check& c) { return c.ok; });
    sc.def("__repr__", [](const zoom_signature_check& c) {
        return c.ok ? std::string("ZoomSignatureCheck(ok)")
                    : "ZoomSignatureCheck(field='" + c.field + "', reason='" + c.reason + "')";
    });
    py::class_<zoom_event> ev(m, "ZoomEvent", "One Zoom webhook delivery as sala reads it.");
    ev.def_readonly("kind", &zoom_event::kind, "ZoomEventKind.");
    ev.def_readonly("name", &zoom_event::name, "The event as Zoom spelt it.");
    ev.def_readonly("account_id", &zoom_event::account_id, "payload.account_id.");
    ev.def_readonly("webinar_id", &zoom_event::webinar_id, "payload.object.id as text.");
    ev.def_readonly("webinar_uuid", &zoom_event::webinar_uuid, "payload.object.uuid.");
    ev.def_readonly("host_id", &zoom_event::host_id, "payload.object.host_id.");
    ev.def_property_readonly(
        "event_ts", [](const zoom_event& e) { return opt_time(e.event_ts); }, "Aware UTC or None.");
    ev.def_property_readonly(
        "start_time", [](const zoom_event& e) { return opt_time(e.start_time); },
        "Aware UTC or None.");
    ev.def_property_readonly(
        "end_time", [](const zoom_event& e) { return opt_time(e.end_time); }, "Aware UTC or None.");
    ev.def_readonly("download_token", &zoom_event::download_token,
                    "recording.completed: a secret, never log it.");
    ev.def_readonly("recordings", &zoom_event::recordings, "list of RecordingFile.");
    ev.def_readonly("plain_token", &zoom_event::plain_token, "endpoint.url_validation.");
    ev.def_readonly("delivery_key", &zoom_event::delivery_key,
                    "The same for every retry of one delivery: an inbox's dedup key.");
    ev.def("__repr__", [](const zoom_event& e) {
        return "ZoomEvent(" + e.name + ", webinar_id='" + e.webinar_id + "')";  // no token
    });
    m.attr("ZOOM_SIGNATURE_TOLERANCE_SECONDS") = zoom_signature_tolerance.count();
    m.attr("MAX_ZOOM_WEBHOOK_BODY") = max_zoom_webhook_body;
    m.def(
        "verify_zoom_signature",
        [](const std::string& secret, const std::string& signature, const std::string& timestamp,
           const std::string& body, py::object now) {
            return verify_zoom_signature(secret, signature, timestamp, body, seconds_arg(now));
        },
        py::arg("secret"), py::arg("signature"), py::arg("timestamp"), py::arg("body"),
        py::arg("now"),
        "x-zm-signature == 'v0=' + hex HMAC-SHA256(secret, 'v0:{timestamp}:{body}') in constant "
        "time, timestamp within 5 minutes of ``now`` (aware datetime or Unix seconds). Returns a "
        "ZoomSignatureCheck; an empty secret raises InvalidSettingsError.");
    m.def("zoom_url_validation_reply", &zoom_url_validation_reply, py::arg("secret"),
          py::arg("plain_token"),
          "The JSON body answering endpoint.url_validation (plainToken, encryptedToken).");
    m.def(
        "parse_zoom_event", [](const std::string& body) { return parse_zoom_event(body); },
        py::arg("body"),
        "ZoomEvent from a delivery's raw body (bytes or str); InvalidArgumentError naming the "
        "field otherwise.");
}
#endif

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
    bind_zoom_webhook(m);
#endif
}

}  // namespace sala::python
