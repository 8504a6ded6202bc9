// sala/webhook_signature.hpp, sala/durable/webhooks.hpp and the outbox
// dispatcher of sala/durable/durable_platform.hpp: Standard Webhooks signing,
// the webhook planner switch and OutboxDispatcher.
#include <memory>
#include <optional>
#include <string>

#include "args.hpp"
#include "lifecycle_surface.hpp"
#include "platform_surface.hpp"
#include "sala/durable/durable_platform.hpp"
#include "sala/durable/webhooks.hpp"
#include "sala/webhook_signature.hpp"

namespace sala::python {

namespace {

// Bodies arrive as str or bytes; both are taken byte for byte (str as UTF-8).
std::string bytes_arg(const py::object& o, const char* field) {
    if (py::isinstance<py::bytes>(o)) return o.cast<std::string>();
    if (py::isinstance<py::str>(o)) return o.cast<std::string>();
    throw wrong_type(field, "must be str or bytes, got " + type_name(o));
}

}  // namespace

void bind_webhooks(py::module_& m) {
    m.def(
        "generate_webhook_secret",
        [] { return unlocked([] { return generate_webhook_secret(); }); },
        "A fresh Standard Webhooks secret: 'whsec_' + base64 of 32 random bytes.");
    m.def(
        "webhook_secret_problem", [](const std::string& s) { return webhook_secret_problem(s); },
        py::arg("secret"), "Why the secret is not usable ('' when it is); never echoes it.");
    m.def(
        "sign_webhook",
        [](const std::string& secret, const std::string& id, std::int64_t timestamp,
           py::object body) {
            const std::string b = bytes_arg(body, "body");
            return sign_webhook(secret, id, timestamp, b);
        },
        py::arg("secret"), py::arg("id"), py::arg("timestamp"), py::arg("body"),
        "'v1,<base64 HMAC-SHA256>' of '{id}.{timestamp}.{body}' (the webhook-signature header).");

    py::class_<webhook_verification> wv(m, "WebhookVerification",
                                        "The outcome of verify_webhook (truthy when valid).");
    wv.def_readonly("valid", &webhook_verification::valid, "The signature and timestamp hold.");
    wv.def_readonly("reason", &webhook_verification::reason, "Why not ('' when valid).");
    wv.def("__bool__", [](const webhook_verification& v) { return v.valid; });
    wv.def("__repr__", [](const webhook_verification& v) {
        return "WebhookVerification(valid=" + std::string(v.valid ? "True" : "False") +
               ", reason=" + py::repr(py::str(v.reason)).cast<std::string>() + ")";
    });
    m.def(
        "verify_webhook",
        [](const std::string& secret, const std::string& id, const std::string& timestamp,
           const std::string& signature, py::object body, std::int64_t now,
           std::int64_t tolerance) {
            const std::string b = bytes_arg(body, "body");
            return verify_webhook(secret, id, timestamp, signature, b, now, tolerance);
        },
        py::arg("secret"), py::arg("id"), py::arg("timestamp"), py::arg("signature"),
        py::arg("body"), py::kw_only(), py::arg("now"), py::arg("tolerance") = 300,
        "Checks the three Standard Webhooks headers against the raw body; `now` in Unix seconds.");
    py::list types;
    for (const auto& t : webhook_types()) types.append(t);
    m.attr("WEBHOOK_TYPES") = py::tuple(types);
    m.attr("WEBHOOK_EFFECT_KIND") = webhook_effect_kind;

    auto dp = py::reinterpret_borrow<py::class_<durable_platform>>(m.attr("DurablePlatform"));
    dp.def(
        "enable_webhooks", [](durable_platform& d) { unlocked([&] { enable_webhooks(d); }); },
        "Each command's request.assigned/queued/reassigned/cancelled become 'webhook' effects "
        "committed with it (replaces any other effect planner).");
    auto dl =
        py::reinterpret_borrow<py::class_<bound_durable_lifecycle>>(m.attr("DurableLifecycle"));
    dl.def(
        "enable_webhooks",
        [](bound_durable_lifecycle& x) { unlocked([&] { enable_webhooks(*x.life); }); },
        "credentials.issued, report.ready, problem.opened/closed become 'webhook' effects "
        "committed with the step that caused them.");

    using result = outbox_dispatcher::result;
    py::class_<result> dr(m, "DispatchResult", "What one dispatch() did.");
    dr.def_readonly("sent", &result::sent, "Handled and marked done.");
    dr.def_readonly("retrying", &result::retrying, "Failed; tried again after a backoff.");
    dr.def_readonly("failed", &result::failed, "Given up (not retryable, or no handler).");
    dr.def("__repr__", [](const result& r) {
        return "DispatchResult(sent=" + std::to_string(r.sent) +
               ", retrying=" + std::to_string(r.retrying) + ", failed=" + std::to_string(r.failed) +
               ")";
    });

    py::class_<outbox_dispatcher> od(
        m, "OutboxDispatcher",
        "Sends the effects committed to a store's outbox: one handler per effect kind; a handler "
        "that returns marks the effect done, one that raises has it retried with backoff "
        "(sala.BackendError(retryable=False) gives up). Effects of a kind without a handler fail.");
    od.def(py::init([](py::object so, py::object clk) {
               if (!py::isinstance<store>(so))
                   throw wrong_type("store", "must be a Store, got " + type_name(so));
               auto s = so.cast<std::shared_ptr<store>>();
               auto c = clock_arg(std::move(clk));
               return unlocked(
                   [&] { return std::make_unique<outbox_dispatcher>(std::move(s), std::move(c)); });
           }),
           py::arg("store"), py::arg("clock") = py::none());
    od.def(
        "on",
        [](outbox_dispatcher& d, const std::string& kind, py::object fn) {
            if (kind.empty()) throw invalid_argument("kind", "must not be empty");
            if (!PyCallable_Check(fn.ptr()))
                throw wrong_type("handler", "must be callable, got " + type_name(fn));
            auto h = hold_callable(std::move(fn));
            const std::string where = "OutboxDispatcher handler for '" + kind + "'";
            d.on(kind, [h, where](const effect& e) { call_port(where.c_str(), [&] { (*h)(e); }); });
        },
        py::arg("kind"), py::arg("handler"), "handler(effect) for effects of this kind.");
    od.def(
        "dispatch",
        [](outbox_dispatcher& d, std::size_t limit) {
            return unlocked([&] { return d.dispatch(limit); });
        },
        py::arg("limit") = 100, "Sends up to `limit` due effects, oldest first.");
}

}  // namespace sala::python
