#pragma once
// Allocation policies (R9): which free room an automatic assignment takes.
// First-fit is the default; the others are options a platform opts into.

#include <limits>
#include <memory>
#include <optional>
#include <string>

#include "sala/request.hpp"
#include "sala/room.hpp"
#include "sala/schedule.hpp"

namespace sala {

// What a policy sees: the schedule (eligible rooms are the active automatic
// rooms of the pools taking new requests), the rooms, the request and its block.
struct allocation_query {
    const sala::schedule& schedule;
    const std::vector<room>& rooms;  // index = room_id.value - 1
    const sala::request& request;
    interval blocked;
};

class allocation_policy {
  public:
    virtual ~allocation_policy() = default;
    virtual std::string name() const = 0;
    // A room eligible and free over q.blocked, or nullopt when none fits.
    virtual std::optional<room_id> choose(const allocation_query& q) const = 0;
};

// R9: the first eligible room, in room order, free over the whole block.
class first_fit final : public allocation_policy {
  public:
    std::string name() const override { return "first_fit"; }
    std::optional<room_id> choose(const allocation_query& q) const override {
        return q.schedule.first_free(q.blocked);
    }
};

// The free room whose free run around the block is shortest (least idle gap
// left over), ties to room order. Keeps long free runs for long webinars.
class best_fit final : public allocation_policy {
  public:
    std::string name() const override { return "best_fit"; }
    std::optional<room_id> choose(const allocation_query& q) const override {
        std::optional<room_id> best;
        auto best_gap = std::numeric_limits<long long>::max();
        for (const room_id r : q.schedule.free_rooms(q.blocked)) {
            const interval run = q.schedule.free_run(r, q.blocked);
            // Open-ended runs count as infinitely idle.
            const long long before = run.begin() == instant::min()
                                         ? std::numeric_limits<long long>::max() / 4
                                         : (q.blocked.begin() - run.begin()).count();
            const long long after = run.end() == instant::max()
                                        ? std::numeric_limits<long long>::max() / 4
                                        : (run.end() - q.blocked.end()).count();
            const long long gap = before + after;
            if (gap < best_gap) best_gap = gap, best = r;
        }
        return best;
    }
};

// The free room with the smallest capacity that still holds the expected
// attendees (any capacity when none are given), ties to room order. None when
// no free room is big enough: the request waits in the queue.
class smallest_capacity final : public allocation_policy {
  public:
    std::string name() const override { return "smallest_capacity"; }
    std::optional<room_id> choose(const allocation_query& q) const override {
        const int need = q.request.expected_attendees.value_or(0);
        std::optional<room_id> best;
        int best_cap = std::numeric_limits<int>::max();
        for (const room_id r : q.schedule.free_rooms(q.blocked)) {
            const int cap = q.rooms[r.value - 1].capacity;
            if (cap >= need && cap < best_cap) best_cap = cap, best = r;
        }
        return best;
    }
};

inline std::shared_ptr<allocation_policy> make_policy(policy_kind k) {
    switch (k) {
        case policy_kind::first_fit: return std::make_shared<first_fit>();
        case policy_kind::best_fit: return std::make_shared<best_fit>();
        case policy_kind::smallest_capacity: return std::make_shared<smallest_capacity>();
    }
    return std::make_shared<first_fit>();  // a value outside the enum
}

}  // namespace sala
