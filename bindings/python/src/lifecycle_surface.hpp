#pragma once
// The queries and callbacks Lifecycle and DurableLifecycle share, bound once
// for both (same names, signatures, return types and docstrings), and what
// Python holds for each: the C++ object plus the platform it drives, whose
// clock next_due() reads.

#include <algorithm>
#include <memory>
#include <optional>
#include <string>
#include <utility>

#include "args.hpp"
#include "sala/durable/durable_lifecycle.hpp"
#include "sala/durable/durable_platform.hpp"
#include "sala/lifecycle/lifecycle.hpp"

namespace sala::python {

struct bound_lifecycle {
    platform& plat;
    std::unique_ptr<lifecycle> life;

    lifecycle& engine() { return *life; }
    const lifecycle& engine() const { return *life; }
    instant now() const { return plat.now(); }
    link_report link_account(const std::string& name, pool_kind kind) {
        return life->link_account(name, kind);
    }
};

struct bound_durable_lifecycle {
    durable_platform& plat;
    std::unique_ptr<durable_lifecycle> life;

    lifecycle& engine() { return life->engine(); }
    const lifecycle& engine() const { return life->engine(); }
    instant now() const { return plat.view().now(); }
    // One platform transaction (the rooms), then the admin notices it queued.
    link_report link_account(const std::string& name, pool_kind kind) {
        auto rep = plat.run([&](platform&) { return life->engine().link_account(name, kind); });
        life->save();
        return rep;
    }
};

// The ports and options both lifecycles take, converted naming their parameters.
struct lifecycle_ports {
    conferencing& conf;
    mailer& mail;
    lifecycle_options options;
};
inline lifecycle_ports lifecycle_ports_arg(py::handle conf, py::handle mail, py::handle options) {
    return {
        held_arg<conferencing&>(conf, "conferencing"), held_arg<mailer&>(mail, "mailer"),
        arg_as<std::optional<lifecycle_options>>(options, "options").value_or(lifecycle_options{})};
}

// Decision (docs/python.md "As soon as possible"): C++ marks a step that may
// run at once with the epoch; Python never shows that as a 1970 datetime.
inline py::object time_or_none(instant t) {
    if (t == instant{}) return py::none();
    return py::cast(t);
}

// A callback the lifecycle calls during a step: its exceptions must not break
// the step half-way, so they are reported as unraisable.
template <class Arg>
std::function<void(const Arg&)> logging_callback(py::object f) {
    auto held = hold_callable(std::move(f));
    return [held](const Arg& a) {
        py::gil_scoped_acquire gil;
        try {
            (*held)(Arg(a));  // a copy: the callback may keep it
        } catch (py::error_already_set& err) {
            err.discard_as_unraisable("sala.Lifecycle callback");
        }
    };
}

template <class W>
void bind_lifecycle_surface(py::class_<W>& c) {
    c.def(
        "tick",
        [](W& x, py::object now) {
            const instant t = instant_arg(now, "now", /*floor=*/true);
            return unlocked([&] { return x.life->tick(t); });
        },
        py::arg("now"),
        "Runs every step due at aware ``now`` (a DurableLifecycle then saves the step records); "
        "returns how many were attempted. Releases the GIL.");
    c.def(
        "generate_credentials_now",
        [](W& x, py::object id, py::object now) {
            const auto r = arg_as<request_id>(id, "request");
            const instant t = instant_arg(now, "now", true);
            return unlocked([&] { return x.life->generate_credentials_now(r, t); });
        },
        py::arg("request"), py::arg("now"),
        "R13: makes the credentials due now and ticks (and saves, on a DurableLifecycle); True "
        "once mailed.");
    def_method(
        c, "link_account",
        +[](W& x, const std::string& name, pool_kind kind) { return x.link_account(name, kind); },
        py::arg("name"), py::arg("kind"),
        "R1/R2: lists the backend's users and links them (on a DurableLifecycle, in one store "
        "transaction); returns a LinkReport. An owner holding a licence is reported to the admin "
        "by e-mail, once.");
    def_method(
        c, "next_due",
        +[](const W& x) -> std::optional<instant> {
            auto due = x.engine().next_due();
            if (due) due = std::max(*due, x.now());
            return due;
        },
        "None when no step is waiting; else when the next one may run (aware UTC), never "
        "earlier than the platform clock's now: now itself when one may run already (overdue, or "
        "due as soon as possible). A host sleeps until then, or until ``dirty``.");
    c.def_property_readonly(
        "dirty", [](const W& x) { return unlocked([&] { return x.engine().dirty(); }); },
        "The platform changed since the last tick.");
    c.def(
        "about_to_start",
        [](const W& x, py::object now, py::object lookahead) {
            const instant t = instant_arg(now, "now", true);
            const minutes la = minutes_arg(lookahead, "lookahead");
            return unlocked([&] { return x.engine().about_to_start(t, la); });
        },
        py::arg("now"), py::arg("lookahead") = 0,
        "R13: webinars in their credentials window without credentials.");
    def_method(
        c, "credentials_of",
        +[](const W& x, request_id id) { return x.engine().credentials_of(id); },
        py::arg("request"),
        "R12: WebinarCredentials or None (only in the process that generated them).");
    def_method(
        c, "report_of", +[](const W& x, request_id id) { return x.engine().report_of(id); },
        py::arg("request"), "R15: AttendanceReport or None.");
    def_method(
        c, "status", +[](const W& x, request_id id) { return x.engine().status(id); },
        py::arg("request"),
        "WebinarStatus: the platform's, RUNNING from Zoom's webinar.started on.");
    def_method(
        c, "request_of_webinar",
        +[](const W& x, const std::string& w) { return x.engine().request_of_webinar(w); },
        py::arg("webinar_id"), "The request whose current webinar this is, or None.");
    def_method(
        c, "problems", +[](const W& x) { return x.engine().problems(); }, "list of Problem.");
    def_method(
        c, "state", +[](const W& x) { return lifecycle_state(x.engine().state()); },
        "LifecycleState (a copy).");
    def_method(
        c, "options", +[](const W& x) { return lifecycle_options(x.engine().options()); },
        "LifecycleOptions (a copy).");
    def_method(
        c, "effects", +[](const W& x) { return std::vector<effect>(x.engine().effects()); },
        "Every external effect this object has made so far, in order (list of Effect copies).");
    c.def(
        "on_step",
        [](W& x, py::object f) {
            auto cb = logging_callback<step_event>(std::move(f));
            unlocked([&] { x.engine().on_step(std::move(cb)); });
        },
        py::arg("callback"),
        "callback(StepEvent) after every step attempt; its exceptions are reported as unraisable.");
    c.def(
        "on_effect",
        [](W& x, py::object f) {
            auto cb = logging_callback<effect>(std::move(f));
            unlocked([&] { x.engine().on_effect(std::move(cb)); });
        },
        py::arg("callback"),
        "callback(Effect) after every external effect; its exceptions are reported as unraisable.");
    c.def_static("key", &lifecycle::key, py::arg("step"), py::arg("request"),
                 py::arg("generation") = 0, py::arg("item") = "",
                 "The idempotency key of a step's effect ('credentials/42/1').");
}

}  // namespace sala::python
