// DST through the whole platform (R7, R8): zones live at the edges, UTC inside.
#include <gtest/gtest.h>

#include "sala/error.hpp"
#include "seed_fixture.hpp"

using namespace std::chrono_literals;
using seed::fixture;

namespace {
sala::settings no_margins() {
    sala::settings s;
    s.preparation = s.courtesy = s.post_processing = s.credentials_lead = 0min;
    return s;
}
sala::request_input at(std::string title, const char* zone, int y, unsigned mo, unsigned d,
                       unsigned h, unsigned mi, int minutes) {
    auto in = fixture::webinar(std::move(title), y, mo, d, h, mi, minutes);
    in.zone = zone;
    return in;
}
}  // namespace

TEST(Dst, R7_WebinarSpanningMadridFallBackLastsItsRealMinutes) {
    fixture f(no_margins());
    f.clock->set(sala::make_utc(2021, 10, 1));
    f.activate_all();
    // 01:30 CEST + 120 real minutes ends at 02:30 CET (the second 02:30).
    const auto a = f.p.submit(at("spans", "Europe/Madrid", 2021, 10, 31, 1, 30, 120));
    const auto w = f.p.get_request(a.id).window;
    EXPECT_EQ(w.blocked.begin(), sala::make_utc(2021, 10, 30, 23, 30));
    EXPECT_EQ(w.blocked.end(), sala::make_utc(2021, 10, 31, 1, 30));
    EXPECT_EQ(sala::format(w.end, "Europe/Madrid"), "2021-10-31 02:30");
    EXPECT_EQ(sala::zone_abbreviation(w.end, "Europe/Madrid"), "CET");
    // The later 02:30 meets it: same room. The earlier 02:30 overlaps: next room.
    auto later = at("later 02:30", "Europe/Madrid", 2021, 10, 31, 2, 30, 30);
    later.resolve = sala::choose::latest;
    auto earlier = at("earlier 02:30", "Europe/Madrid", 2021, 10, 31, 2, 30, 30);
    earlier.resolve = sala::choose::earliest;
    EXPECT_EQ(*f.p.submit(later).assignment.room, f.r09);
    EXPECT_EQ(*f.p.submit(earlier).assignment.room, f.r10);
}

TEST(Dst, R7_WebinarSpanningNewYorkSpringForward) {
    fixture f(no_margins());
    f.clock->set(sala::make_utc(2021, 3, 1));
    f.activate_all();
    // 01:30 EST + 60 min = 03:30 EDT: an hour of wall clock vanished, the room is blocked 60 min.
    const auto a = f.p.submit(at("spring", "America/New_York", 2021, 3, 14, 1, 30, 60));
    const auto w = f.p.get_request(a.id).window;
    EXPECT_EQ(w.blocked.length(), 60min);
    EXPECT_EQ(sala::format(w.end, "America/New_York"), "2021-03-14 03:30");
    const auto b = f.p.submit(at("next", "America/New_York", 2021, 3, 14, 3, 30, 60));
    EXPECT_EQ(*b.assignment.room, f.r09);  // meets
    const auto before = f.p.state();
    EXPECT_THROW(f.p.submit(at("gap", "America/New_York", 2021, 3, 14, 2, 0, 30)),
                 sala::nonexistent_local_time);
    EXPECT_THROW(f.p.submit(at("twice", "America/New_York", 2021, 11, 7, 1, 0, 30)),
                 sala::ambiguous_local_time);
    EXPECT_EQ(f.p.state(), before);
}

TEST(Dst, R7_MadridSpringGapWithSeedMargins) {
    fixture f;  // prep 30, courtesy 15, post 6
    f.clock->set(sala::make_utc(2021, 3, 1));
    f.activate_all();
    // 03:00 CEST exists; its preparation starts at 01:30 CET (wall clock jumps 02:00 -> 03:00).
    const auto a = f.p.submit(at("after the jump", "Europe/Madrid", 2021, 3, 28, 3, 0, 60));
    const auto w = f.p.get_request(a.id).window;
    EXPECT_EQ(sala::format(w.blocked.begin(), "Europe/Madrid"), "2021-03-28 01:30");
    EXPECT_EQ(w.blocked.begin(), sala::make_utc(2021, 3, 28, 0, 30));
}

TEST(Dst, R9_EventsInDifferentZonesCompeteForTheSameRooms) {
    fixture f(no_margins());
    f.clock->set(sala::make_utc(2021, 5, 1));
    f.activate_all();
    // 15:00 in Madrid (CEST) is 09:00 in New York (EDT): the same instant.
    const auto m = f.p.submit(at("Madrid", "Europe/Madrid", 2021, 6, 1, 15, 0, 60));
    const auto n = f.p.submit(at("New York", "America/New_York", 2021, 6, 1, 9, 0, 60));
    const auto k = f.p.submit(at("Kolkata", "Asia/Kolkata", 2021, 6, 1, 18, 30, 60));
    EXPECT_EQ(*m.assignment.room, f.r09);
    EXPECT_EQ(*n.assignment.room, f.r10);
    EXPECT_EQ(k.assignment.status, sala::assign_status::no_room_free);
    // Each is displayed back in its own zone.
    EXPECT_EQ(sala::format(f.p.get_request(n.id).window.start, "America/New_York"),
              "2021-06-01 09:00");
}
