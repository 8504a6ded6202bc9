// The Zoom adapter against a hostile peer (tests/support/hostile_zoom.py):
// Retry-After it must cap, credentials echoed back that must not reach an
// error, and replies and downloads that must stay within their bounds. One
// test per mode of the peer; the mode name is in the test name.
#include <gtest/gtest.h>

#include <filesystem>

#include "hostile_support.hpp"
#include "sala/adapters/zoom_rest.hpp"

namespace fs = std::filesystem;
using sala::zoom_rest;
using sala::test::expect_failure;
using sala::test::hostile_zoom;

namespace {

constexpr int cap = zoom_rest::max_retry_after_seconds;

// A 429 (or `status`) on PATCH /users/u1/settings in `mode`: its wait.
int rate_limited_wait(const std::string& mode, int status = 429) {
    hostile_zoom::mode(mode);
    zoom_rest zoom(hostile_zoom::config());
    const auto f = expect_failure([&] { zoom.apply_room_settings("u1", {}); });
    EXPECT_EQ(f.http_status, status) << f.what;
    EXPECT_TRUE(f.retryable) << f.what;
    EXPECT_GE(f.retry_after, 1) << f.what;
    EXPECT_LE(f.retry_after, cap) << f.what;
    return f.retry_after;
}

sala::recording_file listed_file(zoom_rest& zoom) {
    const auto files = zoom.list_recordings("5");
    EXPECT_EQ(files.size(), 1u);
    return files.empty() ? sala::recording_file{} : files[0];
}

// The file is not there after a refused download, and no part of it either.
void expect_no_download(const fs::path& dest) {
    EXPECT_FALSE(fs::exists(dest));
    EXPECT_FALSE(fs::exists(fs::path(dest.string() + ".part")));
}

}  // namespace

// -- Retry-After --------------------------------------------------------------

TEST_F(hostile_zoom, RetryAfterIntMaxIsCappedToADay) {
    EXPECT_EQ(cap, 86'400);
    EXPECT_EQ(rate_limited_wait("retry_after_int_max"), cap);
}

TEST_F(hostile_zoom, RetryAfterDigitsOverflowIsCapped) {
    EXPECT_EQ(rate_limited_wait("retry_after_digits_overflow"), cap);
}

TEST_F(hostile_zoom, RetryAfterIsoFarFutureIsCappedNotNegative) {
    EXPECT_EQ(rate_limited_wait("retry_after_iso_far"), cap);
}

TEST_F(hostile_zoom, RetryAfterHttpDateFarFutureIsCapped) {
    EXPECT_EQ(rate_limited_wait("retry_after_http_date_far"), cap);
}

TEST_F(hostile_zoom, RetryAfterHttpDateSoonIsHonoured) {
    const int s = rate_limited_wait("retry_after_http_date_soon");
    EXPECT_GE(s, 100);
    EXPECT_LE(s, 121);
}

TEST_F(hostile_zoom, RetryAfterNegativeCountsAsAbsent) {
    EXPECT_EQ(rate_limited_wait("retry_after_negative"), 1);
}

TEST_F(hostile_zoom, RetryAfterGarbageCountsAsAbsent) {
    EXPECT_EQ(rate_limited_wait("retry_after_garbage"), 1);
}

TEST_F(hostile_zoom, RetryAfterInThePastWaitsOneSecond) {
    EXPECT_EQ(rate_limited_wait("retry_after_past"), 1);
}

TEST_F(hostile_zoom, RetryAfterWithImpossibleFieldsCountsAsAbsent) {
    EXPECT_EQ(rate_limited_wait("retry_after_bad_fields"), 1);
}

TEST_F(hostile_zoom, RetryAfterOnA503IsCappedToo) {
    EXPECT_EQ(rate_limited_wait("retry_after_503_int_max", 503), cap);
}

// -- credentials echoed back ----------------------------------------------------

TEST_F(hostile_zoom, EchoAuthJsonIsRedacted) {
    mode("echo_auth_json");
    zoom_rest zoom(config());
    const auto f = expect_failure([&] { (void)zoom.list_recordings("5"); });
    EXPECT_EQ(f.http_status, 400);
    EXPECT_FALSE(f.retryable);
    EXPECT_NE(f.what.find("Bad request, you sent Authorization: Bearer [redacted]"),
              std::string::npos)
        << f.what;
}

TEST_F(hostile_zoom, EchoAuthTextIsRedactedAndOneLine) {
    mode("echo_auth_text");
    zoom_rest zoom(config());
    const auto f = expect_failure([&] { (void)zoom.list_recordings("5"); });
    EXPECT_EQ(f.http_status, 500);
    EXPECT_TRUE(f.retryable);
    EXPECT_NE(f.what.find("authorization: Bearer [redacted]"), std::string::npos) << f.what;
}

TEST_F(hostile_zoom, EchoTokenBareIsRedactedByValue) {
    mode("echo_token_bare");
    zoom_rest zoom(config());
    const auto f = expect_failure([&] { zoom.apply_room_settings("u1", {}); });
    EXPECT_EQ(f.http_status, 404);
    EXPECT_NE(f.what.find("token [redacted] has no user"), std::string::npos) << f.what;
    EXPECT_NE(f.what.find("access_token=[redacted]&x=1"), std::string::npos) << f.what;
}

TEST_F(hostile_zoom, OauthEchoBasicIsRedacted) {
    mode("oauth_echo_basic");
    zoom_rest zoom(config());
    const auto f = expect_failure([&] { (void)zoom.list_users(); });
    EXPECT_EQ(f.http_status, 401);
    EXPECT_FALSE(f.retryable);
    EXPECT_NE(f.what.find("Invalid client: Authorization: Basic [redacted]"), std::string::npos)
        << f.what;
}

TEST_F(hostile_zoom, OauthEchoSecretIsRedacted) {
    mode("oauth_echo_secret");
    zoom_rest zoom(config());
    const auto f = expect_failure([&] { (void)zoom.list_users(); });
    EXPECT_EQ(f.http_status, 400);
    EXPECT_FALSE(f.retryable);
    EXPECT_NE(f.what.find("client_secret=[redacted]"), std::string::npos) << f.what;
    EXPECT_NE(f.what.find("account_id=acct-h"), std::string::npos) << f.what;
}

TEST_F(hostile_zoom, DownloadEchoTokenIsRedactedAndLeavesNoFile) {
    mode("download_echo_token");
    zoom_rest zoom(config());
    const auto file = listed_file(zoom);
    const auto dest = folder() / "f1.mp4";
    const auto f = expect_failure([&] { zoom.download_recording(file, dest.string()); });
    EXPECT_EQ(f.http_status, 403);
    EXPECT_NE(f.what.find("denied for Bearer [redacted]"), std::string::npos) << f.what;
    EXPECT_FALSE(fs::exists(dest));
    EXPECT_TRUE(fs::is_empty(dest.parent_path()));
}

// -- bounded replies -------------------------------------------------------------

TEST_F(hostile_zoom, EndlessBodyIsCutAtTheReplyBound) {
    mode("endless_body");
    const long before = sala::test::peak_rss_mib();
    zoom_rest zoom(config());
    const auto f = expect_failure([&] { (void)zoom.list_users(); });
    EXPECT_TRUE(f.retryable);
    EXPECT_NE(f.what.find("GET /users: reply larger than 1048576 bytes"), std::string::npos)
        << f.what;
    EXPECT_LT(sala::test::peak_rss_mib() - before, 64);  // 1 MiB allowed, not gigabytes
}

TEST_F(hostile_zoom, EndlessErrorBodyIsCutToo) {
    mode("endless_error_body");
    zoom_rest zoom(config());
    const auto f = expect_failure([&] { zoom.apply_room_settings("u1", {}); });
    EXPECT_TRUE(f.retryable);
    EXPECT_NE(f.what.find("reply larger than 1048576 bytes"), std::string::npos) << f.what;
}

TEST_F(hostile_zoom, HugeContentLengthIsRefusedBeforeReading) {
    mode("huge_content_length");
    zoom_rest zoom(config());
    const auto f = expect_failure([&] { (void)zoom.list_users(); });
    EXPECT_NE(f.what.find("reply larger than 1048576 bytes"), std::string::npos) << f.what;
    EXPECT_LT(f.took.count(), 2.5);  // not the 5 s timeout: refused from the header
}

TEST_F(hostile_zoom, EndlessHeadersAreCut) {
    mode("endless_headers");
    zoom_rest zoom(config());
    const auto f = expect_failure([&] { (void)zoom.list_users(); });
    EXPECT_TRUE(f.retryable);
    EXPECT_NE(f.what.find("reply headers larger than 65536 bytes"), std::string::npos) << f.what;
}

TEST_F(hostile_zoom, OauthEndlessBodyIsCut) {
    mode("oauth_endless_body");
    zoom_rest zoom(config());
    const auto f = expect_failure([&] { (void)zoom.list_users(); });
    EXPECT_NE(f.what.find("POST oauth token: reply larger than"), std::string::npos) << f.what;
    EXPECT_EQ(zoom.tokens_fetched(), 0);
}

// -- bounded downloads ---------------------------------------------------------

TEST_F(hostile_zoom, DownloadWithinTheAnnouncedSizeWorks) {
    mode("normal", {{"announced", 300000}});
    zoom_rest zoom(config());
    const auto file = listed_file(zoom);
    EXPECT_EQ(file.size_bytes, 300000);
    EXPECT_EQ(zoom_rest::download_limit(file), 300000 + 3000 + zoom_rest::download_slack_bytes);
    const auto dest = folder() / "f1.mp4";
    zoom.download_recording(file, dest.string());
    EXPECT_EQ(fs::file_size(dest), 300000u);
}

TEST_F(hostile_zoom, DownloadLargerChunkedIsCutAtAnnouncedPlusSlack) {
    mode("download_larger_chunked", {{"announced", 100000}});
    zoom_rest zoom(config());
    const auto file = listed_file(zoom);
    const auto dest = folder() / "f1.mp4";
    const auto f = expect_failure([&] { zoom.download_recording(file, dest.string()); });
    EXPECT_FALSE(f.retryable);  // the same file will be as large next time
    EXPECT_NE(
        f.what.find("the file is larger than " + std::to_string(zoom_rest::download_limit(file)) +
                    " bytes (Zoom listed 100000)"),
        std::string::npos)
        << f.what;
    expect_no_download(dest);
}

TEST_F(hostile_zoom, DownloadLargerContentLengthIsRefusedAtOnce) {
    mode("download_larger_length", {{"announced", 100000}});
    zoom_rest zoom(config());
    const auto file = listed_file(zoom);
    const auto dest = folder() / "f1.mp4";
    const auto f = expect_failure([&] { zoom.download_recording(file, dest.string()); });
    EXPECT_FALSE(f.retryable);
    EXPECT_NE(f.what.find("the file is larger than"), std::string::npos) << f.what;
    expect_no_download(dest);
}

TEST_F(hostile_zoom, DownloadEndlessIsCutAtAnnouncedPlusSlack) {
    mode("download_endless", {{"announced", 5000}});
    zoom_rest zoom(config());
    const auto file = listed_file(zoom);
    const auto dest = folder() / "f1.mp4";
    const auto f = expect_failure([&] { zoom.download_recording(file, dest.string()); });
    EXPECT_NE(f.what.find("the file is larger than"), std::string::npos) << f.what;
    EXPECT_LT(f.took.count(), 5.0);
    expect_no_download(dest);
}

TEST_F(hostile_zoom, DownloadWithoutAnnouncedSizeHasAFixedBound) {
    sala::recording_file unsized{"cc", "CC", base() + "/rec/cc", 0};
    EXPECT_EQ(zoom_rest::download_limit(unsized), zoom_rest::unsized_download_limit);
    unsized.size_bytes = std::int64_t{1} << 62;  // a listing that lies
    EXPECT_LT(zoom_rest::download_limit(unsized), zoom_rest::max_download_bytes * 2);
    mode("download_endless");
    zoom_rest zoom(config());
    const auto dest = folder() / "cc.vtt";
    sala::recording_file small{"cc", "CC", base() + "/rec/cc", 0};
    const auto f = expect_failure([&] { zoom.download_recording(small, dest.string()); });
    EXPECT_NE(f.what.find("larger than " + std::to_string(zoom_rest::unsized_download_limit)),
              std::string::npos)
        << f.what;
    expect_no_download(dest);
}

TEST_F(hostile_zoom, DownloadTruncatedIsRetryableAndLeavesNoFile) {
    mode("download_truncated", {{"announced", 100000}});
    zoom_rest zoom(config());
    const auto file = listed_file(zoom);
    const auto dest = folder() / "f1.mp4";
    const auto f = expect_failure([&] { zoom.download_recording(file, dest.string()); });
    EXPECT_TRUE(f.retryable) << f.what;
    expect_no_download(dest);
}

TEST_F(hostile_zoom, DownloadRedirectLoopEnds) {
    mode("download_redirect_loop");
    zoom_rest zoom(config());
    const auto file = listed_file(zoom);
    const auto dest = folder() / "f1.mp4";
    const auto f = expect_failure([&] { zoom.download_recording(file, dest.string()); });
    EXPECT_NE(f.what.find("edirect"), std::string::npos) << f.what;
    EXPECT_LE(state()["log"].size(), 2u + 11u);  // token, listing, 1 + 10 redirects
    expect_no_download(dest);
}

TEST_F(hostile_zoom, DownloadRedirectToAFileUrlIsNotFollowed) {
    mode("download_redirect_file");
    zoom_rest zoom(config());
    const auto file = listed_file(zoom);
    const auto dest = folder() / "f1.mp4";
    (void)expect_failure([&] { zoom.download_recording(file, dest.string()); });
    expect_no_download(dest);
}

TEST_F(hostile_zoom, DownloadSlowDripEndsWithinTheDownloadTimeout) {
    mode("download_slow_drip");
    auto c = config();
    c.download_timeout = std::chrono::seconds(2);
    zoom_rest zoom(c);
    const auto file = listed_file(zoom);
    const auto dest = folder() / "f1.mp4";
    const auto f = expect_failure([&] { zoom.download_recording(file, dest.string()); });
    EXPECT_TRUE(f.retryable);
    EXPECT_NE(f.what.find("timed out"), std::string::npos) << f.what;
    EXPECT_LT(f.took.count(), 1.5 * 2);
    expect_no_download(dest);
}
