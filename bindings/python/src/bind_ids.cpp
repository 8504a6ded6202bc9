// sala/ids.hpp: strong ids. RoomId(1) is not RequestId(1); plain ints convert implicitly.
#include <limits>

#include "common.hpp"

namespace sala::python {

namespace {

template <class Id>
void bind_id(py::module_& m, const char* name, const char* doc) {
    py::class_<Id> c(m, name, doc);
    c.def(py::init([name](long long v) {
              using V = decltype(Id::value);
              if (v < 0 || static_cast<unsigned long long>(v) > std::numeric_limits<V>::max())
                  throw invalid_argument("value", std::string(name) +
                                                      " must be 0 or more and fit its range, got " +
                                                      std::to_string(v));
              return Id{static_cast<decltype(Id::value)>(v)};
          }),
          py::arg("value"), "Wraps a number (rooms are numbered 1, 2, ... in listing order).");
    c.def_property_readonly(
        "value", [](const Id& id) { return id.value; }, "The number.");
    c.def(
        "__int__", [](const Id& id) { return id.value; }, "The number.");
    c.def("__repr__", [name](const Id& id) {
        return std::string(name) + "(" + std::to_string(id.value) + ")";
    });
    c.def(
        "__str__", [](const Id& id) { return sala::to_string(id); },
        "'room 3', 'request 7', 'pool 1'.");
    c.def(
        "__eq__",
        [](const Id& a, py::handle b) -> py::object {
            if (!py::isinstance<Id>(b))
                return py::reinterpret_borrow<py::object>(Py_NotImplemented);
            return py::bool_(a == b.cast<Id>());
        },
        py::is_operator());
    c.def(
        "__lt__", [](const Id& a, const Id& b) { return a < b; }, py::is_operator());
    c.def(
        "__le__", [](const Id& a, const Id& b) { return a <= b; }, py::is_operator());
    c.def(
        "__gt__", [](const Id& a, const Id& b) { return a > b; }, py::is_operator());
    c.def(
        "__ge__", [](const Id& a, const Id& b) { return a >= b; }, py::is_operator());
    c.def("__hash__", [](const Id& id) {
        return py::hash(py::make_tuple(py::str(py::type::of<Id>().attr("__name__")), id.value));
    });
    c.def(py::pickle([](const Id& id) { return py::make_tuple(id.value); },
                     [](py::tuple t) { return Id{t[0].cast<decltype(Id::value)>()}; }));
    py::implicitly_convertible<py::int_, Id>();
}

}  // namespace

void bind_ids(py::module_& m) {
    bind_id<room_id>(m, "RoomId", "A room's id: its fixed position for first-fit (R9), 1-based.");
    bind_id<request_id>(m, "RequestId", "A request's id, given by Platform.submit.");
    bind_id<pool_id>(m, "PoolId", "A linked account's (pool's) id, 1-based.");
}

}  // namespace sala::python
