// sala/interval.hpp: half-open intervals and their relations (R7).
#include "sala/interval.hpp"

#include <gtest/gtest.h>

#include "sala/error.hpp"

using namespace std::chrono_literals;

namespace {
sala::instant at(unsigned h, unsigned m = 0) { return sala::make_utc(2021, 6, 1, h, m); }
sala::interval iv(unsigned h1, unsigned m1, unsigned h2, unsigned m2) {
    return sala::interval{at(h1, m1), at(h2, m2)};
}
}  // namespace

TEST(Interval, R7_MeetingBlocksDoNotOverlap) {
    const auto a = iv(8, 0, 10, 0), b = iv(10, 0, 11, 0);
    EXPECT_FALSE(a.overlaps(b));
    EXPECT_FALSE(b.overlaps(a));
    EXPECT_TRUE(a.meets(b));
    EXPECT_TRUE(a.before(b));
    EXPECT_EQ(a.relation(b), sala::allen::meets);
    EXPECT_EQ(b.relation(a), sala::allen::met_by);
}

TEST(Interval, OneMinuteOfOverlapCounts) {
    EXPECT_TRUE(iv(8, 0, 10, 1).overlaps(iv(10, 0, 11, 0)));
    EXPECT_EQ(iv(8, 0, 10, 1).intersection(iv(10, 0, 11, 0)).length(), 1min);
}

TEST(Interval, ContainsIsHalfOpen) {
    const auto a = iv(8, 0, 10, 0);
    EXPECT_TRUE(a.contains(at(8)));
    EXPECT_TRUE(a.contains(at(9, 59)));
    EXPECT_FALSE(a.contains(at(10)));
    EXPECT_TRUE(a.contains(iv(8, 0, 10, 0)));
    EXPECT_FALSE(a.contains(iv(8, 0, 10, 1)));
}

TEST(Interval, AllThirteenAllenRelations) {
    const auto b = iv(10, 0, 12, 0);
    EXPECT_EQ(iv(8, 0, 9, 0).relation(b), sala::allen::precedes);
    EXPECT_EQ(iv(8, 0, 10, 0).relation(b), sala::allen::meets);
    EXPECT_EQ(iv(9, 0, 11, 0).relation(b), sala::allen::overlaps);
    EXPECT_EQ(iv(9, 0, 12, 0).relation(b), sala::allen::finished_by);
    EXPECT_EQ(iv(9, 0, 13, 0).relation(b), sala::allen::contains);
    EXPECT_EQ(iv(10, 0, 11, 0).relation(b), sala::allen::starts);
    EXPECT_EQ(iv(10, 0, 12, 0).relation(b), sala::allen::equals);
    EXPECT_EQ(iv(10, 0, 13, 0).relation(b), sala::allen::started_by);
    EXPECT_EQ(iv(10, 30, 11, 0).relation(b), sala::allen::during);
    EXPECT_EQ(iv(11, 0, 12, 0).relation(b), sala::allen::finishes);
    EXPECT_EQ(iv(11, 0, 13, 0).relation(b), sala::allen::overlapped_by);
    EXPECT_EQ(iv(12, 0, 13, 0).relation(b), sala::allen::met_by);
    EXPECT_EQ(iv(13, 0, 14, 0).relation(b), sala::allen::preceded_by);
}

TEST(Interval, IsConstexpr) {
    constexpr sala::interval a{sala::instant{60min}, sala::instant{120min}};
    static_assert(a.length() == 60min);
    static_assert(a.contains(sala::instant{60min}) && !a.contains(sala::instant{120min}));
    static_assert(!a.overlaps(sala::interval{sala::instant{120min}, sala::instant{180min}}));
    SUCCEED();
}

TEST(Interval, MakeIntervalRejectsReversedEnds) {
    try {
        sala::make_interval(at(10), at(9), "window");
        FAIL();
    } catch (const sala::invalid_argument& e) {
        EXPECT_EQ(e.field(), "window");
    }
    EXPECT_TRUE(sala::make_interval(at(10), at(10)).empty());
}
