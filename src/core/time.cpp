#include "sala/time.hpp"

#include <date/tz.h>

#include "core/zone.hpp"
#include "sala/error.hpp"

namespace sala {

namespace {

detail::zone_view zone_or_throw(std::string_view zone) { return detail::zone_view::find(zone); }

date::year_month_day checked_date(int year, unsigned month, unsigned day) {
    const date::year_month_day ymd{date::year{year}, date::month{month}, date::day{day}};
    if (!ymd.ok())
        throw invalid_argument("start", "no such date " + std::to_string(year) + "-" +
                                            std::to_string(month) + "-" + std::to_string(day));
    return ymd;
}

void check_clock(unsigned hour, unsigned minute) {
    if (hour > 23 || minute > 59)
        throw invalid_argument(
            "start", "no such time of day " + std::to_string(hour) + ":" + std::to_string(minute));
}

}  // namespace

local_minutes make_local(int year, unsigned month, unsigned day, unsigned hour, unsigned minute) {
    const auto ymd = checked_date(year, month, day);
    check_clock(hour, minute);
    return local_minutes{date::local_days{ymd}} + std::chrono::hours{hour} + minutes{minute};
}

instant make_utc(int year, unsigned month, unsigned day, unsigned hour, unsigned minute) {
    const auto ymd = checked_date(year, month, day);
    check_clock(hour, minute);
    return instant{date::sys_days{ymd}} + std::chrono::hours{hour} + minutes{minute};
}

void check_zone(std::string_view zone) { (void)zone_or_throw(zone); }

instant to_instant(local_minutes local, std::string_view zone) {
    const auto info = zone_or_throw(zone).get_info(date::local_seconds{local});
    switch (info.result) {
        case date::local_info::unique:
            return std::chrono::time_point_cast<minutes>(instant{
                local.time_since_epoch() - std::chrono::duration_cast<minutes>(info.first.offset)});
        case date::local_info::nonexistent:
            throw nonexistent_local_time(format_local(local) + " does not exist in " +
                                         std::string(zone) +
                                         " (clocks jump forward); pass choose::earliest or "
                                         "choose::latest to take the transition instant");
        default:
            throw ambiguous_local_time(format_local(local) + " happens twice in " +
                                       std::string(zone) +
                                       " (clocks go back); pass choose::earliest or "
                                       "choose::latest to pick one");
    }
}

instant to_instant(local_minutes local, std::string_view zone, choose how) {
    const auto c = how == choose::earliest ? date::choose::earliest : date::choose::latest;
    return std::chrono::time_point_cast<minutes>(
        zone_or_throw(zone).to_sys(date::local_seconds{local}, c));
}

local_minutes to_local(instant t, std::string_view zone) {
    const auto info = zone_or_throw(zone).get_info(date::sys_seconds{t});
    return std::chrono::time_point_cast<minutes>(local_minutes{t.time_since_epoch()} +
                                                 std::chrono::duration_cast<minutes>(info.offset));
}

std::string format_local(local_minutes t) { return date::format("%Y-%m-%d %H:%M", t); }

std::string format(instant t, std::string_view zone) { return format_local(to_local(t, zone)); }

std::string format_utc(instant t) { return date::format("%Y-%m-%d %H:%M", t); }

std::string format_iso_utc(instant t) { return date::format("%Y-%m-%dT%H:%M:00Z", t); }

std::string zone_abbreviation(instant t, std::string_view zone) {
    return zone_or_throw(zone).get_info(date::sys_seconds{t}).abbrev;
}

}  // namespace sala
