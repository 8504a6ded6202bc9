#pragma once
// Boost.Date_Time at sala's edges, header-only: for hosts that keep their times
// as boost::posix_time::ptime, boost::posix_time::time_period and
// boost::gregorian::date. Everything lives in sala::interop; see docs/interop.md.
//
//   ptime (UTC)        <-> sala::instant         to_instant / to_ptime
//   time_period        <-> sala::interval        to_interval / to_time_period
//   ptime (wall clock) <-> sala::local_minutes   to_local_minutes / to_ptime
//   time_duration      <-> sala::minutes         to_minutes / to_time_duration
//   gregorian::date    <-> date::year_month_day  to_year_month_day / to_gregorian_date
//   wall-clock ptime + IANA zone -> request_input  with_start (sala's own zone rules, R8)
//
// Rules, the same for every function:
// * Both period types are half-open, [begin, end): time_period::end() is the
//   first instant *not* in the period (time_period::last() is end() - 1 tick),
//   which is exactly sala::interval::end(). A zero-length time_period (Boost
//   calls it "null") is an empty interval and back.
// * sala works in whole minutes. A ptime with seconds or a sub-second part is
//   refused (sala::invalid_argument naming the field) unless the caller passes
//   sub_minute::floor, which rounds towards the past (also before 1970).
// * Special values (not_a_date_time, pos_infin, neg_infin) are refused,
//   naming the field.
// * Times before 1970 are ordinary instants: sala::instant is signed and
//   sala::make_utc accepts them. Every finite ptime (years 1400-9999) lies
//   inside sala's range (date's civil years -32767..32767); the other way,
//   instants and dates outside Boost's 1400-01-01 .. 9999-12-31 are refused,
//   naming the field.
// * Time zones are not Boost's business here: wall-clock times go through
//   sala::to_instant, i.e. date/tz and the IANA database (nonexistent and
//   ambiguous local times are errors unless a sala::choose says which).
//
// Needs only the Boost.Date_Time headers (no compiled library; no string or
// stream functions of Boost are used).

#include <chrono>
#include <cstdint>
#include <limits>
#include <optional>
#include <string>
#include <string_view>
#include <utility>

#include <date/date.h>
#include <boost/date_time/gregorian/gregorian_types.hpp>
#include <boost/date_time/posix_time/posix_time_types.hpp>

#include "sala/error.hpp"
#include "sala/interval.hpp"
#include "sala/request.hpp"
#include "sala/time.hpp"

namespace sala::interop {

// What to do with seconds and sub-second parts of a ptime.
enum class sub_minute {
    refuse,  // throw sala::invalid_argument(field) (the default everywhere)
    floor    // round down to the whole minute, towards the past
};

namespace detail {

inline constexpr int boost_first_year = 1400;
inline constexpr int boost_last_year = 9999;
inline constexpr std::int64_t minutes_per_day = 24 * 60;

// Minutes since 1970-01-01 00:00 of the first and one past the last minute a
// ptime can hold.
inline constexpr std::int64_t boost_first_minute =
    std::int64_t{date::sys_days{date::year{boost_first_year} / 1 / 1}.time_since_epoch().count()} *
    minutes_per_day;
inline constexpr std::int64_t boost_end_minute =
    std::int64_t{
        date::sys_days{date::year{boost_last_year + 1} / 1 / 1}.time_since_epoch().count()} *
    minutes_per_day;

// The name of a special value, or nullptr for an ordinary one. Works for
// ptime and gregorian::date.
template <class T>
const char* special_name(const T& v) {
    if (v.is_pos_infinity()) return "pos_infin";
    if (v.is_neg_infinity()) return "neg_infin";
    if (v.is_special()) return "not_a_date_time";
    return nullptr;
}

template <class T>
void refuse_special(const T& v, std::string_view field, const char* what) {
    if (const char* name = special_name(v))
        throw invalid_argument(std::string(field),
                               std::string("is ") + name + "; sala needs a finite " + what);
}

inline std::string two_digits(std::int64_t n) { return (n < 10 ? "0" : "") + std::to_string(n); }

inline std::string range_text() {
    return "Boost.Date_Time holds 1400-01-01 00:00 .. 9999-12-31 23:59 only";
}

// "2021-05-13 09:00:30.250000" for the message about a sub-minute part.
inline std::string with_seconds(std::int64_t whole_minutes, std::int64_t rest_ticks) {
    const auto tps = boost::posix_time::time_duration::ticks_per_second();
    std::string s =
        format_utc(instant{minutes{whole_minutes}}) + ":" + two_digits(rest_ticks / tps);
    if (const auto frac = rest_ticks % tps; frac != 0) {
        std::string digits = std::to_string(frac);
        const auto width = boost::posix_time::time_duration::num_fractional_digits();
        digits.insert(0, width > digits.size() ? width - digits.size() : 0, '0');
        s += "." + digits;
    }
    return s;
}

// A finite ptime, read as fields (no zone), as minutes since 1970-01-01 00:00.
inline std::int64_t minutes_since_epoch(const boost::posix_time::ptime& t, sub_minute how,
                                        std::string_view field, const char* clock_name) {
    refuse_special(t, field, "time");
    const auto ymd = t.date().year_month_day();
    const date::year_month_day d{date::year{static_cast<int>(ymd.year)},
                                 date::month{static_cast<unsigned>(ymd.month.as_number())},
                                 date::day{static_cast<unsigned>(ymd.day.as_number())}};
    const std::int64_t days = date::sys_days{d}.time_since_epoch().count();
    // time_of_day() of a finite ptime is in [00:00, 24:00): never negative.
    const std::int64_t ticks = t.time_of_day().ticks();
    const std::int64_t per_minute = boost::posix_time::time_duration::ticks_per_second() * 60;
    const std::int64_t whole = days * minutes_per_day + ticks / per_minute;
    if (const std::int64_t rest = ticks % per_minute; rest != 0 && how == sub_minute::refuse)
        throw invalid_argument(std::string(field),
                               with_seconds(whole, rest) + " (" + clock_name +
                                   ") is not a whole minute; sala works in whole minutes "
                                   "(pass sala::interop::sub_minute::floor to round down)");
    return whole;
}

// "-90.500000 s" for the message about a duration that is not whole minutes.
inline std::string seconds_text(std::int64_t ticks) {
    const auto tps = boost::posix_time::time_duration::ticks_per_second();
    const bool negative = ticks < 0;
    // Magnitude without overflow: ticks of a finite time_duration are never INT64_MIN.
    const std::int64_t mag = negative ? -ticks : ticks;
    std::string s = (negative ? "-" : "") + std::to_string(mag / tps);
    if (const auto frac = mag % tps; frac != 0) {
        std::string digits = std::to_string(frac);
        const auto width = boost::posix_time::time_duration::num_fractional_digits();
        digits.insert(0, width > digits.size() ? width - digits.size() : 0, '0');
        s += "." + digits;
    }
    return s + " s";
}

// The most minutes a finite time_duration holds either way (its special values
// sit at the ends of its 64-bit tick count).
inline constexpr std::int64_t max_duration_minutes =
    (std::numeric_limits<std::int64_t>::max() - 3) /
    (boost::posix_time::time_duration::ticks_per_second() * 60);

// Minutes since 1970-01-01 00:00 -> ptime with those fields; refuses what a
// ptime cannot hold.
inline boost::posix_time::ptime from_minutes(std::int64_t m, std::string_view field,
                                             const char* clock_name) {
    if (m < boost_first_minute || m >= boost_end_minute)
        throw invalid_argument(std::string(field), "is outside Boost.Date_Time's range (" +
                                                       std::to_string(m) +
                                                       " min from 1970-01-01 00:00, " + clock_name +
                                                       "); " + range_text());
    std::int64_t day = m / minutes_per_day;
    std::int64_t minute_of_day = m % minutes_per_day;
    if (minute_of_day < 0) {  // before 1970: floor, not truncation
        --day;
        minute_of_day += minutes_per_day;
    }
    const date::year_month_day d{date::sys_days{date::days{static_cast<int>(day)}}};
    const boost::gregorian::date g(static_cast<unsigned short>(static_cast<int>(d.year())),
                                   static_cast<unsigned short>(static_cast<unsigned>(d.month())),
                                   static_cast<unsigned short>(static_cast<unsigned>(d.day())));
    return boost::posix_time::ptime(g, boost::posix_time::minutes(minute_of_day));
}

inline std::string ymd_text(date::year_month_day d) {
    return std::to_string(static_cast<int>(d.year())) + "-" +
           two_digits(static_cast<unsigned>(d.month())) + "-" +
           two_digits(static_cast<unsigned>(d.day()));
}

}  // namespace detail

// ---- UTC instants ----------------------------------------------------------------------

// A ptime that means UTC -> sala::instant. Throws sala::invalid_argument(field)
// for special values and (unless `how` is floor) for seconds or sub-seconds.
inline instant to_instant(const boost::posix_time::ptime& utc, sub_minute how = sub_minute::refuse,
                          std::string_view field = "time") {
    return instant{minutes{detail::minutes_since_epoch(utc, how, field, "UTC")}};
}

// sala::instant -> ptime in UTC. Throws sala::invalid_argument(field) outside
// 1400-01-01 00:00 .. 9999-12-31 23:59 UTC.
inline boost::posix_time::ptime to_ptime(instant t, std::string_view field = "time") {
    return detail::from_minutes(t.time_since_epoch().count(), field, "UTC");
}

// ---- half-open periods -----------------------------------------------------------------

// [p.begin(), p.end()) -> sala::interval with the same ends: time_period::end()
// is exclusive like interval::end(). Field names are "<field>.begin" and
// "<field>.end"; a period that ends before it begins throws
// sala::invalid_argument(field). With sub_minute::floor both ends are floored.
inline interval to_interval(const boost::posix_time::time_period& p,
                            sub_minute how = sub_minute::refuse,
                            std::string_view field = "period") {
    const std::string f(field);
    const instant b = to_instant(p.begin(), how, f + ".begin");
    const instant e = to_instant(p.end(), how, f + ".end");
    return make_interval(b, e, f.c_str());
}

// sala::interval -> time_period(begin, end), end exclusive. An empty interval
// gives a zero-length ("null") period with the same begin.
inline boost::posix_time::time_period to_time_period(const interval& i,
                                                     std::string_view field = "period") {
    const std::string f(field);
    return {to_ptime(i.begin(), f + ".begin"), to_ptime(i.end(), f + ".end")};
}

// ---- wall-clock times (no zone attached) -------------------------------------------------

// A ptime whose fields are a wall-clock reading -> sala::local_minutes, to be
// tied to an instant by a zone (sala::to_instant, with_start).
inline local_minutes to_local_minutes(const boost::posix_time::ptime& wall,
                                      sub_minute how = sub_minute::refuse,
                                      std::string_view field = "start") {
    return local_minutes{minutes{detail::minutes_since_epoch(wall, how, field, "wall clock")}};
}

// sala::local_minutes -> a ptime with the same wall-clock fields.
inline boost::posix_time::ptime to_ptime(local_minutes wall, std::string_view field = "start") {
    return detail::from_minutes(wall.time_since_epoch().count(), field, "wall clock");
}

// ---- durations ------------------------------------------------------------------------------

// time_duration -> sala::minutes (a webinar's duration, a margin). Throws
// sala::invalid_argument(field) for special values and (unless `how` is
// floor, towards minus infinity) for seconds or sub-seconds.
inline minutes to_minutes(const boost::posix_time::time_duration& d,
                          sub_minute how = sub_minute::refuse,
                          std::string_view field = "duration") {
    detail::refuse_special(d, field, "duration");
    const std::int64_t ticks = d.ticks();
    const std::int64_t per_minute = boost::posix_time::time_duration::ticks_per_second() * 60;
    std::int64_t whole = ticks / per_minute;
    if (const std::int64_t rest = ticks % per_minute; rest != 0) {
        if (how == sub_minute::refuse)
            throw invalid_argument(
                std::string(field),
                detail::seconds_text(ticks) +
                    " is not a whole number of minutes; sala works in whole "
                    "minutes (pass sala::interop::sub_minute::floor to round down)");
        if (rest < 0) --whole;
    }
    return minutes{whole};
}

// sala::minutes -> time_duration. Throws sala::invalid_argument(field) beyond
// what a time_duration holds (about 285,000 years either way).
inline boost::posix_time::time_duration to_time_duration(minutes m,
                                                         std::string_view field = "duration") {
    const std::int64_t n = m.count();
    if (n > detail::max_duration_minutes || n < -detail::max_duration_minutes)
        throw invalid_argument(std::string(field),
                               std::to_string(n) + " min is more than a Boost time_duration holds");
    return boost::posix_time::minutes(n);
}

// ---- calendar days (the calendar views take date::year_month_day) --------------------------

inline date::year_month_day to_year_month_day(const boost::gregorian::date& d,
                                              std::string_view field = "date") {
    detail::refuse_special(d, field, "date");
    const auto ymd = d.year_month_day();
    return date::year{static_cast<int>(ymd.year)} /
           date::month{static_cast<unsigned>(ymd.month.as_number())} /
           date::day{static_cast<unsigned>(ymd.day.as_number())};
}

// Throws sala::invalid_argument(field) for a date that does not exist
// (2021-02-30) and for years outside 1400-9999.
inline boost::gregorian::date to_gregorian_date(date::year_month_day d,
                                                std::string_view field = "date") {
    if (!d.ok()) throw invalid_argument(std::string(field), "no such date " + detail::ymd_text(d));
    const int y = static_cast<int>(d.year());
    if (y < detail::boost_first_year || y > detail::boost_last_year)
        throw invalid_argument(
            std::string(field),
            detail::ymd_text(d) + " is outside Boost.Date_Time's range; " + detail::range_text());
    return {static_cast<unsigned short>(y),
            static_cast<unsigned short>(static_cast<unsigned>(d.month())),
            static_cast<unsigned short>(static_cast<unsigned>(d.day()))};
}

// ---- requests -----------------------------------------------------------------------------

// `in` with its start set from a wall-clock ptime in IANA `zone` (R6, R8):
// in.start, in.zone and in.resolve are filled and checked with sala's own
// rules at once, so the host hears about them here rather than on submit:
// sala::invalid_argument("zone") for an unknown zone, "start" for a special
// value or a sub-minute part, sala::nonexistent_local_time (DST gap) and
// sala::ambiguous_local_time (DST overlap) unless `resolve` says which time is
// meant; `resolve` is kept in the request, so platform::submit reads the start
// the same way.
inline request_input with_start(request_input in, const boost::posix_time::ptime& wall_start,
                                std::string zone, std::optional<choose> resolve = std::nullopt,
                                sub_minute how = sub_minute::refuse) {
    in.start = to_local_minutes(wall_start, how, "start");
    in.zone = std::move(zone);
    in.resolve = resolve;
    (void)(resolve ? sala::to_instant(in.start, in.zone, *resolve)
                   : sala::to_instant(in.start, in.zone));
    return in;
}

}  // namespace sala::interop
