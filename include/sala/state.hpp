#pragma once
// What a platform knows, as plain values: the state a store saves and loads,
// and the events a command emits. Ports and stores include this, never the
// facade (sala/platform.hpp).

#include <cstdint>
#include <map>
#include <optional>
#include <vector>

#include "sala/enum_names.hpp"
#include "sala/ids.hpp"
#include "sala/request.hpp"
#include "sala/room.hpp"
#include "sala/settings.hpp"

namespace sala {

// What a successful command changed, for listeners (lifecycle, stores, UIs).
enum class event_kind {
    linked,
    room_changed,
    settings_changed,
    submitted,
    assigned,
    queued,
    reassigned,
    cancelled
};
template <>
struct enum_names<event_kind> {
    static constexpr enum_table<event_kind, 8> entries{
        {SALA_ENUM_NAME(event_kind, linked), SALA_ENUM_NAME(event_kind, room_changed),
         SALA_ENUM_NAME(event_kind, settings_changed), SALA_ENUM_NAME(event_kind, submitted),
         SALA_ENUM_NAME(event_kind, assigned), SALA_ENUM_NAME(event_kind, queued),
         SALA_ENUM_NAME(event_kind, reassigned), SALA_ENUM_NAME(event_kind, cancelled)}};
};
inline const char* to_string(event_kind k) { return enum_name(k); }

struct event {
    event_kind kind;
    std::optional<request_id> request;
    std::optional<room_id> room;           // the room now held (assigned, reassigned)
    std::optional<room_id> previous_room;  // reassigned / cancelled: the room let go
};

// Everything the platform knows; the schedule is derived from it. Equality is
// what the property test uses to prove a rejected command changed nothing.
struct platform_state {
    sala::settings settings;
    policy_kind policy = policy_kind::first_fit;
    std::vector<pool> pools;
    std::vector<room> rooms;  // room order = id order
    std::map<request_id, request> requests;
    std::map<request_id, reservation> reservations;
    std::vector<request_id> queue;  // unassigned, oldest first
    std::uint64_t next_request = 1;
    friend bool operator==(const platform_state&, const platform_state&) = default;
};

// What other writers committed to a store after some version, as rows to apply
// to a live platform (platform::apply_changes): the cost of taking in another
// process's commit tracks what it changed, not what the store holds.
struct state_delta {
    std::uint64_t version = 0;  // the store version this brings a platform to
    sala::settings settings;    // the small singletons, always read
    policy_kind policy = policy_kind::first_fit;
    std::uint64_t next_request = 1;
    std::vector<pool> pools;                       // all of them (a handful)
    std::vector<room> rooms;                       // written after the version, id order
    std::optional<std::vector<request_id>> queue;  // the whole queue, when it changed
    std::vector<request_id> erased;  // requests and/or reservations deleted after the version
    std::vector<request> requests;   // written after the version
    std::vector<reservation> reservations;  // written after the version
};

}  // namespace sala
