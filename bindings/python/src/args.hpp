#pragma once
// Arguments of bound calls, converted by sala rather than by pybind11's
// overload resolution: a wrong or out-of-range value raises
// InvalidArgumentError naming the parameter ("room", "expected_attendees",
// "panelists[2]") instead of pybind11's "incompatible function arguments";
// and every value is copied while the GIL is held, before the call releases it.

#include <array>
#include <concepts>
#include <cstddef>
#include <limits>
#include <optional>
#include <stdexcept>
#include <string>
#include <tuple>
#include <type_traits>
#include <utility>
#include <vector>

#include "common.hpp"

namespace sala::python {

// A value of the wrong type: sala.ArgumentTypeError, both an
// InvalidArgumentError naming the field and a TypeError.
class wrong_type : public invalid_argument {
  public:
    using invalid_argument::invalid_argument;
};

// "int", "str", "NoneType", "sala.RoomId" ...: the Python type of `v`.
std::string type_name(py::handle v);

template <std::integral T>
T int_arg(py::handle value, const std::string& field) {
    constexpr auto lo = static_cast<long long>(std::numeric_limits<T>::min());
    constexpr auto hi = std::numeric_limits<T>::max();
    const std::string range = "an int from " + std::to_string(lo) + " to " + std::to_string(hi);
    if (PyBool_Check(value.ptr()) || !PyLong_Check(value.ptr()))
        throw wrong_type(field, "must be " + range + ", got " + type_name(value));
    int overflow = 0;
    const long long v = PyLong_AsLongLongAndOverflow(value.ptr(), &overflow);
    if (overflow != 0 || v < lo || (v > 0 && static_cast<unsigned long long>(v) > hi))
        throw invalid_argument(field,
                               "must be " + range + ", got " + py::str(value).cast<std::string>());
    return static_cast<T>(v);
}

// A str as UTF-8. bytes are refused (text is str in Python); a lone surrogate
// cannot be UTF-8 and is refused here, naming the field.
std::string str_arg(py::handle value, const std::string& field);

template <class T>
struct is_optional : std::false_type {};
template <class T>
struct is_optional<std::optional<T>> : std::true_type {};
template <class T>
struct is_vector : std::false_type {};
template <class T>
struct is_vector<std::vector<T>> : std::true_type {};

template <class T>
concept strong_id =
    std::same_as<T, room_id> || std::same_as<T, request_id> || std::same_as<T, pool_id>;

template <strong_id Id>
Id id_arg(py::handle value, const std::string& field) {
    if (py::isinstance<Id>(value)) return value.cast<Id>();
    if (PyLong_Check(value.ptr()) && !PyBool_Check(value.ptr()))
        return Id{int_arg<decltype(Id::value)>(value, field)};
    throw wrong_type(field,
                     "must be a " +
                         py::str(py::type::of<Id>().attr("__name__")).template cast<std::string>() +
                         " or an int, got " + type_name(value));
}

// What a T is called in Python: a bound class's name, else pybind11's.
template <class T>
std::string expected_name() {
    if (const auto* ti = py::detail::get_type_info(typeid(T)))
        return py::str(py::handle(reinterpret_cast<PyObject*>(ti->type)).attr("__name__"));
    return py::detail::make_caster<T>::name.text;
}

// `value` as T (a copy), or sala::invalid_argument(field).
template <class T>
T arg_as(py::handle value, const std::string& field) {
    if constexpr (std::is_same_v<T, bool>) {
        if (!PyBool_Check(value.ptr()))
            throw wrong_type(field, "must be True or False, got " + type_name(value));
        return value.ptr() == Py_True;
    } else if constexpr (std::is_integral_v<T>) {
        return int_arg<T>(value, field);
    } else if constexpr (std::is_same_v<T, std::string>) {
        return str_arg(value, field);
    } else if constexpr (strong_id<T>) {
        return id_arg<T>(value, field);
    } else if constexpr (std::is_same_v<T, minutes>) {
        return minutes_arg(value, field);
    } else if constexpr (std::is_same_v<T, instant>) {
        return instant_arg(value, field);
    } else if constexpr (is_optional<T>::value) {
        if (value.is_none()) return std::nullopt;
        return arg_as<typename T::value_type>(value, field);
    } else if constexpr (is_vector<T>::value) {
        if (PyUnicode_Check(value.ptr()) || PyBytes_Check(value.ptr()) ||
            !PySequence_Check(value.ptr()))
            throw wrong_type(field, "must be a list, got " + type_name(value));
        const auto seq = py::reinterpret_borrow<py::sequence>(value);
        T out;
        out.reserve(seq.size());
        for (std::size_t i = 0; i < seq.size(); ++i)
            out.push_back(
                arg_as<typename T::value_type>(seq[i], field + "[" + std::to_string(i) + "]"));
        return out;
    } else {
        try {
            return value.cast<T>();
        } catch (const py::cast_error&) {
            throw wrong_type(field,
                             "must be a " + expected_name<T>() + ", got " + type_name(value));
        }
    }
}

// What a parameter of type A is held as inside the call: a copy, except for
// non-const references (sala objects such as a Platform, which the call mutex
// protects; pybind11 resolves them without conversion).
template <class A>
inline constexpr bool by_reference =
    std::is_lvalue_reference_v<A> && !std::is_const_v<std::remove_reference_t<A>>;
template <class A>
using held_t = std::conditional_t<by_reference<A>, A, std::decay_t<A>>;

template <class A>
held_t<A> held_arg(py::handle value, const std::string& field) {
    if constexpr (by_reference<A>) {
        try {
            return value.cast<A>();
        } catch (const py::cast_error&) {
            throw wrong_type(field, "must be a " + expected_name<std::decay_t<A>>() + ", got " +
                                        type_name(value));
        }
    } else {
        return arg_as<std::decay_t<A>>(value, field);
    }
}

namespace detail_args {

template <std::size_t>
using object_t = py::object;

template <class... Extra>
std::vector<std::string> names_of(const Extra&... extra) {
    std::vector<std::string> out;
    const auto one = [&](const auto& e) {
        using E = std::decay_t<decltype(e)>;
        if constexpr (std::is_same_v<E, py::arg> || std::is_same_v<E, py::arg_v>)
            out.emplace_back(e.name);
    };
    (one(extra), ...);
    return out;
}

// A bug in a binding, found when the module is imported.
inline void check_arity(const std::vector<std::string>& names, std::size_t parameters) {
    if (names.size() != parameters)
        throw std::logic_error("sala bindings: a call binds " + std::to_string(names.size()) +
                               " py::arg for " + std::to_string(parameters) + " parameters");
}

template <class R, class Call, class... A, std::size_t... I>
auto wrap_free(Call call, std::vector<std::string> names, std::index_sequence<I...>) {
    check_arity(names, sizeof...(A));
    return [call, names](object_t<I>... args) -> R {
        std::tuple<held_t<A>...> values{held_arg<A>(args, names[I])...};
        return unlocked([&]() -> R { return call(std::get<I>(values)...); });
    };
}

template <class R, class Self, class Call, class... A, std::size_t... I>
auto wrap(Call call, std::vector<std::string> names, std::index_sequence<I...>) {
    check_arity(names, sizeof...(A));
    return [call, names](Self self, object_t<I>... args) -> R {
        // Converted in order, with the GIL held.
        std::tuple<held_t<A>...> values{held_arg<A>(args, names[I])...};
        return unlocked([&]() -> R { return call(self, std::get<I>(values)...); });
    };
}

}  // namespace detail_args

// cls.def(name, f, py::arg(...)..., doc) for a member function f, each
// argument converted by arg_as and the call made as unlocked_call does.
template <class Cls, class R, class C, class... A, class... Extra>
void def_call(Cls& cls, const char* name, R (C::*f)(A...), const Extra&... extra) {
    auto call = [f](C& self, auto&... a) -> R { return (self.*f)(a...); };
    cls.def(name,
            detail_args::wrap<R, C&, decltype(call), A...>(call, detail_args::names_of(extra...),
                                                           std::index_sequence_for<A...>{}),
            extra...);
}
template <class Cls, class R, class C, class... A, class... Extra>
void def_call(Cls& cls, const char* name, R (C::*f)(A...) const, const Extra&... extra) {
    auto call = [f](const C& self, auto&... a) -> R { return (self.*f)(a...); };
    cls.def(name,
            detail_args::wrap<R, const C&, decltype(call), A...>(
                call, detail_args::names_of(extra...), std::index_sequence_for<A...>{}),
            extra...);
}

template <class Cls, class R, class... A, class... Extra>
void def_call(Cls& scope, const char* name, R (*f)(A...), const Extra&... extra) {
    auto call = [f](auto&... a) -> R { return f(a...); };
    scope.def(name,
              detail_args::wrap_free<R, decltype(call), A...>(call, detail_args::names_of(extra...),
                                                              std::index_sequence_for<A...>{}),
              extra...);
}

// cls.def(name, f, ...) for a function f(Self&, A...) bound as a method: one
// body for classes that share a surface (Platform and DurablePlatform).
template <class Cls, class R, class S, class... A, class... Extra>
void def_method(Cls& cls, const char* name, R (*f)(S&, A...), const Extra&... extra) {
    auto call = [f](S& self, auto&... a) -> R { return f(self, a...); };
    cls.def(name,
            detail_args::wrap<R, S&, decltype(call), A...>(call, detail_args::names_of(extra...),
                                                           std::index_sequence_for<A...>{}),
            extra...);
}

// A read-write attribute: reads return a copy, writes go through arg_as
// (InvalidArgumentError naming the attribute).
template <class Cls, class T, class M>
void def_field(Cls& cls, const char* name, M T::*member, const char* doc = "") {
    cls.def_property(
        name, [member](const T& self) { return self.*member; },
        [member, name](T& self, py::handle v) { self.*member = arg_as<M>(v, name); }, doc);
}

}  // namespace sala::python
