// sala/platform.hpp: the facade a host talks to (R1-R11, R17). Every query
// returns copies (lists of value objects), never references into C++ state.
#include "args.hpp"
#include "sala/platform.hpp"

namespace sala::python {

namespace {

std::shared_ptr<const clock> clock_arg(py::object c) {
    if (c.is_none()) return nullptr;
    if (!py::isinstance<clock>(c))
        throw invalid_argument("clock",
                               "expected a sala.Clock (SystemClock, ManualClock or a subclass)");
    return hold_python<clock>(std::move(c));
}

}  // namespace

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
    p.def(py::init([](std::optional<settings> s, py::object c) {
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

    p.def_property_readonly(
        "settings", [](const platform& x) { return unlocked([&] { return x.get_settings(); }); },
        "A copy of the Settings in force (use set_settings to change them).");
    def_call(p, "set_settings", &platform::set_settings, py::arg("settings"),
             "Validates and applies to requests made from now on.");
    p.def(
        "set_policy",
        [](platform& x, py::object pol) {
            if (py::isinstance<allocation_policy>(pol)) {
                auto sp = hold_python<allocation_policy>(std::move(pol));
                unlocked([&] { x.set_policy(std::move(sp)); });
                return;
            }
            const auto k = arg_as<policy_kind>(pol, "policy");
            unlocked([&] { x.set_policy(k); });
        },
        py::arg("policy"),
        "R9: a built-in PolicyKind (first-fit unless told otherwise), or a custom "
        "AllocationPolicy (kept alive; not saved in the state).");
    p.def_property_readonly(
        "policy_name",
        [](const platform& x) { return unlocked([&] { return x.policy().name(); }); },
        "The name of the policy in force.");

    def_call(
        p, "link_account", &platform::link_account, py::arg("name"), py::arg("kind"),
        py::arg("users"),
        "R1/R2: lists the account's users (AccountUser) as candidate rooms, inactive; returns a "
        "LinkReport.");
    def_call(p, "activate", &platform::activate, py::arg("room"),
             "R2: inactive -> active, in manual mode.");
    def_call(p, "deactivate", &platform::deactivate, py::arg("room"),
             "R4: RuleViolationError while the room holds unfinished webinars.");
    def_call(p, "set_mode", &platform::set_mode, py::arg("room"), py::arg("mode"),
             "R3: manual -> automatic always; automatic -> manual only without reservations.");
    def_call(p, "takes_new_requests", &platform::takes_new_requests, py::arg("pool"),
             "R5: whether the pool's rooms take new requests.");

    def_call(
        p, "submit", &platform::submit, py::arg("input"),
        "R6-R10: validates a RequestInput (InvalidArgumentError naming the field), then assigns "
        "automatically or queues; returns a Submission.");
    p.def(
        "submit",
        [](platform& x, py::object title, py::object start, py::object duration,
           py::object event_id, py::object org, py::object zone, py::object adm,
           py::object expected, py::object panelists, py::object how) {
            const auto in =
                py::module_::import("sala._sala")
                    .attr("RequestInput")(title, start, duration, event_id, org,
                                          py::arg("zone") = zone, py::arg("admission") = adm,
                                          py::arg("expected_attendees") = expected,
                                          py::arg("panelists") = panelists, py::arg("choose") = how)
                    .cast<request_input>();
            return unlocked([&] { return x.submit(in); });
        },
        py::kw_only(), py::arg("title"), py::arg("start"), py::arg("duration"), py::arg("event_id"),
        py::arg("organizer"), py::arg("zone") = py::none(),
        py::arg("admission") = admission::automatic, py::arg("expected_attendees") = py::none(),
        py::arg("panelists") = py::list(), py::arg("choose") = py::none(),
        "Same, with RequestInput's fields as keywords.");
    def_call(p, "retry", &platform::retry, py::arg("request"),
             "R10: automatic assignment again for a queued request.");
    def_call(p, "retry_queue", &platform::retry_queue,
             "R10: retries the queue in order; returns how many got a room.");
    def_call(p, "assign", &platform::assign, py::arg("request"), py::arg("room"),
             "R10/R11: an admin gives any active room (manual too); a reassignment when already "
             "assigned.");
    def_call(p, "reassign", &platform::reassign, py::arg("request"), py::arg("room"),
             "R11: moves an assigned webinar to another room (delete + create on the backend).");
    def_call(p, "cancel", &platform::cancel, py::arg("request"),
             "Removes a request that has not started.");

    def_call(p, "pools", &platform::pools, "list of Pool (copies).");
    def_call(p, "rooms", &platform::rooms, "list of Room in id order (copies).");
    def_call(p, "get_room", &platform::get_room, py::arg("room"),
             "Room (a copy); NotFoundError when unknown.");
    def_call(p, "get_request", &platform::get_request, py::arg("request"),
             "Request (a copy); NotFoundError when unknown.");
    def_call(p, "reservation_of", &platform::reservation_of, py::arg("request"),
             "Reservation or None.");
    def_call(p, "reservations", &platform::reservations, "list of Reservation (copies).");
    def_call(p, "room_webinars", &platform::room_webinars, py::arg("room"),
             "R17: the room's webinars in start order (CalendarEntry copies).");
    def_call(p, "calendar", &platform::calendar, py::arg("window"),
             "R17: webinars whose blocked Interval overlaps ``window`` (queued ones too), by start "
             "then room.");
    def_call(p, "queue", &platform::queue,
             "R10: the unassigned queue, oldest first (Request copies).");
    def_call(p, "status", &platform::status, py::arg("request"), "WebinarStatus now (R17).");
    def_call(p, "peak_concurrency", &platform::peak_concurrency, py::arg("window"),
             "R18: most blocked intervals at one instant inside ``window``.");
    def_call(p, "now", &platform::now, "The platform clock's now (aware UTC).");
    p.def(
        "state", [](const platform& x) { return unlocked([&] { return x.state(); }); },
        "A copy of everything the platform knows (PlatformState).");
    p.def(
        "subscribe",
        [](platform& x, py::function listener) {
            auto f = hold_callable(std::move(listener));
            unlocked([&] {
                x.subscribe([f](const event& e) {
                    py::gil_scoped_acquire gil;
                    (*f)(event(e));  // a copy: the listener may keep it
                });
            });
        },
        py::arg("listener"),
        "Calls listener(Event) after every successful command, in order. An exception it raises "
        "propagates to the command's caller (the command has already happened).");
}

}  // namespace sala::python
