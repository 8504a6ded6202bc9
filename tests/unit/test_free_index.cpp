// Differential test of the cross-room index: on random workloads the
// indexed schedule answers exactly what a plain first-fit scan answers (R9),
// never double-books (R1), and keeps window, free-run and peak (R18) answers.

#include <algorithm>
#include <cstdint>
#include <map>
#include <optional>
#include <random>
#include <vector>

#include <gtest/gtest.h>

#include "sala/schedule.hpp"

namespace {

using sala::instant;
using sala::interval;
using sala::minutes;
using sala::room_id;

// The reference: rooms in order, each room's bookings in a map, checked one by one.
struct reference {
    std::vector<std::map<std::int64_t, std::int64_t>> rooms;  // begin -> end, minutes
    std::vector<bool> eligible;

    bool is_free(std::size_t k, std::int64_t b, std::int64_t e) const {
        const auto& m = rooms[k];
        auto it = m.lower_bound(e);
        if (it == m.begin()) return true;
        --it;
        return it->second <= b;
    }
    std::optional<std::uint32_t> first_free(std::int64_t b, std::int64_t e) const {
        for (std::size_t k = 0; k < rooms.size(); ++k)
            if (eligible[k] && is_free(k, b, e)) return static_cast<std::uint32_t>(k + 1);
        return std::nullopt;
    }
    std::vector<room_id> free_rooms(std::int64_t b, std::int64_t e) const {
        std::vector<room_id> out;
        for (std::size_t k = 0; k < rooms.size(); ++k)
            if (eligible[k] && is_free(k, b, e))
                out.push_back(room_id{static_cast<std::uint32_t>(k + 1)});
        return out;
    }
    std::size_t peak(std::int64_t b, std::int64_t e) const {
        std::vector<std::pair<std::int64_t, int>> edges;
        for (const auto& m : rooms)
            for (const auto& [x, y] : m)
                if (x < e && b < y) {
                    edges.emplace_back(std::max(x, b), 1);
                    edges.emplace_back(std::min(y, e), -1);
                }
        std::sort(edges.begin(), edges.end());
        int cur = 0, best = 0;
        for (const auto& ed : edges) best = std::max(best, cur += ed.second);
        return static_cast<std::size_t>(best);
    }
};

instant at(std::int64_t m) { return instant{minutes{m}}; }

struct workload {
    std::uint32_t seed;
    int rooms;
    int ops;
    std::int64_t horizon;  // minutes
    std::int64_t min_len, max_len;
    std::int64_t origin;  // minutes since the epoch (may be negative)
    int add_room_every;   // 0: never add rooms mid-run
};

// Runs `w` on the schedule and the reference; returns the number of requests
// checked so a run that checked nothing fails.
int run(const workload& w) {
    std::mt19937_64 rng(w.seed);
    sala::schedule s;
    reference ref;
    auto add = [&] {
        s.add_room();
        ref.rooms.emplace_back();
        ref.eligible.push_back(true);
        s.set_eligible(room_id{static_cast<std::uint32_t>(ref.rooms.size())}, true);
    };
    for (int k = 0; k < w.rooms; ++k) add();
    std::vector<std::pair<std::uint32_t, std::pair<std::int64_t, std::int64_t>>> live;
    std::uniform_int_distribution<std::int64_t> start(0, w.horizon), len(w.min_len, w.max_len);
    int checked = 0;
    std::uint64_t req = 0;
    for (int op = 0; op < w.ops; ++op) {
        const auto kind = rng() % 100;
        const std::int64_t b = w.origin + start(rng), e = b + len(rng);
        const interval iv{at(b), at(e)};
        if (kind < 55) {  // request: first-fit and book
            const auto got = s.first_free(iv);
            const auto want = ref.first_free(b, e);
            EXPECT_EQ(got.has_value(), want.has_value())
                << "op " << op << " [" << b << ", " << e << ")";
            if (got && want) {
                EXPECT_EQ(got->value, *want) << "op " << op << " [" << b << ", " << e << ")";
            }
            if (::testing::Test::HasFailure()) return checked;
            ++checked;
            if (got) {
                s.book(*got, iv, sala::request_id{++req});
                ref.rooms[got->value - 1][b] = e;
                live.push_back({got->value, {b, e}});
            }
        } else if (kind < 80) {  // cancel a random live booking
            if (live.empty()) continue;
            const auto pick = rng() % live.size();
            const auto [r, be] = live[pick];
            s.release(room_id{r}, interval{at(be.first), at(be.second)});
            ref.rooms[r - 1].erase(be.first);
            live[pick] = live.back();
            live.pop_back();
        } else if (kind < 88) {  // eligibility change (R5, R9: paused or manual rooms)
            const auto k = static_cast<std::uint32_t>(rng() % ref.rooms.size());
            const bool yes = rng() % 3 != 0;
            s.set_eligible(room_id{k + 1}, yes);
            ref.eligible[k] = yes;
        } else if (kind < 95) {  // all free rooms (best-fit/capacity policies)
            const auto got = s.free_rooms(iv);
            EXPECT_EQ(got, ref.free_rooms(b, e)) << "op " << op;
            ++checked;
        } else if (kind < 97) {  // a booking on a room chosen by hand (R10) where free
            const auto k = static_cast<std::uint32_t>(rng() % ref.rooms.size());
            EXPECT_EQ(s.is_free(room_id{k + 1}, iv), ref.is_free(k, b, e));
            if (ref.is_free(k, b, e)) {
                s.book(room_id{k + 1}, iv, sala::request_id{++req});
                ref.rooms[k][b] = e;
                live.push_back({k + 1, {b, e}});
            } else {
                EXPECT_THROW(s.book(room_id{k + 1}, iv, sala::request_id{++req}),
                             sala::rule_violation);
            }
        } else if (kind < 99) {  // window query and peak (R18)
            const std::int64_t wb = w.origin + start(rng), we = wb + 7 * 24 * 60;
            EXPECT_EQ(s.peak_concurrency(interval{at(wb), at(we)}), ref.peak(wb, we))
                << "op " << op;
            std::size_t n = 0;
            for (const auto& m : ref.rooms)
                for (const auto& [x, y] : m) n += (x < we && wb < y) ? 1 : 0;
            EXPECT_EQ(s.overlapping(interval{at(wb), at(we)}).size(), n);
        } else if (w.add_room_every && op % w.add_room_every == 0) {
            add();
        }
        if (::testing::Test::HasFailure()) return checked;
    }
    EXPECT_EQ(s.size(), live.size());
    return checked;
}

}  // namespace

TEST(FreeIndex, R9_FirstFitMatchesPlainScanSmallPool) {
    EXPECT_GT(run({1, 4, 20000, 30 * 1440, 20, 300, 0, 0}), 1000);
}

TEST(FreeIndex, R9_FirstFitMatchesPlainScanManyRooms) {
    // 200 rooms cross the 64-room words and a second-level word boundary check.
    EXPECT_GT(run({2, 200, 30000, 20 * 1440, 66, 291, 0, 0}), 1000);
}

TEST(FreeIndex, R9_FirstFitMatchesPlainScan100kOps) {
    EXPECT_GT(run({3, 70, 100000, 60 * 1440, 66, 531, 29'000'000, 0}), 10000);
}

TEST(FreeIndex, R9_ShortBlocksInsideOneBucketAndOddOrigins) {
    // Blocks of 1-29 minutes fall inside one 30-minute bucket (the exact-check
    // path); an origin before 1970 exercises negative bucket numbers.
    EXPECT_GT(run({4, 9, 20000, 5 * 1440, 1, 29, -100'000, 0}), 1000);
    EXPECT_GT(run({5, 9, 20000, 5 * 1440, 1, 70, 7, 0}), 1000);
}

TEST(FreeIndex, R9_RoomsAddedWhileBooked) {
    // Adding rooms after bookings exist re-lays the index out.
    EXPECT_GT(run({6, 3, 30000, 10 * 1440, 30, 240, 0, 50}), 1000);
}

TEST(FreeIndex, R9_LongBlocksSpanManyBuckets) {
    EXPECT_GT(run({7, 40, 5000, 60 * 1440, 1000, 5 * 1440, 0, 0}), 500);
}

TEST(FreeIndex, R1_FarApartBookingsAndHugeQueries) {
    sala::schedule s;
    for (int k = 0; k < 3; ++k) s.set_eligible(s.add_room(), true);
    const interval early{at(-500'000'000), at(-500'000'000 + 90)};
    const interval late{at(1'500'000'000), at(1'500'000'000 + 90)};
    s.book(room_id{1}, early, sala::request_id{1});
    s.book(room_id{2}, late, sala::request_id{2});
    // A query over all representable time must see both bookings.
    const interval all{instant::min(), instant::max()};
    EXPECT_EQ(s.first_free(all), room_id{3});
    EXPECT_EQ(s.free_rooms(all), std::vector<room_id>{room_id{3}});
    EXPECT_EQ(s.first_free(early), room_id{2});
    EXPECT_EQ(s.first_free(late), room_id{1});
    EXPECT_EQ(s.peak_concurrency(all), 1u);
    EXPECT_EQ(s.overlapping(all).size(), 2u);
    // Outside the representable range nothing can be booked, so all is free.
    EXPECT_THROW(
        s.book(room_id{3}, interval{at(4'000'000'000), at(4'000'000'090)}, sala::request_id{3}),
        sala::invalid_argument);
    EXPECT_THROW(s.book(room_id{3}, interval{at(0), at(400LL * 1440)}, sala::request_id{3}),
                 sala::invalid_argument);
    EXPECT_EQ(s.size(), 2u);
}

TEST(FreeIndex, R9_EdgePlanesAcrossTheRelayoutAt64Rooms) {
    // Up to 64 rooms the edges are bytes, above them bit planes: rooms join a
    // booked pool one by one until it crosses that line and a word boundary.
    EXPECT_GT(run({8, 40, 30000, 10 * 1440, 30, 240, 0, 1}), 1000);
}

TEST(FreeIndex, R9_ShortBlocksInsideOneBucketManyRooms) {
    // The one-bucket path with bit planes (above 64 rooms).
    EXPECT_GT(run({9, 130, 20000, 2 * 1440, 1, 29, -100'000, 0}), 1000);
}

TEST(FreeIndex, R9_PackedShortBlocksManyRooms) {
    // 81-100 minutes, the shortest blocks with the default margins: one to
    // three whole buckets, where the edges decide most rooms.
    EXPECT_GT(run({10, 150, 40000, 5 * 1440, 81, 100, 0, 0}), 1000);
}
