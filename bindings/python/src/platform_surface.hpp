#pragma once
// The commands and queries Platform and DurablePlatform share, bound once for
// both: the same names, keyword arguments, validation, errors, return types and
// docstrings. A DurablePlatform runs each command through its own member (one
// store transaction) and answers each query from its in-memory view.

#include <type_traits>

#include "args.hpp"
#include "sala/durable/durable_platform.hpp"
#include "sala/platform.hpp"

namespace sala::python {

inline const platform& view_of(const platform& p) { return p; }
inline const platform& view_of(const durable_platform& d) { return d.view(); }

// None (the system clock) or a sala.Clock, kept alive by the returned pointer;
// anything else raises ArgumentTypeError("clock").
std::shared_ptr<const clock> clock_arg(py::object c);

// A Platform, or a DurablePlatform's in-memory view, for the views and
// planners; anything else raises ArgumentTypeError naming `field`.
const platform& platform_view_arg(py::handle value, const std::string& field);

// Platform.submit's keywords as a RequestInput, validated as RequestInput() does.
request_input request_input_keywords(py::object title, py::object start, py::object duration,
                                     py::object event_id, py::object organizer, py::object zone,
                                     py::object admission, py::object expected_attendees,
                                     py::object panelists, py::object how);

// `policy` given to set_policy: a PolicyKind, or (Platform only) a Python AllocationPolicy.
template <class T>
void set_policy_arg(T& x, py::object policy) {
    if (py::isinstance<allocation_policy>(policy)) {
        if constexpr (std::is_same_v<T, platform>) {
            auto sp = hold_python<allocation_policy>(std::move(policy));
            unlocked([&] { x.set_policy(std::move(sp)); });
            return;
        } else {
            throw invalid_argument("policy",
                                   "a DurablePlatform takes a PolicyKind: a custom "
                                   "AllocationPolicy cannot be saved in the store");
        }
    }
    const auto k = arg_as<policy_kind>(policy, "policy");
    unlocked([&] { x.set_policy(k); });
}

template <class T, class... Opts>
void bind_platform_surface(py::class_<T, Opts...>& c) {
    c.def_property_readonly(
        "settings", [](const T& x) { return unlocked([&] { return view_of(x).get_settings(); }); },
        "A copy of the Settings in force (use set_settings to change them).");
    def_method(
        c, "set_settings", +[](T& x, const settings& s) { x.set_settings(s); }, py::arg("settings"),
        "Validates and applies to requests made from now on.");
    c.def("set_policy", &set_policy_arg<T>, py::arg("policy"),
          "R9: a built-in PolicyKind (first-fit unless told otherwise), or, on a Platform, a "
          "custom AllocationPolicy (kept alive; not saved in the state). A DurablePlatform "
          "refuses a custom policy (InvalidArgumentError, field 'policy').");
    c.def_property_readonly(
        "policy_name",
        [](const T& x) { return unlocked([&] { return view_of(x).policy().name(); }); },
        "The name of the policy in force.");
    c.def_property_readonly(
        "next_request",
        [](const T& x) { return unlocked([&] { return view_of(x).state().next_request; }); },
        "The id number the next submit gets (requests are numbered from 1; cheap, unlike "
        "state().next_request, which copies the state).");

    def_method(
        c, "link_account",
        +[](T& x, const std::string& name, pool_kind kind, const std::vector<account_user>& users) {
            return x.link_account(name, kind, users);
        },
        py::arg("name"), py::arg("kind"), py::arg("users"),
        "R1/R2: lists the account's users (AccountUser) as candidate rooms, inactive; returns a "
        "LinkReport.");
    def_method(
        c, "activate", +[](T& x, room_id r) { x.activate(r); }, py::arg("room"),
        "R2: inactive -> active, in manual mode.");
    def_method(
        c, "deactivate", +[](T& x, room_id r) { x.deactivate(r); }, py::arg("room"),
        "R4: RuleViolationError while the room holds unfinished webinars.");
    def_method(
        c, "set_mode", +[](T& x, room_id r, room_mode m) { x.set_mode(r, m); }, py::arg("room"),
        py::arg("mode"),
        "R3: manual -> automatic always; automatic -> manual only without reservations.");
    def_method(
        c, "takes_new_requests",
        +[](const T& x, pool_id p) { return view_of(x).takes_new_requests(p); }, py::arg("pool"),
        "R5: whether the pool's rooms take new requests.");

    def_method(
        c, "submit", +[](T& x, const request_input& in) { return x.submit(in); }, py::arg("input"),
        "R6-R10: validates a RequestInput (InvalidArgumentError naming the field), then assigns "
        "automatically or queues; returns a Submission.");
    c.def(
        "submit",
        [](T& x, py::object title, py::object start, py::object duration, py::object event_id,
           py::object org, py::object zone, py::object adm, py::object expected,
           py::object panelists, py::object how) {
            const auto in = request_input_keywords(title, start, duration, event_id, org, zone, adm,
                                                   expected, panelists, how);
            return unlocked([&] { return x.submit(in); });
        },
        py::kw_only(), py::arg("title"), py::arg("start"), py::arg("duration"), py::arg("event_id"),
        py::arg("organizer"), py::arg("zone") = py::none(),
        py::arg("admission") = admission::automatic, py::arg("expected_attendees") = py::none(),
        py::arg("panelists") = py::list(), py::arg("choose") = py::none(),
        "Same, with RequestInput's fields as keywords.");
    def_method(
        c, "retry", +[](T& x, request_id id) { return x.retry(id); }, py::arg("request"),
        "R10: automatic assignment again for a queued request.");
    def_method(
        c, "retry_queue", +[](T& x) { return x.retry_queue(); },
        "R10: retries the queue in order; returns how many got a room.");
    def_method(
        c, "assign", +[](T& x, request_id id, room_id r) { return x.assign(id, r); },
        py::arg("request"), py::arg("room"),
        "R10/R11: an admin gives any active room (manual too); a reassignment when already "
        "assigned.");
    def_method(
        c, "reassign", +[](T& x, request_id id, room_id r) { return x.reassign(id, r); },
        py::arg("request"), py::arg("room"),
        "R11: moves an assigned webinar to another room (delete + create on the backend).");
    def_method(
        c, "cancel", +[](T& x, request_id id) { x.cancel(id); }, py::arg("request"),
        "Removes a request that has not started.");

    def_method(
        c, "pools", +[](const T& x) { return view_of(x).pools(); }, "list of Pool (copies).");
    def_method(
        c, "rooms", +[](const T& x) { return view_of(x).rooms(); },
        "list of Room in id order (copies).");
    def_method(
        c, "get_room", +[](const T& x, room_id r) { return view_of(x).get_room(r); },
        py::arg("room"), "Room (a copy); NotFoundError when unknown.");
    def_method(
        c, "get_request",
        +[](const T& x, request_id id) {
            if constexpr (std::is_same_v<T, durable_platform>)
                return x.get_request(id);  // cancelled and archived ones from history
            else
                return view_of(x).get_request(id);
        },
        py::arg("request"),
        "Request (a copy); on a DurablePlatform a cancelled or archived one comes from "
        "history; NotFoundError when unknown.");
    def_method(
        c, "reservation_of",
        +[](const T& x, request_id id) { return view_of(x).reservation_of(id); },
        py::arg("request"), "Reservation or None.");
    def_method(
        c, "reservations", +[](const T& x) { return view_of(x).reservations(); },
        "list of Reservation (copies).");
    def_method(
        c, "room_webinars", +[](const T& x, room_id r) { return view_of(x).room_webinars(r); },
        py::arg("room"), "R17: the room's webinars in start order (CalendarEntry copies).");
    def_method(
        c, "calendar", +[](const T& x, const interval& w) { return view_of(x).calendar(w); },
        py::arg("window"),
        "R17: webinars whose blocked Interval overlaps ``window`` (queued ones too), by start "
        "then room.");
    def_method(
        c, "queue", +[](const T& x) { return view_of(x).queue(); },
        "R10: the unassigned queue, oldest first (Request copies).");
    def_method(
        c, "status", +[](const T& x, request_id id) { return view_of(x).status(id); },
        py::arg("request"), "WebinarStatus now (R17).");
    def_method(
        c, "peak_concurrency",
        +[](const T& x, const interval& w) { return view_of(x).peak_concurrency(w); },
        py::arg("window"), "R18: most blocked intervals at one instant inside ``window``.");
    def_method(
        c, "now", +[](const T& x) { return view_of(x).now(); },
        "The platform clock's now (aware UTC).");
    def_method(
        c, "state", +[](const T& x) { return platform_state(view_of(x).state()); },
        "A copy of everything the platform knows (PlatformState).");
    c.def(
        "subscribe",
        [](T& x, py::function listener) {
            auto f = hold_callable(std::move(listener));
            unlocked([&] {
                x.subscribe([f](const event& e) {
                    py::gil_scoped_acquire gil;
                    (*f)(event(e));  // a copy: the listener may keep it
                });
            });
        },
        py::arg("listener"),
        "Calls listener(Event) after every successful command (on a DurablePlatform, once it is "
        "committed), in order. An exception it raises propagates to the command's caller (the "
        "command has already happened).");
}

}  // namespace sala::python
