// A host that keeps its own times in Boost.Date_Time (ptime, time_duration,
// time_period, gregorian::date) and books, lists and reassigns through sala
// with sala/interop/boost_date_time.hpp. No hand conversion: every time that
// crosses the edge goes through sala::interop. Built and run by the tests;
// exits 1 when a result is not the expected one. See docs/interop.md.
#include <sala/interop/boost_date_time.hpp>
#include <sala/sala.hpp>

#include <cstdio>
#include <iostream>
#include <optional>
#include <string>
#include <vector>

namespace pt = boost::posix_time;
namespace greg = boost::gregorian;
namespace io = sala::interop;

namespace {

// The host's own record of an event: wall-clock start in the event's zone.
struct host_event {
    std::string title;
    pt::ptime wall_start;  // as the organizer typed it
    std::string zone;      // IANA
    pt::time_duration length;
    std::optional<sala::choose> resolve{};  // the host's answer for DST gaps/overlaps
};

// The host prints its ptimes itself (no Boost string functions needed).
std::string show(const pt::ptime& t) {
    const auto ymd = t.date().year_month_day();
    const auto tod = t.time_of_day();
    char buf[64];
    std::snprintf(buf, sizeof buf, "%04d-%02u-%02u %02d:%02d", static_cast<int>(ymd.year),
                  static_cast<unsigned>(ymd.month.as_number()),
                  static_cast<unsigned>(ymd.day.as_number()), static_cast<int>(tod.hours()),
                  static_cast<int>(tod.minutes()));
    return buf;
}

std::string show(const pt::time_period& p) {
    return "[" + show(p.begin()) + ", " + show(p.end()) + ")";
}

pt::ptime at(int y, int mo, int d, int h, int mi) {
    return {greg::date(static_cast<unsigned short>(y), static_cast<unsigned short>(mo),
                       static_cast<unsigned short>(d)),
            pt::hours(h) + pt::minutes(mi)};
}

int failures = 0;
void check(bool ok, const std::string& what) {
    if (!ok) {
        std::cout << "UNEXPECTED: " << what << "\n";
        ++failures;
    }
}

}  // namespace

int main() {
    // The host's "now" is a UTC ptime.
    const pt::ptime now = at(2021, 10, 1, 8, 0);
    auto clock = std::make_shared<sala::manual_clock>(io::to_instant(now));
    sala::platform p({}, clock);  // prep 30, courtesy 15, post 6
    const auto link =
        p.link_account("symposium", sala::pool_kind::own,
                       {{"u9", "symposiumwebinar09@symposium.events", "Webinar 100 pax"},
                        {"u10", "symposiumwebinar10@symposium.events", "Webinar 100 pax"},
                        {"u11", "symposiumwebinar11@symposium.events", "Webinar 500 pax"}});
    for (auto r : link.new_rooms) p.activate(r);
    const sala::room_id r09 = link.new_rooms[0], r10 = link.new_rooms[1], r11 = link.new_rooms[2];
    p.set_mode(r09, sala::room_mode::automatic);
    p.set_mode(r10, sala::room_mode::automatic);  // r11 stays manual: only an admin gives it out

    // ---- book ---------------------------------------------------------------------------
    // 31 Oct 2021: Madrid falls back at 03:00 CEST, so 02:30 happens twice.
    std::vector<host_event> events{
        {"Taller A", at(2021, 10, 31, 2, 30), "Europe/Madrid", pt::minutes(60)},
        {"Taller B", at(2021, 10, 31, 9, 0), "Europe/Madrid", pt::minutes(60)},
        {"Taller C", at(2021, 10, 31, 9, 30), "Europe/Madrid", pt::minutes(60)},
        {"Panel NY", at(2021, 10, 31, 9, 0), "America/New_York", pt::hours(1) + pt::minutes(30)},
        {"Taller D", at(2021, 10, 31, 9, 15), "Europe/Madrid", pt::minutes(60)},
    };
    std::vector<sala::request_id> ids;
    for (auto& ev : events) {
        sala::request_input base{.title = ev.title,
                                 .duration = io::to_minutes(ev.length),
                                 .event_id = "boost-" + std::to_string(ids.size() + 1),
                                 .organizer = {"Host", "host@example.org"}};
        sala::request_input in;
        try {
            in = io::with_start(base, ev.wall_start, ev.zone, ev.resolve);
        } catch (const sala::ambiguous_local_time& e) {
            // The host's policy for a start that happens twice: the later one.
            std::cout << ev.title << ": " << e.what() << "\n  -> taking the later one\n";
            ev.resolve = sala::choose::latest;
            in = io::with_start(base, ev.wall_start, ev.zone, ev.resolve);
        }
        const auto s = p.submit(in);
        ids.push_back(s.id);
        std::cout << ev.title << " -> "
                  << (s.assignment ? p.get_room(*s.assignment.room).email
                                   : "queue: " + s.assignment.reason)
                  << "\n";
    }
    check(p.reservation_of(ids[0])->room == r09, "Taller A in room 09");
    check(p.reservation_of(ids[1])->room == r09, "Taller B in room 09");
    check(p.reservation_of(ids[2])->room == r10, "Taller C in room 10");
    check(p.reservation_of(ids[3])->room == r09, "Panel NY in room 09");
    check(!p.reservation_of(ids[4]), "Taller D queued");

    // What the host can not hand over: refused at the edge, naming the field.
    try {
        (void)io::with_start({}, at(2021, 10, 31, 11, 0) + pt::seconds(30), "Europe/Madrid");
        check(false, "a start with seconds is refused");
    } catch (const sala::invalid_argument& e) {
        std::cout << "refused: " << e.what() << "\n";
        check(e.field() == "start", "field of the refused start");
    }

    // ---- list ---------------------------------------------------------------------------
    // The host's agenda: a Madrid calendar day given as a gregorian::date.
    const greg::date day(2021, 10, 31);
    const date::year_month_day ymd = io::to_year_month_day(day);
    const sala::interval madrid_day{
        sala::to_instant(sala::local_minutes{date::local_days{ymd}}, "Europe/Madrid",
                         sala::choose::earliest),
        sala::to_instant(sala::local_minutes{date::local_days{ymd} + date::days{1}},
                         "Europe/Madrid", sala::choose::earliest)};
    const pt::time_period agenda = io::to_time_period(madrid_day);  // 25 hours: the fall-back day
    std::cout << "\nagenda for " << show(pt::ptime(day)) << " Madrid = " << show(agenda) << " UTC, "
              << agenda.length().hours() << " h\n";
    check(agenda.length() == pt::hours(25), "the fall-back day lasts 25 hours");
    const auto list = [&] {
        for (const auto& e : p.calendar(io::to_interval(agenda))) {
            const pt::ptime wall = io::to_ptime(e.request.local_start);
            const pt::time_period blocked = io::to_time_period(e.blocked());
            std::cout << "  " << e.request.title << "  " << show(wall) << " " << e.request.zone
                      << "  blocked " << show(blocked) << " UTC  "
                      << (e.room ? p.get_room(*e.room).email : std::string("(queue)")) << "\n";
        }
    };
    list();
    // Taller A at the second 02:30 (CET, UTC+1): 01:30 UTC; blocked 01:00 .. 02:51, end exclusive.
    const pt::time_period a = io::to_time_period(p.get_request(ids[0]).window.blocked);
    check(a.begin() == at(2021, 10, 31, 1, 0) && a.end() == at(2021, 10, 31, 2, 51),
          "Taller A blocked");
    // The NY panel: 09:00 EDT (UTC-4) = 13:00 UTC, 90 minutes.
    const auto ny = p.get_request(ids[3]).window;
    check(io::to_ptime(ny.start) == at(2021, 10, 31, 13, 0), "Panel NY starts 13:00 UTC");
    check(io::to_time_duration(ny.end - ny.start) == pt::minutes(90), "Panel NY lasts 90 minutes");

    // ---- reassign -----------------------------------------------------------------------
    // The admin moves Taller C to the manual room 11, and Taller D takes room 10.
    const auto moved = p.reassign(ids[2], r11);
    check(static_cast<bool>(moved), "Taller C reassigned to room 11");
    const auto retried = p.retry_queue();
    std::cout << "\nafter moving Taller C to " << p.get_room(r11).email << " (" << retried
              << " from the queue):\n";
    list();
    check(retried == 1, "one request left the queue");
    check(p.reservation_of(ids[2])->room == r11, "Taller C in room 11");
    check(p.reservation_of(ids[4])->room == r10, "Taller D in room 10");
    // Room 10's webinars, as the host's time_periods.
    const auto in_r10 = p.room_webinars(r10);
    check(in_r10.size() == 1 && in_r10[0].request.title == "Taller D" &&
              io::to_time_period(in_r10[0].blocked()) ==
                  pt::time_period(at(2021, 10, 31, 7, 45), at(2021, 10, 31, 9, 36)),
          "room 10 holds only Taller D, blocked 07:45 .. 09:36 UTC");

    std::cout << (failures == 0 ? "ok\n" : "FAILED\n");
    return failures == 0 ? 0 : 1;
}
