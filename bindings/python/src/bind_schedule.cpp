// sala/schedule.hpp: per-room occupancy (R1: one block per room at any instant).
#include "common.hpp"

namespace sala::python {

void bind_schedule(py::module_& m) {
    py::class_<booking> b(m, "Booking", "One blocked interval of one room (immutable).");
    b.def_readonly("room", &booking::room, "RoomId.");
    b.def_readonly("blocked", &booking::blocked, "Interval.");
    b.def_readonly("request", &booking::request, "RequestId.");
    value_methods(b, {"room", "blocked", "request"},
                  std::vector<std::string>{"room", "blocked", "request"});

    py::class_<schedule> s(
        m, "Schedule",
        "Room occupancy (Boost.ICL), on its own: book blocks on numbered rooms and ask "
        "what is free. Platform keeps its own; this one is for planning and tests.");
    s.def(py::init<>(), "An empty schedule without rooms.");
    s.def("add_room", &schedule::add_room,
          "Adds a room at the end of the fixed order; returns its RoomId.");
    s.def("room_count", &schedule::room_count, "Number of rooms.");
    s.def("__len__", &schedule::size, "Total bookings over all rooms.");
    s.def("set_eligible", &schedule::set_eligible, py::arg("room"), py::arg("yes"),
          "Whether automatic allocation may give the room out (R9, R5).");
    s.def("eligible", &schedule::eligible, py::arg("room"), "Whether the room is eligible.");
    s.def("is_free", &schedule::is_free, py::arg("room"), py::arg("interval"),
          "Free over all of ``interval``?");
    s.def("book", &schedule::book, py::arg("room"), py::arg("interval"), py::arg("request"),
          "Books; raises RuleViolationError (R1) on overlap, InvalidArgumentError when empty.");
    s.def("release", &schedule::release, py::arg("room"), py::arg("interval"),
          "Removes the booking starting at interval.begin; NotFoundError when there is none.");
    s.def("first_free", &schedule::first_free, py::arg("interval"),
          "First eligible room free over ``interval`` in room order (first-fit, R9), or None.");
    s.def("free_rooms", &schedule::free_rooms, py::arg("interval"),
          "Every eligible room free over ``interval``.");
    s.def(
        "book_first_fit",
        [](schedule& sc, const std::vector<std::pair<interval, request_id>>& items) {
            std::vector<schedule::batch_item> v;
            v.reserve(items.size());
            for (const auto& [i, r] : items) v.push_back({i, r});
            return sc.book_first_fit(v);
        },
        py::arg("items"),
        "Books each (interval, request) on the first eligible room free over it, in order, each "
        "seeing the "
        "ones before it booked: the rooms first_free + book would give one at a time (R9). Returns "
        "a room or "
        "None per item. An invalid item raises InvalidArgumentError (naming items[i]) before "
        "anything is "
        "booked.");
    s.def(
        "free_run",
        [](const schedule& sc, room_id r, const interval& i) {
            const auto run = sc.free_run(r, i);
            return py::make_tuple(
                run.begin() == instant::min() ? py::object(py::none()) : to_py(run.begin()),
                run.end() == instant::max() ? py::object(py::none()) : to_py(run.end()));
        },
        py::arg("room"), py::arg("interval"),
        "(begin, end) of the free run around free ``interval``; None for an open end.");
    s.def("bookings", &schedule::bookings, py::arg("room"),
          "The room's bookings in start order (copies).");
    s.def("overlapping", &schedule::overlapping, py::arg("window"),
          "Bookings overlapping ``window``, by room then start.");
    s.def("peak_concurrency", &schedule::peak_concurrency, py::arg("window"),
          "R18: most blocked intervals at one instant inside ``window``.");
}

}  // namespace sala::python
