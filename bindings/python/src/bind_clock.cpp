// sala/ports/clock.hpp: where "now" comes from. Python classes may implement Clock.
#include "common.hpp"
#include "sala/ports/clock.hpp"

namespace sala::python {

namespace {

class py_clock : public clock {
  public:
    instant now() const override {
        return call_port("Clock.now", [&] {
            py::function f = py::get_override(static_cast<const clock*>(this), "now");
            if (!f) throw backend_error("Clock.now is not implemented by the Python class", false);
            // A clock may have seconds: floor to the minute as sala.SystemClock does.
            return instant_arg(f(), "Clock.now()", /*floor=*/true);
        });
    }
};

}  // namespace

void bind_clock(py::module_& m) {
    py::class_<clock, py_clock, std::shared_ptr<clock>> c(
        m, "Clock",
        "Where 'now' comes from. Subclass it in Python (call super().__init__()) and implement "
        "now() -> an "
        "aware datetime (floored to the minute). Exceptions it raises reach sala as BackendError.");
    c.def(py::init<>(), "For subclasses.");
    c.def("now", &clock::now, "The current instant as an aware UTC datetime.");

    py::class_<system_clock, clock, std::shared_ptr<system_clock>>(
        m, "SystemClock", "Wall-clock UTC, floored to the minute.")
        .def(py::init<>(), "The system clock.");

    py::class_<manual_clock, clock, std::shared_ptr<manual_clock>>(
        m, "ManualClock", "A clock that moves only when told: tests, simulations, demos.")
        .def(py::init([](py::object start) {
                 return std::make_shared<manual_clock>(
                     start.is_none() ? instant{} : instant_arg(start, "start"));
             }),
             py::arg("start") = py::none(),
             "Starts at aware ``start`` (default 1970-01-01 00:00 UTC).")
        .def(
            "set", [](manual_clock& c, py::object t) { c.set(instant_arg(t, "t")); }, py::arg("t"),
            "Moves to aware datetime ``t`` (whole minutes).")
        .def(
            "advance", [](manual_clock& c, py::object d) { c.advance(minutes_arg(d, "by")); },
            py::arg("by"), "Moves forward by int minutes or a timedelta.");
}

}  // namespace sala::python
