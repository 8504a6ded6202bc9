#include "sala/views/icalendar.hpp"

#include <algorithm>
#include <map>
#include <sstream>

#include <date/tz.h>

#include "core/zone.hpp"
#include "sala/error.hpp"

namespace sala {

namespace {

std::string stamp_utc(instant t) { return date::format("%Y%m%dT%H%M00Z", t); }
std::string stamp_local(local_minutes t) { return date::format("%Y%m%dT%H%M00", t); }

std::string offset_text(std::chrono::seconds off) {
    const char sign = off < std::chrono::seconds{0} ? '-' : '+';
    long s = std::abs(off.count());
    char buf[64];
    if (s % 60)
        std::snprintf(buf, sizeof buf, "%c%02ld%02ld%02ld", sign, s / 3600, (s / 60) % 60, s % 60);
    else
        std::snprintf(buf, sizeof buf, "%c%02ld%02ld", sign, s / 3600, (s / 60) % 60);
    return buf;
}

// A parameter value (CN=...): DQUOTE is not allowed inside, so drop it and
// quote the value when it holds ; : or , (RFC 5545 §3.2).
std::string param_value(std::string_view v) {
    std::string out;
    bool quote = false;
    for (const char c : v) {
        if (c == '"' || static_cast<unsigned char>(c) < 0x20) continue;
        if (c == ';' || c == ':' || c == ',') quote = true;
        out += c;
    }
    return quote ? "\"" + out + "\"" : out;
}

struct writer {
    std::string text;
    void line(std::string_view l) { text += ical_fold(l); }
    void prop(std::string_view name, std::string_view escaped_value) {
        std::string l(name);
        l += ':';
        l += escaped_value;
        line(l);
    }
};

int year_of(instant t, std::string_view zone) {
    return int(date::year_month_day{date::floor<date::days>(to_local(t, zone))}.year());
}

std::string room_text(const platform& p, std::optional<room_id> r) {
    if (!r) return "unassigned (waiting in the queue)";
    const room rm = p.get_room(*r);
    return to_string(*r) + " (" + rm.email + ")";
}

}  // namespace

bool ical_needs_utc(instant t, std::string_view zone) {
    const auto local = to_local(t, zone);
    return to_instant(local, zone, choose::earliest) != to_instant(local, zone, choose::latest);
}

namespace {

// NAME;TZID=zone:local, or NAME:...Z when the local time happens twice
// (DST overlap): RFC 5545 §3.3.5 reads it as the first occurrence, but
// clients differ (python-icalendar takes the second), so UTC is the one
// form every reader agrees on.
std::string zoned_prop(const std::string& name, instant t, const std::string& zone) {
    if (ical_needs_utc(t, zone)) return ical_fold(name + ":" + stamp_utc(t));
    return ical_fold(name + ";TZID=" + zone + ":" + stamp_local(to_local(t, zone)));
}

}  // namespace

std::string ical_escape_text(std::string_view text) {
    std::string out;
    out.reserve(text.size() + 8);
    for (const char c : text) {
        switch (c) {
            case '\\': out += "\\\\"; break;
            case ';': out += "\\;"; break;
            case ',': out += "\\,"; break;
            case '\n': out += "\\n"; break;
            case '\r': break;
            default: out += c;
        }
    }
    return out;
}

std::string ical_fold(std::string_view line) {
    std::string out;
    std::size_t i = 0;
    std::size_t room = 75;  // octets on this physical line, the leading space included
    while (line.size() - i > room) {
        std::size_t cut = i + room;
        // Back up to the start of a UTF-8 sequence.
        while (cut > i && (static_cast<unsigned char>(line[cut]) & 0xC0) == 0x80) --cut;
        out.append(line.substr(i, cut - i));
        out += "\r\n ";
        i = cut;
        room = 74;
    }
    out.append(line.substr(i));
    out += "\r\n";
    return out;
}

std::string ical_vtimezone(std::string_view zone, int from_year, int to_year) {
    check_zone(zone);
    if (to_year < from_year) throw invalid_argument("to_year", "is before from_year");
    const auto tz = detail::zone_view::find(zone);
    const auto range_begin = date::sys_seconds{date::sys_days{date::year{from_year} / 1 / 1}};
    const auto range_end = date::sys_seconds{date::sys_days{date::year{to_year + 1} / 1 / 1}};
    writer w;
    w.line("BEGIN:VTIMEZONE");
    w.prop("TZID", ical_escape_text(zone));
    const auto observance = [&](const date::sys_info& info, std::chrono::seconds from,
                                date::local_seconds onset) {
        const char* kind = info.save != std::chrono::minutes{0} ? "DAYLIGHT" : "STANDARD";
        w.line(std::string("BEGIN:") + kind);
        w.prop("DTSTART", date::format("%Y%m%dT%H%M%S", onset));
        w.prop("TZOFFSETFROM", offset_text(from));
        w.prop("TZOFFSETTO", offset_text(info.offset));
        w.prop("TZNAME", ical_escape_text(info.abbrev));
        w.line(std::string("END:") + kind);
    };
    auto info = tz.get_info(range_begin);
    // The observance in force when the range starts; zones without any
    // transition get a nominal 1970 onset.
    const auto far_past = date::sys_seconds{date::sys_days{date::year{1800} / 1 / 1}};
    if (info.begin > far_past) {
        const auto prev = tz.get_info(info.begin - std::chrono::seconds{1});
        observance(info, prev.offset,
                   date::local_seconds{info.begin.time_since_epoch() + prev.offset});
    } else {
        observance(info, info.offset,
                   date::local_seconds{date::local_days{date::year{1970} / 1 / 1}});
    }
    while (info.end < range_end) {
        const auto prev_offset = info.offset;
        info = tz.get_info(info.end);
        observance(info, prev_offset,
                   date::local_seconds{info.begin.time_since_epoch() + prev_offset});
    }
    w.line("END:VTIMEZONE");
    return w.text;
}

std::string ical_entries(const platform& p, const std::vector<calendar_entry>& entries,
                         const ical_options& o) {
    if (o.domain.empty() || o.domain.find_first_of(" @<>\r\n") != std::string::npos)
        throw invalid_argument("domain", "must be a host name such as symposium.events");
    writer w;
    w.line("BEGIN:VCALENDAR");
    w.line("VERSION:2.0");
    w.line("PRODID:-//sala//webinar rooms//EN");
    w.line("CALSCALE:GREGORIAN");
    w.line("METHOD:PUBLISH");
    w.prop("X-WR-CALNAME", ical_escape_text(o.calendar_name));
    if (!o.utc) {
        // One VTIMEZONE per zone used, covering the years its events touch.
        std::map<std::string, std::pair<int, int>> years;
        for (const auto& e : entries) {
            const auto& rq = e.request;
            const int a = year_of(rq.window.start, rq.zone), b = year_of(rq.window.end, rq.zone);
            auto [it, fresh] = years.emplace(rq.zone, std::pair{a, b});
            if (!fresh)
                it->second = {std::min(it->second.first, a), std::max(it->second.second, b)};
        }
        for (const auto& [zone, span] : years)
            w.text += ical_vtimezone(zone, span.first, span.second);
    }
    const std::string dtstamp = stamp_utc(p.now());
    for (const auto& e : entries) {
        const auto& rq = e.request;
        const auto& win = rq.window;
        w.line("BEGIN:VEVENT");
        w.prop("UID", "request-" + std::to_string(rq.id.value) + "@" + o.domain);
        w.prop("DTSTAMP", dtstamp);
        if (o.utc) {
            w.prop("DTSTART", stamp_utc(win.start));
            w.prop("DTEND", stamp_utc(win.end));
        } else {
            w.text += zoned_prop("DTSTART", win.start, rq.zone);
            w.text += zoned_prop("DTEND", win.end, rq.zone);
        }
        w.prop("SUMMARY", ical_escape_text(rq.title));
        w.prop("LOCATION", ical_escape_text(room_text(p, e.room)));
        std::string d;
        d += "Room: " + room_text(p, e.room) + "\n";
        d += "Room blocked: " + format(win.blocked.begin(), rq.zone) + " - " +
             format(win.blocked.end(), rq.zone) + " " + rq.zone + " (preparation " +
             std::to_string((win.start - win.blocked.begin()).count()) + " min, courtesy " +
             std::to_string((win.grace_end - win.end).count()) + " min, post-processing " +
             std::to_string((win.blocked.end() - win.grace_end).count()) + " min)\n";
        d += "Ends for good at: " + format(win.grace_end, rq.zone) + " " + rq.zone + "\n";
        d += "Event: " + rq.event_id + "\n";
        d += "Organizer: " + rq.organizer.name + " <" + rq.organizer.email + ">\n";
        d += std::string("Status: ") + to_string(e.status);
        if (!o.note.empty()) d += "\n" + o.note;
        w.prop("DESCRIPTION", ical_escape_text(d));
        w.prop("STATUS", e.room ? "CONFIRMED" : "TENTATIVE");
        w.prop("ORGANIZER;CN=" + param_value(rq.organizer.name), "mailto:" + rq.organizer.email);
        w.prop("X-SALA-BLOCKED",
               stamp_utc(win.blocked.begin()) + "/" + stamp_utc(win.blocked.end()));
        if (e.room) w.prop("X-SALA-ROOM", std::to_string(e.room->value));
        w.prop("X-SALA-EVENT", ical_escape_text(rq.event_id));
        w.line("END:VEVENT");
    }
    w.line("END:VCALENDAR");
    return w.text;
}

std::string ical_room(const platform& p, room_id r, const ical_options& o) {
    return ical_entries(p, p.room_webinars(r), o);
}

std::string ical_platform(const platform& p, const ical_options& o) {
    std::vector<calendar_entry> all;
    for (const auto& [id, rq] : p.state().requests) {
        const auto res = p.reservation_of(id);
        all.push_back({rq, res ? std::optional<room_id>{res->room} : std::nullopt, p.status(id)});
    }
    return ical_entries(p, all, o);
}

}  // namespace sala
