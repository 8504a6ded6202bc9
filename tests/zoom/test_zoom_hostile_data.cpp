// The Zoom adapter against a hostile peer (tests/support/hostile_zoom.py):
// answers whose content is hostile (names with controls or invalid UTF-8,
// unusable ids, bad URLs and tokens, endless paging, odd JSON) and a hostile
// transport (slow drips, stalls, broken status lines). One test per mode.
#include <gtest/gtest.h>

#include "hostile_support.hpp"
#include "sala/adapters/zoom_rest.hpp"
#include "sala/detail/utf8.hpp"

using sala::zoom_rest;
using sala::test::expect_failure;
using sala::test::hostile_zoom;
using sala::test::one_line;

namespace {

std::vector<std::string> ids(const std::vector<sala::account_user>& users) {
    std::vector<std::string> out;
    for (const auto& u : users) out.push_back(u.user_id);
    return out;
}

}  // namespace

// -- what the answers contain --------------------------------------------------

TEST_F(hostile_zoom, UsersControlCharsBecomeSpaces) {
    mode("users_control_chars");
    zoom_rest zoom(config());
    const auto users = zoom.list_users();
    ASSERT_EQ(users.size(), 1u);
    EXPECT_EQ(users[0].display_name, "Ana Bcc: evil@x.test P [31m erez");
    EXPECT_TRUE(one_line(users[0].display_name));
    EXPECT_EQ(users[0].display_name.find("\xE2\x80\xAE"), std::string::npos);  // U+202E
}

TEST_F(hostile_zoom, UsersInvalidUtf8BecomesReplacementCharacters) {
    mode("users_invalid_utf8");
    zoom_rest zoom(config());
    const auto users = zoom.list_users();
    ASSERT_EQ(users.size(), 1u);
    const std::string r = "\xEF\xBF\xBD";  // U+FFFD
    EXPECT_EQ(users[0].display_name, "Jos" + r + " " + r + r + " " + r + "(" + r + r + r + "end");
    EXPECT_TRUE(sala::detail::valid_utf8(users[0].display_name));
}

TEST_F(hostile_zoom, UsersBadIdsOrEmailsAreSkipped) {
    mode("users_bad_ids");
    zoom_rest zoom(config());
    const auto users = zoom.list_users();
    EXPECT_EQ(ids(users), (std::vector<std::string>{"u1", "u9", "12345678901"}));
    ASSERT_EQ(users.size(), 3u);
    EXPECT_EQ(users[1].display_name, "u9@uni.test");  // no usable name: the address
    EXPECT_TRUE(users[1].licensed);                   // type "2" read as 2
    EXPECT_EQ(users[2].display_name, "Numeric");
    for (const auto& r : state()["log"])  // no request went out for a skipped user
        EXPECT_EQ(r["path"].get<std::string>().find("u2"), std::string::npos) << r;
}

TEST_F(hostile_zoom, UsersHugeNameIsCut) {
    mode("users_huge_name");
    zoom_rest zoom(config());
    const auto users = zoom.list_users();
    ASSERT_EQ(users.size(), 1u);
    EXPECT_EQ(users[0].display_name.size(), 200u * 2);  // 200 characters of 2 bytes
    EXPECT_TRUE(sala::detail::valid_utf8(users[0].display_name));
}

TEST_F(hostile_zoom, UsersLoneSurrogateFailsTheListClearly) {
    mode("users_lone_surrogate");
    zoom_rest zoom(config());
    const auto f = expect_failure([&] { (void)zoom.list_users(); });
    EXPECT_TRUE(f.retryable);
    EXPECT_NE(f.what.find("GET /users: reply is not a JSON object"), std::string::npos) << f.what;
}

TEST_F(hostile_zoom, UsersWrongTypesGiveAnEmptyList) {
    mode("users_wrong_types");
    zoom_rest zoom(config());
    EXPECT_TRUE(zoom.list_users().empty());
}

TEST_F(hostile_zoom, ReportControlCharsAreSanitised) {
    mode("report_control_chars");
    zoom_rest zoom(config());
    const auto rows = zoom.participants_report("5");
    ASSERT_EQ(rows.size(), 1u);
    EXPECT_EQ(rows[0].name, "Eve Intruder");
    EXPECT_EQ(rows[0].email, "e\xEF\xBF\xBDve@x.test");
    EXPECT_EQ(rows[0].join_time, sala::make_utc(2021, 5, 12, 7, 0));
    EXPECT_EQ(rows[0].leave_time, sala::instant{});  // hour 99: no instant
    EXPECT_EQ(rows[0].duration_seconds, 0);          // 1e300 is no duration
}

TEST_F(hostile_zoom, RecordingsBadUrlIsRefusedLocally) {
    mode("recordings_bad_url");
    zoom_rest zoom(config());
    const auto files = zoom.list_recordings("5");
    ASSERT_EQ(files.size(), 1u);
    const auto before = state()["log"].size();
    try {
        zoom.download_recording(files[0], "/tmp/sala-never-written");
        FAIL() << "file:// accepted";
    } catch (const sala::invalid_argument& e) {
        EXPECT_EQ(e.field(), "download_url");
    }
    EXPECT_EQ(state()["log"].size(), before);
}

TEST_F(hostile_zoom, RecordingsCrLfUrlIsRefusedLocally) {
    mode("recordings_crlf_url");
    zoom_rest zoom(config());
    const auto files = zoom.list_recordings("5");
    ASSERT_EQ(files.size(), 1u);
    try {
        zoom.download_recording(files[0], "/tmp/sala-never-written");
        FAIL() << "CR/LF URL accepted";
    } catch (const sala::invalid_argument& e) {
        EXPECT_EQ(e.field(), "download_url");
        EXPECT_TRUE(one_line(e.what())) << e.what();
    }
}

sala::webinar_spec webinar() {
    sala::webinar_spec s;
    s.host_user_id = "u1";
    s.topic = "Hostile";
    s.start = sala::make_utc(2021, 5, 12, 7, 0);
    s.duration = sala::minutes{60};
    return s;
}

TEST_F(hostile_zoom, WebinarBadIdIsRefusedNotRetryable) {
    mode("webinar_bad_id");
    zoom_rest zoom(config());
    const auto f = expect_failure([&] { (void)zoom.create_webinar(webinar()); });
    EXPECT_FALSE(f.retryable);  // a retry would create a second webinar
    EXPECT_NE(f.what.find("reply's id is not a usable id"), std::string::npos) << f.what;
}

TEST_F(hostile_zoom, WebinarBadJoinUrlIsRefusedNotRetryable) {
    mode("webinar_bad_join_url");
    zoom_rest zoom(config());
    const auto f = expect_failure([&] { (void)zoom.create_webinar(webinar()); });
    EXPECT_FALSE(f.retryable);
    EXPECT_NE(f.what.find("webinar 81000000001: reply's join_url is not a usable http(s) URL"),
              std::string::npos)
        << f.what;
}

TEST_F(hostile_zoom, TokenWithCrLfIsNeverSent) {
    mode("token_crlf");
    zoom_rest zoom(config());
    const auto f = expect_failure([&] { (void)zoom.list_recordings("5"); });
    EXPECT_TRUE(f.retryable);
    EXPECT_NE(f.what.find("the access_token in the reply is unusable"), std::string::npos)
        << f.what;
    for (const auto& r : state()["log"])  // no API call with the injected header
        EXPECT_EQ(r["path"], "/oauth/token");
}

TEST_F(hostile_zoom, TokenExpiresHugeStillCachesOneToken) {
    mode("token_expires_huge");
    zoom_rest zoom(config());
    for (int i = 0; i < 3; ++i) EXPECT_EQ(zoom.list_recordings("5").size(), 1u);
    EXPECT_EQ(zoom.tokens_fetched(), 1);
}

TEST_F(hostile_zoom, EndlessPagingStopsAtTheMaximum) {
    mode("endless_paging");
    zoom_rest zoom(config());
    const auto f = expect_failure([&] { (void)zoom.list_users(); });
    EXPECT_NE(f.what.find("paging did not end after 1000 pages"), std::string::npos) << f.what;
    EXPECT_EQ(state()["pages"], zoom_rest::max_pages);
}

TEST_F(hostile_zoom, DeepJsonDoesNotCrash) {
    mode("deep_json");
    zoom_rest zoom(config());
    EXPECT_TRUE(zoom.list_users().empty());
}

TEST_F(hostile_zoom, UnsolicitedGzipIsNotJson) {
    mode("unsolicited_gzip");
    zoom_rest zoom(config());
    const auto f = expect_failure([&] { (void)zoom.list_users(); });
    EXPECT_NE(f.what.find("reply is not a JSON object"), std::string::npos) << f.what;
}

TEST_F(hostile_zoom, Html502IsRetryableAndOneBoundedLine) {
    mode("html_502");
    zoom_rest zoom(config());
    const auto f = expect_failure([&] { (void)zoom.list_users(); });
    EXPECT_EQ(f.http_status, 502);
    EXPECT_TRUE(f.retryable);
    EXPECT_LT(f.what.size(), 400u) << f.what;
    EXPECT_NE(f.what.find("502 Bad Gateway"), std::string::npos) << f.what;
}

// -- transport -------------------------------------------------------------------

// Ends with a retryable timeout within 1.5 x total_timeout.
void expect_timeout(const std::string& mode) {
    auto c = hostile_zoom::config();
    c.total_timeout = std::chrono::seconds(2);
    zoom_rest zoom(c);
    (void)zoom.list_recordings("5");  // token and connection in place
    hostile_zoom::mode(mode);
    const auto f = expect_failure([&] { zoom.apply_room_settings("u1", {}); });
    EXPECT_TRUE(f.retryable);
    EXPECT_NE(f.what.find("timed out"), std::string::npos) << f.what;
    EXPECT_LT(f.took.count(), 1.5 * 2);
}

TEST_F(hostile_zoom, SlowDripBodyTimesOut) { expect_timeout("slow_drip_body"); }
TEST_F(hostile_zoom, SlowDripHeadersTimesOut) { expect_timeout("slow_drip_headers"); }
TEST_F(hostile_zoom, StallAfterHeadersTimesOut) { expect_timeout("stall_after_headers"); }

TEST_F(hostile_zoom, EmptyReplyIsRetryable) {
    mode("empty_reply");
    zoom_rest zoom(config());
    const auto f = expect_failure([&] { (void)zoom.list_users(); });
    EXPECT_TRUE(f.retryable);
    EXPECT_EQ(f.http_status, 0);
    EXPECT_NE(f.what.find("GET /users"), std::string::npos) << f.what;
}

TEST_F(hostile_zoom, Http09IsRefused) {
    mode("http09");
    zoom_rest zoom(config());
    const auto f = expect_failure([&] { (void)zoom.list_users(); });
    EXPECT_EQ(f.http_status, 0);
    EXPECT_NE(f.what.find("HTTP/0.9"), std::string::npos) << f.what;
}

TEST_F(hostile_zoom, GarbageStatusLineIsRefused) {
    mode("garbage_status");
    zoom_rest zoom(config());
    const auto f = expect_failure([&] { (void)zoom.list_users(); });
    EXPECT_EQ(f.http_status, 0) << f.what;
}
