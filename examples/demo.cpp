// The main example (./scripts/demo): a platform like the seed's Symposium with
// four rooms, a week of webinar requests in Europe/Madrid with conflicts, the
// unassigned queue, and what an admin's manual assignment and reassignment do.
#include <sala/sala.hpp>

#include <sala/adapters/outbox_mailer.hpp>
#include <sala/adapters/sqlite_store.hpp>
#include <sala/durable/durable_platform.hpp>
#include <sala/fakes/fake_conferencing.hpp>

#include <cstring>
#include <filesystem>
#include <iostream>

#include "demo_calendar.hpp"
#include "demo_week.hpp"
#include "table.hpp"

namespace {

using namespace std::chrono_literals;
const std::string madrid = "Europe/Madrid";

std::string hm(sala::instant t) { return sala::format(t, madrid).substr(11); }
std::string day(sala::local_minutes t) {
    static const char* names[] = {"Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"};
    const date::weekday wd{std::chrono::floor<date::days>(t)};
    return std::string(names[wd.c_encoding()]) + " " + sala::format_local(t).substr(0, 10);
}

std::string room_name(const sala::platform& p, std::optional<sala::room_id> r) {
    if (!r) return "(queue)";
    const auto rm = p.get_room(*r);
    return rm.email.substr(0, rm.email.find('@'));
}

sala::request_input webinar(const char* title, unsigned d, unsigned h, unsigned m, int minutes,
                            const char* event, const char* organizer, const char* email) {
    sala::request_input in;
    in.title = title;
    in.start = sala::make_local(2021, 5, d, h, m);
    in.zone = madrid;
    in.duration = sala::minutes{minutes};
    in.event_id = event;
    in.organizer = {organizer, email};
    return in;
}

void heading(const std::string& s) { std::cout << "\n== " << s << " ==\n"; }

void print_rooms(const sala::platform& p) {
    demo::table t({"#", "room", "name", "capacity", "state", "mode", "webinars"});
    for (const auto& r : p.rooms())
        t.add({std::to_string(r.id.value), r.email, r.display_name, std::to_string(r.capacity),
               r.active ? "active" : "inactive", r.active ? to_string(r.mode) : "-",
               std::to_string(p.room_webinars(r.id).size())});
    t.print(std::cout);
}

void print_schedule(const sala::platform& p) {
    demo::table t({"day", "start", "min", "title", "event", "room", "blocked (Madrid)"});
    const auto week = sala::interval{sala::to_instant(sala::make_local(2021, 5, 10), madrid),
                                     sala::to_instant(sala::make_local(2021, 5, 17), madrid)};
    for (const auto& e : p.calendar(week))
        t.add({day(e.request.local_start), sala::format_local(e.request.local_start).substr(11),
               std::to_string(e.request.duration.count()), e.request.title, e.request.event_id,
               room_name(p, e.room), hm(e.blocked().begin()) + "-" + hm(e.blocked().end())});
    t.print(std::cout);
}

void print_queue(const sala::platform& p) {
    if (p.queue().empty()) {
        std::cout << "  (empty)\n";
        return;
    }
    demo::table t({"id", "title", "start (Madrid)", "blocked", "grace ends", "organizer"});
    for (const auto& rq : p.queue())
        t.add({std::to_string(rq.id.value), rq.title, sala::format_local(rq.local_start),
               hm(rq.window.blocked.begin()) + "-" + hm(rq.window.blocked.end()),
               hm(rq.window.grace_end), rq.organizer.email});
    t.print(std::cout);
}

}  // namespace

int main(int argc, char** argv) {
    std::string state = "sala-demo.db", out = "sala-demo-out";
    bool fresh = false;
    for (int i = 1; i < argc; ++i) {
        if (!std::strcmp(argv[i], "--help") || !std::strcmp(argv[i], "-h")) {
            std::cout
                << "usage: sala_demo [--state FILE|none] [--fresh] [--out DIR]\n"
                   "Runs a seed-like platform through a week of webinar requests.\n"
                   "  --state FILE  SQLite file holding the platform (default sala-demo.db);\n"
                   "                a second run shows the state carried over. 'none': memory "
                   "only.\n"
                   "  --fresh       delete the state file first\n"
                   "  --out DIR     where e-mails (.eml), reports and calendar pages go\n";
            return 0;
        }
        if (!std::strcmp(argv[i], "--state") && i + 1 < argc)
            state = argv[++i];
        else if (!std::strcmp(argv[i], "--out") && i + 1 < argc)
            out = argv[++i];
        else if (!std::strcmp(argv[i], "--fresh"))
            fresh = true;
        else {
            std::cerr << "sala_demo: unknown argument '" << argv[i] << "' (try --help)\n";
            return 2;
        }
    }
    try {
        // Monday 3 May 2021, 09:00 in Madrid: organizers book the week of 10 May.
        auto clock = std::make_shared<sala::manual_clock>(
            sala::to_instant(sala::make_local(2021, 5, 3, 9, 0), madrid));
        sala::settings settings;  // preparation 30, courtesy 15, post-processing 6 (seed 000)
        if (fresh && state != "none")
            for (const char* sfx : {"", "-wal", "-shm"}) std::filesystem::remove(state + sfx);
        sala::durable_platform p(sala::sqlite_store::open(state == "none" ? ":memory:" : state),
                                 clock, settings);
        const sala::platform& v = p.view();
        if (state != "none")
            std::cout << "State: " << std::filesystem::absolute(state).string()
                      << (v.rooms().empty() ? " (new)\n"
                                            : " (carried over; --fresh starts clean)\n");
        if (!v.rooms().empty()) {
            // A second run: show what the file kept (R17), then the calendar files.
            heading("Rooms kept in the state file");
            print_rooms(v);
            heading("Webinars kept in the state file");
            print_schedule(v);
            heading("Unassigned queue");
            print_queue(v);
            const auto files =
                sala_demo::write_calendar_pages(v, out + "/calendar", date::year{2021} / 5 / 13,
                                                madrid, "Symposium", "symposium.events");
            std::cout << "\n  month page: " << files.month.string()
                      << "\n  week page:  " << files.week.string()
                      << "\n  calendar:   " << files.ics.string() << "\n";
            return 0;
        }

        heading("Link the institution's Zoom account (R1, R2)");
        const std::vector<sala::account_user> users = {
            {"owner", "admin@symposium.events", "Symposium admin", true, true, 100},
            {"u09", "symposiumwebinar09@symposium.events", "Webinar 100 pax", false, true, 100},
            {"u10", "symposiumwebinar10@symposium.events", "Webinar 100 pax", false, true, 100},
            {"u11", "symposiumwebinar11@symposium.events", "Webinar 100 pax", false, true, 100},
            {"u12", "symposiumwebinar12@symposium.events", "Webinar 500 pax", false, true, 500}};
        const auto link = p.link_account("symposium", sala::pool_kind::own, users);
        std::cout << "  " << link.new_rooms.size() << " candidate rooms, all inactive.\n";
        for (const auto& u : link.wasted_licences)
            std::cout << "  Wasted licence: the owner " << u.email
                      << " holds a webinar licence but is never a room (R1).\n";
        const sala::room_id r09{1}, r10{2}, r11{3};
        for (auto r : {r09, r10, r11}) p.activate(r);  // R2: active rooms start manual
        p.set_mode(r09, sala::room_mode::automatic);   // R3
        p.set_mode(r10, sala::room_mode::automatic);
        print_rooms(v);

        heading("Organizers request the week of 10 May 2021 (Europe/Madrid)");
        const char* ana = "ana@uni.example";
        const char* luis = "luis@uni.example";
        const std::vector<sala::request_input> week = {
            webinar("Apertura del congreso", 10, 9, 0, 60, "2086", "Ana", ana),
            webinar("webinar sesión turno de tarde", 12, 15, 5, 50, "2086", "Ana", ana),
            webinar("Taller 1 Workshop", 12, 15, 30, 90, "2086", "Luis", luis),
            webinar("International conference room A", 12, 15, 45, 60, "2090", "Luis", luis),
            webinar("webinar sesión turno de mañana", 13, 9, 0, 50, "2086", "Ana", ana),
            webinar("Foro de debate sobre el cambio climático", 13, 13, 10, 50, "2086", "Ana", ana),
            webinar("Herramientas en el entorno digital", 13, 12, 30, 45, "2086", "Luis", luis),
            webinar("Webinar turno mañanas", 14, 9, 0, 240, "2090", "Soporte",
                    "support@symposium.events"),
            webinar("Mesa redonda <b>final</b> & clausura", 14, 11, 0, 120, "2090", "Luis", luis),
            webinar("Sesión de clausura", 14, 12, 0, 60, "2090", "Ana", ana),
        };
        std::vector<sala::request_id> ids;
        demo::table booked({"request", "start (Madrid)", "min", "outcome"});
        for (const auto& in : week) {
            const auto s = p.submit(in);
            ids.push_back(s.id);
            booked.add({in.title, sala::format_local(in.start), std::to_string(in.duration.count()),
                        s.assignment ? "-> " + room_name(v, s.assignment.room)
                                     : "queued: no automatic room free"});
        }
        booked.print(std::cout);

        heading("What went where (first-fit over automatic rooms 09, 10; R9)");
        print_schedule(v);
        heading("Unassigned queue, as the admin sees it (R10)");
        print_queue(v);

        heading("Admin: automatic retry, then manual assignment (R10)");
        const auto waiting = v.queue();
        for (const auto& rq : waiting) {
            const auto retry = p.retry(rq.id);
            std::cout << "  retry '" << rq.title
                      << "': " << (retry ? "assigned to " + room_name(v, retry.room) : retry.reason)
                      << "\n";
        }
        for (const auto& rq : v.queue()) {
            // Try the busy automatic room first, to show the clear refusal.
            const auto busy = p.assign(rq.id, r09);
            std::cout << "  assign '" << rq.title
                      << "' to 09: " << (busy ? std::string("done") : busy.reason) << "\n";
            if (busy) continue;
            const auto manual = p.assign(rq.id, r11);
            std::cout << "  assign '" << rq.title
                      << "' to 11 (manual room): " << (manual ? std::string("done") : manual.reason)
                      << "\n";
        }
        std::cout << "  queue now holds " << v.queue().size() << " request(s).\n";
        if (!v.queue().empty()) print_queue(v);

        heading("Admin: reassignment (R11)");
        const auto foro = ids[5];  // 'Foro de debate ...', in room 09
        const sala::room_id r12{4};
        try {
            p.reassign(foro, r12);
        } catch (const sala::rule_violation& e) {
            std::cout << "  move to 12 refused: " << e.what() << "\n";
        }
        p.activate(r12);  // a manual room: only an admin can give it out
        const auto from = v.reservation_of(foro)->room;
        const auto moved = p.reassign(foro, r12);
        std::cout << "  move '" << v.get_request(foro).title << "' from " << room_name(v, from)
                  << " to " << room_name(v, moved.room) << ": "
                  << (moved ? "done. On Zoom this deletes the webinar and creates it again: "
                              "the old join and panelist links stop working, the organizer "
                              "must re-invite panelists."
                            : moved.reason)
                  << "\n";
        const auto clash = p.reassign(ids[9], r09);
        std::cout << "  move 'Sesión de clausura' to 09: " << (clash ? "done" : clash.reason)
                  << "\n";

        heading("Rules that protect booked rooms (R3, R4)");
        for (auto attempt : {+[](sala::durable_platform& q) {
                                 q.set_mode(sala::room_id{1}, sala::room_mode::manual);
                             },
                             +[](sala::durable_platform& q) { q.deactivate(sala::room_id{2}); }}) {
            try {
                attempt(p);
                std::cout << "  allowed\n";
            } catch (const sala::rule_violation& e) {
                std::cout << "  refused: " << e.what() << "\n";
            }
        }

        heading("Final schedule per room (R17)");
        for (const auto& r : v.rooms()) {
            const auto list = v.room_webinars(r.id);
            if (list.empty()) continue;
            std::cout << "  " << r.email << "\n";
            demo::table t({"start", "title", "event", "blocked"});
            for (const auto& e : list)
                t.add({sala::format_local(e.request.local_start) + " " + e.request.zone,
                       e.request.title, e.request.event_id,
                       sala::format(e.blocked().begin(), madrid) + " - " + hm(e.blocked().end())});
            t.print(std::cout, "    ");
        }
        const auto week_window =
            sala::interval{sala::to_instant(sala::make_local(2021, 5, 10), madrid),
                           sala::to_instant(sala::make_local(2021, 5, 17), madrid)};
        std::cout << "\n  Peak concurrency this week: " << v.peak_concurrency(week_window)
                  << " rooms blocked at once (R18: that many licensed hosts needed).\n";

        heading("The week on a simulated clock: the life of each webinar (R12-R16, R19)");
        std::filesystem::create_directories(out);
        sala::fake_conferencing zoom(users, clock);
        sala::outbox_mailer mail(out + "/mail");
        demo::demo_week_options o;
        // The host is down Thursday 10:00-14:00: the next tick catches up, nothing twice (R16).
        o.outage = sala::interval{sala::to_instant(sala::make_local(2021, 5, 13, 10, 0), madrid),
                                  sala::to_instant(sala::make_local(2021, 5, 13, 14, 0), madrid)};
        const auto week_result =
            demo::run_demo_week(p.inner(), zoom, mail, *clock, out, std::cout, o);

        heading("Files");
        const auto files =
            sala_demo::write_calendar_pages(v, out + "/calendar", date::year{2021} / 5 / 13, madrid,
                                            "Symposium", "symposium.events");
        std::cout << "  e-mails (.eml):      " << std::filesystem::absolute(out + "/mail").string()
                  << "\n"
                  << "  attendance reports:  " << week_result.reports_dir << "\n"
                  << "  month page:          " << files.month.string() << "\n"
                  << "  week page:           " << files.week.string() << "\n"
                  << "  calendar (.ics):     " << files.ics.string() << "\n";
        return 0;
    } catch (const sala::error& e) {
        std::cerr << "sala_demo: " << e.what() << "\n";
        return 1;
    }
}
