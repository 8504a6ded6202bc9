// sala/time.hpp: local time + IANA zone <-> UTC, DST gaps and overlaps (R8).
#include "sala/time.hpp"

#include <gtest/gtest.h>

#include "sala/error.hpp"

using namespace std::chrono_literals;

TEST(Time, R8_MadridSummerIsUtcPlus2) {
    const auto t = sala::to_instant(sala::make_local(2021, 6, 1, 9, 0), "Europe/Madrid");
    EXPECT_EQ(t, sala::make_utc(2021, 6, 1, 7, 0));
    EXPECT_EQ(sala::format(t, "Europe/Madrid"), "2021-06-01 09:00");
    EXPECT_EQ(sala::format_iso_utc(t), "2021-06-01T07:00:00Z");
    EXPECT_EQ(sala::zone_abbreviation(t, "Europe/Madrid"), "CEST");
}

TEST(Time, R8_MadridGapIsNonexistent) {
    // 2021-03-28 02:00 -> 03:00 in Madrid: 02:30 never happens.
    const auto gap = sala::make_local(2021, 3, 28, 2, 30);
    try {
        sala::to_instant(gap, "Europe/Madrid");
        FAIL() << "a time in the gap must be rejected";
    } catch (const sala::nonexistent_local_time& e) {
        EXPECT_EQ(e.field(), "start");
        EXPECT_NE(std::string(e.what()).find("does not exist"), std::string::npos);
    }
    // Both choices give the transition instant, 01:00 UTC.
    EXPECT_EQ(sala::to_instant(gap, "Europe/Madrid", sala::choose::earliest),
              sala::make_utc(2021, 3, 28, 1, 0));
    EXPECT_EQ(sala::to_instant(gap, "Europe/Madrid", sala::choose::latest),
              sala::make_utc(2021, 3, 28, 1, 0));
}

TEST(Time, R8_MadridOverlapIsAmbiguous) {
    // 2021-10-31 03:00 -> 02:00 in Madrid: 02:30 happens twice.
    const auto twice = sala::make_local(2021, 10, 31, 2, 30);
    EXPECT_THROW(sala::to_instant(twice, "Europe/Madrid"), sala::ambiguous_local_time);
    EXPECT_EQ(sala::to_instant(twice, "Europe/Madrid", sala::choose::earliest),
              sala::make_utc(2021, 10, 31, 0, 30));
    EXPECT_EQ(sala::to_instant(twice, "Europe/Madrid", sala::choose::latest),
              sala::make_utc(2021, 10, 31, 1, 30));
}

TEST(Time, R8_NewYorkGapAndOverlap) {
    EXPECT_THROW(sala::to_instant(sala::make_local(2021, 3, 14, 2, 15), "America/New_York"),
                 sala::nonexistent_local_time);
    EXPECT_THROW(sala::to_instant(sala::make_local(2021, 11, 7, 1, 15), "America/New_York"),
                 sala::ambiguous_local_time);
    EXPECT_EQ(sala::to_instant(sala::make_local(2021, 11, 7, 1, 15), "America/New_York",
                               sala::choose::latest),
              sala::make_utc(2021, 11, 7, 6, 15));
    // Just outside the gap is unique.
    EXPECT_EQ(sala::to_instant(sala::make_local(2021, 3, 14, 3, 0), "America/New_York"),
              sala::make_utc(2021, 3, 14, 7, 0));
}

TEST(Time, UnknownZoneNamesTheField) {
    try {
        sala::to_instant(sala::make_local(2021, 6, 1, 9, 0), "Europe/Atlantis");
        FAIL();
    } catch (const sala::invalid_argument& e) {
        EXPECT_EQ(e.field(), "zone");
        EXPECT_NE(std::string(e.what()).find("Europe/Atlantis"), std::string::npos);
    }
    EXPECT_THROW(sala::check_zone(""), sala::invalid_argument);
}

TEST(Time, ImpossibleCalendarFieldsAreRejected) {
    EXPECT_THROW(sala::make_local(2021, 2, 30), sala::invalid_argument);
    EXPECT_THROW(sala::make_local(2021, 13, 1), sala::invalid_argument);
    EXPECT_THROW(sala::make_local(2021, 6, 1, 24, 0), sala::invalid_argument);
    EXPECT_THROW(sala::make_utc(2021, 6, 1, 10, 60), sala::invalid_argument);
    EXPECT_NO_THROW(sala::make_local(2024, 2, 29));
}

TEST(Time, RoundTripThroughManyZones) {
    const auto t = sala::make_utc(2021, 5, 12, 13, 5);
    for (const char* z : {"Europe/Madrid", "America/New_York", "Asia/Kolkata",
                          "Australia/Lord_Howe", "Pacific/Chatham", "UTC"}) {
        EXPECT_EQ(sala::to_instant(sala::to_local(t, z), z), t) << z;
    }
    EXPECT_EQ(sala::format(t, "Asia/Kolkata"), "2021-05-12 18:35");
}

// After the zone file's last listed transition (2037 in the system files) the
// footer's POSIX rule governs: daylight saving time goes on.
TEST(Time, R8_DaylightSavingTimeGoesOnAfter2037) {
    const auto t = sala::to_instant(sala::make_local(2038, 9, 3, 8, 17), "America/New_York");
    EXPECT_EQ(t, sala::make_utc(2038, 9, 3, 12, 17));  // EDT, not EST
    EXPECT_EQ(sala::zone_abbreviation(t, "America/New_York"), "EDT");
    EXPECT_EQ(sala::format(sala::make_utc(2100, 7, 1, 12, 0), "Europe/Madrid"), "2100-07-01 14:00");
    EXPECT_EQ(sala::format(sala::make_utc(2100, 1, 1, 12, 0), "Europe/Madrid"), "2100-01-01 13:00");
    EXPECT_THROW(sala::to_instant(sala::make_local(2040, 3, 11, 2, 30), "America/New_York"),
                 sala::nonexistent_local_time);
    EXPECT_THROW(sala::to_instant(sala::make_local(2040, 11, 4, 1, 30), "America/New_York"),
                 sala::ambiguous_local_time);
    EXPECT_EQ(sala::to_instant(sala::make_local(2040, 11, 4, 1, 30), "America/New_York",
                               sala::choose::latest),
              sala::make_utc(2040, 11, 4, 6, 30));
    EXPECT_EQ(sala::to_instant(sala::make_local(2040, 3, 11, 2, 30), "America/New_York",
                               sala::choose::earliest),
              sala::make_utc(2040, 3, 11, 7, 0));  // the transition instant
}
