// R17: iCalendar export, checked field by field by Debian's python3-icalendar
// (tests/support/ical_check.py) and by hand for the wire format.
#include <gtest/gtest.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>

#include <nlohmann/json.hpp>

#include "sala/views/icalendar.hpp"
#include "seed_fixture.hpp"

namespace fs = std::filesystem;
using namespace std::chrono_literals;

namespace {

const std::string tricky_title =
    "Taller 1, parte 2; «ñandú» \\ C:\\ruta, café; Zoë — 🎉👩‍💻 emoji, ¿sí?; "
    "'quotes' "
    "\"double\"";

fs::path temp_dir(const std::string& name) {
    auto d = fs::temp_directory_path() / ("sala_ics_" + name + "_" + std::to_string(::getpid()));
    fs::create_directories(d);
    return d;
}

std::string compact_utc(sala::instant t) { return date::format("%Y%m%dT%H%M00Z", t); }
std::string iso(sala::instant t) { return date::format("%Y-%m-%dT%H:%M:00Z", t); }

// What DESCRIPTION must say after unescaping (R7 blocked interval, R17 fields).
std::string expected_description(const sala::platform& p, const sala::request& rq,
                                 std::optional<sala::room_id> room, const std::string& note) {
    const auto& w = rq.window;
    const std::string room_text =
        room ? "room " + std::to_string(room->value) + " (" + p.get_room(*room).email + ")"
             : "unassigned (waiting in the queue)";
    std::string d = "Room: " + room_text +
                    "\nRoom blocked: " + sala::format(w.blocked.begin(), rq.zone) + " - " +
                    sala::format(w.blocked.end(), rq.zone) + " " + rq.zone + " (preparation " +
                    std::to_string(p.get_settings().preparation.count()) + " min, courtesy " +
                    std::to_string(p.get_settings().courtesy.count()) + " min, post-processing " +
                    std::to_string(p.get_settings().post_processing.count()) +
                    " min)\nEnds for good at: " + sala::format(w.grace_end, rq.zone) + " " +
                    rq.zone + "\nEvent: " + rq.event_id + "\nOrganizer: " + rq.organizer.name +
                    " <" + rq.organizer.email + ">\nStatus: " + sala::to_string(p.status(rq.id));
    if (!note.empty()) d += "\n" + note;
    return d;
}

nlohmann::json expected_json(const sala::platform& p, const std::vector<sala::request_id>& ids,
                             const sala::ical_options& o, const std::vector<std::string>& zones) {
    nlohmann::json j;
    j["calname"] = o.calendar_name;
    j["zones"] = o.utc ? std::vector<std::string>{} : zones;
    j["events"] = nlohmann::json::array();
    for (const auto id : ids) {
        const auto rq = p.get_request(id);
        const auto res = p.reservation_of(id);
        std::string cn;
        for (char c : rq.organizer.name)
            if (c != '"') cn += c;
        j["events"].push_back({
            {"uid", "request-" + std::to_string(id.value) + "@" + o.domain},
            {"summary", rq.title},
            {"location", res ? "room " + std::to_string(res->room.value) + " (" +
                                   p.get_room(res->room).email + ")"
                             : "unassigned (waiting in the queue)"},
            {"description",
             expected_description(p, rq, res ? std::optional{res->room} : std::nullopt, o.note)},
            {"status", res ? "CONFIRMED" : "TENTATIVE"},
            {"dtstart_utc", iso(rq.window.start)},
            {"dtend_utc", iso(rq.window.end)},
            {"dtstamp_utc", iso(p.now())},
            {"organizer_email", rq.organizer.email},
            {"organizer_cn", cn},
            {"blocked",
             compact_utc(rq.window.blocked.begin()) + "/" + compact_utc(rq.window.blocked.end())},
            {"event", rq.event_id},
            {"room", res ? std::to_string(res->room.value) : std::string()},
            {"tzid_start", o.utc || sala::ical_needs_utc(rq.window.start, rq.zone)
                               ? nlohmann::json(nullptr)
                               : nlohmann::json(rq.zone)},
            {"tzid_end", o.utc || sala::ical_needs_utc(rq.window.end, rq.zone)
                             ? nlohmann::json(nullptr)
                             : nlohmann::json(rq.zone)},
        });
    }
    return j;
}

// Runs the checker; returns its exit status and appends its output to `log`.
int run_check(const fs::path& ics, const fs::path& json, std::string& log) {
    const fs::path script =
        fs::path(__FILE__).parent_path().parent_path() / "support" / "ical_check.py";
    const std::string cmd = "/usr/bin/python3 '" + script.string() + "' '" + ics.string() + "' '" +
                            json.string() + "' 2>&1";
    FILE* f = ::popen(cmd.c_str(), "r");
    if (!f) return -1;
    char buf[512];
    while (std::fgets(buf, sizeof buf, f)) log += buf;
    const int st = ::pclose(f);
    return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

struct ics_fixture : seed::fixture {
    std::vector<sala::request_id> ids;
    ics_fixture() {
        activate_all();
        // R7 seed example: 09:00, 240 min -> blocked 08:30-13:21.
        ids.push_back(p.submit(webinar("Webinar turno mañanas", 2021, 6, 1, 9, 0, 240, "2090")).id);
        ids.push_back(p.submit(webinar(tricky_title, 2021, 5, 13, 13, 10, 50)).id);
        auto ny = webinar("Fall-back night, NYC", 2021, 11, 7, 1, 30, 60, "ev;1,2");
        ny.zone = "America/New_York";
        ny.resolve = sala::choose::latest;  // 01:30 happens twice that night (R8): the EST one
        ny.organizer = {"Pérez, Ana; \"Dept\"", "ana@example.org"};
        ids.push_back(p.submit(ny).id);
        // Two overlapping ones fill rooms 1 and 2 (automatic): the third waits (R10).
        ids.push_back(p.submit(webinar("Mesa A", 2021, 5, 20, 10, 0, 60)).id);
        ids.push_back(p.submit(webinar("Mesa B", 2021, 5, 20, 10, 0, 60)).id);
        ids.push_back(p.submit(webinar("Mesa C en cola", 2021, 5, 20, 10, 0, 60)).id);
        // A long title of two-octet and four-octet characters forces folding mid-text.
        std::string long_title;
        for (int k = 0; k < 40; ++k) long_title += "ñ€😀 ";
        ids.push_back(p.submit(webinar(long_title, 2021, 5, 21, 18, 0, 90)).id);
    }
};

}  // namespace

TEST(Icalendar, R17_EscapesTextValues) {
    EXPECT_EQ(sala::ical_escape_text("a,b;c\\d\ne\r\nf"), "a\\,b\\;c\\\\d\\ne\\nf");
    EXPECT_EQ(sala::ical_escape_text("plain ñ"), "plain ñ");
}

TEST(Icalendar, R17_FoldsAt75OctetsWithoutSplittingUtf8) {
    std::string line = "SUMMARY:";
    for (int k = 0; k < 60; ++k) line += "é😀x";
    const std::string folded = sala::ical_fold(line);
    std::string unfolded;
    std::size_t pos = 0, lines = 0;
    while (pos < folded.size()) {
        const auto eol = folded.find("\r\n", pos);
        ASSERT_NE(eol, std::string::npos);
        const std::string phys = folded.substr(pos, eol - pos);
        EXPECT_LE(phys.size(), 75u) << "line " << lines;
        if (lines > 0) {
            ASSERT_EQ(phys[0], ' ');
            // A continuation never starts inside a UTF-8 sequence.
            ASSERT_GT(phys.size(), 1u);
            EXPECT_NE(static_cast<unsigned char>(phys[1]) & 0xC0, 0x80);
        }
        unfolded += lines ? phys.substr(1) : phys;
        pos = eol + 2;
        ++lines;
    }
    EXPECT_EQ(unfolded, line);
    EXPECT_GT(lines, 5u);
    EXPECT_EQ(sala::ical_fold("SHORT:x"), "SHORT:x\r\n");
    // Exactly 75 octets fit on one line.
    EXPECT_EQ(sala::ical_fold(std::string(75, 'a')), std::string(75, 'a') + "\r\n");
    EXPECT_EQ(sala::ical_fold(std::string(76, 'a')), std::string(75, 'a') + "\r\n a\r\n");
}

TEST(Icalendar, R17_VtimezoneMatchesTzDatabase) {
    const auto tz = sala::ical_vtimezone("Europe/Madrid", 2021, 2021);
    // 2021-03-28 01:00 UTC: 02:00 CET becomes 03:00 CEST; back on 2021-10-31.
    EXPECT_NE(tz.find("BEGIN:DAYLIGHT\r\nDTSTART:20210328T020000\r\nTZOFFSETFROM:+0100\r\n"
                      "TZOFFSETTO:+0200\r\nTZNAME:CEST\r\nEND:DAYLIGHT"),
              std::string::npos)
        << tz;
    EXPECT_NE(tz.find("BEGIN:STANDARD\r\nDTSTART:20211031T030000\r\nTZOFFSETFROM:+0200\r\n"
                      "TZOFFSETTO:+0100\r\nTZNAME:CET\r\nEND:STANDARD"),
              std::string::npos)
        << tz;
    const auto kolkata = sala::ical_vtimezone("Asia/Kolkata", 2021, 2022);
    EXPECT_NE(kolkata.find("TZOFFSETTO:+0530"), std::string::npos);
    EXPECT_THROW(sala::ical_vtimezone("Mars/Olympus", 2021, 2021), sala::invalid_argument);
}

// A webinar in 2040: the zone's DST rules continue past the files' 2037 (footer).
TEST(Icalendar, R17_VtimezoneIn2040HasBothTransitions) {
    const auto tz = sala::ical_vtimezone("Europe/Madrid", 2040, 2040);
    EXPECT_NE(tz.find("DTSTART:20400325T020000"), std::string::npos) << tz;
    EXPECT_NE(tz.find("DTSTART:20401028T030000"), std::string::npos) << tz;
    EXPECT_NE(tz.find("TZNAME:CEST"), std::string::npos);
}

TEST(Icalendar, R17_PlatformFeedParsesWithPythonIcalendarFieldByField) {
    ics_fixture f;
    ASSERT_EQ(f.p.queue().size(), 1u);
    const auto dir = temp_dir("platform");
    sala::ical_options o;
    o.domain = "symposium.events";
    o.calendar_name = "Symposium, webinars; all rooms";
    // Newlines cannot reach titles (the core rejects control characters), so
    // the organizer-supplied note carries them.
    o.note = "Line one, with comma;\nline two \\ backslash\nlínea tres 🎉";
    const std::string ics = sala::ical_platform(f.p, o);
    std::ofstream(dir / "platform.ics", std::ios::binary) << ics;
    std::ofstream(dir / "platform.json")
        << expected_json(f.p, f.ids, o, {"Europe/Madrid", "America/New_York"}).dump(1);
    std::string log;
    EXPECT_EQ(run_check(dir / "platform.ics", dir / "platform.json", log), 0) << log;
    EXPECT_NE(log.find("7 event(s), 2 VTIMEZONE(s)"), std::string::npos) << log;
    // 01:30 New York happens twice that night: written in UTC, the end (02:30) with TZID.
    EXPECT_NE(
        ics.find("DTSTART:20211107T063000Z\r\nDTEND;TZID=America/New_York:20211107T023000\r\n"),
        std::string::npos);
    // Every line ends in CRLF: no bare LF anywhere.
    for (std::size_t i = 0; i < ics.size(); ++i) {
        if (ics[i] == '\n') {
            ASSERT_TRUE(i > 0 && ics[i - 1] == '\r') << "bare LF at " << i;
        }
    }
    fs::remove_all(dir);
}

TEST(Icalendar, R17_RoomFeedInUtcParsesWithPythonIcalendar) {
    ics_fixture f;
    const auto dir = temp_dir("room");
    sala::ical_options o;
    o.domain = "symposium.events";
    o.utc = true;
    const std::string ics = sala::ical_room(f.p, f.r09, o);
    EXPECT_EQ(ics.find("VTIMEZONE"), std::string::npos);
    std::vector<sala::request_id> in_room;
    for (const auto& e : f.p.room_webinars(f.r09)) in_room.push_back(e.request.id);
    ASSERT_GE(in_room.size(), 3u);
    std::ofstream(dir / "room.ics", std::ios::binary) << ics;
    std::ofstream(dir / "room.json") << expected_json(f.p, in_room, o, {}).dump(1);
    std::string log;
    EXPECT_EQ(run_check(dir / "room.ics", dir / "room.json", log), 0) << log;
    fs::remove_all(dir);
}

TEST(Icalendar, R17_CheckerCatchesAWrongField) {
    // The checker must be able to fail: a wrong expected title is reported.
    ics_fixture f;
    const auto dir = temp_dir("wrong");
    sala::ical_options o;
    std::ofstream(dir / "p.ics", std::ios::binary) << sala::ical_platform(f.p, o);
    auto j = expected_json(f.p, f.ids, o, {"Europe/Madrid", "America/New_York"});
    j["events"][1]["summary"] = "not the title";
    std::ofstream(dir / "p.json") << j.dump();
    std::string log;
    EXPECT_EQ(run_check(dir / "p.ics", dir / "p.json", log), 1) << log;
    EXPECT_NE(log.find("SUMMARY"), std::string::npos) << log;
    fs::remove_all(dir);
}

TEST(Icalendar, R17_UidStableAcrossExportsAndReassignment) {
    ics_fixture f;
    sala::ical_options o;
    o.domain = "symposium.events";
    const auto before = sala::ical_platform(f.p, o);
    const auto id = f.ids[1];
    const auto from = f.p.reservation_of(id)->room;
    ASSERT_TRUE(f.p.reassign(id, from == f.r12 ? f.r11 : f.r12));
    f.clock->advance(60min);
    const auto after = sala::ical_platform(f.p, o);
    const std::string uid = "UID:request-" + std::to_string(id.value) + "@symposium.events\r\n";
    EXPECT_NE(before.find(uid), std::string::npos);
    EXPECT_NE(after.find(uid), std::string::npos);
    EXPECT_NE(before, after);  // LOCATION and DTSTAMP moved on, the UID did not
    EXPECT_THROW(sala::ical_platform(f.p, sala::ical_options{"bad domain", "x", false, ""}),
                 sala::invalid_argument);
}
