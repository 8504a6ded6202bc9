// sala/records.hpp history and what durable_platform offers on it: cancelled
// and archived webinars, read from the store without loading them (issue:
// bounded hot state), and how a process took in others' commits.
#include "args.hpp"
#include "common.hpp"
#include "sala/durable/durable_platform.hpp"

// Only this file converts history_status (the other casters live in common.hpp).
SALA_PY_ENUM_CASTER(sala::history_status, "sala.HistoryStatus")

namespace sala::python {

void bind_history(py::module_& m) {
    make_enum<history_status>(m, "HistoryStatus", "FINISHED (archived) or CANCELLED.",
                              enum_members<history_status>());

    py::class_<history_record> h(m, "HistoryRecord",
                                 "A webinar that left the live state, as the store keeps it "
                                 "(immutable).");
    h.def_readonly("request", &history_record::request, "Request as last booked.");
    h.def_readonly("status", &history_record::status, "HistoryStatus.");
    h.def_readonly("at", &history_record::at, "Aware UTC: when it was cancelled or archived.");
    h.def_readonly("command", &history_record::command, "'cancel' or 'archive'.");
    h.def_readonly("room", &history_record::room, "RoomId it held, or None (it was queued).");
    h.def_readonly("report", &history_record::report, "Attendance report as saved, or ''.");
    h.def("__repr__", [](py::handle self) {
        return "HistoryRecord(request=" +
               py::repr(self.attr("request").attr("id")).cast<std::string>() +
               ", status=" + py::repr(self.attr("status")).cast<std::string>() +
               ", room=" + py::repr(self.attr("room")).cast<std::string>() + ")";
    });

    auto dp = py::reinterpret_borrow<py::class_<durable_platform>>(m.attr("DurablePlatform"));
    dp.def(
        "history",
        [](const durable_platform& d, py::object room, py::object window, py::object event,
           py::object limit) {
            history_query q;
            if (!room.is_none()) q.room = arg_as<room_id>(room, "room");
            if (!window.is_none()) q.window = arg_as<interval>(window, "window");
            if (!event.is_none()) q.event_id = arg_as<std::string>(event, "event");
            if (!limit.is_none()) q.limit = int_arg<std::size_t>(limit, "limit");
            return unlocked([&] { return d.history(q); });
        },
        py::kw_only(), py::arg("room") = py::none(), py::arg("window") = py::none(),
        py::arg("event") = py::none(), py::arg("limit") = py::none(),
        "Cancelled and archived webinars, oldest blocked start first: list of HistoryRecord "
        "(every given filter must match; limit defaults to 1000).");
    dp.def(
        "history_of",
        [](const durable_platform& d, request_id id) {
            return unlocked([&] { return d.history_of(id); });
        },
        py::arg("request"), "HistoryRecord or None (the request is live or unknown).");
    dp.def(
        "archive_finished",
        [](durable_platform& d, py::object retention, py::object keep) {
            const minutes r = retention.is_none() ? durable_platform::default_retention
                                                  : minutes_arg(retention, "retention");
            std::function<bool(request_id)> k;
            if (!keep.is_none()) {
                auto f = hold_callable(keep);
                k = [f](request_id id) {
                    py::gil_scoped_acquire gil;
                    return (*f)(id).cast<bool>();
                };
            }
            return unlocked([&] { return d.archive_finished(r, k); });
        },
        py::arg("retention") = py::none(), py::kw_only(), py::arg("keep") = py::none(),
        "Finished webinars older than ``retention`` (timedelta or minutes; 7 days by default) "
        "leave memory and become history; ``keep(request_id) -> bool`` holds some back. "
        "Returns how many.");
    dp.def_property_readonly("syncs", &durable_platform::syncs,
                             "How often others' commits were taken in row by row.");
    dp.def_property_readonly("reloads", &durable_platform::reloads,
                             "How often the state was reloaded in full.");
    dp.def_property_readonly("last_reload_reason", &durable_platform::last_reload_reason,
                             "Why the last full reload happened.");
}

}  // namespace sala::python
