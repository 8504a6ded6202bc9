// sala/interop/boost_date_time.hpp: Boost.Date_Time at the edges (R6, R7, R8).
// Compiled only when the Boost.Date_Time headers are present (tests/CMakeLists.txt).
#include <gtest/gtest.h>

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <random>
#include <string>

#include "sala/interop/boost_date_time.hpp"
#include "sala/platform.hpp"
#include "sala/ports/clock.hpp"

namespace pt = boost::posix_time;
namespace greg = boost::gregorian;
namespace io = sala::interop;
using namespace std::chrono_literals;

namespace {

// Runs `f`, expects a sala::invalid_argument naming `field`; returns its message.
std::string refused(const std::function<void()>& f, const std::string& field) {
    try {
        f();
    } catch (const sala::invalid_argument& e) {
        EXPECT_EQ(e.field(), field) << e.what();
        return e.what();
    } catch (const std::exception& e) {
        ADD_FAILURE() << "expected sala::invalid_argument(" << field << "), got " << e.what();
        return {};
    }
    ADD_FAILURE() << "expected sala::invalid_argument(" << field << "), nothing thrown";
    return {};
}

pt::ptime utc(int y, unsigned short mo, unsigned short d, int h = 0, int mi = 0, int s = 0) {
    return {greg::date(static_cast<unsigned short>(y), mo, d),
            pt::hours(h) + pt::minutes(mi) + pt::seconds(s)};
}

// The range a ptime holds, in sala's terms.
const sala::instant boost_first = sala::make_utc(1400, 1, 1);
const sala::instant boost_last = sala::make_utc(9999, 12, 31, 23, 59);

sala::instant random_instant(std::mt19937_64& rng) {
    std::uniform_int_distribution<std::int64_t> d(boost_first.time_since_epoch().count(),
                                                  boost_last.time_since_epoch().count());
    return sala::instant{sala::minutes{d(rng)}};
}

sala::settings no_margins() {
    sala::settings s;
    s.preparation = s.courtesy = s.post_processing = s.credentials_lead = 0min;
    return s;
}

sala::request_input base_request(std::string title) {
    sala::request_input in;
    in.title = std::move(title);
    in.duration = 60min;
    in.event_id = "boost-1";
    in.organizer = {"Host", "host@example.org"};
    return in;
}

}  // namespace

// ---- ptime <-> instant ------------------------------------------------------------

TEST(BoostDateTime, KnownInstantsMatchSalaCalendar) {
    EXPECT_EQ(io::to_instant(utc(2021, 5, 13, 7, 5)), sala::make_utc(2021, 5, 13, 7, 5));
    EXPECT_EQ(io::to_instant(utc(1970, 1, 1)).time_since_epoch(), 0min);
    EXPECT_EQ(io::to_instant(utc(2000, 2, 29, 23, 59)), sala::make_utc(2000, 2, 29, 23, 59));
    EXPECT_EQ(io::to_ptime(sala::make_utc(2021, 5, 13, 7, 5)), utc(2021, 5, 13, 7, 5));
    // The ends of Boost's range.
    EXPECT_EQ(io::to_instant(utc(1400, 1, 1)), boost_first);
    EXPECT_EQ(io::to_instant(utc(9999, 12, 31, 23, 59)), boost_last);
    EXPECT_EQ(io::to_ptime(boost_first), utc(1400, 1, 1));
    EXPECT_EQ(io::to_ptime(boost_last), utc(9999, 12, 31, 23, 59));
}

TEST(BoostDateTime, TimesBefore1970AreOrdinaryInstants) {
    EXPECT_EQ(io::to_instant(utc(1969, 12, 31, 23, 59)).time_since_epoch(), -1min);
    EXPECT_EQ(io::to_instant(utc(1969, 12, 31)).time_since_epoch(), -1440min);
    EXPECT_EQ(io::to_instant(utc(1582, 10, 15, 12, 0)), sala::make_utc(1582, 10, 15, 12, 0));
    EXPECT_EQ(io::to_ptime(sala::instant{-1min}), utc(1969, 12, 31, 23, 59));
    EXPECT_EQ(io::to_ptime(sala::instant{-1441min}), utc(1969, 12, 30, 23, 59));
    EXPECT_EQ(io::to_ptime(sala::make_utc(1900, 3, 1, 0, 1)), utc(1900, 3, 1, 0, 1));
}

TEST(BoostDateTime, RandomInstantsRoundTrip) {
    std::mt19937_64 rng(20210513);
    for (int i = 0; i < 20000; ++i) {
        const auto t = random_instant(rng);
        const pt::ptime p = io::to_ptime(t);
        ASSERT_EQ(io::to_instant(p), t) << t.time_since_epoch().count();
        // The fields agree with date's civil calendar, independently of the header.
        const auto day = std::chrono::floor<date::days>(t);
        const date::year_month_day ymd{day};
        const auto ymd_b = p.date().year_month_day();
        ASSERT_EQ(static_cast<int>(ymd_b.year), static_cast<int>(ymd.year()));
        ASSERT_EQ(ymd_b.month.as_number(), static_cast<unsigned>(ymd.month()));
        ASSERT_EQ(ymd_b.day.as_number(), static_cast<unsigned>(ymd.day()));
        ASSERT_EQ(p.time_of_day().total_seconds(), (t - day).count() * 60);
    }
}

TEST(BoostDateTime, RandomPtimesRoundTrip) {
    std::mt19937_64 rng(7);
    std::uniform_int_distribution<int> day(
        0, int((greg::date(9999, 12, 31) - greg::date(1400, 1, 1)).days()));
    std::uniform_int_distribution<int> minute(0, 1439);
    for (int i = 0; i < 20000; ++i) {
        const pt::ptime p(greg::date(1400, 1, 1) + greg::days(day(rng)), pt::minutes(minute(rng)));
        ASSERT_EQ(io::to_ptime(io::to_instant(p)), p);
        ASSERT_EQ(io::to_ptime(io::to_local_minutes(p)), p);
    }
}

TEST(BoostDateTime, EverySpecialValueIsRefusedNamingTheField) {
    for (const auto sv : {boost::date_time::not_a_date_time, boost::date_time::pos_infin,
                          boost::date_time::neg_infin}) {
        const pt::ptime special(sv);
        refused([&] { (void)io::to_instant(special); }, "time");
        refused([&] { (void)io::to_instant(special, io::sub_minute::floor); }, "time");
        refused([&] { (void)io::to_instant(special, io::sub_minute::refuse, "booking.start"); },
                "booking.start");
        refused([&] { (void)io::to_local_minutes(special); }, "start");
        refused([&] { (void)io::with_start(base_request("x"), special, "Europe/Madrid"); },
                "start");
        // A period with a special end, and one with a special begin.
        refused([&] { (void)io::to_interval(pt::time_period(utc(2021, 5, 13, 9), special)); },
                "period.end");
        refused([&] { (void)io::to_interval(pt::time_period(special, utc(2021, 5, 13, 9))); },
                "period.begin");
        refused(
            [&] {
                (void)io::to_interval(pt::time_period(special, special), io::sub_minute::refuse,
                                      "slot");
            },
            "slot.begin");
        const greg::date special_day(sv);
        refused([&] { (void)io::to_year_month_day(special_day); }, "date");
    }
    // The message says which special value it was.
    EXPECT_NE(refused([] { (void)io::to_instant(pt::ptime(boost::date_time::pos_infin)); }, "time")
                  .find("pos_infin"),
              std::string::npos);
    EXPECT_NE(refused([] { (void)io::to_instant(pt::ptime(boost::date_time::neg_infin)); }, "time")
                  .find("neg_infin"),
              std::string::npos);
    EXPECT_NE(
        refused([] { (void)io::to_instant(pt::ptime(boost::date_time::not_a_date_time)); }, "time")
            .find("not_a_date_time"),
        std::string::npos);
    EXPECT_NE(refused([] { (void)io::to_year_month_day(greg::date(boost::date_time::neg_infin)); },
                      "date")
                  .find("neg_infin"),
              std::string::npos);
    // A default ptime is not_a_date_time too.
    refused([] { (void)io::to_instant(pt::ptime{}); }, "time");
    // Boost's min/max_date_time are ordinary values; max has sub-minute parts.
    EXPECT_EQ(io::to_instant(pt::ptime(boost::date_time::min_date_time)), boost_first);
    refused([] { (void)io::to_instant(pt::ptime(boost::date_time::max_date_time)); }, "time");
    EXPECT_EQ(io::to_instant(pt::ptime(boost::date_time::max_date_time), io::sub_minute::floor),
              boost_last);
}

TEST(BoostDateTime, SecondsAndSubSecondsAreRefusedUnlessFloored) {
    const auto msg = refused([] { (void)io::to_instant(utc(2021, 5, 13, 9, 0, 30)); }, "time");
    EXPECT_NE(msg.find("2021-05-13 09:00:30"), std::string::npos) << msg;
    EXPECT_NE(msg.find("sub_minute::floor"), std::string::npos) << msg;
    const pt::ptime one_us = utc(2021, 5, 13, 9) + pt::microseconds(1);
    EXPECT_NE(refused([&] { (void)io::to_instant(one_us); }, "time").find("09:00:00.000001"),
              std::string::npos);
    refused([&] { (void)io::to_local_minutes(one_us); }, "start");
    refused([&] { (void)io::with_start(base_request("x"), one_us, "Europe/Madrid"); }, "start");

    // floor rounds towards the past, before 1970 too.
    EXPECT_EQ(io::to_instant(utc(2021, 5, 13, 9, 0, 59), io::sub_minute::floor),
              sala::make_utc(2021, 5, 13, 9, 0));
    EXPECT_EQ(io::to_instant(one_us, io::sub_minute::floor), sala::make_utc(2021, 5, 13, 9, 0));
    EXPECT_EQ(io::to_instant(utc(1969, 12, 31, 23, 59, 59) + pt::milliseconds(500),
                             io::sub_minute::floor),
              sala::instant{-1min});
    EXPECT_EQ(io::to_local_minutes(utc(2021, 5, 13, 9, 0, 1), io::sub_minute::floor),
              sala::make_local(2021, 5, 13, 9, 0));
    const auto in = io::with_start(base_request("x"), utc(2021, 5, 13, 9, 0, 1), "Europe/Madrid",
                                   std::nullopt, io::sub_minute::floor);
    EXPECT_EQ(in.start, sala::make_local(2021, 5, 13, 9, 0));
}

TEST(BoostDateTime, OutsideBoostsRangeIsRefusedNamingTheField) {
    refused([] { (void)io::to_ptime(sala::make_utc(10000, 1, 1)); }, "time");
    refused([] { (void)io::to_ptime(boost_first - 1min); }, "time");
    refused([] { (void)io::to_ptime(sala::instant::max()); }, "time");
    refused([] { (void)io::to_ptime(sala::instant::min()); }, "time");
    refused([] { (void)io::to_ptime(sala::make_utc(-2000, 1, 1), "webinar.end"); }, "webinar.end");
    refused([] { (void)io::to_ptime(sala::make_local(10000, 1, 1)); }, "start");
    refused([] { (void)io::to_ptime(sala::local_minutes::min()); }, "start");
    // An interval whose exclusive end is 10000-01-01 cannot be a time_period.
    refused(
        [] {
            (void)io::to_time_period(
                {sala::make_utc(9999, 12, 31, 23, 0), sala::make_utc(10000, 1, 1)});
        },
        "period.end");
    refused(
        [] {
            (void)io::to_time_period({boost_first - 1min, boost_first}, "blocked");
        },
        "blocked.begin");
    // One minute inside is fine.
    EXPECT_EQ(io::to_time_period({boost_last, boost_last}).begin(), utc(9999, 12, 31, 23, 59));
}

// ---- time_period <-> interval: both half-open -------------------------------------------

TEST(BoostDateTime, PeriodEndIsExclusiveOnBothSides) {
    const pt::time_period p(utc(2021, 5, 13, 9), utc(2021, 5, 13, 10));
    const sala::interval i = io::to_interval(p);
    EXPECT_EQ(i.begin(), sala::make_utc(2021, 5, 13, 9, 0));
    EXPECT_EQ(i.end(), sala::make_utc(2021, 5, 13, 10, 0));  // end(), not last()
    EXPECT_EQ(i.length(), 60min);
    // Boost: end() is the first instant outside; last() is one tick before it.
    EXPECT_FALSE(p.contains(p.end()));
    EXPECT_FALSE(i.contains(i.end()));
    EXPECT_TRUE(p.contains(p.last()));
    EXPECT_EQ(p.last(), utc(2021, 5, 13, 10) - pt::time_duration::unit());
    EXPECT_TRUE(i.contains(i.end() - 1min));
    // last() itself is not a whole minute, so it is not what the period maps to.
    refused([&] { (void)io::to_instant(p.last()); }, "time");
    EXPECT_EQ(io::to_instant(p.last(), io::sub_minute::floor), i.end() - 1min);

    // Back: the same end, exclusive.
    const pt::time_period back = io::to_time_period(i);
    EXPECT_EQ(back, p);
    EXPECT_EQ(back.end(), utc(2021, 5, 13, 10));
    EXPECT_EQ(back.length(), pt::hours(1));

    // Built from a length, too.
    EXPECT_EQ(io::to_interval(pt::time_period(utc(2021, 5, 13, 9), pt::minutes(45))).end(),
              sala::make_utc(2021, 5, 13, 9, 45));
}

TEST(BoostDateTime, MeetingPeriodsDoNotOverlapInEitherLibrary) {
    const pt::time_period a(utc(2021, 5, 13, 9), utc(2021, 5, 13, 10));
    const pt::time_period b(utc(2021, 5, 13, 10), utc(2021, 5, 13, 11));
    EXPECT_FALSE(a.intersects(b));
    EXPECT_TRUE(a.is_adjacent(b));
    const auto ia = io::to_interval(a), ib = io::to_interval(b);
    EXPECT_FALSE(ia.overlaps(ib));
    EXPECT_TRUE(ia.meets(ib));
    EXPECT_EQ(ia.relation(ib), sala::allen::meets);
    // One minute more and both see an overlap.
    const pt::time_period a2(utc(2021, 5, 13, 9), utc(2021, 5, 13, 10, 1));
    EXPECT_TRUE(a2.intersects(b));
    EXPECT_TRUE(io::to_interval(a2).overlaps(ib));
}

TEST(BoostDateTime, NullAndInvertedPeriods) {
    // Zero length: Boost calls it null, sala calls it empty; same begin both ways.
    const pt::time_period zero(utc(2021, 5, 13, 9), utc(2021, 5, 13, 9));
    EXPECT_TRUE(zero.is_null());
    const auto i = io::to_interval(zero);
    EXPECT_TRUE(i.empty());
    EXPECT_EQ(i.begin(), sala::make_utc(2021, 5, 13, 9, 0));
    const auto back = io::to_time_period(sala::interval{i.begin(), i.begin()});
    EXPECT_TRUE(back.is_null());
    EXPECT_EQ(back.begin(), utc(2021, 5, 13, 9));
    EXPECT_EQ(back.end(), utc(2021, 5, 13, 9));
    // Ends before it begins: refused, naming the period.
    const pt::time_period inverted(utc(2021, 5, 13, 10), utc(2021, 5, 13, 9));
    refused([&] { (void)io::to_interval(inverted); }, "period");
    refused([&] { (void)io::to_interval(inverted, io::sub_minute::refuse, "slot"); }, "slot");
    // A sub-minute end is named as the end.
    refused(
        [] {
            (void)io::to_interval(pt::time_period(utc(2021, 5, 13, 9), utc(2021, 5, 13, 10, 0, 1)));
        },
        "period.end");
    refused(
        [] {
            (void)io::to_interval(pt::time_period(utc(2021, 5, 13, 9, 0, 1), utc(2021, 5, 13, 10)));
        },
        "period.begin");
    // floor applies to each end.
    EXPECT_EQ(
        io::to_interval(pt::time_period(utc(2021, 5, 13, 9, 0, 10), utc(2021, 5, 13, 10, 0, 50)),
                        io::sub_minute::floor),
        (sala::interval{sala::make_utc(2021, 5, 13, 9, 0), sala::make_utc(2021, 5, 13, 10, 0)}));
}

TEST(BoostDateTime, RandomPeriodsRoundTrip) {
    std::mt19937_64 rng(42);
    std::uniform_int_distribution<int> len(0, 7 * 1440);
    for (int i = 0; i < 10000; ++i) {
        auto b = random_instant(rng);
        if (b > boost_last - (7 * 1440min)) b = boost_last - (7 * 1440min);
        const sala::interval iv{b, b + sala::minutes{len(rng)}};
        const pt::time_period p = io::to_time_period(iv);
        ASSERT_EQ(p.begin(), io::to_ptime(iv.begin()));
        ASSERT_EQ(p.end(), io::to_ptime(iv.end()));
        ASSERT_EQ(p.length().total_seconds(), iv.length().count() * 60);
        ASSERT_EQ(p.is_null(), iv.empty());
        if (!iv.empty()) {
            ASSERT_EQ(p.last(), io::to_ptime(iv.end()) - pt::time_duration::unit());
        }
        ASSERT_EQ(io::to_interval(p), iv);
    }
}

// ---- time_duration <-> minutes ------------------------------------------------------------

TEST(BoostDateTime, Durations) {
    EXPECT_EQ(io::to_minutes(pt::hours(1) + pt::minutes(30)), 90min);
    EXPECT_EQ(io::to_minutes(pt::minutes(-15)), -15min);
    EXPECT_EQ(io::to_time_duration(90min), pt::minutes(90));
    EXPECT_EQ(io::to_time_duration(-1min), pt::minutes(-1));
    for (const auto sv : {boost::date_time::not_a_date_time, boost::date_time::pos_infin,
                          boost::date_time::neg_infin})
        refused([&] { (void)io::to_minutes(pt::time_duration(sv)); }, "duration");
    const auto msg =
        refused([] { (void)io::to_minutes(pt::seconds(90) + pt::microseconds(5)); }, "duration");
    EXPECT_NE(msg.find("90.000005 s"), std::string::npos) << msg;
    refused([] { (void)io::to_minutes(pt::seconds(-30), io::sub_minute::refuse, "margin"); },
            "margin");
    // floor goes towards minus infinity.
    EXPECT_EQ(io::to_minutes(pt::seconds(119), io::sub_minute::floor), 1min);
    EXPECT_EQ(io::to_minutes(pt::seconds(-30), io::sub_minute::floor), -1min);
    refused([] { (void)io::to_time_duration(sala::minutes::max()); }, "duration");
    refused([] { (void)io::to_time_duration(sala::minutes::min(), "length"); }, "length");
    std::mt19937_64 rng(11);
    std::uniform_int_distribution<std::int64_t> m(-1000000000, 1000000000);
    for (int i = 0; i < 10000; ++i) {
        const sala::minutes d{m(rng)};
        ASSERT_EQ(io::to_minutes(io::to_time_duration(d)), d);
        ASSERT_EQ(io::to_time_duration(d).total_seconds(), d.count() * 60);
    }
}

// ---- gregorian::date <-> year_month_day --------------------------------------------------

TEST(BoostDateTime, CalendarDays) {
    EXPECT_EQ(io::to_year_month_day(greg::date(2021, 5, 13)), date::year{2021} / 5 / 13);
    EXPECT_EQ(io::to_gregorian_date(date::year{2021} / 5 / 13), greg::date(2021, 5, 13));
    EXPECT_EQ(io::to_year_month_day(greg::date(1969, 7, 20)), date::year{1969} / 7 / 20);
    EXPECT_EQ(io::to_gregorian_date(date::year{2024} / 2 / 29), greg::date(2024, 2, 29));
    refused([] { (void)io::to_gregorian_date(date::year{2021} / 2 / 29); }, "date");
    refused([] { (void)io::to_gregorian_date(date::year{2021} / 13 / 1, "day"); }, "day");
    refused([] { (void)io::to_gregorian_date(date::year{10000} / 1 / 1); }, "date");
    EXPECT_NE(refused([] { (void)io::to_gregorian_date(date::year{1399} / 12 / 31); }, "date")
                  .find("1399-12-31"),
              std::string::npos);
    std::mt19937_64 rng(3);
    std::uniform_int_distribution<int> day(
        0, int((greg::date(9999, 12, 31) - greg::date(1400, 1, 1)).days()));
    for (int i = 0; i < 10000; ++i) {
        const greg::date g = greg::date(1400, 1, 1) + greg::days(day(rng));
        const auto ymd = io::to_year_month_day(g);
        ASSERT_TRUE(ymd.ok());
        // The same day count from 1970 in both libraries.
        ASSERT_EQ(date::sys_days{ymd}.time_since_epoch().count(),
                  (g - greg::date(1970, 1, 1)).days());
        ASSERT_EQ(io::to_gregorian_date(ymd), g);
    }
}

// ---- wall clock + zone -> request (R8) ----------------------------------------------------

TEST(BoostDateTime, WallClockPtimesAreLocalMinutes) {
    EXPECT_EQ(io::to_local_minutes(utc(2021, 5, 13, 9, 0)), sala::make_local(2021, 5, 13, 9, 0));
    EXPECT_EQ(io::to_ptime(sala::make_local(2021, 10, 31, 2, 30)), utc(2021, 10, 31, 2, 30));
    EXPECT_EQ(io::to_local_minutes(utc(1969, 12, 31, 23, 59)).time_since_epoch(), -1min);
}

class BoostRequests : public ::testing::Test {
  protected:
    std::shared_ptr<sala::manual_clock> clock =
        std::make_shared<sala::manual_clock>(sala::make_utc(2021, 3, 1));
    sala::platform p{no_margins(), clock};
    void SetUp() override {
        const auto link = p.link_account(
            "pool", sala::pool_kind::own,
            {{"u1", "room1@example.org", "Webinar 1"}, {"u2", "room2@example.org", "Webinar 2"}});
        for (auto r : link.new_rooms) {
            p.activate(r);
            p.set_mode(r, sala::room_mode::automatic);
        }
    }
    sala::instant submitted_start(const sala::request_input& in) {
        return p.get_request(p.submit(in).id).window.start;
    }
};

TEST_F(BoostRequests, PlainStartGoesThroughTheZone) {
    const auto in = io::with_start(base_request("plain"), utc(2021, 5, 13, 9, 0), "Europe/Madrid");
    EXPECT_EQ(in.start, sala::make_local(2021, 5, 13, 9, 0));
    EXPECT_EQ(in.zone, "Europe/Madrid");
    EXPECT_FALSE(in.resolve.has_value());
    EXPECT_EQ(in.title, "plain");  // the rest of the request is kept
    EXPECT_EQ(in.duration, 60min);
    EXPECT_EQ(submitted_start(in), sala::make_utc(2021, 5, 13, 7, 0));  // CEST = UTC+2
    const auto ny = io::with_start(base_request("ny"), utc(2021, 5, 13, 9, 0), "America/New_York");
    EXPECT_EQ(submitted_start(ny), sala::make_utc(2021, 5, 13, 13, 0));  // EDT = UTC-4
}

TEST_F(BoostRequests, UnknownZoneIsTheZonesFault) {
    refused([] { (void)io::with_start(base_request("x"), utc(2021, 5, 13, 9), "Europe/Atlantis"); },
            "zone");
    refused([] { (void)io::with_start(base_request("x"), utc(2021, 5, 13, 9), ""); }, "zone");
}

TEST_F(BoostRequests, R8_StartInDstGapIsAnErrorUnlessChosen) {
    // Madrid 2021-03-28: 02:00 CET -> 03:00 CEST; 02:30 does not exist.
    const auto gap = utc(2021, 3, 28, 2, 30);
    EXPECT_THROW((void)io::with_start(base_request("gap"), gap, "Europe/Madrid"),
                 sala::nonexistent_local_time);
    refused([&] { (void)io::with_start(base_request("gap"), gap, "Europe/Madrid"); }, "start");
    // New York 2021-03-14 02:30 does not exist either.
    EXPECT_THROW(
        (void)io::with_start(base_request("gap"), utc(2021, 3, 14, 2, 30), "America/New_York"),
        sala::nonexistent_local_time);
    // Chosen: both choices give the transition instant (01:00 UTC), and submit agrees.
    for (const auto how : {sala::choose::earliest, sala::choose::latest}) {
        const auto in = io::with_start(base_request("gap"), gap, "Europe/Madrid", how);
        ASSERT_EQ(in.resolve, how);
        EXPECT_EQ(submitted_start(in), sala::make_utc(2021, 3, 28, 1, 0));
    }
}

TEST_F(BoostRequests, R8_StartInDstOverlapIsAnErrorUnlessChosen) {
    // Madrid 2021-10-31: 03:00 CEST -> 02:00 CET; 02:30 happens twice.
    const auto twice = utc(2021, 10, 31, 2, 30);
    EXPECT_THROW((void)io::with_start(base_request("overlap"), twice, "Europe/Madrid"),
                 sala::ambiguous_local_time);
    refused([&] { (void)io::with_start(base_request("overlap"), twice, "Europe/Madrid"); },
            "start");
    const auto earliest =
        io::with_start(base_request("first"), twice, "Europe/Madrid", sala::choose::earliest);
    const auto latest =
        io::with_start(base_request("second"), twice, "Europe/Madrid", sala::choose::latest);
    const auto e = submitted_start(earliest), l = submitted_start(latest);
    EXPECT_EQ(e, sala::make_utc(2021, 10, 31, 0, 30));  // 02:30 CEST
    EXPECT_EQ(l, sala::make_utc(2021, 10, 31, 1, 30));  // 02:30 CET
    // Back to Boost: the UTC ptimes differ by an hour, the wall clock is the same.
    EXPECT_EQ(io::to_ptime(l) - io::to_ptime(e), pt::hours(1));
    EXPECT_EQ(io::to_ptime(sala::to_local(e, "Europe/Madrid")), twice);
    EXPECT_EQ(io::to_ptime(sala::to_local(l, "Europe/Madrid")), twice);
}

TEST_F(BoostRequests, BlockedWindowAsTimePeriod) {
    p.set_settings(sala::settings{});  // prep 30, courtesy 15, post 6
    const auto s =
        p.submit(io::with_start(base_request("w"), utc(2021, 5, 13, 9, 0), "Europe/Madrid"));
    const auto period = io::to_time_period(p.get_request(s.id).window.blocked);
    EXPECT_EQ(period.begin(), utc(2021, 5, 13, 6, 30));  // 09:00 CEST - 30 min, in UTC
    EXPECT_EQ(period.end(), utc(2021, 5, 13, 8, 21));    // + 60 + 15 + 6, exclusive
    EXPECT_EQ(period.length(), pt::minutes(111));
}
