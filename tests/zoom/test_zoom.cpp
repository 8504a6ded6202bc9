// Zoom REST adapter against a fake Zoom server on 127.0.0.1
// (tests/support/fake_zoom.py) that the suite starts and stops itself. The
// fake checks methods, paths, auth and bodies and keeps state; tests read that
// state back through its control endpoint.
#include <gtest/gtest.h>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <memory>
#include <sstream>

#include <curl/curl.h>
#include <nlohmann/json.hpp>

#include "../smtp/child_process.hpp"
#include "control_call.hpp"
#include "sala/adapters/zoom_rest.hpp"
#include "sala/time.hpp"

namespace fs = std::filesystem;
using nlohmann::json;

namespace {

class fake_zoom : public ::testing::Test {
  protected:
    static void SetUpTestSuite() {
        server_ = new sala::test::child_process({"/usr/bin/python3", SALA_FAKE_ZOOM});
    }
    static void TearDownTestSuite() {
        delete server_;
        server_ = nullptr;
    }

    void SetUp() override { control("reset", seed()); }

    static json user(const std::string& id, int type, const std::string& role, bool webinar,
                     int capacity) {
        json u = {{"id", id},
                  {"email", id + "@uni.test"},
                  {"first_name", "Sala"},
                  {"last_name", id},
                  {"type", type},
                  {"role_id", role == "Owner" ? "0" : "2"},
                  {"role_name", role},
                  {"status", "active"}};
        if (webinar) u["feature"] = {{"webinar", true}, {"webinar_capacity", capacity}};
        return u;
    }

    static json seed() {
        json users = json::array();
        users.push_back(user("owner1", 2, "Owner", true, 500));
        for (int i = 1; i <= 5; ++i)
            users.push_back(
                user("sala0" + std::to_string(i), 2, "Member", true, i == 5 ? 1000 : 100));
        users.push_back(user("basic1", 1, "Member", false, 0));
        users.push_back(user("admin1", 2, "Admin", false, 0));
        json gone = user("gone1", 2, "Member", true, 100);
        gone["status"] = "inactive";
        users.push_back(gone);
        return {{"users", users},
                {"account_id", "acct-9"},
                {"client_id", "cid-9"},
                {"client_secret", "top-secret-9"}};
    }

    static std::string base() { return "http://127.0.0.1:" + std::to_string(server_->port()); }

    static sala::zoom_config config() {
        sala::zoom_config c;
        c.account_id = "acct-9";
        c.client_id = "cid-9";
        c.client_secret = "top-secret-9";
        c.api_base = base() + "/v2";
        c.oauth_url = base() + "/oauth/token";
        c.total_timeout = std::chrono::seconds(10);
        c.connect_timeout = std::chrono::seconds(2);
        return c;
    }

    static json control(const std::string& what, const json& body = json::object(),
                        bool get = false) {
        return test_support::control_call(base(), what, body, get);
    }
    static json state() { return control("state", {}, true); }
    static void fault(json f) { control("fault", f); }

    static std::vector<json> requests(const std::string& method, const std::string& path_prefix) {
        std::vector<json> out;
        const json s = state();
        for (const auto& r : s["log"])
            if (r["method"] == method && r["path"].get<std::string>().rfind(path_prefix, 0) == 0)
                out.push_back(r);
        return out;
    }

    static sala::webinar_spec spec(const std::string& host = "sala01") {
        sala::webinar_spec s;
        s.host_user_id = host;
        s.topic = "Jornada: sesión turno de tarde";
        s.start = sala::make_utc(2021, 5, 12, 7, 0);
        s.duration = sala::minutes{240};
        s.zone = "Europe/Madrid";
        s.admission = sala::admission::manual;
        s.passcode = "Ab1-x*9!";
        s.agenda = "Programa";
        return s;
    }

    static sala::test::child_process* server_;
};

sala::test::child_process* fake_zoom::server_ = nullptr;

// Runs `f`, expects a sala::zoom_error and returns it.
template <class F>
sala::zoom_error expect_zoom_error(F f) {
    try {
        f();
    } catch (const sala::zoom_error& e) {
        return e;
    }
    ADD_FAILURE() << "no zoom_error";
    return sala::zoom_error("none", 0, 0, false);
}

}  // namespace

TEST_F(fake_zoom, R1_R2_ListUsersReadsEveryPageOwnerAndLicences) {
    auto c = config();
    c.page_size = 3;
    sala::zoom_rest zoom(c);
    const auto users = zoom.list_users();
    ASSERT_EQ(users.size(), 8u);  // the inactive user is not listed
    EXPECT_EQ(users[0].user_id, "owner1");
    EXPECT_TRUE(users[0].owner);
    EXPECT_TRUE(users[0].licensed);  // R1: a wasted licence the core reports
    EXPECT_EQ(users[1].user_id, "sala01");
    EXPECT_FALSE(users[1].owner);
    EXPECT_TRUE(users[1].licensed);
    EXPECT_EQ(users[1].capacity, 100);
    EXPECT_EQ(users[1].email, "sala01@uni.test");
    EXPECT_EQ(users[1].display_name, "Sala sala01");
    EXPECT_EQ(users[5].capacity, 1000);
    EXPECT_FALSE(users[6].licensed);  // basic
    EXPECT_FALSE(users[7].licensed);  // licensed user without the webinar add-on
    const auto pages = requests("GET", "/v2/users");
    int list_calls = 0;
    for (const auto& r : pages)
        if (r["path"] == "/v2/users") {
            ++list_calls;
            EXPECT_NE(r["query"].get<std::string>().find("page_size=3"), std::string::npos);
            if (list_calls > 1) {
                EXPECT_NE(r["query"].get<std::string>().find("next_page_token=np%3A"),
                          std::string::npos);
            }
        }
    EXPECT_EQ(list_calls, 3);
    const json st = state();
    for (const auto& r : st["log"])
        if (r["path"].get<std::string>().rfind("/v2/", 0) == 0) {
            EXPECT_EQ(r["auth"], "Bearer");
        }
    EXPECT_EQ(zoom.tokens_fetched(), 1);
    EXPECT_EQ(state()["tokens_issued"], 1);
    // The basic user's settings are never read: it cannot hold a webinar licence.
    EXPECT_TRUE(requests("GET", "/v2/users/basic1/settings").empty());
}

TEST_F(fake_zoom, R6_R12_CreateWebinarSendsTheDocumentedBody) {
    sala::zoom_rest zoom(config());
    const auto h = zoom.create_webinar(spec());
    EXPECT_EQ(h.webinar_id, "81234567890");
    EXPECT_EQ(h.join_url, "https://zoom.test/w/81234567890?tk=join");
    EXPECT_EQ(h.start_url, "https://zoom.test/s/81234567890?zak=host");
    const json w = state()["webinars"]["81234567890"];
    EXPECT_EQ(w["host_id"], "sala01");
    EXPECT_EQ(w["topic"], "Jornada: sesión turno de tarde");
    EXPECT_EQ(w["start_time"], "2021-05-12T07:00:00Z");
    EXPECT_EQ(w["timezone"], "Europe/Madrid");
    EXPECT_EQ(w["duration"], 240);
    EXPECT_EQ(w["password"], "Ab1-x*9!");
    EXPECT_EQ(w["agenda"], "Programa");
    EXPECT_EQ(w["settings"]["approval_type"], 1);  // R6 manual approval

    auto s = spec("sala02");
    s.admission = sala::admission::automatic;
    const auto h2 = zoom.create_webinar(s);
    EXPECT_EQ(state()["webinars"][h2.webinar_id]["settings"]["approval_type"], 0);
}

TEST_F(fake_zoom, CreateWebinarRejectsBadInputLocally) {
    sala::zoom_rest zoom(config());
    auto s = spec();
    s.passcode = "longer-than-10";
    EXPECT_THROW(zoom.create_webinar(s), sala::invalid_argument);
    s = spec();
    s.passcode = "bad#code";
    try {
        zoom.create_webinar(s);
        FAIL();
    } catch (const sala::invalid_argument& e) {
        EXPECT_EQ(e.field(), "passcode");
    }
    s = spec();
    s.zone = "Mars/Olympus";
    EXPECT_THROW(zoom.create_webinar(s), sala::invalid_argument);
    s = spec();
    s.duration = sala::minutes{0};
    EXPECT_THROW(zoom.create_webinar(s), sala::invalid_argument);
    EXPECT_TRUE(state()["log"].empty());  // nothing reached Zoom
}

TEST_F(fake_zoom, ZoomRejectionIsNotRetryableAndCarriesZoomsCode) {
    sala::zoom_rest zoom(config());
    auto e = expect_zoom_error([&] { zoom.create_webinar(spec("basic1")); });
    EXPECT_FALSE(e.retryable());
    EXPECT_EQ(e.http_status(), 400);
    EXPECT_EQ(e.zoom_code(), 200);
    EXPECT_NE(std::string(e.what()).find("Subscription plan for webinar is missing"),
              std::string::npos);
    e = expect_zoom_error([&] { zoom.create_webinar(spec("nobody")); });
    EXPECT_EQ(e.http_status(), 404);
    EXPECT_EQ(e.zoom_code(), 1001);
    EXPECT_FALSE(e.retryable());
}

TEST_F(fake_zoom, R11_DeleteWebinarAndDeletingAgainIsNotAnError) {
    sala::zoom_rest zoom(config());
    const auto h = zoom.create_webinar(spec());
    zoom.delete_webinar(h.webinar_id);
    EXPECT_FALSE(state()["webinars"].contains(h.webinar_id));
    EXPECT_NO_THROW(zoom.delete_webinar(h.webinar_id));
    EXPECT_EQ(requests("DELETE", "/v2/webinars/" + h.webinar_id).size(), 2u);
}

TEST_F(fake_zoom, R15_EndLiveWebinarAndRotateThePassword) {
    sala::zoom_rest zoom(config());
    const auto h = zoom.create_webinar(spec());
    control("live/" + h.webinar_id);
    // A live webinar cannot be deleted (code 3002): not retryable.
    EXPECT_FALSE(expect_zoom_error([&] { zoom.delete_webinar(h.webinar_id); }).retryable());
    zoom.end_webinar(h.webinar_id);
    EXPECT_EQ(state()["webinars"][h.webinar_id]["live"], false);
    EXPECT_EQ(state()["webinars"][h.webinar_id]["ended"], true);
    EXPECT_NO_THROW(zoom.end_webinar(h.webinar_id));  // not live any more
    EXPECT_NO_THROW(zoom.end_webinar("99999"));       // gone
    const auto put = requests("PUT", "/v2/webinars/" + h.webinar_id + "/status");
    ASSERT_FALSE(put.empty());
    EXPECT_EQ(json::parse(put[0]["body"].get<std::string>()), json({{"action", "end"}}));

    zoom.set_user_password("sala01", "Rk7#vQ2m!pLz");
    EXPECT_EQ(state()["passwords"]["sala01"], "Rk7#vQ2m!pLz");
    zoom.set_user_password("sala01", "Nw3$tY8c@kHs");
    EXPECT_EQ(state()["passwords"]["sala01"], "Nw3$tY8c@kHs");
    const auto e = expect_zoom_error([&] { zoom.set_user_password("sala01", "Nw3$tY8c@kHs"); });
    EXPECT_EQ(e.zoom_code(), 300);
    EXPECT_FALSE(e.retryable());
    EXPECT_EQ(std::string(e.what()).find("Nw3$tY8c@kHs"), std::string::npos);
}

TEST_F(fake_zoom, R15_ParticipantsReportReadsEveryPage) {
    auto c = config();
    c.page_size = 2;
    sala::zoom_rest zoom(c);
    const auto h = zoom.create_webinar(spec());
    // Not there yet: Zoom builds it after the end, so it is worth retrying.
    const auto e = expect_zoom_error([&] { (void)zoom.participants_report(h.webinar_id); });
    EXPECT_TRUE(e.retryable());
    EXPECT_EQ(e.http_status(), 404);

    json rows = json::array();
    for (int i = 0; i < 5; ++i)
        rows.push_back({{"id", ""},
                        {"name", "Persona " + std::to_string(i)},
                        {"user_email", "p" + std::to_string(i) + "@x.test"},
                        {"join_time", "2021-05-12T07:0" + std::to_string(i) + ":30Z"},
                        {"leave_time", "2021-05-12T08:00:00Z"},
                        {"duration", 3000 - i}});
    rows[4]["join_time"] = "2021-05-12T09:04:30.250+02:00";  // an offset form, same instant style
    control("report/" + h.webinar_id, rows);
    const auto report = zoom.participants_report(h.webinar_id);
    ASSERT_EQ(report.size(), 5u);
    EXPECT_EQ(report[3].name, "Persona 3");
    EXPECT_EQ(report[3].email, "p3@x.test");
    EXPECT_EQ(report[3].join_time, sala::make_utc(2021, 5, 12, 7, 3));
    EXPECT_EQ(report[3].leave_time, sala::make_utc(2021, 5, 12, 8, 0));
    EXPECT_EQ(report[3].duration_seconds, 2997);
    EXPECT_EQ(report[4].join_time, sala::make_utc(2021, 5, 12, 7, 4));
    EXPECT_EQ(requests("GET", "/v2/report/webinars/" + h.webinar_id).size(),
              4u);  // 1 miss + 3 pages
}

TEST_F(fake_zoom, R19_RecordingsListDownloadAndTrash) {
    sala::zoom_rest zoom(config());
    const auto h = zoom.create_webinar(spec());
    EXPECT_TRUE(zoom.list_recordings(h.webinar_id).empty());
    control(
        "recordings/" + h.webinar_id,
        json::array({{{"id", "f-mp4"}, {"file_type", "MP4"}, {"content", std::string(100000, 'v')}},
                     {{"id", "f-chat"}, {"file_type", "CHAT"}, {"content", "10:00 Ana: hola"}}}));
    const auto files = zoom.list_recordings(h.webinar_id);
    ASSERT_EQ(files.size(), 2u);
    EXPECT_EQ(files[0].id, "f-mp4");
    EXPECT_EQ(files[0].file_type, "MP4");
    EXPECT_EQ(files[0].size_bytes, 100000);
    const fs::path dir = fs::temp_directory_path() / ("sala-zoom-" + std::to_string(getpid()));
    fs::remove_all(dir);
    zoom.download_recording(files[0], (dir / "rec" / "video.mp4").string());
    // An expired token mid-way: the refused attempt's 401 body must not stay in the file.
    control("expire_tokens");
    zoom.download_recording(files[1], (dir / "rec" / "chat.txt").string());
    EXPECT_EQ(zoom.tokens_fetched(), 2);
    EXPECT_EQ(fs::file_size(dir / "rec" / "chat.txt"), 15u);
    EXPECT_EQ(fs::file_size(dir / "rec" / "video.mp4"), 100000u);
    std::ifstream chat(dir / "rec" / "chat.txt");
    std::string line;
    std::getline(chat, line);
    EXPECT_EQ(line, "10:00 Ana: hola");
    EXPECT_FALSE(fs::exists(dir / "rec" / "video.mp4.part"));
    // The download went through the redirect to storage.
    EXPECT_EQ(requests("GET", "/rec/download/f-mp4").at(0)["auth"], "Bearer");
    EXPECT_EQ(requests("GET", "/storage/f-mp4").size(), 1u);

    zoom.trash_recordings(h.webinar_id);
    EXPECT_EQ(state()["trash"], json::array({h.webinar_id}));
    const auto del = requests("DELETE", "/v2/meetings/" + h.webinar_id + "/recordings");
    ASSERT_EQ(del.size(), 1u);
    EXPECT_EQ(del[0]["query"], "action=trash");
    EXPECT_TRUE(zoom.list_recordings(h.webinar_id).empty());
    EXPECT_NO_THROW(zoom.trash_recordings(h.webinar_id));  // nothing left: done
    fs::remove_all(dir);
}

TEST_F(fake_zoom, R20_ApplyRoomSettings) {
    sala::zoom_rest zoom(config());
    zoom.apply_room_settings("sala03", sala::room_settings{});
    EXPECT_EQ(state()["settings"]["sala03"],
              json({{"waiting_room", false}, {"auto_saving_chat", true}}));
    const auto patch = requests("PATCH", "/v2/users/sala03/settings");
    ASSERT_EQ(patch.size(), 1u);
    EXPECT_EQ(json::parse(patch[0]["body"].get<std::string>()),
              json({{"in_meeting", {{"waiting_room", false}, {"auto_saving_chat", true}}}}));
}

TEST_F(fake_zoom, UuidStartingWithSlashIsEncodedTwice) {
    sala::zoom_rest zoom(config());
    EXPECT_NO_THROW(zoom.delete_webinar("/ab//cd=="));  // unknown: 404 counts as done
    const auto del = requests("DELETE", "/v2/webinars/");
    ASSERT_EQ(del.size(), 1u);
    EXPECT_EQ(del[0]["path"], "/v2/webinars/%252Fab%252F%252Fcd%253D%253D");
}

TEST_F(fake_zoom, ExpiredTokenIsRefreshedOnceAndTheCallRetried) {
    sala::zoom_rest zoom(config());
    (void)zoom.list_recordings("1");
    control("expire_tokens");
    const auto h = zoom.create_webinar(spec());
    EXPECT_FALSE(h.webinar_id.empty());
    EXPECT_EQ(zoom.tokens_fetched(), 2);
    EXPECT_EQ(state()["tokens_issued"], 2);
    EXPECT_EQ(requests("POST", "/v2/users/sala01/webinars").size(), 2u);  // 401, then 201
    EXPECT_EQ(state()["webinars"].size(), 1u);
}

TEST_F(fake_zoom, PersistentAuthFailureRefreshesOnlyOnce) {
    sala::zoom_rest zoom(config());
    fault({{"method", "PUT"},
           {"path", "/v2/users/sala01/password"},
           {"status", 401},
           {"times", 10},
           {"body", {{"code", 124}, {"message", "Invalid access token."}}}});
    const auto e = expect_zoom_error([&] { zoom.set_user_password("sala01", "Rk7#vQ2m!pLz"); });
    EXPECT_FALSE(e.retryable());
    EXPECT_EQ(e.http_status(), 401);
    EXPECT_EQ(e.zoom_code(), 124);
    EXPECT_EQ(requests("PUT", "/v2/users/sala01/password").size(), 2u);
    EXPECT_EQ(state()["tokens_issued"], 2);
}

TEST_F(fake_zoom, RateLimitIsRetryableAfterRetryAfter) {
    sala::zoom_rest zoom(config());
    // Retry-After as Zoom sends it: an absolute ISO-8601 UTC instant (§8).
    const auto at = std::chrono::floor<std::chrono::seconds>(std::chrono::system_clock::now()) +
                    std::chrono::seconds(120);
    const auto day = std::chrono::floor<std::chrono::days>(at);
    const std::chrono::hh_mm_ss hms{at - day};
    char iso[32];
    const std::chrono::year_month_day ymd{day};
    std::snprintf(iso, sizeof iso, "%04d-%02u-%02uT%02d:%02d:%02dZ", static_cast<int>(ymd.year()),
                  static_cast<unsigned>(ymd.month()), static_cast<unsigned>(ymd.day()),
                  static_cast<int>(hms.hours().count()), static_cast<int>(hms.minutes().count()),
                  static_cast<int>(hms.seconds().count()));
    fault({{"method", "POST"},
           {"path", "/v2/users/sala01/webinars"},
           {"status", 429},
           {"headers",
            {{"Retry-After", iso}, {"X-RateLimit-Type", "QPS"}, {"X-RateLimit-Category", "Light"}}},
           {"body",
            {{"code", 429},
             {"message", "You have reached the maximum per-second rate limit for this API."}}}});
    auto e = expect_zoom_error([&] { zoom.create_webinar(spec()); });
    EXPECT_TRUE(e.retryable());
    EXPECT_EQ(e.http_status(), 429);
    EXPECT_GE(e.retry_after_seconds(), 100);
    EXPECT_LE(e.retry_after_seconds(), 121);
    EXPECT_TRUE(state()["webinars"].empty());
    // Daily limit without Retry-After: wait for 00:00 UTC.
    fault({{"method", "POST"},
           {"path", "/v2/users/sala01/webinars"},
           {"status", 429},
           {"headers", {{"X-RateLimit-Type", "Daily-limit"}}},
           {"body", {{"code", 429}, {"message", "daily limit"}}}});
    e = expect_zoom_error([&] { zoom.create_webinar(spec()); });
    EXPECT_TRUE(e.retryable());
    EXPECT_GE(e.retry_after_seconds(), 1);
    EXPECT_LE(e.retry_after_seconds(), 86400);
    // Then Zoom accepts again.
    EXPECT_NO_THROW(zoom.create_webinar(spec()));
}

TEST_F(fake_zoom, ServerErrorsAreRetryable) {
    sala::zoom_rest zoom(config());
    fault({{"path", "/v2/meetings/5/recordings"},
           {"status", 500},
           {"body", {{"code", 500}, {"message", "internal"}}}});
    auto e = expect_zoom_error([&] { (void)zoom.list_recordings("5"); });
    EXPECT_TRUE(e.retryable());
    EXPECT_EQ(e.http_status(), 500);
    // The token endpoint failing with 503 is retryable too.
    sala::zoom_rest fresh(config());
    fault({{"path", "/oauth/token"}, {"status", 503}});
    e = expect_zoom_error([&] { (void)fresh.list_recordings("5"); });
    EXPECT_TRUE(e.retryable());
    EXPECT_TRUE(fresh.list_recordings("5").empty());
}

TEST_F(fake_zoom, SlowResponseTimesOutRetryable) {
    auto c = config();
    c.total_timeout = std::chrono::milliseconds(500);
    sala::zoom_rest zoom(c);
    fault({{"path", "/v2/users/sala01/settings"}, {"delay", 2}, {"status", 204}});
    try {
        zoom.apply_room_settings("sala01", {});
        FAIL() << "no timeout";
    } catch (const sala::zoom_error&) {
        FAIL() << "a timeout has no HTTP status";
    } catch (const sala::backend_error& e) {
        EXPECT_TRUE(e.retryable());
        EXPECT_NE(std::string(e.what()).find("timed out"), std::string::npos) << e.what();
    }
    EXPECT_NO_THROW(zoom.apply_room_settings("sala01", {}));
}

TEST_F(fake_zoom, BadCredentialsAreNotRetryableAndNeverLeak) {
    auto c = config();
    c.client_secret = "wrong-secret-77";
    sala::zoom_rest zoom(c);
    const auto e = expect_zoom_error([&] { (void)zoom.list_users(); });
    EXPECT_FALSE(e.retryable());
    EXPECT_EQ(e.http_status(), 401);
    const std::string what = e.what();
    EXPECT_EQ(what.find("wrong-secret-77"), std::string::npos) << what;
    EXPECT_EQ(what.find("cid-9"), std::string::npos) << what;
    EXPECT_NE(what.find("Invalid client_id or client_secret"), std::string::npos) << what;
    EXPECT_EQ(state()["tokens_issued"], 0);
}

TEST_F(fake_zoom, ConfigFromEnvironment) {
    unsetenv("ZOOM_CLIENT_SECRET");
    setenv("ZOOM_ACCOUNT_ID", "a", 1);
    setenv("ZOOM_CLIENT_ID", "b", 1);
    try {
        (void)sala::zoom_config::from_env();
        FAIL();
    } catch (const sala::invalid_settings& e) {
        EXPECT_EQ(e.field(), "ZOOM_CLIENT_SECRET");
    }
    setenv("ZOOM_CLIENT_SECRET", "c", 1);
    setenv("SALA_ZOOM_API_BASE", (base() + "/v2").c_str(), 1);
    const auto c = sala::zoom_config::from_env();
    EXPECT_EQ(c.account_id, "a");
    EXPECT_EQ(c.client_secret, "c");
    EXPECT_EQ(c.api_base, base() + "/v2");
    EXPECT_EQ(c.oauth_url, "https://zoom.us/oauth/token");
    for (const char* v :
         {"ZOOM_ACCOUNT_ID", "ZOOM_CLIENT_ID", "ZOOM_CLIENT_SECRET", "SALA_ZOOM_API_BASE"})
        unsetenv(v);
    auto bad = config();
    bad.api_base = "ftp://x";
    EXPECT_THROW(sala::zoom_rest{bad}, sala::invalid_settings);
    bad = config();
    bad.page_size = 301;
    EXPECT_THROW(sala::zoom_rest{bad}, sala::invalid_settings);
}

TEST_F(fake_zoom, DailyCreateLimitPerHostWaitsUntilMidnightUtc) {
    json cfg = seed();
    cfg["daily_create_limit"] = 2;
    control("reset", cfg);
    sala::zoom_rest zoom(config());
    (void)zoom.create_webinar(spec());
    (void)zoom.create_webinar(spec());
    const auto e = expect_zoom_error([&] { zoom.create_webinar(spec()); });
    EXPECT_TRUE(e.retryable());
    EXPECT_EQ(e.http_status(), 429);
    // Retry-After is the next 00:00 UTC: within a day, and the same as computed here.
    const auto now = std::chrono::floor<std::chrono::seconds>(std::chrono::system_clock::now());
    const auto midnight = std::chrono::floor<std::chrono::days>(now) + std::chrono::days{1};
    EXPECT_NEAR(e.retry_after_seconds(), (midnight - now).count(), 5);
    // The limit is per host: another room can still create.
    EXPECT_NO_THROW(zoom.create_webinar(spec("sala02")));
    EXPECT_EQ(state()["webinars"].size(), 3u);
}
