// sala/fakes/*: in-memory recording ports for tests and demos (fail on demand).
#include "common.hpp"
#include "sala/fakes/fake_conferencing.hpp"
#include "sala/fakes/fake_mailer.hpp"

namespace sala::python {

void bind_fakes(py::module_& m) {
    using guard = py::call_guard<unlocked_call>;
    py::class_<fake_mailer, mailer, std::shared_ptr<fake_mailer>> fm(
        m, "FakeMailer",
        "In-memory Mailer: records every message; fails on demand with BackendError.");
    fm.def(py::init<>(), "Empty.");
    fm.def("sent", &fake_mailer::sent, guard(), "list of MailMessage delivered (copies).");
    fm.def("attempts", &fake_mailer::attempts, guard(), "Every send, failed or not.");
    fm.def("fail_next", &fake_mailer::fail_next, py::arg("n"), py::arg("retryable") = true, guard(),
           "The next ``n`` sends raise BackendError.");
    fm.def("fail_every_message_once", &fake_mailer::fail_every_message_once, py::arg("on") = true,
           guard(), "Each idempotency key fails the first time.");
    fm.def("clear", &fake_mailer::clear, guard(), "Forgets what was sent.");
    fm.def("with_key_prefix", &fake_mailer::with_key_prefix, py::arg("prefix"), guard(),
           "Messages whose idempotency key starts with ``prefix``.");
    fm.def("count_key", &fake_mailer::count_key, py::arg("key"), guard(),
           "Deliveries of one idempotency key.");
    fm.def("to", &fake_mailer::to, py::arg("email"), guard(), "Messages to one address.");

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
    c.def("fail_next", &fc::fail_next, py::arg("method"), py::arg("n"), py::arg("retryable") = true,
          py::arg("retry_after_seconds") = 0, guard(),
          "The next ``n`` calls of ``method`` raise BackendError.");
    c.def("fail_every_call_once", &fc::fail_every_call_once, py::arg("on") = true, guard(),
          "Every (method, key) fails the first time.");
    c.def("calls", &fc::calls, guard(), "list of Call (copies).");
    c.def("count", &fc::count, py::arg("method"), py::arg("include_failed") = false, guard(),
          "Calls of ``method``.");
    c.def("failures", &fc::failures, guard(), "Failed calls.");
    c.def("webinars", &fc::webinars, guard(), "dict webinar id -> Webinar (copies).");
    c.def("password_history", &fc::password_history, py::arg("user_id"), guard(),
          "Passwords set on a user.");
    c.def("password_of", &fc::password_of, py::arg("user_id"), guard(),
          "Current password or None.");
    c.def("settings_of", &fc::settings_of, py::arg("user_id"), guard(),
          "RoomSettings applied (R20) or None.");
    c.def("downloads", &fc::downloads, guard(), "Downloaded destinations.");
}

}  // namespace sala::python
