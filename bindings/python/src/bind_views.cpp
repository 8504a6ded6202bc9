// sala/{calendar_html,icalendar,planner,make_room}.hpp: calendar pages and
// iCalendar feeds (R17), the licence planner (R18) and "make room" (R10/R11).
#include "args.hpp"
#include "platform_surface.hpp"
#include "sala/planning/make_room.hpp"
#include "sala/planning/planner.hpp"
#include "sala/views/calendar_html.hpp"
#include "sala/views/icalendar.hpp"

SALA_PY_ENUM_CASTER(sala::licence_plan, "sala.LicencePlan")

namespace sala::python {

namespace {
// `p` outlives the options (a platform, or a durable platform's inner one, whose
// state the plan reads inside the transaction).
make_room_options plan_options(const platform& p, std::size_t max_moves, bool lock) {
    make_room_options o;
    o.max_moves = max_moves;
    if (lock) o.locked = [&p](request_id x) { return credentials_window_open(p, x); };
    return o;
}
}  // namespace

namespace {

date::year_month_day ymd_arg(py::handle d, const char* field) {
    if (!py::isinstance(d, py::module_::import("datetime").attr("date")))
        throw invalid_argument(field, "expected a datetime.date");
    const auto ymd = date::year{d.attr("year").cast<int>()} / d.attr("month").cast<unsigned>() /
                     d.attr("day").cast<unsigned>();
    return ymd;
}

calendar_options cal_opts(py::object zone, const std::string& heading) {
    calendar_options o;
    if (!zone.is_none()) o.zone = zone_arg(zone, "zone");
    o.heading = heading;
    return o;
}

}  // namespace

void bind_views(py::module_& m) {
    m.def(
        "render_month",
        [](py::object po, int year, unsigned month, py::object zone, const std::string& heading) {
            const platform& p = platform_view_arg(po, "platform");
            const auto o = cal_opts(zone, heading);
            return unlocked(
                [&] { return render_month(p, date::year{year} / date::month{month}, o); });
        },
        py::arg("platform"), py::arg("year"), py::arg("month"), py::arg("zone") = py::none(),
        py::arg("heading") = "sala",
        "R17: the month page (HTML), times in ``zone`` (default UTC).");
    m.def(
        "render_week",
        [](py::object po, py::object day, py::object zone, const std::string& heading) {
            const platform& p = platform_view_arg(po, "platform");
            const auto o = cal_opts(zone, heading);
            const auto d = ymd_arg(day, "day");
            return unlocked([&] { return render_week(p, d, o); });
        },
        py::arg("platform"), py::arg("day"), py::arg("zone") = py::none(),
        py::arg("heading") = "sala",
        "R17: the week page (HTML) of the week holding datetime.date ``day``.");
    m.def(
        "render_day",
        [](py::object po, py::object day, py::object zone, const std::string& heading) {
            const platform& p = platform_view_arg(po, "platform");
            const auto o = cal_opts(zone, heading);
            const auto d = ymd_arg(day, "day");
            return unlocked([&] { return render_day(p, d, o); });
        },
        py::arg("platform"), py::arg("day"), py::arg("zone") = py::none(),
        py::arg("heading") = "sala", "R17: the day page (HTML) of datetime.date ``day``.");

    py::class_<ical_options> io(m, "IcalOptions", "How iCalendar feeds are written (mutable).");
    io.def(py::init<>(), "Defaults: domain sala.invalid, local times with VTIMEZONE.");
    def_field(io, "domain", &ical_options::domain, "UID domain.");
    def_field(io, "calendar_name", &ical_options::calendar_name, "X-WR-CALNAME.");
    def_field(io, "utc", &ical_options::utc, "Write UTC times instead of local + VTIMEZONE.");
    def_field(io, "note", &ical_options::note, "Added to every description.");
    m.def(
        "ical_platform",
        [](py::object po, std::optional<ical_options> o) {
            const platform& p = platform_view_arg(po, "platform");
            return unlocked([&] { return ical_platform(p, o.value_or(ical_options{})); });
        },
        py::arg("platform"), py::arg("options") = py::none(),
        "R17: every webinar as an RFC 5545 calendar.");
    m.def(
        "ical_room",
        [](py::object po, room_id r, std::optional<ical_options> o) {
            const platform& p = platform_view_arg(po, "platform");
            return unlocked([&] { return ical_room(p, r, o.value_or(ical_options{})); });
        },
        py::arg("platform"), py::arg("room"), py::arg("options") = py::none(),
        "R17: one room's webinars as iCalendar.");

    make_enum<licence_plan>(m, "LicencePlan",
                            "R18: PRO (up to 9 hosts), BUSINESS (10-99), ENTERPRISE.",
                            enum_members<licence_plan>());
    py::class_<licence_report> lr(m, "LicenceReport",
                                  "R18: how many licences a schedule needs (immutable).");
    lr.def_readonly("requests", &licence_report::requests, "Requests considered.");
    lr.def_readonly("minimum_rooms", &licence_report::minimum_rooms,
                    "Peak concurrency of blocked intervals.");
    lr.def_readonly("peak_at", &licence_report::peak_at,
                    "First instant of the peak (aware UTC) or None.");
    lr.def_readonly("first_fit_rooms", &licence_report::first_fit_rooms,
                    "Rooms first-fit used in submission order.");
    lr.def_readonly("plan", &licence_report::plan, "LicencePlan.");
    lr.def_readonly("licences", &licence_report::licences, "Licences to buy.");
    lr.def("__repr__", [](const licence_report& r) {
        return "LicenceReport(requests=" + std::to_string(r.requests) +
               ", minimum_rooms=" + std::to_string(r.minimum_rooms) +
               ", plan=" + to_string(r.plan) + ")";
    });
    m.def(
        "plan_licences",
        [](py::object po, const interval& w) {
            const platform& p = platform_view_arg(po, "platform");
            return unlocked([&] { return plan_licences(p, w); });
        },
        py::arg("platform"), py::arg("window"),
        "R18: licences needed for the webinars blocked inside ``window``.");

    py::class_<room_move> mv(m, "RoomMove", "One move of a make-room plan (R11), immutable.");
    mv.def_readonly("request", &room_move::request, "RequestId moved.");
    mv.def_readonly("title", &room_move::title, "Its title.");
    mv.def_readonly("from_room", &room_move::from, "RoomId it leaves (C++ ``from``).");
    mv.def_readonly("to_room", &room_move::to, "RoomId it gets.");
    mv.def_readonly("blocked", &room_move::blocked, "Interval.");
    mv.def_readonly("panelists", &room_move::panelists, "Panelists to re-invite.");
    mv.def_readonly("cost", &room_move::cost, "In words.");
    py::class_<make_room_plan> mp(m, "MakeRoomPlan",
                                  "Moves that free a room for a queued request (R10/R11).");
    mp.def_readonly("request", &make_room_plan::request, "The queued RequestId.");
    mp.def_readonly("room", &make_room_plan::room, "The RoomId it gets after the moves.");
    mp.def_readonly("moves", &make_room_plan::moves, "list of RoomMove, in order.");
    mp.def_readonly("explanation", &make_room_plan::explanation, "In words.");
    mp.def("__repr__",
           [](const make_room_plan& x) { return "MakeRoomPlan(" + x.explanation + ")"; });
    m.def(
        "find_make_room",
        [](py::object po, request_id id, std::size_t max_moves, bool lock) {
            const platform& p = platform_view_arg(po, "platform");
            const auto o = plan_options(p, max_moves, lock);
            return unlocked([&] { return find_make_room(p, id, o); });
        },
        py::arg("platform"), py::arg("request"), py::arg("max_moves") = 3, py::kw_only(),
        py::arg("lock_credentials_window") = true,
        "A plan of at most ``max_moves`` reassignments that frees a room for a queued request, or "
        "None. Webinars whose credentials window has opened stay put unless "
        "``lock_credentials_window`` is False (started ones always do).");
    m.def(
        "apply_make_room",
        [](py::object po, py::object plan_arg) {
            (void)platform_view_arg(po, "platform");  // a Platform or a DurablePlatform
            const auto plan = arg_as<make_room_plan>(plan_arg, "plan");
            if (py::isinstance<durable_platform>(po)) {
                auto& d = po.cast<durable_platform&>();
                return unlocked(
                    [&] { return d.run([&](platform& p) { return apply_make_room(p, plan); }); });
            }
            auto& p = po.cast<platform&>();
            return unlocked([&] { return apply_make_room(p, plan); });
        },
        py::arg("platform"), py::arg("plan"),
        "Runs the plan's moves then assigns (on a DurablePlatform, in one store transaction); "
        "returns the Assignment.");
    m.def(
        "make_room",
        [](durable_platform& d, request_id id, std::size_t max_moves, bool lock) {
            const auto o = plan_options(d.view(), max_moves, lock);
            // Planned on the state the transaction sees (others' commits taken in),
            // so no other process can move a webinar between the plan and its moves.
            return unlocked([&] {
                return d.run(
                    [&](platform& p) -> std::optional<std::pair<make_room_plan, assignment>> {
                        auto plan = find_make_room(p, id, o);
                        if (!plan) return std::nullopt;
                        auto a = apply_make_room(p, *plan);
                        return std::make_pair(std::move(*plan), std::move(a));
                    });
            });
        },
        py::arg("platform"), py::arg("request"), py::arg("max_moves") = 3, py::kw_only(),
        py::arg("lock_credentials_window") = true,
        "Plans (as find_make_room) and applies in one store transaction: (MakeRoomPlan, "
        "Assignment), or None when no "
        "plan of at most ``max_moves`` moves exists (nothing changed).");
}

}  // namespace sala::python
