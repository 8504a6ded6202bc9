#pragma once
// Names of sala's enums. Each enum has one constexpr table, declared right
// after it, of its values and their names in declaration order; to_string,
// parsing (stores, the command line) and the Python bindings all read it.
//
//     enum class room_mode { manual, automatic };
//     template <> struct enum_names<room_mode> {
//         static constexpr enum_table<room_mode, 2> entries{{
//             SALA_ENUM_NAME(room_mode, manual), SALA_ENUM_NAME(room_mode, automatic)}};
//     };

#include <array>
#include <cstddef>
#include <optional>
#include <string_view>
#include <utility>

namespace sala {

#define SALA_ENUM_NAME(E, v) \
    { E::v, #v }

template <class E, std::size_t N>
using enum_table = std::array<std::pair<E, std::string_view>, N>;

// Specialised next to each enum with `static constexpr enum_table<E, N> entries`.
template <class E>
struct enum_names;

namespace detail {
template <class E>
constexpr bool dense_in_order() {
    const auto& t = enum_names<E>::entries;
    for (std::size_t i = 0; i < t.size(); ++i)
        if (static_cast<std::size_t>(t[i].first) != i) return false;
    return true;
}
}  // namespace detail

template <class E>
constexpr std::size_t enum_count() noexcept {
    return enum_names<E>::entries.size();
}

// The name of `e` ("automatic"), or "?" for a value outside the table.
template <class E>
constexpr const char* enum_name(E e) noexcept {
    static_assert(detail::dense_in_order<E>(),
                  "enum_names<E>::entries must list 0, 1, 2, ... in order");
    const auto i = static_cast<std::size_t>(e);
    return i < enum_count<E>() ? enum_names<E>::entries[i].second.data() : "?";
}

// The value named `s`, or nullopt.
template <class E>
constexpr std::optional<E> parse_enum(std::string_view s) noexcept {
    for (const auto& [v, name] : enum_names<E>::entries)
        if (name == s) return v;
    return std::nullopt;
}

}  // namespace sala
