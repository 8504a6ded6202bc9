#pragma once
// Shared pieces of the sala Python bindings: datetime/zone/minutes conversion,
// real enum.Enum classes for C++ enums, value-type dunders, the call guard that
// releases the GIL, and helpers for Python-implemented ports.

#include <pybind11/pybind11.h>
#include <pybind11/stl.h>

#include <cctype>
#include <concepts>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "sala/enum_names.hpp"
#include "sala/error.hpp"
#include "sala/ids.hpp"
#include "sala/time.hpp"

namespace py = pybind11;

namespace sala::python {

// ---- datetimes, zones, minutes ----------------------------------------------------

// datetime.timezone.utc, datetime.datetime, datetime.timedelta (cached, never freed).
py::handle utc();
py::handle datetime_type();
py::handle timedelta_type();
// zoneinfo.ZoneInfo(zone); the zone is checked by sala first (invalid_argument "zone").
py::object zone_info(const std::string& zone);

// instant -> aware datetime in UTC / in `zone`.
py::object to_py(instant t);
py::object to_py_in(instant t, const std::string& zone);
// An aware datetime -> instant. Naive datetimes and non-datetimes are rejected
// with sala::invalid_argument(field). Seconds must be zero unless `floor` is set.
instant instant_arg(py::handle value, const std::string& field, bool floor = false);
std::optional<instant> optional_instant_arg(py::handle value, const std::string& field);

// minutes -> datetime.timedelta; int minutes or a whole-minute timedelta -> minutes.
py::object to_py(minutes m);
minutes minutes_arg(py::handle value, const std::string& field);

// A zone given as an IANA name or a zoneinfo.ZoneInfo (or datetime.timezone.utc).
std::string zone_arg(py::handle value, const std::string& field);

// What a request's start means: wall-clock time + zone, plus how to resolve it.
struct local_start {
    local_minutes wall{};
    std::string zone;
    std::optional<choose> resolve;
};
// See docs/python.md "Request starts": naive + zone, ZoneInfo-aware, or an exact
// aware instant (fixed offset / UTC) read in `zone`.
local_start start_arg(py::handle start, py::handle zone, std::optional<choose> how);
// Wall-clock time in `zone` as an aware datetime (fold chosen to match `at` when given).
py::object wall_to_py(local_minutes wall, const std::string& zone);

// ---- enums ------------------------------------------------------------------------------

// Each bound C++ enum becomes a real enum.Enum subclass; the type caster below
// maps members both ways.
template <class E>
struct enum_registry {
    static inline py::object* cls = nullptr;
    static inline std::vector<std::pair<E, py::object*>> members;
};

template <class E>
struct enum_member {
    E value;
    std::string name;  // MEMBER_NAME
    std::string text;  // its value, the C++ spelling ("automatic")
};

// `scope` is the module or, for nested enums, the class (qualname "Outer.Name").
template <class E>
py::object make_enum(py::handle scope, const char* name, const char* doc,
                     std::vector<enum_member<E>> members) {
    py::list items;
    for (const auto& mm : members) items.append(py::make_tuple(mm.name, mm.text));
    std::string qualname = name;
    if (py::isinstance<py::type>(scope))
        qualname = py::str(scope.attr("__qualname__")).cast<std::string>() + "." + name;
    py::object cls = py::module_::import("enum").attr("Enum")(
        name, items, py::arg("module") = "sala", py::arg("qualname") = qualname);
    cls.attr("__doc__") = doc;
    enum_registry<E>::cls = new py::object(cls);
    for (const auto& mm : members)
        enum_registry<E>::members.emplace_back(mm.value, new py::object(cls.attr(mm.name.c_str())));
    scope.attr(name) = cls;
    return cls;
}

// The members of E from its name table (sala/enum_names.hpp): MEMBER_NAME is
// the C++ spelling upper-cased, the member's value the spelling itself.
template <class E>
std::vector<enum_member<E>> enum_members() {
    std::vector<enum_member<E>> out;
    for (const auto& [e, text] : enum_names<E>::entries) {
        std::string name(text);
        for (auto& ch : name) ch = static_cast<char>(std::toupper(static_cast<unsigned char>(ch)));
        out.push_back({e, name, std::string(text)});
    }
    return out;
}

template <class E>
struct enum_caster_base {
    E value{};
    bool load(py::handle src, bool /*convert*/) {
        for (const auto& [v, obj] : enum_registry<E>::members)
            if (src.is(*obj)) {
                value = v;
                return true;
            }
        return false;
    }
    static py::handle cast(E v, py::return_value_policy, py::handle) {
        for (const auto& [k, obj] : enum_registry<E>::members)
            if (k == v) return obj->inc_ref();
        throw py::value_error("unknown enum value " + std::to_string(static_cast<int>(v)));
    }
    template <typename T>
    using cast_op_type = E;
    operator E() const { return value; }
};

// ---- value types -------------------------------------------------------------------------

// __repr__ from `fields`, __eq__/__ne__ from C++ ==, and __hash__ over
// `hash_fields` (immutable types) or __hash__ = None (mutable ones).
template <class T, class... Opts>
void value_methods(py::class_<T, Opts...>& c, std::vector<std::string> fields,
                   std::optional<std::vector<std::string>> hash_fields) {
    const std::string name = c.attr("__name__").template cast<std::string>();
    c.def("__repr__", [name, fields](py::handle self) {
        std::string s = name + "(";
        for (std::size_t i = 0; i < fields.size(); ++i) {
            if (i) s += ", ";
            s += fields[i] + "=" +
                 py::repr(self.attr(fields[i].c_str())).template cast<std::string>();
        }
        return s + ")";
    });
    if constexpr (std::equality_comparable<T>) {
        c.def(
            "__eq__",
            [](const T& a, py::handle b) -> py::object {
                if (!py::isinstance<T>(b))
                    return py::reinterpret_borrow<py::object>(Py_NotImplemented);
                return py::bool_(a == b.cast<const T&>());
            },
            py::is_operator());
    } else {
        // No C++ ==: equal when every listed field is equal.
        c.def(
            "__eq__",
            [fields](py::handle a, py::handle b) -> py::object {
                if (!py::isinstance<T>(b))
                    return py::reinterpret_borrow<py::object>(Py_NotImplemented);
                for (const auto& f : fields)
                    if (!a.attr(f.c_str()).equal(b.attr(f.c_str()))) return py::bool_(false);
                return py::bool_(true);
            },
            py::is_operator());
    }
    c.def(
        "__ne__",
        [](py::handle a, py::handle b) -> py::object {
            py::object r = a.attr("__eq__")(b);
            if (r.ptr() == Py_NotImplemented) return r;
            return py::bool_(!r.cast<bool>());
        },
        py::is_operator());
    if (hash_fields) {
        c.def("__hash__", [hf = *hash_fields](py::handle self) {
            py::tuple t(hf.size());
            for (std::size_t i = 0; i < hf.size(); ++i) {
                py::object v = self.attr(hf[i].c_str());
                if (py::isinstance<py::list>(v)) v = py::tuple(v);
                t[i] = v;
            }
            return py::hash(t);
        });
    } else {
        c.attr("__hash__") = py::none();
    }
}

// ---- the GIL and thread safety -----------------------------------------------------------

// sala objects are not thread-safe. Calls into them release the GIL (so Python
// ports called back from C++ and other Python threads can run) and hold one
// module-wide recursive mutex, taken after the GIL is released so a thread
// waiting for it never holds the GIL: no lock-order deadlock.
std::recursive_mutex& call_mutex();
struct unlocked_call {
    py::gil_scoped_release release;
    std::unique_lock<std::recursive_mutex> lock{call_mutex()};
};
// Runs f() as unlocked_call does, for lambdas that convert arguments first.
template <class F>
auto unlocked(F&& f) -> decltype(f()) {
    unlocked_call guard;
    return f();
}

// Bind calls with def_call (args.hpp), never with py::call_guard<unlocked_call>:
// pybind11 would hand the call references into Python-owned objects (a
// RequestInput, Settings) that another thread can change once the GIL is
// released, mid-validation.

// ---- Python-implemented ports ------------------------------------------------------------

// A shared_ptr to the C++ part of a Python object that also keeps the Python
// object (and so its overrides and __dict__) alive as long as C++ holds it.
template <class T>
std::shared_ptr<T> hold_python(py::object obj) {
    auto sp = obj.cast<std::shared_ptr<T>>();
    PyObject* raw = obj.release().ptr();
    std::shared_ptr<void> keeper(raw, [](void* p) {
        if (!Py_IsInitialized()) return;  // interpreter gone: nothing left to free
        py::gil_scoped_acquire gil;
        Py_DECREF(static_cast<PyObject*>(p));
    });
    // The aliasing pointer owns `keeper` (the Python object, which owns `sp`'s holder).
    return std::shared_ptr<T>(std::move(keeper), sp.get());
}

// A Python callable stored in C++ (listeners); copies and destruction take the GIL.
std::shared_ptr<py::object> hold_callable(py::object f);

// Turns whatever a Python port raised into sala::backend_error (R16 retries it).
// sala.BackendError keeps its retryable/retry_after_seconds; any other Exception
// is retryable. KeyboardInterrupt/SystemExit are rethrown untouched.
[[noreturn]] void rethrow_as_backend_error(const std::string& where);

// Runs `f` (which calls into Python) with the GIL held and maps failures.
template <class F>
auto call_port(const char* where, F&& f) -> decltype(f()) {
    py::gil_scoped_acquire gil;
    try {
        return f();
    } catch (const sala::backend_error&) {
        throw;
    } catch (...) {
        rethrow_as_backend_error(where);
    }
}

// ---- binders, one per public header --------------------------------------------------------

void bind_error(py::module_& m);
void bind_ids(py::module_& m);
void bind_time(py::module_& m);
void bind_interval(py::module_& m);
void bind_settings(py::module_& m);
void bind_room(py::module_& m);
void bind_request(py::module_& m);
void bind_schedule(py::module_& m);
void bind_policy(py::module_& m);
void bind_clock(py::module_& m);
void bind_platform(py::module_& m);
void bind_conferencing(py::module_& m);
void bind_mailer(py::module_& m);
void bind_templates(py::module_& m);
void bind_credentials(py::module_& m);
void bind_lifecycle(py::module_& m);
void bind_fakes(py::module_& m);
void bind_adapters(py::module_& m);
void bind_stores(py::module_& m);
void bind_history(py::module_& m);
void bind_views(py::module_& m);
// sala.ZoomError (defined with the other exceptions; raised by the zoom adapter's translator).
py::object& zoom_error_class();

}  // namespace sala::python

// Type casters for the bound C++ enums (real enum.Enum on the Python side).
#define SALA_PY_ENUM_CASTER(E, PYNAME)                          \
    namespace pybind11::detail {                                \
    template <>                                                 \
    struct type_caster<E> : sala::python::enum_caster_base<E> { \
        static constexpr auto name = const_name(PYNAME);        \
    };                                                          \
    }

#include "sala/interval.hpp"
#include "sala/platform.hpp"
#include "sala/policy.hpp"
#include "sala/request.hpp"
#include "sala/room.hpp"

SALA_PY_ENUM_CASTER(sala::choose, "sala.Choose")
SALA_PY_ENUM_CASTER(sala::allen, "sala.Allen")
SALA_PY_ENUM_CASTER(sala::room_mode, "sala.RoomMode")
SALA_PY_ENUM_CASTER(sala::pool_kind, "sala.PoolKind")
SALA_PY_ENUM_CASTER(sala::admission, "sala.Admission")
SALA_PY_ENUM_CASTER(sala::policy_kind, "sala.PolicyKind")
SALA_PY_ENUM_CASTER(sala::assign_status, "sala.AssignStatus")
SALA_PY_ENUM_CASTER(sala::webinar_status, "sala.WebinarStatus")
SALA_PY_ENUM_CASTER(sala::event_kind, "sala.EventKind")

#include "sala/fakes/fake_conferencing.hpp"
#include "sala/lifecycle/lifecycle.hpp"
#include "sala/lifecycle/templates.hpp"

SALA_PY_ENUM_CASTER(sala::language, "sala.Language")
SALA_PY_ENUM_CASTER(sala::mail_kind, "sala.MailKind")
SALA_PY_ENUM_CASTER(sala::step_kind, "sala.StepKind")
SALA_PY_ENUM_CASTER(sala::step_outcome, "sala.StepOutcome")
SALA_PY_ENUM_CASTER(sala::fake_conferencing::method, "sala.FakeConferencing.Method")

// instant and minutes: out as aware UTC datetime / timedelta. In, they go
// through instant_arg/minutes_arg in each binding so errors name the field;
// the casters' load() accepts the same inputs for nested values (fields "datetime"/"minutes").
namespace pybind11::detail {
template <>
struct type_caster<sala::instant> {
    PYBIND11_TYPE_CASTER(sala::instant, const_name("datetime.datetime"));
    bool load(handle src, bool) {
        if (!isinstance(src, sala::python::datetime_type())) return false;
        value = sala::python::instant_arg(src, "datetime");
        return true;
    }
    static handle cast(sala::instant t, return_value_policy, handle) {
        return sala::python::to_py(t).release();
    }
};
template <>
struct type_caster<sala::minutes> {
    PYBIND11_TYPE_CASTER(sala::minutes, const_name("datetime.timedelta"));
    bool load(handle src, bool) {
        if (!isinstance(src, sala::python::timedelta_type()) && !PyLong_Check(src.ptr()))
            return false;
        value = sala::python::minutes_arg(src, "minutes");
        return true;
    }
    static handle cast(sala::minutes m, return_value_policy, handle) {
        return sala::python::to_py(m).release();
    }
};
}  // namespace pybind11::detail
