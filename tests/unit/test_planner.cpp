// R18: licence planner: minimum rooms = peak concurrency, checked against a
// brute-force optimum; first-fit replay; plan thresholds and seed 003 caveat.
#include <gtest/gtest.h>

#include <algorithm>
#include <functional>
#include <random>

#include "sala/planning/planner.hpp"
#include "seed_fixture.hpp"

using namespace std::chrono_literals;

namespace {

sala::plan_item item(std::uint64_t id, int begin_min, int end_min) {
    const auto t0 = sala::make_utc(2021, 5, 13);
    return {sala::request_id{id}, "w" + std::to_string(id),
            sala::interval{t0 + sala::minutes{begin_min}, t0 + sala::minutes{end_min}}};
}

// Smallest k such that the items can be put in k rooms with no overlap (backtracking).
std::size_t brute_force_rooms(const std::vector<sala::plan_item>& items) {
    if (items.empty()) return 0;
    for (std::size_t k = 1;; ++k) {
        std::vector<std::size_t> room(items.size());
        std::function<bool(std::size_t)> place = [&](std::size_t i) {
            if (i == items.size()) return true;
            for (std::size_t r = 0; r < k; ++r) {
                bool ok = true;
                for (std::size_t j = 0; j < i && ok; ++j)
                    ok = !(room[j] == r && items[j].blocked.overlaps(items[i].blocked));
                if (!ok) continue;
                room[i] = r;
                if (place(i + 1)) return true;
            }
            return false;
        };
        if (place(0)) return k;
    }
}

void expect_valid(const std::vector<sala::plan_item>& items, const std::vector<std::size_t>& room,
                  std::size_t rooms) {
    ASSERT_EQ(room.size(), items.size());
    for (std::size_t i = 0; i < items.size(); ++i) {
        EXPECT_GE(room[i], 1u);
        EXPECT_LE(room[i], rooms);
        for (std::size_t j = 0; j < i; ++j)
            if (room[i] == room[j]) {
                EXPECT_FALSE(items[i].blocked.overlaps(items[j].blocked)) << i << "," << j;
            }
    }
}

}  // namespace

TEST(Planner, R18_MinimumEqualsBruteForceOnRandomCases) {
    std::mt19937 rng(20210513);
    for (int c = 0; c < 400; ++c) {
        const int n = 1 + static_cast<int>(rng() % 8);
        std::vector<sala::plan_item> items;
        for (int i = 0; i < n; ++i) {
            // Coarse 15-minute grid so blocks often meet exactly (half-open, R7).
            const int b = static_cast<int>(rng() % 24) * 15;
            const int len = 15 * (1 + static_cast<int>(rng() % 8));
            items.push_back(item(static_cast<std::uint64_t>(i + 1), b, b + len));
        }
        const auto r = sala::plan_licences(items);
        ASSERT_EQ(r.minimum_rooms, brute_force_rooms(items)) << "case " << c;
        expect_valid(items, r.optimal_room, r.minimum_rooms);
        expect_valid(items, r.first_fit_room, r.first_fit_rooms);
        EXPECT_GE(r.first_fit_rooms, r.minimum_rooms);
    }
}

TEST(Planner, R18_FirstFitCanNeedMoreThanTheMinimum) {
    // Submitted in this order, first-fit puts [0,20) and [30,60) in room 1,
    // [10,30) in room 2, and [20,50) fits neither: a third room. Two suffice:
    // {[0,20), [20,50)} and {[10,30), [30,60)}.
    const std::vector<sala::plan_item> items{item(1, 0, 20), item(2, 30, 60), item(3, 10, 30),
                                             item(4, 20, 50)};
    const auto r = sala::plan_licences(items);
    EXPECT_EQ(r.minimum_rooms, brute_force_rooms(items));
    EXPECT_EQ(r.first_fit_room, (std::vector<std::size_t>{1, 1, 2, 3}));
    EXPECT_EQ(r.minimum_rooms, 2u);
    EXPECT_EQ(r.first_fit_rooms, 3u);
    const auto text = sala::describe(r, items);
    EXPECT_NE(text.find("uses 3 room(s): 1 more than needed"), std::string::npos) << text;
}

TEST(Planner, R7_BlocksThatMeetShareARoom) {
    const auto r = sala::plan_licences({item(1, 0, 60), item(2, 60, 120), item(3, 120, 180)});
    EXPECT_EQ(r.minimum_rooms, 1u);
    EXPECT_EQ(r.first_fit_rooms, 1u);
    EXPECT_EQ(r.plan, sala::licence_plan::pro);
}

TEST(Planner, R18_PlanThresholds) {
    EXPECT_EQ(sala::plan_for(1), sala::licence_plan::pro);
    EXPECT_EQ(sala::plan_for(9), sala::licence_plan::pro);
    EXPECT_EQ(sala::plan_for(10), sala::licence_plan::business);
    EXPECT_EQ(sala::plan_for(99), sala::licence_plan::business);
    EXPECT_EQ(sala::plan_for(100), sala::licence_plan::enterprise);
    std::vector<sala::plan_item> nine;
    for (int i = 0; i < 9; ++i) nine.push_back(item(static_cast<std::uint64_t>(i + 1), 0, 60));
    const auto r = sala::plan_licences(nine);
    EXPECT_EQ(r.licences, 9u);
    EXPECT_EQ(r.plan, sala::licence_plan::pro);
    const auto text = sala::describe(r, nine);
    // Seed 003: the owner gets a licence on upgrade; keeping it means 10, a Business plan.
    EXPECT_NE(text.find("owner"), std::string::npos) << text;
    EXPECT_NE(text.find("buy 10 licences, which is a Business plan"), std::string::npos) << text;
    EXPECT_NE(text.find("Plan: Pro with 9 licensed host(s)"), std::string::npos) << text;
}

TEST(Planner, R18_FromPlatformUsesBlockedIntervals) {
    seed::fixture f;  // preparation 30, courtesy 15, post 6
    f.activate_all();
    // 09:00-10:00 blocks 08:30-10:21; 10:15 blocks from 09:45: they overlap through the margins.
    f.p.submit(seed::fixture::webinar("A", 2021, 6, 1, 9, 0, 60));
    f.p.submit(seed::fixture::webinar("B", 2021, 6, 1, 10, 15, 60));
    f.p.submit(seed::fixture::webinar("C", 2021, 6, 1, 12, 0, 60));
    const auto r = sala::plan_licences(
        f.p, sala::interval{sala::make_utc(2021, 6, 1), sala::make_utc(2021, 6, 2)});
    EXPECT_EQ(r.requests, 3u);
    EXPECT_EQ(r.minimum_rooms, 2u);
    EXPECT_EQ(r.minimum_rooms, f.p.peak_concurrency(sala::interval{sala::make_utc(2021, 6, 1),
                                                                   sala::make_utc(2021, 6, 2)}));
    EXPECT_THROW(sala::plan_licences({item(1, 10, 10)}), sala::invalid_argument);
}

namespace {

// The first-fit replay as first written: each item tries rooms 1, 2, ... in
// order and takes the first whose blocks it does not overlap (R9, R7).
std::vector<std::size_t> naive_first_fit(const std::vector<sala::plan_item>& items) {
    std::vector<std::vector<sala::interval>> rooms;
    std::vector<std::size_t> out;
    for (const auto& x : items) {
        std::size_t j = 0;
        for (; j < rooms.size(); ++j) {
            bool free = true;
            for (const auto& b : rooms[j])
                if (b.overlaps(x.blocked)) {
                    free = false;
                    break;
                }
            if (free) break;
        }
        if (j == rooms.size()) rooms.emplace_back();
        rooms[j].push_back(x.blocked);
        out.push_back(j + 1);
    }
    return out;
}

void expect_naive_first_fit(const std::vector<sala::plan_item>& items, const char* what) {
    const auto want = naive_first_fit(items);
    const auto r = sala::plan_licences(items);
    ASSERT_EQ(r.first_fit_room.size(), want.size()) << what;
    std::size_t first_diff = want.size();
    for (std::size_t k = 0; k < want.size() && first_diff == want.size(); ++k)
        if (r.first_fit_room[k] != want[k]) first_diff = k;
    EXPECT_EQ(first_diff, want.size()) << what << ": first difference at item " << first_diff;
    EXPECT_EQ(r.first_fit_rooms, want.empty() ? 0 : *std::max_element(want.begin(), want.end()))
        << what;
}

// Random blocks in random (not time) order: on a 5-minute grid so many touch
// or repeat exactly, some a minute off the grid, some days long.
std::vector<sala::plan_item> random_items(std::mt19937& rng, int n, int days, int max_len) {
    std::vector<sala::plan_item> items;
    for (int i = 0; i < n; ++i) {
        const int kind = static_cast<int>(rng() % 20);
        int b = static_cast<int>(rng() % static_cast<unsigned>(days * 24 * 12)) * 5;
        int len = 5 * (1 + static_cast<int>(rng() % static_cast<unsigned>(max_len / 5)));
        if (kind == 0) len = 60 * 24 * (1 + static_cast<int>(rng() % 4));  // days long
        if (kind == 1) b += static_cast<int>(rng() % 5), len += static_cast<int>(rng() % 7);
        if (kind == 2 && !items.empty()) {  // a copy of an earlier block, or one touching it
            const auto& o = items[rng() % items.size()].blocked;
            const auto t0 = sala::make_utc(2021, 5, 13);
            b = static_cast<int>((o.begin() - t0).count());
            len = static_cast<int>(o.length().count());
            if (rng() % 2) b += len;
        }
        items.push_back(item(static_cast<std::uint64_t>(i + 1), b, b + len));
    }
    return items;
}

}  // namespace

TEST(Planner, R9_FirstFitMatchesTheNaiveReplayOnRandomItems) {
    std::mt19937 rng(20261201);
    // Few rooms (the schedule's plain loop), then a few hundred (its index batch).
    expect_naive_first_fit(random_items(rng, 3000, 20, 240), "3000 over 20 days");
    expect_naive_first_fit(random_items(rng, 3000, 2, 600), "3000 over 2 days");
    expect_naive_first_fit(random_items(rng, 4000, 1, 20), "4000 short ones in a day");
    for (int c = 0; c < 20; ++c)
        expect_naive_first_fit(random_items(rng, 1 + static_cast<int>(rng() % 300), 1, 180),
                               "small case");
}

TEST(Planner, R9_FirstFitBeyondTheRoomsFirstSetUp) {
    // Starting from too few rooms, the replay runs out in the middle of its
    // batches, undoes the rest of the batch, adds rooms and goes on: still
    // the naive answer, from 1 room (many doublings) or 64 (few), on few rooms
    // and on hundreds.
    std::mt19937 rng(7);
    for (const auto& items : {random_items(rng, 3000, 20, 240), random_items(rng, 3000, 2, 600)}) {
        const auto want = naive_first_fit(items);
        for (const std::size_t start : {1, 64})
            EXPECT_EQ(sala::detail::first_fit_replay(items, start), want) << "from " << start;
    }
    // Peak concurrency 64 (256), first-fit one more: 62 (254) all-day blocks,
    // the four of FirstFitCanNeedMoreThanTheMinimum under them, then more.
    for (const int wide : {62, 254}) {
        std::vector<sala::plan_item> items;
        std::uint64_t id = 1;
        for (int i = 0; i < wide; ++i) items.push_back(item(id++, 0, 24 * 60));
        for (const auto& [b, e] : {std::pair{0, 20}, {30, 60}, {10, 30}, {20, 50}})
            items.push_back(item(id++, b, e));
        // From the third day on, fewer at once than the all-day blocks.
        for (const auto& x : random_items(rng, 500, 3, 120))
            items.push_back({sala::request_id{id++}, x.title,
                             sala::interval{x.blocked.begin() + 48h, x.blocked.end() + 48h}});
        const auto r = sala::plan_licences(items);
        EXPECT_EQ(r.minimum_rooms, static_cast<std::size_t>(wide + 2));
        EXPECT_EQ(r.first_fit_rooms, static_cast<std::size_t>(wide + 3));
        expect_naive_first_fit(items, "wide");
        const auto want = naive_first_fit(items);
        EXPECT_EQ(sala::detail::first_fit_replay(items, static_cast<std::size_t>(wide + 2)), want);
    }
}

TEST(Planner, R9_FirstFitOutsideTheScheduleRange) {
    // Blocks far from the epoch, years apart, or longer than 366 days: still
    // the same replay (a shift, or the room-by-room scan).
    const auto far = [](std::uint64_t id, int year, int b, int e) {
        const auto t0 = sala::make_utc(year, 1, 1);
        return sala::plan_item{sala::request_id{id}, "f",
                               sala::interval{t0 + sala::minutes{b}, t0 + sala::minutes{e}}};
    };
    expect_naive_first_fit({far(1, 9000, 0, 60), far(2, 9000, 30, 90), far(3, 9000, 60, 120)},
                           "year 9000");
    expect_naive_first_fit({far(1, 100, 0, 60), far(2, 9000, 30, 90), far(3, 100, 30, 120)},
                           "years apart");
    expect_naive_first_fit({item(1, 0, 400 * 24 * 60), item(2, 10, 20), item(3, 20, 30),
                            item(4, 400 * 24 * 60, 400 * 24 * 60 + 5)},
                           "400 days");
    // 2000 blocks of 300 days that all overlap, and short ones among them: a
    // room each, more than the index's memory budget allows over 300 days.
    std::vector<sala::plan_item> long_ones;
    for (std::uint64_t i = 1; i <= 2000; ++i)
        long_ones.push_back(i % 10 == 0
                                ? item(i, static_cast<int>(i) * 7, static_cast<int>(i) * 7 + 30)
                                : item(i, static_cast<int>(i), 300 * 24 * 60));
    expect_naive_first_fit(long_ones, "2000 long");
}
