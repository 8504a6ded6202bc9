// See demo_week.hpp.
#include "demo_week.hpp"

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <map>

#include <sala/time.hpp>

namespace demo {

namespace {

std::string weekday_time(sala::instant t, const std::string& zone) {
    static const char* names[] = {"Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"};
    const auto local = sala::to_local(t, zone);
    const date::weekday wd{std::chrono::floor<date::days>(local)};
    return std::string(names[wd.c_encoding()]) + " " + sala::format_local(local) + " " +
           sala::zone_abbreviation(t, zone);
}

std::string what(const sala::step_event& e) {
    switch (e.step) {
        case sala::step_kind::apply_room_settings: return "room settings applied (R20)";
        case sala::step_kind::notify_unassigned: return "organizer told: no room free (R10)";
        case sala::step_kind::create_webinar: return "webinar created on the backend";
        case sala::step_kind::delete_replaced: return "old room's webinar deleted (R11)";
        case sala::step_kind::mail_reassigned: return "organizer told to re-invite panelists (R11)";
        case sala::step_kind::set_password: return "fresh room password set (R12)";
        case sala::step_kind::mail_credentials: return "credentials mailed to the organizer (R12)";
        case sala::step_kind::mail_join_links: return "join links mailed (R12)";
        case sala::step_kind::mail_end_warning: return "end warning mailed (R14)";
        case sala::step_kind::end_webinar: return "webinar ended by the platform (R15)";
        case sala::step_kind::rotate_password:
            return "room password rotated: the old one expired (R15)";
        case sala::step_kind::fetch_report: return "attendance report fetched (R15)";
        case sala::step_kind::mail_report:
            return "report ready mailed to organizer and admin (R15)";
        case sala::step_kind::room_free: return "room free again (post-processing over)";
        case sala::step_kind::fetch_recordings: return "recordings listed (R19)";
        case sala::step_kind::recording_stuck: return "recording stuck: admin told (R19)";
        case sala::step_kind::download_recordings: return "recordings downloaded (R19)";
        case sala::step_kind::trash_recordings: return "recordings moved to trash (R19)";
        case sala::step_kind::delete_cancelled: return "cancelled webinar deleted";
        case sala::step_kind::admin_mail: return "admin notice mailed";
    }
    return sala::to_string(e.step);
}

}  // namespace

demo_week_result run_demo_week(sala::platform& p, sala::conferencing& c, sala::mailer& m,
                               sala::manual_clock& clock, const std::string& out_dir,
                               std::ostream& out, const demo_week_options& o) {
    namespace fs = std::filesystem;
    demo_week_result res;
    res.reports_dir = (fs::path(out_dir) / "reports").string();
    res.recordings_dir = (fs::path(out_dir) / "recordings").string();
    fs::create_directories(res.reports_dir);
    fs::create_directories(res.recordings_dir);

    sala::lifecycle_options lo;
    lo.language = o.language;
    lo.from = o.from;
    lo.admin = o.admin;
    lo.platform_name = o.platform_name;
    lo.reports_dir = res.reports_dir;
    lo.recordings_dir = res.recordings_dir;
    lo.attendees = o.attendees;
    sala::lifecycle life(p, c, m, lo);

    std::ofstream mail_log(fs::path(out_dir) / "mail-log.txt", std::ios::trunc);
    life.on_effect([&](const sala::effect& e) {
        if (e.kind != "mail") return;
        ++res.mails;
        mail_log << e.idempotency_key << " " << e.payload << "\n";
    });
    life.on_step([&](const sala::step_event& e) {
        if (e.outcome == sala::step_outcome::waiting) return;  // recording polls: not news
        const std::string zone = e.zone.empty() ? o.zone : e.zone;
        out << "  " << weekday_time(e.at, zone);
        const bool polled = e.step == sala::step_kind::fetch_recordings ||
                            e.step == sala::step_kind::download_recordings ||
                            e.step == sala::step_kind::trash_recordings;
        if (!polled && e.at > e.due && e.due != sala::instant{} && e.at - e.due >= sala::minutes{2})
            out << "  (late: due " << sala::format(e.due, zone).substr(11) << ")";
        out << "  ";
        if (!e.title.empty()) out << "\"" << e.title << "\": ";
        if (e.outcome == sala::step_outcome::failed) {
            ++res.steps_failed;
            out << sala::to_string(e.step) << " FAILED: " << e.detail << "\n";
            return;
        }
        ++res.steps_done;
        out << what(e);
        if (!e.detail.empty()) out << " - " << e.detail;
        out << "\n";
    });

    sala::instant last = clock.now();
    for (const auto& r : p.reservations()) last = std::max(last, r.blocked.end());
    for (const auto& rq : p.queue()) last = std::max(last, rq.window.blocked.end());
    const sala::instant until = last + o.tail;
    bool announced_outage = false;
    for (;;) {
        const auto due = life.next_due();
        if (!due) break;
        sala::instant t = std::max(*due, clock.now());
        if (o.outage && o.outage->contains(t)) {
            if (!announced_outage) {
                out << "  " << weekday_time(o.outage->begin(), o.zone) << "  -- host down until "
                    << weekday_time(o.outage->end(), o.zone) << " --\n";
                announced_outage = true;
            }
            t = o.outage->end();
        }
        if (t > until) break;
        clock.set(t);
        if (o.before_tick) o.before_tick(t);
        // Every step due at t is tried once per tick; if nothing ran, move on a minute.
        if (life.tick(t) == 0) clock.set(t + sala::minutes{1});
        ++res.ticks;
    }
    clock.set(std::max(clock.now(), until));

    for (const auto& [id, r] : life.state().webinars) {
        (void)r;
        if (life.report_of(id)) ++res.reports;
    }
    const auto problems = life.problems();
    out << "\n  " << res.ticks << " ticks, " << res.steps_done << " steps done, "
        << res.steps_failed << " failed attempts (retried), " << res.mails << " e-mails, "
        << res.reports << " attendance reports.\n";
    for (const auto& pr : problems)
        out << "  open problem: " << (pr.title.empty() ? "-" : pr.title) << ": "
            << sala::to_string(pr.step) << " " << pr.last_error << "\n";
    out << "  Attendance reports: " << res.reports_dir << "\n  Recordings: " << res.recordings_dir
        << "\n  Mail log: " << (fs::path(out_dir) / "mail-log.txt").string() << "\n";
    res.state = life.state();
    return res;
}

}  // namespace demo
