// R18: licence planner: minimum rooms = peak concurrency, checked against a
// brute-force optimum; first-fit replay; plan thresholds and seed 003 caveat.
#include <gtest/gtest.h>

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
