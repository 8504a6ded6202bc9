#pragma once
// The hostile Zoom peer (tests/support/hostile_zoom.py) for the zoom tests:
// one per test suite, switched into a mode by each test. Every error a test
// expects is checked for the peer's credentials by expect_failure().
#include <gtest/gtest.h>

#include <sys/resource.h>

#include <chrono>
#include <filesystem>
#include <string>

#include <curl/curl.h>
#include <nlohmann/json.hpp>

#include "../smtp/child_process.hpp"
#include "control_call.hpp"
#include "sala/adapters/zoom_rest.hpp"

namespace sala::test {

// The peer's credentials and what they look like on the wire.
inline constexpr const char* hostile_client_id = "cid-hostile";
inline constexpr const char* hostile_secret = "sec-hostile-42";
inline constexpr const char* hostile_basic = "Y2lkLWhvc3RpbGU6c2VjLWhvc3RpbGUtNDI=";
inline constexpr const char* hostile_token_prefix = "tokH";  // every token it issues

inline void expect_no_secret(const std::string& text) {
    for (const char* secret :
         {hostile_client_id, hostile_secret, hostile_basic, hostile_token_prefix, "sec-hostile"})
        EXPECT_EQ(text.find(secret), std::string::npos) << "'" << secret << "' in: " << text;
}

// One line of text: no C0 controls, no DEL.
inline bool one_line(const std::string& text) {
    for (const char c : text)
        if (static_cast<unsigned char>(c) < 0x20 || c == 0x7F) return false;
    return true;
}

struct failure {
    std::string what;
    bool retryable = false;
    int retry_after = 0;
    int http_status = 0;  // 0: not a zoom_error (transport, size, bad data)
    std::chrono::duration<double> took{};
};

// Runs `f`, expects a sala::backend_error and describes it.
template <class F>
failure expect_failure(F f) {
    failure out;
    const auto started = std::chrono::steady_clock::now();
    try {
        f();
        ADD_FAILURE() << "no backend_error";
    } catch (const sala::zoom_error& e) {
        out = {e.what(), e.retryable(), e.retry_after_seconds(), e.http_status(), {}};
    } catch (const sala::backend_error& e) {
        out = {e.what(), e.retryable(), e.retry_after_seconds(), 0, {}};
    }
    out.took = std::chrono::steady_clock::now() - started;
    expect_no_secret(out.what);
    EXPECT_TRUE(one_line(out.what)) << out.what;
    return out;
}

// The peak resident memory of this process so far, in MiB.
inline long peak_rss_mib() {
    rusage u{};
    getrusage(RUSAGE_SELF, &u);
    return u.ru_maxrss / 1024;
}

class hostile_zoom : public ::testing::Test {
  public:
    static void SetUpTestSuite() {
        server_ = new child_process({"/usr/bin/python3", SALA_HOSTILE_ZOOM});
    }
    static void TearDownTestSuite() {
        delete server_;
        server_ = nullptr;
    }
    void SetUp() override { mode("normal"); }

    static std::string base() { return "http://127.0.0.1:" + std::to_string(server_->port()); }

    static sala::zoom_config config() {
        sala::zoom_config c;
        c.account_id = "acct-h";
        c.client_id = hostile_client_id;
        c.client_secret = hostile_secret;
        c.api_base = base() + "/v2";
        c.oauth_url = base() + "/oauth/token";
        c.total_timeout = std::chrono::seconds(5);
        c.connect_timeout = std::chrono::seconds(2);
        c.download_timeout = std::chrono::seconds(10);
        c.max_reply_bytes = 1u << 20;
        return c;
    }

    static nlohmann::json control(const std::string& what, const nlohmann::json& body,
                                  bool get = false) {
        return test_support::control_call(base(), what, body, get);
    }
    static void mode(const std::string& name, nlohmann::json extra = nlohmann::json::object()) {
        extra["mode"] = name;
        const auto r = control("mode", extra);
        ASSERT_EQ(r.value("ok", false), true) << "unknown mode " << name;
    }
    static nlohmann::json state() { return control("state", {}, true); }

    // A fresh folder for downloads, removed by the test's end.
    std::filesystem::path folder() {
        const auto info = ::testing::UnitTest::GetInstance()->current_test_info();
        dir_ = std::filesystem::temp_directory_path() /
               ("sala-hostile-" + std::to_string(getpid()) + "-" + info->name());
        std::filesystem::remove_all(dir_);
        std::filesystem::create_directories(dir_);
        return dir_;
    }
    void TearDown() override {
        if (!dir_.empty()) std::filesystem::remove_all(dir_);
    }

    static child_process* server_;
    std::filesystem::path dir_;
};

inline child_process* hostile_zoom::server_ = nullptr;

}  // namespace sala::test
