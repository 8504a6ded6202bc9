// sala/request.hpp: webinar requests (R6), their validation (R8) and reservations.
#include "common.hpp"

namespace sala::python {

namespace {

request_input make_input(std::string title, py::object start, py::object duration,
                         std::string event_id, organizer org, py::object zone, admission adm,
                         std::optional<int> expected, std::vector<std::string> panelists,
                         std::optional<choose> how) {
    request_input in;
    in.title = std::move(title);
    const auto s = start_arg(start, zone, how);
    in.start = s.wall;
    in.zone = s.zone;
    in.resolve = s.resolve;
    in.duration = minutes_arg(duration, "duration");
    in.admission = adm;
    in.event_id = std::move(event_id);
    in.organizer = std::move(org);
    in.expected_attendees = expected;
    in.panelists = std::move(panelists);
    return in;
}

}  // namespace

void bind_request(py::module_& m) {
    make_enum<admission>(m, "Admission",
                         "R6: how participants get in: AUTOMATIC or MANUAL approval.",
                         enum_members<admission>());

    py::class_<organizer> o(m, "Organizer", "Who asked for a webinar (mutable input value).");
    o.def(py::init([](std::string name, std::string email) {
              return organizer{std::move(name), std::move(email)};
          }),
          py::arg("name"), py::arg("email"), "Name (any UTF-8) and e-mail.");
    o.def_readwrite("name", &organizer::name, "Display name.");
    o.def_readwrite("email", &organizer::email,
                    "E-mail; credentials and warnings go here (R12, R14).");
    value_methods(o, {"name", "email"}, std::nullopt);

    py::class_<request_input> in(
        m, "RequestInput",
        "What an organizer fills in (R6); mutable. Validated by Platform.submit.\n\n"
        "``start`` is the event's wall-clock start: a zoneinfo-aware datetime (its zone is "
        "the event's zone), a naive datetime with ``zone=``, or an exact aware instant read "
        "in ``zone``. A start in a DST gap/overlap is rejected unless ``choose`` is given (R8).");
    in.def(py::init(&make_input), py::arg("title"), py::arg("start"), py::arg("duration"),
           py::arg("event_id"), py::arg("organizer"), py::kw_only(), py::arg("zone") = py::none(),
           py::arg("admission") = admission::automatic, py::arg("expected_attendees") = py::none(),
           py::arg("panelists") = std::vector<std::string>{}, py::arg("choose") = py::none(),
           "Builds the input; datetime/zone/duration problems raise InvalidArgumentError naming "
           "the field.");
    in.def_readwrite("title", &request_input::title, "One line, at most 200 characters.");
    in.def_property(
        "start", [](const request_input& r) { return wall_to_py(r.start, r.zone); },
        [](request_input& r, py::object v) {
            // A zoneinfo start brings its own zone; naive or fixed-offset ones keep the current
            // zone.
            const bool zoned = py::isinstance(v, datetime_type()) && !v.attr("tzinfo").is_none() &&
                               py::hasattr(v.attr("tzinfo"), "key");
            const auto s = start_arg(
                v, zoned ? py::object(py::none()) : py::object(py::str(r.zone)), r.resolve);
            r.start = s.wall;
            r.zone = s.zone;
            r.resolve = s.resolve;
        },
        "Wall-clock start as a datetime with tzinfo=ZoneInfo(zone) (the wall time as given).");
    in.def_property(
        "zone", [](const request_input& r) { return r.zone; },
        [](request_input& r, py::object v) { r.zone = zone_arg(v, "zone"); },
        "The event's IANA zone name.");
    in.def_property(
        "duration", [](const request_input& r) { return r.duration; },
        [](request_input& r, py::object v) { r.duration = minutes_arg(v, "duration"); },
        "timedelta; set with int minutes or a timedelta.");
    in.def_readwrite("admission", &request_input::admission, "Admission (R6).");
    in.def_readwrite("event_id", &request_input::event_id, "The host platform's event id.");
    in.def_readwrite("organizer", &request_input::organizer,
                     "Organizer (a copy; assign a new one to change it).");
    in.def_readwrite("expected_attendees", &request_input::expected_attendees, "int or None.");
    in.def_readwrite("panelists", &request_input::panelists,
                     "E-mail addresses (a copy; assign a new list).");
    in.def_readwrite("choose", &request_input::resolve,
                     "Choose or None: how to read a DST gap/overlap start (R8).");
    in.def(
        "copy", [](const request_input& r) { return r; }, "A copy.");
    in.def("__repr__", [](const request_input& r) {
        return "RequestInput(title=" + py::repr(py::str(r.title)).cast<std::string>() +
               ", start='" + format_local(r.start) + "', zone='" + r.zone +
               "', duration=" + std::to_string(r.duration.count()) + "min, event_id='" +
               r.event_id + "')";
    });
    in.attr("__hash__") = py::none();

    py::class_<request> rq(m, "Request", "A validated request (immutable snapshot, a copy).");
    rq.def_readonly("id", &request::id, "RequestId.");
    rq.def_readonly("title", &request::title, "Title.");
    rq.def_property_readonly(
        "start", [](const request& r) { return to_py_in(r.window.start, r.zone); },
        "The start instant as an aware datetime in the event's zone (ZoneInfo).");
    rq.def_property_readonly(
        "local_start", [](const request& r) { return wall_to_py(r.local_start, r.zone); },
        "The wall-clock start as the organizer gave it, tzinfo=ZoneInfo(zone); differs from "
        "``start`` only for a DST-gap start resolved with choose.");
    rq.def_readonly("zone", &request::zone, "The event's IANA zone.");
    rq.def_readonly("duration", &request::duration, "timedelta.");
    rq.def_readonly("admission", &request::admission, "Admission.");
    rq.def_readonly("event_id", &request::event_id, "Event id.");
    rq.def_readonly("organizer", &request::organizer, "Organizer (a copy).");
    rq.def_readonly("expected_attendees", &request::expected_attendees, "int or None.");
    rq.def_readonly("panelists", &request::panelists, "list of e-mail addresses (a copy).");
    rq.def_readonly("window", &request::window, "BlockedWindow in UTC (R7).");
    rq.def_property_readonly(
        "blocked", [](const request& r) { return r.window.blocked; },
        "window.blocked: the Interval the room is blocked for (R7).");
    value_methods(rq, {"id", "title", "start", "zone", "duration", "event_id"},
                  std::vector<std::string>{"id", "title", "zone", "window", "event_id"});

    py::class_<reservation> rs(m, "Reservation",
                               "A request given a room for its blocked interval (immutable).");
    rs.def_readonly("request", &reservation::request, "RequestId.");
    rs.def_readonly("room", &reservation::room, "RoomId.");
    rs.def_readonly("blocked", &reservation::blocked, "Interval (R7).");
    value_methods(rs, {"request", "room", "blocked"},
                  std::vector<std::string>{"request", "room", "blocked"});

    m.def("validate_fields", &validate_fields, py::arg("input"),
          "Checks every field of a RequestInput except timing; raises InvalidArgumentError naming "
          "the field.");
    m.def("validate_email", &validate_email, py::arg("address"), py::arg("field") = "email",
          "Raises InvalidArgumentError(field) unless ``address`` is a safe e-mail address.");
}

}  // namespace sala::python
