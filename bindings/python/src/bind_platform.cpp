// sala/platform.hpp: the facade a host talks to (R1-R11, R17). Every query
// returns copies (lists of value objects), never references into C++ state.
#include "args.hpp"
#include "platform_surface.hpp"
#include "sala/durable/durable_platform.hpp"
#include "sala/platform.hpp"

namespace sala::python {

std::shared_ptr<const clock> clock_arg(py::object c) {
    if (c.is_none()) return nullptr;
    if (!py::isinstance<clock>(c))
        throw wrong_type(
            "clock",
            "must be a sala.Clock (SystemClock, ManualClock or a subclass), got " + type_name(c));
    return hold_python<clock>(std::move(c));
}

const platform& platform_view_arg(py::handle value, const std::string& field) {
    if (py::isinstance<platform>(value)) return value.cast<const platform&>();
    if (py::isinstance<durable_platform>(value))
        return value.cast<const durable_platform&>().view();
    throw wrong_type(field, "must be a Platform or a DurablePlatform, got " + type_name(value));
}

request_input request_input_keywords(py::object title, py::object start, py::object duration,
                                     py::object event_id, py::object organizer, py::object zone,
                                     py::object admission, py::object expected_attendees,
                                     py::object panelists, py::object how) {
    return py::module_::import("sala._sala")
        .attr("RequestInput")(title, start, duration, event_id, organizer, py::arg("zone") = zone,
                              py::arg("admission") = admission,
                              py::arg("expected_attendees") = expected_attendees,
                              py::arg("panelists") = panelists, py::arg("choose") = how)
        .cast<request_input>();
}

void bind_platform(py::module_& m) {
    make_enum<assign_status>(m, "AssignStatus",
                             "ASSIGNED; NO_ROOM_FREE (queued, R10); ROOM_NOT_FREE (the chosen room "
                             "is busy; nothing changed).",
                             enum_members<assign_status>());
    make_enum<webinar_status>(m, "WebinarStatus",
                              "R17: UNASSIGNED (pending), FUTURE, RUNNING, FINISHED.",
                              enum_members<webinar_status>());
    make_enum<event_kind>(m, "EventKind",
                          "What a successful Platform command changed (see Platform.subscribe).",
                          enum_members<event_kind>());

    py::class_<assignment> a(
        m, "Assignment",
        "Outcome of an assignment (immutable). Truthy when ASSIGNED; ``reason`` says why not.");
    a.def_readonly("status", &assignment::status, "AssignStatus.");
    a.def_readonly("room", &assignment::room, "RoomId when assigned, else None.");
    a.def_readonly("reason", &assignment::reason, "Why not, in words an admin can act on.");
    a.def(
        "__bool__", [](const assignment& x) { return static_cast<bool>(x); },
        "True when assigned.");
    a.def("value", &assignment::value, "The RoomId, or raises RoomNotFreeError with the reason.");
    value_methods(a, {"status", "room", "reason"},
                  std::vector<std::string>{"status", "room", "reason"});

    py::class_<submission> s(
        m, "Submission", "What submit() did: the new RequestId and its Assignment (immutable).");
    s.def_readonly("id", &submission::id, "RequestId.");
    s.def_readonly("assignment", &submission::assignment, "Assignment.");
    value_methods(s, {"id", "assignment"}, std::vector<std::string>{"id", "assignment"});

    py::class_<link_report> l(m, "LinkReport", "What link_account did (R1, R2); immutable.");
    l.def_readonly("pool", &link_report::pool, "PoolId.");
    l.def_readonly("new_rooms", &link_report::new_rooms, "RoomIds added, inactive (R2).");
    l.def_readonly("wasted_licences", &link_report::wasted_licences,
                   "AccountUsers: owners holding a licence (R1).");
    l.def_readonly("unlicensed", &link_report::unlicensed,
                   "AccountUsers without a licence: not rooms.");
    value_methods(l, {"pool", "new_rooms", "wasted_licences", "unlicensed"}, std::nullopt);

    py::class_<calendar_entry> ce(m, "CalendarEntry",
                                  "One webinar in a view (R17); immutable copy.");
    ce.def_readonly("request", &calendar_entry::request, "Request.");
    ce.def_readonly("room", &calendar_entry::room, "RoomId or None (queued).");
    ce.def_readonly("status", &calendar_entry::status, "WebinarStatus.");
    ce.def_property_readonly("blocked", &calendar_entry::blocked, "Interval (R7).");
    value_methods(ce, {"request", "room", "status"},
                  std::vector<std::string>{"request", "room", "status"});

    py::class_<event> ev(m, "Event",
                         "What a successful command changed, for listeners (immutable).");
    ev.def_readonly("kind", &event::kind, "EventKind.");
    ev.def_readonly("request", &event::request, "RequestId or None.");
    ev.def_readonly("room", &event::room, "RoomId now held (assigned, reassigned) or None.");
    ev.def_readonly("previous_room", &event::previous_room,
                    "RoomId let go (reassigned, cancelled) or None.");
    ev.def(
        "__eq__",
        [](const event& x, py::handle o) -> py::object {
            if (!py::isinstance<event>(o))
                return py::reinterpret_borrow<py::object>(Py_NotImplemented);
            const auto& y = o.cast<const event&>();
            return py::bool_(x.kind == y.kind && x.request == y.request && x.room == y.room &&
                             x.previous_room == y.previous_room);
        },
        py::is_operator());
    ev.def("__hash__", [](py::handle self) {
        return py::hash(py::make_tuple(self.attr("kind"), self.attr("request"), self.attr("room"),
                                       self.attr("previous_room")));
    });
    ev.def("__repr__", [](py::handle self) {
        return "Event(kind=" + py::repr(self.attr("kind")).cast<std::string>() +
               ", request=" + py::repr(self.attr("request")).cast<std::string>() +
               ", room=" + py::repr(self.attr("room")).cast<std::string>() +
               ", previous_room=" + py::repr(self.attr("previous_room")).cast<std::string>() + ")";
    });

    py::class_<platform_state> st(
        m, "PlatformState",
        "Everything a platform knows (a copy): save it, compare it, Platform.restore() it.");
    st.def_readonly("settings", &platform_state::settings, "Settings (a copy).");
    st.def_readonly("policy", &platform_state::policy, "PolicyKind.");
    st.def_readonly("pools", &platform_state::pools, "list of Pool.");
    st.def_readonly("rooms", &platform_state::rooms, "list of Room, in id order.");
    st.def_readonly("requests", &platform_state::requests, "dict RequestId -> Request.");
    st.def_readonly("reservations", &platform_state::reservations,
                    "dict RequestId -> Reservation.");
    st.def_readonly("queue", &platform_state::queue, "list of RequestId, oldest first (R10).");
    st.def_readonly("next_request", &platform_state::next_request, "The next request id number.");
    value_methods(st, {"policy", "pools", "rooms", "queue", "next_request"}, std::nullopt);
    st.def("__getstate__", [](const platform_state&) {
        throw py::type_error("PlatformState is not picklable; keep it or use a store");
    });

    py::class_<platform, std::shared_ptr<platform>> p(
        m, "Platform",
        "The facade a host talks to: rooms and pools (R1-R5), requests (R6-R8), allocation "
        "(R9-R11), views "
        "(R17). Commands happen whole or not at all. Queries return copies. Calls release the GIL; "
        "sala "
        "calls from several threads are serialized.");
    p.def(py::init([](py::object so, py::object c) {
              const auto s = arg_as<std::optional<settings>>(so, "settings");
              auto clk = clock_arg(std::move(c));
              return unlocked([&] {
                  return std::make_shared<platform>(s.value_or(settings{}), std::move(clk));
              });
          }),
          py::arg("settings") = py::none(), py::arg("clock") = py::none(),
          "Validates ``settings`` (InvalidSettingsError). Without a clock it reads the system "
          "clock. The "
          "platform keeps a Python clock alive.");
    p.def_static(
        "restore",
        [](platform_state st, py::object c) {
            auto clk = clock_arg(std::move(c));
            return unlocked([&] {
                return std::make_shared<platform>(platform::restore(std::move(st), std::move(clk)));
            });
        },
        py::arg("state"), py::arg("clock") = py::none(),
        "Rebuilds a platform from a saved PlatformState; validates it.");

    bind_platform_surface(p);
}

}  // namespace sala::python
