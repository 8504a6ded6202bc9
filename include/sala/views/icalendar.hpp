#pragma once
// R17: iCalendar (RFC 5545) feeds of the booked webinars, per room and for the
// whole platform, for the calendar apps people already use.
//
// One VEVENT per webinar: UID "request-<id>@<domain>" (stable across exports),
// DTSTART/DTEND = the webinar itself (not the margins) with TZID and a
// VTIMEZONE built from the tz database for the years covered (or UTC on
// request), the room as LOCATION, the blocked interval (R7) in DESCRIPTION,
// STATUS TENTATIVE while unassigned. TEXT values escape \ ; , and newlines;
// lines are folded at 75 octets without splitting a UTF-8 sequence; CRLF ends.

#include <string>
#include <string_view>

#include "sala/platform.hpp"

namespace sala {

struct ical_options {
    // Right-hand side of every UID: the platform's domain.
    std::string domain = "sala.invalid";
    // X-WR-CALNAME, shown by most calendar apps.
    std::string calendar_name = "sala webinars";
    // Write DTSTART/DTEND in UTC ("...Z") instead of TZID + VTIMEZONE.
    bool utc = false;
    // Extra text appended to each DESCRIPTION (may contain newlines).
    std::string note{};
};

// The webinars of room r (R17 per-room view).
std::string ical_room(const platform& p, room_id r, const ical_options& o = {});
// Every webinar the platform knows, queued ones as TENTATIVE.
std::string ical_platform(const platform& p, const ical_options& o = {});
// The given entries (from platform::calendar or room_webinars).
std::string ical_entries(const platform& p, const std::vector<calendar_entry>& entries,
                         const ical_options& o = {});

// True when t's wall-clock time in `zone` happens twice (DST overlap); such a
// DTSTART/DTEND is written in UTC, since readers disagree on which one a TZID
// time means.
bool ical_needs_utc(instant t, std::string_view zone);

// RFC 5545 §3.3.11 TEXT escaping: \ ; , and newline (CR is dropped).
std::string ical_escape_text(std::string_view text);
// One content line folded at 75 octets (continuations start with a space),
// never inside a UTF-8 sequence; every physical line ends in CRLF.
std::string ical_fold(std::string_view line);
// A VTIMEZONE for `zone` with one STANDARD/DAYLIGHT observance per offset change
// from the start of `from_year` to the end of `to_year` (no RRULEs: each
// transition is written out, so it matches the tz database exactly).
std::string ical_vtimezone(std::string_view zone, int from_year, int to_year);

}  // namespace sala
