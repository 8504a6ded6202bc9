// sala/time.hpp: UTC instants inside, wall-clock time + IANA zone at the edges (R8).
#include "common.hpp"

namespace sala::python {

void bind_time(py::module_& m) {
    make_enum<choose>(m, "Choose",
                      "Which instant a local time means in a DST overlap (EARLIEST/LATEST); in a "
                      "DST gap both give the transition instant (R8).",
                      enum_members<choose>());

    m.def(
        "to_instant",
        [](py::object local, py::object zone, std::optional<choose> how) {
            const auto s = start_arg(local, zone, how);
            return s.resolve ? to_instant(s.wall, s.zone, *s.resolve) : to_instant(s.wall, s.zone);
        },
        py::arg("local"), py::arg("zone") = py::none(), py::arg("choose") = py::none(),
        "Wall-clock time in a zone -> aware UTC datetime.\n\n"
        "``local`` is a naive datetime read in ``zone`` (an IANA name or ZoneInfo), or a\n"
        "zoneinfo-aware datetime (its zone is used; its ``fold`` is ignored). A time in a\n"
        "DST gap raises NonexistentLocalTimeError, one in an overlap AmbiguousLocalTimeError,\n"
        "unless ``choose`` (sala.Choose) says which instant is meant (R8).");
    m.def(
        "to_local",
        [](py::object t, py::object zone) {
            return to_py_in(instant_arg(t, "t"), zone_arg(zone, "zone"));
        },
        py::arg("t"), py::arg("zone"),
        "Aware datetime -> the same instant as an aware datetime in ``zone`` (zoneinfo.ZoneInfo).");
    m.def(
        "format",
        [](py::object t, py::object zone) {
            return format(instant_arg(t, "t"), zone_arg(zone, "zone"));
        },
        py::arg("t"), py::arg("zone"),
        "'2021-05-12 15:05': wall-clock time of aware ``t`` in ``zone``.");
    m.def(
        "format_utc", [](py::object t) { return format_utc(instant_arg(t, "t")); }, py::arg("t"),
        "'2021-05-12 13:05': aware ``t`` in UTC.");
    m.def(
        "format_iso_utc", [](py::object t) { return format_iso_utc(instant_arg(t, "t")); },
        py::arg("t"), "'2021-05-12T13:05:00Z': aware ``t`` as ISO 8601 UTC.");
    m.def(
        "zone_abbreviation",
        [](py::object t, py::object zone) {
            return zone_abbreviation(instant_arg(t, "t"), zone_arg(zone, "zone"));
        },
        py::arg("t"), py::arg("zone"),
        "The abbreviation in force at aware ``t`` in ``zone`` ('CEST').");
    m.def(
        "check_zone", [](py::object zone) { return zone_arg(zone, "zone"); }, py::arg("zone"),
        "Returns the IANA name of ``zone`` (a name or ZoneInfo); raises InvalidArgumentError "
        "(field 'zone') for an unknown one.");
}

}  // namespace sala::python
