// sala::schedule on its own: booking, release, free runs, window queries.

#include <random>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "sala/schedule.hpp"

namespace {

using sala::interval;
using sala::room_id;

interval at(int h0, int m0, int h1, int m1) {
    return {sala::make_utc(2021, 5, 12, static_cast<unsigned>(h0), static_cast<unsigned>(m0)),
            sala::make_utc(2021, 5, 12, static_cast<unsigned>(h1), static_cast<unsigned>(m1))};
}

sala::schedule two_rooms() {
    sala::schedule s;
    s.set_eligible(s.add_room(), true);
    s.set_eligible(s.add_room(), true);
    return s;
}

}  // namespace

TEST(Schedule, R1_BookRefusesOverlapAndLeavesStateUnchanged) {
    auto s = two_rooms();
    s.book(room_id{1}, at(10, 0, 11, 0), sala::request_id{1});
    EXPECT_THROW(s.book(room_id{1}, at(10, 59, 12, 0), sala::request_id{2}), sala::rule_violation);
    EXPECT_EQ(s.size(), 1u);
    EXPECT_EQ(s.bookings(room_id{1}).size(), 1u);
    EXPECT_TRUE(s.is_free(room_id{1}, at(11, 0, 12, 0)));
}

TEST(Schedule, R7_MeetingBlocksDoNotOverlap) {
    auto s = two_rooms();
    s.book(room_id{1}, at(10, 0, 11, 0), sala::request_id{1});
    EXPECT_EQ(s.first_free(at(11, 0, 12, 0)), room_id{1});
    EXPECT_EQ(s.first_free(at(9, 0, 10, 0)), room_id{1});
    EXPECT_EQ(s.first_free(at(10, 30, 10, 45)), room_id{2});
}

TEST(Schedule, R9_FirstFitSkipsIneligibleRooms) {
    auto s = two_rooms();
    s.set_eligible(room_id{1}, false);
    EXPECT_EQ(s.first_free(at(10, 0, 11, 0)), room_id{2});
    s.set_eligible(room_id{2}, false);
    EXPECT_EQ(s.first_free(at(10, 0, 11, 0)), std::nullopt);
    EXPECT_TRUE(s.free_rooms(at(10, 0, 11, 0)).empty());
    EXPECT_THROW(s.set_eligible(room_id{3}, true), sala::not_found);
}

TEST(Schedule, ReleaseNeedsTheExactBooking) {
    auto s = two_rooms();
    s.book(room_id{2}, at(10, 0, 11, 0), sala::request_id{7});
    EXPECT_THROW(s.release(room_id{2}, at(10, 0, 11, 5)), sala::not_found);
    EXPECT_THROW(s.release(room_id{1}, at(10, 0, 11, 0)), sala::not_found);
    s.release(room_id{2}, at(10, 0, 11, 0));
    EXPECT_EQ(s.size(), 0u);
    EXPECT_EQ(s.first_free(at(10, 0, 11, 0)), room_id{1});
}

TEST(Schedule, FreeRunAndWindows) {
    auto s = two_rooms();
    s.book(room_id{1}, at(8, 0, 9, 0), sala::request_id{1});
    s.book(room_id{1}, at(12, 0, 13, 0), sala::request_id{2});
    s.book(room_id{2}, at(8, 30, 12, 30), sala::request_id{3});
    EXPECT_EQ(s.free_run(room_id{1}, at(10, 0, 11, 0)),
              (interval{at(9, 0, 9, 0).begin(), at(12, 0, 12, 0).begin()}));
    EXPECT_EQ(s.free_run(room_id{2}, at(13, 0, 14, 0)).end(), sala::instant::max());
    const auto w = s.overlapping(at(8, 45, 12, 15));
    ASSERT_EQ(w.size(), 3u);
    EXPECT_EQ(w[0].request, sala::request_id{1});
    EXPECT_EQ(w[1].request, sala::request_id{2});
    EXPECT_EQ(w[2].room, room_id{2});
    // R18: at most two rooms are blocked at once (8:30-9:00 and 12:00-12:30).
    EXPECT_EQ(s.peak_concurrency(at(0, 0, 23, 0)), 2u);
    EXPECT_EQ(s.peak_concurrency(at(9, 0, 12, 0)), 1u);
}

namespace {

// A seeded workload for the batch call: `rooms` rooms (every third one not
// eligible), some bookings already there, then `n` requests of 5 to `max_len`
// minutes (short ones lie inside one index bucket) over `days` days.
struct batch_case {
    std::uint64_t seed;
    std::uint32_t rooms;
    std::size_t pre_booked, n;
    std::int64_t max_len, days;
    std::uint32_t added = 0;  // rooms added after the bookings, before the batch
};

std::vector<sala::schedule::batch_item> make_items(std::mt19937_64& rng, std::size_t n,
                                                   std::int64_t max_len, std::int64_t days,
                                                   std::uint64_t first_id) {
    const std::int64_t origin = sala::make_utc(2026, 3, 27).time_since_epoch().count();
    std::uniform_int_distribution<std::int64_t> start(0, days * 1440), len(5, max_len);
    std::vector<sala::schedule::batch_item> out;
    for (std::size_t i = 0; i < n; ++i) {
        const std::int64_t b = origin + start(rng);
        out.push_back(
            {interval{sala::instant{sala::minutes{b}}, sala::instant{sala::minutes{b + len(rng)}}},
             sala::request_id{first_id + i}});
    }
    return out;
}

sala::schedule setup(const batch_case& c, std::mt19937_64& rng) {
    sala::schedule s;
    for (std::uint32_t k = 0; k < c.rooms; ++k) s.set_eligible(s.add_room(), k % 3 != 2);
    for (const auto& it : make_items(rng, c.pre_booked, c.max_len, c.days, 1))
        if (const auto r = s.first_free(it.blocked)) s.book(*r, it.blocked, it.request);
    for (std::uint32_t k = 0; k < c.added; ++k) s.set_eligible(s.add_room(), true);
    return s;
}

// R9: the batch gives every request the room first_free + book would give it
// one at a time, and leaves the same bookings behind.
std::size_t check_batch_matches_loop(const batch_case& c) {
    std::mt19937_64 rng(c.seed);
    auto batch = setup(c, rng);
    std::mt19937_64 rng2(c.seed);
    auto loop = setup(c, rng2);
    const auto items = make_items(rng, c.n, c.max_len, c.days, 1'000'000);
    const auto got = batch.book_first_fit(items);
    std::size_t placed = 0;
    for (std::size_t i = 0; i < items.size(); ++i) {
        const auto want = loop.first_free(items[i].blocked);
        if (want) loop.book(*want, items[i].blocked, items[i].request);
        EXPECT_EQ(got[i], want) << "item " << i;
        if (got[i] != want) return 0;
        placed += want ? 1 : 0;
    }
    EXPECT_EQ(batch.size(), loop.size());
    for (std::uint32_t k = 1; k <= c.rooms + c.added; ++k)
        EXPECT_EQ(batch.bookings(room_id{k}), loop.bookings(room_id{k}));
    // The ICL sets and the index agree with the bookings afterwards too.
    for (const auto& it : make_items(rng, 2000, c.max_len, c.days, 5'000'000)) {
        EXPECT_EQ(batch.first_free(it.blocked), loop.first_free(it.blocked));
        for (std::uint32_t k = 1; k <= c.rooms + c.added; k += 7)
            EXPECT_EQ(batch.is_free(room_id{k}, it.blocked), loop.is_free(room_id{k}, it.blocked));
    }
    return placed;
}

}  // namespace

TEST(Schedule, R9_BatchGivesTheRoomsOfTheLoop) {
    EXPECT_GT(check_batch_matches_loop({1, 5, 0, 3000, 300, 10}), 400u);  // one word, no summaries
    EXPECT_GT(check_batch_matches_loop({2, 260, 2000, 20000, 300, 20}),
              5000u);  // above 256 rooms: the batch path
    EXPECT_GT(check_batch_matches_loop({3, 700, 30000, 100000, 600, 60}), 20000u);
    EXPECT_GT(check_batch_matches_loop({5, 300, 20000, 30000, 120, 4}),
              3000u);  // short, many inside one bucket
    EXPECT_GT(check_batch_matches_loop({4, 64, 100, 5000, 25, 3}),
              1000u);  // mostly inside one bucket
}

TEST(Schedule, R9_BatchAfterRoomsJoinABookedPool) {
    // The index is laid out again when rooms come after bookings: past 64
    // rooms its summaries appear, past 256 the batch takes its grouped path.
    EXPECT_GT(check_batch_matches_loop({6, 60, 6000, 20000, 300, 20, 200}), 5000u);
    EXPECT_GT(check_batch_matches_loop({7, 250, 30000, 20000, 300, 20, 10}), 5000u);
}

TEST(Schedule, BatchRefusesAnInvalidItemBeforeBookingAnything) {
    auto s = two_rooms();
    s.book(room_id{1}, at(10, 0, 11, 0), sala::request_id{1});
    const std::vector<sala::schedule::batch_item> items{
        {at(12, 0, 13, 0), sala::request_id{2}},
        {interval{at(14, 0, 14, 0)}, sala::request_id{3}},  // empty
    };
    try {
        s.book_first_fit(items);
        FAIL() << "an empty interval was accepted";
    } catch (const sala::invalid_argument& e) {
        EXPECT_NE(std::string(e.what()).find("items[1].blocked"), std::string::npos) << e.what();
    }
    EXPECT_EQ(s.size(), 1u);
    EXPECT_TRUE(s.is_free(room_id{1}, at(12, 0, 13, 0)));
    EXPECT_EQ(s.first_free(at(12, 0, 13, 0)), room_id{1});
    const std::vector<sala::schedule::batch_item> none;
    EXPECT_TRUE(s.book_first_fit(none).empty());
}
