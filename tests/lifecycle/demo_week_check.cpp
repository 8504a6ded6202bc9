// Runs examples/demo_week on a seed-like week with the fake Zoom backend (and the
// outbox mailer when it is built) and checks what it leaves behind: one report
// per webinar, every e-mail once, a caught-up outage (R12-R16, R19).
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <set>
#include <sstream>

#include <sala/fakes/fake_conferencing.hpp>
#include <sala/fakes/fake_mailer.hpp>
#include <sala/platform.hpp>

#include "demo_week.hpp"
#ifdef SALA_HAVE_OUTBOX
#include <sala/adapters/outbox_mailer.hpp>
#endif

namespace {

int failures = 0;
void check(bool ok, const std::string& what) {
    if (!ok) {
        std::cerr << "FAILED: " << what << "\n";
        ++failures;
    }
}

sala::request_input webinar(const char* title, unsigned d, unsigned h, unsigned mi, int minutes) {
    sala::request_input in;
    in.title = title;
    in.start = sala::make_local(2021, 5, d, h, mi);
    in.zone = "Europe/Madrid";
    in.duration = sala::minutes{minutes};
    in.event_id = "2086";
    in.organizer = {"Soporte Técnico", "support@symposium.events"};
    return in;
}

}  // namespace

int main(int argc, char** argv) {
    namespace fs = std::filesystem;
    const fs::path dir =
        argc > 1 ? fs::path(argv[1]) : fs::temp_directory_path() / "sala-demo-week-check";
    fs::remove_all(dir);
    auto clock = std::make_shared<sala::manual_clock>(
        sala::to_instant(sala::make_local(2021, 5, 3, 9, 0), "Europe/Madrid"));
    const std::vector<sala::account_user> users = {
        {"owner", "admin@symposium.events", "Symposium admin", true, true, 100},
        {"u09", "symposiumwebinar09@symposium.events", "Webinar 100 pax", false, true, 100},
        {"u10", "symposiumwebinar10@symposium.events", "Webinar 100 pax", false, true, 100},
    };
    sala::platform p({}, clock);
    p.link_account("symposium", sala::pool_kind::own, users);
    for (auto r : {sala::room_id{1}, sala::room_id{2}}) {
        p.activate(r);
        p.set_mode(r, sala::room_mode::automatic);
    }
    std::size_t assigned = 0;
    for (const auto& in : {webinar("webinar sesión turno de tarde", 12, 15, 5, 50),
                           webinar("Taller 1 Workshop", 12, 15, 30, 90),
                           webinar("International conference <room> A", 12, 15, 45, 60),  // queued
                           webinar("webinar sesión turno de mañana", 13, 9, 0, 50)})
        assigned += p.submit(in).assignment ? 1 : 0;
    check(assigned == 3, "three of four requests get a room");

    sala::fake_conferencing conf(users, clock);
#ifdef SALA_HAVE_OUTBOX
    sala::outbox_mailer mail(dir / "mail");
#else
    sala::fake_mailer mail;
#endif
    demo::demo_week_options o;
    // Down from 15:00 to 16:30 on Wednesday: credentials, warnings and ends are caught up.
    o.outage =
        sala::interval{sala::to_instant(sala::make_local(2021, 5, 12, 15, 0), "Europe/Madrid"),
                       sala::to_instant(sala::make_local(2021, 5, 12, 16, 30), "Europe/Madrid")};
    // An admin moves Thursday's webinar to the other room on Wednesday evening (R11).
    bool moved = false;
    o.before_tick = [&](sala::instant t) {
        if (!moved &&
            t >= sala::to_instant(sala::make_local(2021, 5, 12, 20, 0), "Europe/Madrid")) {
            moved = static_cast<bool>(p.reassign(sala::request_id{4}, sala::room_id{2}));
        }
    };
    std::ostringstream timeline;
    const auto res = demo::run_demo_week(p, conf, mail, *clock, dir.string(), timeline, o);
    std::cout << timeline.str();

    check(res.reports == 3, "one attendance report per webinar held");
    std::size_t csv = 0;
    for (const auto& e : fs::directory_iterator(res.reports_dir))
        csv += e.path().extension() == ".csv";
    check(csv == 3, "three CSV reports on disk");
    check(conf.count(sala::fake_conferencing::method::end_webinar) == 3, "each webinar ended once");
    check(conf.count(sala::fake_conferencing::method::create_webinar) == 4,
          "each webinar created once, +1 on the new room");
    check(conf.count(sala::fake_conferencing::method::trash_recordings) == 3,
          "recordings trashed after download");
    std::ifstream log(dir / "mail-log.txt");
    std::set<std::string> keys;
    std::string line;
    std::size_t lines = 0;
    while (std::getline(log, line)) {
        ++lines;
        keys.insert(line.substr(0, line.find(' ')));
    }
    check(lines == res.mails && lines > 0, "mail log lists every e-mail");
    check(keys.size() == lines, "no e-mail sent twice");
    check(keys.count("unassigned/3") == 1, "the queued request's organizer was told (R10)");
    check(moved && keys.count("reassigned/4/2") == 1,
          "the organizer of the moved webinar was told (R11)");
    check(keys.count("credentials/4/2") == 1 && keys.count("credentials/4/1") == 0,
          "credentials only for the new room");
    check(keys.count("join/1/1/asistente1+2086@example.org") == 1,
          "attendees got their join link (R12)");
    check(conf.count(sala::fake_conferencing::method::delete_webinar) == 1,
          "the old room's webinar deleted");
    check(timeline.str().find("late: due") != std::string::npos,
          "the outage shows as late steps (R16)");
    check(timeline.str().find("CEST") != std::string::npos, "timeline in the event's zone");
#ifdef SALA_HAVE_OUTBOX
    std::size_t eml = 0;
    for (const auto& e : fs::directory_iterator(dir / "mail"))
        eml += e.path().extension() == ".eml";
    check(eml == lines, ".eml file per e-mail");
#else
    check(mail.sent().size() == lines, "fake mailer got every e-mail");
#endif
    if (failures) return 1;
    std::cout << "demo_week_check: ok (" << res.mails << " e-mails, " << res.reports
              << " reports)\n";
    return 0;
}
