#pragma once
// The booked week, lived through the lifecycle on a simulated clock (R12-R16,
// R19, R20): prints a timeline in each event's zone and leaves the attendance
// reports (and downloaded recordings) in `out_dir`. E-mails go to `mail`: pass
// sala::outbox_mailer(out_dir + "/mail") to get them as .eml files.

#include <cstddef>
#include <functional>
#include <optional>
#include <ostream>
#include <string>
#include <vector>

#include <sala/interval.hpp>
#include <sala/lifecycle/lifecycle.hpp>
#include <sala/platform.hpp>
#include <sala/ports/clock.hpp>
#include <sala/ports/conferencing.hpp>
#include <sala/ports/mailer.hpp>

namespace demo {

struct demo_week_options {
    sala::language language = sala::language::es;
    sala::mail_address from{"Symposium", "no-reply@symposium.events"};
    sala::mail_address admin{"Symposium admin", "admin@symposium.events"};
    std::string platform_name = "Symposium";
    // Zone for lines that belong to no event (room settings, admin notices).
    std::string zone = "Europe/Madrid";
    // The host is down over this interval: no ticks; the next tick catches up (R16).
    std::optional<sala::interval> outage;
    // Keep simulating this long after the last blocked interval ends (recordings, R19).
    sala::minutes tail{7 * 60};
    // Registered attendees of a request's event (R12 join links). Default: two
    // example addresses per event; set to nullptr for none.
    std::function<std::vector<sala::mail_address>(const sala::request&)> attendees =
        example_attendees;
    // Called before each tick with its instant: script admin actions mid-week
    // (reassign, cancel, assign from the queue) to see what the lifecycle does.
    std::function<void(sala::instant)> before_tick;

    static std::vector<sala::mail_address> example_attendees(const sala::request& rq) {
        return {{"Asistente 1", "asistente1+" + rq.event_id + "@example.org"},
                {"Asistente 2", "asistente2+" + rq.event_id + "@example.org"}};
    }
};

struct demo_week_result {
    std::size_t ticks = 0;
    std::size_t steps_done = 0;
    std::size_t steps_failed = 0;
    std::size_t mails = 0;
    std::size_t reports = 0;
    std::string reports_dir;
    std::string recordings_dir;
    sala::lifecycle_state state;
};

// Runs from clock.now() until every booked webinar is over (+ tail), ticking
// only when the lifecycle says a step is due (lifecycle::next_due), and
// sets `clock` as it goes. Throws what the lifecycle's constructor throws.
demo_week_result run_demo_week(sala::platform& p, sala::conferencing& c, sala::mailer& m,
                               sala::manual_clock& clock, const std::string& out_dir,
                               std::ostream& out, const demo_week_options& o = {});

}  // namespace demo
