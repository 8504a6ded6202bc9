// Randomized command sequences on a seeded RNG (R1, R3, R4, R9-R11): after every
// command no room holds overlapping blocks, every request is in exactly one room
// or in the queue, first-fit took the first free automatic room, and a rejected
// command changed nothing.
#include <gtest/gtest.h>

#include <iostream>
#include <map>
#include <random>
#include <set>

#include "sala/error.hpp"
#include "seed_fixture.hpp"

using namespace std::chrono_literals;

namespace {

void check_invariants(const sala::platform& p) {
    const auto& st = p.state();
    // Every request: exactly one of {reserved, queued}.
    std::set<sala::request_id> queued(st.queue.begin(), st.queue.end());
    ASSERT_EQ(queued.size(), st.queue.size()) << "duplicate in queue";
    for (const auto& [id, rq] : st.requests) {
        const bool reserved = st.reservations.count(id) > 0;
        ASSERT_NE(reserved, queued.count(id) > 0) << sala::to_string(id);
    }
    for (const auto id : st.queue) ASSERT_TRUE(st.requests.count(id));
    // No overlapping blocks per room; reservation blocks are the request's.
    std::map<sala::room_id, std::vector<sala::interval>> by_room;
    for (const auto& [id, res] : st.reservations) {
        ASSERT_TRUE(st.requests.count(id));
        ASSERT_EQ(res.blocked, st.requests.at(id).window.blocked);
        by_room[res.room].push_back(res.blocked);
    }
    for (auto& [room, v] : by_room) {
        std::sort(v.begin(), v.end());
        for (std::size_t i = 1; i < v.size(); ++i)
            ASSERT_FALSE(v[i - 1].overlaps(v[i])) << sala::to_string(room);
    }
    ASSERT_EQ(p.occupancy().size(), st.reservations.size());
}

// The room first-fit must pick: first active automatic room (own pools) free over `b`.
std::optional<sala::room_id> expected_first_fit(const sala::platform_state& st, sala::interval b) {
    for (const auto& r : st.rooms) {
        if (!r.active || r.mode != sala::room_mode::automatic) continue;
        bool free = true;
        for (const auto& [id, res] : st.reservations)
            if (res.room == r.id && res.blocked.overlaps(b)) free = false;
        if (free) return r.id;
    }
    return std::nullopt;
}

struct runner {
    std::mt19937_64 rng;
    seed::fixture f{[] {
        sala::settings s;
        s.max_days_in_advance = 60;
        return s;
    }()};
    std::size_t rejected = 0, accepted = 0;

    explicit runner(std::uint64_t seed_value) : rng(seed_value) {
        f.p.activate(f.r09);
        f.p.set_mode(f.r09, sala::room_mode::automatic);
    }
    int pick(int lo, int hi) { return std::uniform_int_distribution<int>(lo, hi)(rng); }
    sala::room_id any_room() { return sala::room_id{static_cast<std::uint32_t>(pick(0, 5))}; }
    sala::request_id any_request() {
        return sala::request_id{static_cast<std::uint64_t>(pick(0, int(f.p.state().next_request)))};
    }

    void step() {
        const auto before = f.p.state();
        bool changed_ok = true;  // false when the command was rejected
        try {
            switch (pick(0, 10)) {
                case 0:
                case 1:
                case 2: {
                    auto in = seed::fixture::webinar("w", 2021, 5, unsigned(pick(2, 4)),
                                                     unsigned(pick(7, 20)), unsigned(pick(0, 59)),
                                                     pick(-10, 250));
                    const auto s = f.p.submit(in);
                    const auto b = f.p.get_request(s.id).window.blocked;
                    auto st = before;  // what was free when it was submitted
                    ASSERT_EQ(s.assignment.room, expected_first_fit(st, b)) << "first-fit (R9)";
                    break;
                }
                case 3: changed_ok = bool(f.p.assign(any_request(), any_room())); break;
                case 4: changed_ok = bool(f.p.reassign(any_request(), any_room())); break;
                case 5: f.p.cancel(any_request()); break;
                case 6:
                    f.p.set_mode(any_room(),
                                 pick(0, 1) ? sala::room_mode::automatic : sala::room_mode::manual);
                    break;
                case 7:
                    if (pick(0, 1))
                        f.p.activate(any_room());
                    else
                        f.p.deactivate(any_room());
                    break;
                case 8: changed_ok = bool(f.p.retry(any_request())); break;
                case 9: f.clock->advance(sala::minutes{pick(0, 600)}); break;  // time passes
                default: f.p.retry_queue(); break;
            }
        } catch (const sala::error&) {
            changed_ok = false;
        }
        if (!changed_ok) {
            ++rejected;
            ASSERT_EQ(f.p.state(), before) << "a rejected command changed the state";
        } else {
            ++accepted;
        }
        ASSERT_NO_FATAL_FAILURE(check_invariants(f.p));
    }
};

}  // namespace

TEST(Property, R1_R9_R10_R11_RandomCommandSequencesKeepTheInvariants) {
    std::size_t rejected = 0, accepted = 0;
    for (std::uint64_t seq = 0; seq < 2000; ++seq) {
        runner r(seq);
        for (int i = 0; i < 60; ++i) {
            ASSERT_NO_FATAL_FAILURE(r.step()) << "sequence " << seq << " step " << i;
        }
        rejected += r.rejected;
        accepted += r.accepted;
    }
    // Both paths must actually be exercised for the test to mean anything.
    std::cout << "accepted " << accepted << ", rejected " << rejected << "\n";
    EXPECT_GT(rejected, 10000u);
    EXPECT_GT(accepted, 10000u);
}

TEST(Property, RestoreOfAnyReachedStateIsIdentical) {
    for (std::uint64_t seq = 0; seq < 200; ++seq) {
        runner r(1000 + seq);
        for (int i = 0; i < 60; ++i) ASSERT_NO_FATAL_FAILURE(r.step());
        const auto copy = sala::platform::restore(r.f.p.state(), r.f.clock);
        ASSERT_EQ(copy.state(), r.f.p.state());
        ASSERT_EQ(copy.reservations(), r.f.p.reservations());
    }
}
