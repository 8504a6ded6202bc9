#pragma once
// Small strong ids: a room id cannot be passed where a request id is expected.

#include <compare>
#include <cstdint>
#include <functional>
#include <string>

namespace sala {

// Rooms are numbered 1, 2, 3... in the order they were listed by their linked
// account; that number is the room's fixed position for first-fit (R9).
struct room_id {
    std::uint32_t value = 0;
    friend constexpr auto operator<=>(room_id, room_id) = default;
};

struct request_id {
    std::uint64_t value = 0;
    friend constexpr auto operator<=>(request_id, request_id) = default;
};

struct pool_id {
    std::uint32_t value = 0;
    friend constexpr auto operator<=>(pool_id, pool_id) = default;
};

inline std::string to_string(room_id id) { return "room " + std::to_string(id.value); }
inline std::string to_string(request_id id) { return "request " + std::to_string(id.value); }
inline std::string to_string(pool_id id) { return "pool " + std::to_string(id.value); }

}  // namespace sala

template <>
struct std::hash<sala::room_id> {
    std::size_t operator()(sala::room_id id) const noexcept { return id.value; }
};
template <>
struct std::hash<sala::request_id> {
    std::size_t operator()(sala::request_id id) const noexcept { return id.value; }
};
