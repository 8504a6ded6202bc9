// sala/request.hpp: webinar requests (R6), their validation (R8) and reservations.
#include "args.hpp"

namespace sala::python {

namespace {

request_input make_input(py::object title, py::object start, py::object duration,
                         py::object event_id, py::object org, py::object zone, py::object adm,
                         py::object expected, py::object panelists, py::object how) {
    request_input in;
    in.title = arg_as<std::string>(title, "title");
    const auto s = start_arg(start, zone, arg_as<std::optional<choose>>(how, "choose"));
    in.start = s.wall;
    in.zone = s.zone;
    in.resolve = s.resolve;
    in.duration = minutes_arg(duration, "duration");
    in.admission = arg_as<admission>(adm, "admission");
    in.event_id = arg_as<std::string>(event_id, "event_id");
    in.organizer = arg_as<organizer>(org, "organizer");
    in.expected_attendees = arg_as<std::optional<int>>(expected, "expected_attendees");
    in.panelists = arg_as<std::vector<std::string>>(panelists, "panelists");
    return in;
}

}  // namespace

void bind_request(py::module_& m) {
    make_enum<admission>(m, "Admission",
                         "R6: how participants get in: AUTOMATIC or MANUAL approval.",
                         enum_members<admission>());

    py::class_<organizer> o(m, "Organizer", "Who asked for a webinar (mutable input value).");
    o.def(py::init([](py::object name, py::object email) {
              return organizer{arg_as<std::string>(name, "name"),
                               arg_as<std::string>(email, "email")};
          }),
          py::arg("name"), py::arg("email"), "Name (any UTF-8) and e-mail.");
    def_field(o, "name", &organizer::name, "Display name.");
    def_field(o, "email", &organizer::email,
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
           py::arg("panelists") = py::list(), py::arg("choose") = py::none(),
           "Builds the input; datetime/zone/duration problems raise InvalidArgumentError naming "
           "the field.");
    def_field(in, "title", &request_input::title, "One line, at most 200 characters.");
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
    def_field(in, "admission", &request_input::admission, "Admission (R6).");
    def_field(in, "event_id", &request_input::event_id, "The host platform's event id.");
    def_field(in, "organizer", &request_input::organizer,
              "Organizer (a copy; assign a new one to change it).");
    def_field(in, "expected_attendees", &request_input::expected_attendees, "int or None.");
    def_field(in, "panelists", &request_input::panelists,
              "E-mail addresses (a copy; assign a new list).");
    def_field(in, "choose", &request_input::resolve,
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

    def_call(m, "validate_fields", &validate_fields, py::arg("input"),
             "Checks every field of a RequestInput except timing; raises InvalidArgumentError "
             "naming the field.");
    m.def(
        "validate_email",
        [](py::object address, py::object field) {
            const auto f = arg_as<std::string>(field, "field");
            validate_email(arg_as<std::string>(address, f), f);
        },
        py::arg("address"), py::arg("field") = "email",
        "Raises InvalidArgumentError(field) unless ``address`` is an e-mail address sala can "
        "mail (docs/inputs.md).");
}

}  // namespace sala::python
