// sala/interval.hpp: half-open [begin, end) of UTC instants; meeting ends do not overlap (R7).
#include "common.hpp"

namespace sala::python {

void bind_interval(py::module_& m) {
    make_enum<allen>(m, "Allen", "Allen's thirteen interval relations, read as 'a <relation> b'.",
                     enum_members<allen>());

    py::class_<interval> c(m, "Interval",
                           "A half-open interval [begin, end) of instants (immutable). Two blocks "
                           "that only meet do not overlap (R7).");
    c.def(py::init([](py::object begin, py::object end) {
              return make_interval(instant_arg(begin, "begin"), instant_arg(end, "end"));
          }),
          py::arg("begin"), py::arg("end"),
          "From two aware datetimes; raises InvalidArgumentError when end < begin.");
    c.def_property_readonly("begin", &interval::begin, "Aware UTC datetime.");
    c.def_property_readonly("end", &interval::end, "Aware UTC datetime (excluded).");
    c.def_property_readonly("length", &interval::length, "datetime.timedelta.");
    c.def_property_readonly("empty", &interval::empty, "True when begin == end.");
    c.def(
        "contains",
        [](const interval& i, py::object x) {
            if (py::isinstance<interval>(x)) return i.contains(x.cast<interval>());
            return i.contains(instant_arg(x, "x"));
        },
        py::arg("x"), "Whether aware datetime or Interval ``x`` lies inside.");
    c.def("__contains__",
          [](const interval& i, py::object t) { return i.contains(instant_arg(t, "t")); });
    c.def("overlaps", &interval::overlaps, py::arg("other"),
          "True when they share at least one minute.");
    c.def("meets", &interval::meets, py::arg("other"),
          "True when one ends exactly where the other begins.");
    c.def("before", &interval::before, py::arg("other"),
          "True when this ends at or before other begins.");
    c.def("after", &interval::after, py::arg("other"),
          "True when this begins at or after other ends.");
    c.def("intersection", &interval::intersection, py::arg("other"),
          "The shared part; empty (at the later begin) when they do not overlap.");
    c.def("relation", &interval::relation, py::arg("other"),
          "The Allen relation 'self <relation> other'.");
    c.def(
        "__lt__", [](const interval& a, const interval& b) { return a < b; }, py::is_operator());
    value_methods(c, {"begin", "end"}, std::vector<std::string>{"begin", "end"});
}

}  // namespace sala::python
