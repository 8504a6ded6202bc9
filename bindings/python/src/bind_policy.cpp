// sala/policy.hpp: allocation policies (R9). First-fit is the default; Python
// classes may implement AllocationPolicy.
#include "common.hpp"

namespace sala::python {

namespace {

// What a Python policy sees: copies, so nothing it keeps can dangle.
struct query_copy {
    std::vector<room_id> free_rooms;  // eligible and free over `blocked`, in room order
    std::vector<room> rooms;
    request req;
    interval blocked;
    py::dict free_runs;  // RoomId -> (begin | None, end | None)
};

query_copy copy_query(const allocation_query& q) {
    query_copy c{q.schedule.free_rooms(q.blocked), q.rooms, q.request, q.blocked, {}};
    for (const room_id r : c.free_rooms) {
        const auto run = q.schedule.free_run(r, q.blocked);
        c.free_runs[py::cast(r)] = py::make_tuple(
            run.begin() == instant::min() ? py::object(py::none()) : to_py(run.begin()),
            run.end() == instant::max() ? py::object(py::none()) : to_py(run.end()));
    }
    return c;
}

class py_policy : public allocation_policy {
  public:
    std::string name() const override {
        py::gil_scoped_acquire gil;
        PYBIND11_OVERRIDE_PURE(std::string, allocation_policy, name, );
    }
    std::optional<room_id> choose(const allocation_query& q) const override {
        py::gil_scoped_acquire gil;
        query_copy copy = copy_query(q);
        py::function f = py::get_override(static_cast<const allocation_policy*>(this), "choose");
        if (!f) throw error("AllocationPolicy.choose is not implemented by the Python class");
        // A policy is not a backend: its exceptions reach the caller unchanged.
        return f(std::move(copy)).cast<std::optional<room_id>>();
    }
};

}  // namespace

void bind_policy(py::module_& m) {
    make_enum<policy_kind>(
        m, "PolicyKind",
        "R9: FIRST_FIT (the default), BEST_FIT or SMALLEST_CAPACITY, options a platform opts into.",
        enum_members<policy_kind>());

    py::class_<query_copy> q(m, "AllocationQuery",
                             "What a policy sees (copies): the free eligible rooms, all rooms, the "
                             "request and its block.");
    q.def_readonly("free_rooms", &query_copy::free_rooms,
                   "RoomIds eligible (active, automatic, taking new requests) and free over "
                   "``blocked``, in order.");
    q.def_readonly(
        "free_runs", &query_copy::free_runs,
        "dict RoomId -> (begin, end) of the free run around ``blocked`` (None: open end).");
    q.def_readonly("rooms", &query_copy::rooms, "list of Room; index = room id - 1.");
    q.def_readonly("request", &query_copy::req, "The Request being placed.");
    q.def_readonly("blocked", &query_copy::blocked, "Its blocked Interval.");

    py::class_<allocation_policy, py_policy, std::shared_ptr<allocation_policy>> p(
        m, "AllocationPolicy",
        "Base class of allocation policies. Subclass it in Python (call super().__init__()) and "
        "implement "
        "name() -> str and choose(query: AllocationQuery) -> RoomId | None returning an eligible "
        "room free "
        "over query.blocked.");
    p.def(py::init<>(), "For subclasses.");
    p.def("name", &allocation_policy::name, "The policy's name ('first_fit').");
    m.def("make_policy", &make_policy, py::arg("kind"), "A built-in policy by PolicyKind.");
}

}  // namespace sala::python
