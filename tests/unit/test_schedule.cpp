// sala::schedule on its own: booking, release, free runs, window queries.

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
    EXPECT_EQ(s.free_run(room_id{1}, at(10, 0, 11, 0)), (interval{at(9, 0, 9, 0).begin(), at(12, 0, 12, 0).begin()}));
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
