#pragma once
// Rooms and pools (R1-R5): a room is one licensed host user of a linked account.

#include <string>

#include "sala/enum_names.hpp"
#include "sala/ids.hpp"

namespace sala {

// R3: automatic rooms are given out by the allocator, manual ones only by an admin.
enum class room_mode { manual, automatic };

// R5: rooms lent by the platform vs. rooms of the institution's own account.
enum class pool_kind { lent, own };

// A user of a linked account as the conferencing backend lists it.
struct account_user {
    std::string user_id{};  // backend id (Zoom user id)
    std::string email{};
    std::string display_name{};
    bool owner = false;    // the account owner is never a room (R1)
    bool licensed = true;  // holds a webinar licence
    int capacity = 100;    // attendees the licence allows
    friend bool operator==(const account_user&, const account_user&) = default;
};

// A linked account: its users became candidate rooms.
struct pool {
    pool_id id;
    std::string name;
    pool_kind kind = pool_kind::own;
    friend bool operator==(const pool&, const pool&) = default;
};

struct room {
    room_id id;
    pool_id pool;
    std::string user_id;
    std::string email;
    std::string display_name;
    int capacity = 100;
    bool active = false;  // R2: rooms start inactive
    room_mode mode = room_mode::manual;
    friend bool operator==(const room&, const room&) = default;
};

template <>
struct enum_names<room_mode> {
    static constexpr enum_table<room_mode, 2> entries{
        {SALA_ENUM_NAME(room_mode, manual), SALA_ENUM_NAME(room_mode, automatic)}};
};
template <>
struct enum_names<pool_kind> {
    static constexpr enum_table<pool_kind, 2> entries{
        {SALA_ENUM_NAME(pool_kind, lent), SALA_ENUM_NAME(pool_kind, own)}};
};
inline const char* to_string(room_mode m) { return enum_name(m); }
inline const char* to_string(pool_kind k) { return enum_name(k); }

}  // namespace sala
