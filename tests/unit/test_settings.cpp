// sala/settings.hpp: validation naming the field (R8) and the blocked window (R7).
#include "sala/settings.hpp"

#include <gtest/gtest.h>

#include "sala/error.hpp"

using namespace std::chrono_literals;

TEST(Settings, R7_SeedExampleBlocked0830To1321GraceEnds1315) {
    // Seed: start 09:00 Europe/Madrid, 240 min, prep 30, courtesy 15, post 6.
    sala::settings s;
    s.preparation = 30min;
    s.courtesy = 15min;
    s.post_processing = 6min;
    const auto start = sala::to_instant(sala::make_local(2021, 6, 1, 9, 0), "Europe/Madrid");
    const auto w = sala::make_blocked_window(s, start, 240min);
    EXPECT_EQ(sala::format(w.blocked.begin(), "Europe/Madrid"), "2021-06-01 08:30");
    EXPECT_EQ(sala::format(w.blocked.end(), "Europe/Madrid"), "2021-06-01 13:21");
    EXPECT_EQ(sala::format(w.grace_end, "Europe/Madrid"), "2021-06-01 13:15");
    EXPECT_EQ(sala::format(w.end, "Europe/Madrid"), "2021-06-01 13:00");
    EXPECT_EQ(w.blocked.length(), 291min);
}

TEST(Settings, DefaultsAreValid) { EXPECT_NO_THROW(sala::settings{}.validate()); }

namespace {
template <class F>
std::string rejected_field(F mutate) {
    sala::settings s;
    mutate(s);
    try {
        s.validate();
    } catch (const sala::invalid_settings& e) {
        return e.field();
    }
    return "<accepted>";
}
}  // namespace

TEST(Settings, R8_EachBadValueNamesItsField) {
    EXPECT_EQ(rejected_field([](auto& s) { s.min_days_in_advance = -1; }), "min_days_in_advance");
    EXPECT_EQ(
        rejected_field([](auto& s) { s.min_days_in_advance = 10, s.max_days_in_advance = 5; }),
        "max_days_in_advance");
    EXPECT_EQ(rejected_field([](auto& s) { s.max_days_in_advance = 100000; }),
              "max_days_in_advance");
    EXPECT_EQ(rejected_field([](auto& s) { s.min_duration = 0min; }), "min_duration");
    EXPECT_EQ(rejected_field([](auto& s) { s.min_duration = -5min; }), "min_duration");
    EXPECT_EQ(rejected_field([](auto& s) { s.max_duration = 10min; }), "max_duration");
    EXPECT_EQ(rejected_field([](auto& s) { s.preparation = -1min; }), "preparation");
    EXPECT_EQ(rejected_field([](auto& s) { s.courtesy = -1min; }), "courtesy");
    EXPECT_EQ(rejected_field([](auto& s) { s.post_processing = 2000min; }), "post_processing");
    EXPECT_EQ(rejected_field([](auto& s) { s.credentials_lead = 31min; }), "credentials_lead");
    EXPECT_EQ(rejected_field([](auto& s) { s.end_warning_lead = -1min; }), "end_warning_lead");
    EXPECT_EQ(rejected_field([](auto& s) { s.end_warning_lead = 15min; }), "end_warning_lead");
}

TEST(Settings, R7_ZeroMarginsBlockExactlyTheWebinar) {
    sala::settings s;
    s.preparation = s.courtesy = s.post_processing = s.credentials_lead = 0min;
    const auto t = sala::make_utc(2021, 6, 1, 9);
    const auto w = sala::make_blocked_window(s, t, 60min);
    EXPECT_EQ(w.blocked, (sala::interval{t, t + 60min}));
    EXPECT_EQ(w.grace_end, w.end);
}
