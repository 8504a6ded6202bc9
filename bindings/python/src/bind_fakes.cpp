// sala/fakes/*: in-memory recording ports for tests and demos (fail on demand).
#include "args.hpp"
#include "sala/fakes/fake_conferencing.hpp"
#include "sala/fakes/fake_mailer.hpp"

namespace sala::python {

void bind_fakes(py::module_& m) {
    py::class_<fake_mailer, mailer, std::shared_ptr<fake_mailer>> fm(
        m, "FakeMailer",
        "In-memory Mailer: records every message; fails on demand with BackendError.");
    fm.def(py::init<>(), "Empty.");
    def_call(fm, "sent", &fake_mailer::sent, "list of MailMessage delivered (copies).");
    def_call(fm, "attempts", &fake_mailer::attempts, "Every send, failed or not.");
    def_call(fm, "fail_next", &fake_mailer::fail_next, py::arg("n"), py::arg("retryable") = true,
             "The next ``n`` sends raise BackendError.");
    def_call(fm, "fail_every_message_once", &fake_mailer::fail_every_message_once,
             py::arg("on") = true, "Each idempotency key fails the first time.");
    def_call(fm, "clear", &fake_mailer::clear, "Forgets what was sent.");
    def_call(fm, "with_key_prefix", &fake_mailer::with_key_prefix, py::arg("prefix"),
             "Messages whose idempotency key starts with ``prefix``.");
    def_call(fm, "count_key", &fake_mailer::count_key, py::arg("key"),
             "Deliveries of one idempotency key.");
    def_call(fm, "to", &fake_mailer::to, py::arg("email"), "Messages to one address.");

    using fc = fake_conferencing;
    py::class_<fc, conferencing, std::shared_ptr<fc>> c(
        m, "FakeConferencing",
        "In-memory Conferencing (a recording Zoom): webinars, passwords, reports, recordings; "
        "fails on demand.");
    make_enum<fc::method>(c, "Method", "The Conferencing methods (for fail_next and count).",
                          enum_members<fc::method>());

    py::class_<fc::call> call(c, "Call", "One recorded call.");
    call.def_readonly("what", &fc::call::what, "FakeConferencing.Method.");
    call.def_readonly("key", &fc::call::key, "Its main argument (user id, webinar id, file id).");
    call.def_readonly("failed", &fc::call::failed, "Whether it failed.");
    call.def("__repr__", [](py::handle self) {
        return "Call(what=" + py::repr(self.attr("what")).cast<std::string>() +
               ", key=" + py::repr(self.attr("key")).cast<std::string>() +
               ", failed=" + py::repr(self.attr("failed")).cast<std::string>() + ")";
    });

    py::class_<fc::webinar> w(c, "Webinar", "A webinar the fake holds.");
    w.def_readonly("spec", &fc::webinar::spec, "WebinarSpec.");
    w.def_readonly("handle", &fc::webinar::handle, "WebinarHandle.");
    w.def_readonly("ended", &fc::webinar::ended, "Ended (R15).");
    w.def_readonly("ended_at", &fc::webinar::ended_at, "Aware UTC or None.");
    w.def_readonly("deleted", &fc::webinar::deleted, "Deleted.");
    w.def_readonly("recordings_trashed", &fc::webinar::recordings_trashed, "R19.");
    w.def("__repr__", [](const fc::webinar& x) {
        return "Webinar(id='" + x.handle.webinar_id + "', topic='" + x.spec.topic + "')";
    });

    c.def(py::init([](std::vector<account_user> users, py::object clk) {
              std::shared_ptr<const clock> held;
              if (!clk.is_none()) held = hold_python<clock>(std::move(clk));
              return std::make_shared<fc>(std::move(users), std::move(held));
          }),
          py::arg("users") = std::vector<account_user>{}, py::arg("clock") = py::none(),
          "With a clock, recordings appear ``recording_delay`` after a webinar is ended.");
    c.def_property(
        "users", [](fc& x) { return x.users(); },
        [](fc& x, std::vector<account_user> u) { x.users() = std::move(u); },
        "The account's users (list of AccountUser; assign a new list to change).");
    c.def_property(
        "recording_delay", [](const fc& x) { return x.recording_delay; },
        [](fc& x, py::object v) { x.recording_delay = minutes_arg(v, "recording_delay"); },
        "timedelta.");
    def_call(c, "fail_next", &fc::fail_next, py::arg("method"), py::arg("n"),
             py::arg("retryable") = true, py::arg("retry_after_seconds") = 0,
             "The next ``n`` calls of ``method`` raise BackendError.");
    def_call(c, "fail_every_call_once", &fc::fail_every_call_once, py::arg("on") = true,
             "Every (method, key) fails the first time.");
    def_call(c, "calls", &fc::calls, "list of Call (copies).");
    def_call(c, "count", &fc::count, py::arg("method"), py::arg("include_failed") = false,
             "Calls of ``method``.");
    def_call(c, "failures", &fc::failures, "Failed calls.");
    def_call(c, "webinars", &fc::webinars, "dict webinar id -> Webinar (copies).");
    def_call(c, "password_history", &fc::password_history, py::arg("user_id"),
             "Passwords set on a user.");
    def_call(c, "password_of", &fc::password_of, py::arg("user_id"), "Current password or None.");
    def_call(c, "settings_of", &fc::settings_of, py::arg("user_id"),
             "RoomSettings applied (R20) or None.");
    def_call(c, "downloads", &fc::downloads, "Downloaded destinations.");
}

}  // namespace sala::python
