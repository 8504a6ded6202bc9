#pragma once
// Time in sala: UTC instants inside, local time + IANA zone at the edges.
// Everything is minute-precise: the domain (durations, margins, settings) is in minutes.

#include <chrono>
#include <string>
#include <string_view>

#include <date/date.h>

#include "sala/enum_names.hpp"

namespace sala {

using minutes = std::chrono::minutes;
// A UTC instant, minute precision.
using instant = std::chrono::time_point<std::chrono::system_clock, minutes>;
// A wall-clock time in some zone, not yet tied to an instant.
using local_minutes = date::local_time<minutes>;

// Which instant a local time means when it is ambiguous (DST overlap) or
// nonexistent (DST gap), as date::choose does. For a nonexistent time both
// choices give the instant of the transition.
enum class choose { earliest, latest };
template <>
struct enum_names<choose> {
    static constexpr enum_table<choose, 2> entries{
        {SALA_ENUM_NAME(choose, earliest), SALA_ENUM_NAME(choose, latest)}};
};

// Builds a wall-clock time; throws sala::invalid_argument("start") for a date
// that does not exist (2021-02-30) or a time outside 00:00-23:59.
local_minutes make_local(int year, unsigned month, unsigned day, unsigned hour = 0,
                         unsigned minute = 0);

// Builds a UTC instant from calendar fields (same validation as make_local).
instant make_utc(int year, unsigned month, unsigned day, unsigned hour = 0, unsigned minute = 0);

// Checks that `zone` names an IANA zone ("Europe/Madrid"); throws
// sala::invalid_argument("zone") otherwise.
void check_zone(std::string_view zone);

// Local time in `zone` -> UTC instant. Throws sala::nonexistent_local_time in a
// DST gap and sala::ambiguous_local_time in a DST overlap.
instant to_instant(local_minutes local, std::string_view zone);
// Same, resolving gaps and overlaps with `how`.
instant to_instant(local_minutes local, std::string_view zone, choose how);

// UTC instant -> wall-clock time in `zone`.
local_minutes to_local(instant t, std::string_view zone);

// "2021-05-12 15:05" (wall clock in `zone`, or UTC without a zone).
std::string format_local(local_minutes t);
std::string format(instant t, std::string_view zone);
std::string format_utc(instant t);
// ISO 8601 UTC, "2021-05-12T13:05:00Z".
std::string format_iso_utc(instant t);

// The abbreviation in force at `t` in `zone` ("CEST").
std::string zone_abbreviation(instant t, std::string_view zone);

}  // namespace sala
