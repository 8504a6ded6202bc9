// The SMTP mailer against a hostile SMTP peer (tests/support/hostile_smtp.py)
// started per test in one mode: stalls at every step, drops, resets, garbage,
// overlong and endless replies, refusals, echoed credentials. Each send must
// end within 1.5 x total_timeout with a backend_error that says what went
// wrong, retryable as documented, and never carries the password.
#include <gtest/gtest.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <memory>
#include <string>

#include "child_process.hpp"
#include "sala/adapters/smtp_mailer.hpp"
#include "sala/error.hpp"

namespace fs = std::filesystem;

namespace {

constexpr auto total = std::chrono::seconds(2);
constexpr const char* password = "pw-Hostile-77";
constexpr const char* password_b64 =
    "AHJlbGF5AHB3LUhvc3RpbGUtNzc=";  // AUTH PLAIN of relay/password

class peer {
  public:
    explicit peer(const std::string& mode) {
        static int n = 0;
        dir_ = fs::temp_directory_path() /
               ("sala-hostile-smtp-" + std::to_string(getpid()) + "-" + std::to_string(n++));
        fs::remove_all(dir_);
        proc_ = std::make_unique<sala::test::child_process>(std::vector<std::string>{
            "/usr/bin/python3", SALA_HOSTILE_SMTP, "--dir", dir_.string(), "--mode", mode});
    }
    ~peer() {
        proc_.reset();
        fs::remove_all(dir_);
    }
    // Messages the peer answered 250 to.
    int accepted() const {
        std::ifstream in(dir_ / "accepted");
        int n = 0;
        for (std::string line; std::getline(in, line);) ++n;
        return n;
    }
    sala::smtp_config config() const {
        sala::smtp_config c;
        c.port = proc_->port();
        c.total_timeout = total;
        c.connect_timeout = std::chrono::seconds(1);
        return c;
    }

  private:
    fs::path dir_;
    std::unique_ptr<sala::test::child_process> proc_;
};

sala::mail_message message() {
    sala::mail_message m;
    m.from = {"Salas", "salas@example.org"};
    m.to = {{"Ana", "ana@example.com"}};
    m.subject = "Credenciales";
    m.text_body = "usuario: sala01\ncontraseña: Xy7-kq9!Lm\n";
    m.idempotency_key = "credentials/7";
    return m;
}

struct outcome {
    bool failed = false;
    std::string what;
    bool retryable = false;
    double seconds = 0;
};

// Sends one message in `mode`; checks the bound and the message's hygiene.
outcome send_in(const peer& p, sala::smtp_config c) {
    outcome o;
    const auto started = std::chrono::steady_clock::now();
    try {
        sala::smtp_mailer(c).send(message());
    } catch (const sala::backend_error& e) {
        o = {true, e.what(), e.retryable(), 0};
    }
    o.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
    const double bound = 1.5 * std::chrono::duration<double>(c.total_timeout).count();
    EXPECT_LT(o.seconds, bound) << o.what;
    for (const char* secret : {password, password_b64})
        EXPECT_EQ(o.what.find(secret), std::string::npos) << o.what;
    for (const char ch : o.what)
        EXPECT_FALSE(static_cast<unsigned char>(ch) < 0x20 || ch == 0x7F) << o.what;
    (void)p;
    return o;
}

outcome send_in(const std::string& mode, int expect_accepted = 0) {
    peer p(mode);
    const outcome o = send_in(p, p.config());
    EXPECT_EQ(p.accepted(), expect_accepted) << mode;
    return o;
}

// A failure that is worth retrying, and says `hint` (e.g. "timed out").
void expect_retryable(const std::string& mode, const std::string& hint) {
    const outcome o = send_in(mode);
    EXPECT_TRUE(o.failed) << mode;
    EXPECT_TRUE(o.retryable) << o.what;
    EXPECT_NE(o.what.find(hint), std::string::npos) << o.what;
    EXPECT_NE(o.what.find("smtp: sending 'credentials/7'"), std::string::npos) << o.what;
}

void expect_permanent(const std::string& mode, const std::string& hint) {
    const outcome o = send_in(mode);
    EXPECT_TRUE(o.failed) << mode;
    EXPECT_FALSE(o.retryable) << o.what;
    EXPECT_NE(o.what.find(hint), std::string::npos) << o.what;
}

}  // namespace

TEST(SmtpHostile, NormalPeerAcceptsTheMessage) {
    const outcome o = send_in("normal", 1);
    EXPECT_FALSE(o.failed) << o.what;
}

// -- stalls: each bounded by total_timeout, not twice it -------------------------

TEST(SmtpHostile, StallAfterDataEndsWithinTotalTimeout) {
    expect_retryable("stall_after_data", "timed out");
}
TEST(SmtpHostile, StallAfter354EndsWithinTotalTimeout) {
    expect_retryable("stall_after_354", "timed out");
}
TEST(SmtpHostile, StallGreetingEndsWithinTotalTimeout) {
    expect_retryable("stall_greeting", "timed out");
}
TEST(SmtpHostile, StallMidReplyEndsWithinTotalTimeout) {
    expect_retryable("stall_mid_reply", "timed out");
}
TEST(SmtpHostile, StallMidLineEndsWithinTotalTimeout) {
    expect_retryable("stall_mid_line", "timed out");
}
TEST(SmtpHostile, StallAfterRcptEndsWithinTotalTimeout) {
    expect_retryable("stall_after_rcpt", "timed out");
}
TEST(SmtpHostile, SlowDripGreetingEndsWithinTotalTimeout) {
    expect_retryable("slow_drip_greeting", "timed out");
}
TEST(SmtpHostile, EndlessMultilineReplyIsCut) {
    expect_retryable("endless_multiline", "Too large response");
}

TEST(SmtpHostile, StallAfterQuitDoesNotHoldAnAcceptedMessage) {
    peer p("stall_after_quit");
    const outcome o = send_in(p, p.config());
    EXPECT_FALSE(o.failed) << o.what;  // accepted at "250 queued": sent
    EXPECT_EQ(p.accepted(), 1);
    EXPECT_LT(o.seconds, std::chrono::duration<double>(total).count());  // QUIT's reply not awaited
}

TEST(SmtpHostile, LongerTotalTimeoutIsStillOneBound) {
    peer p("stall_after_data");
    auto c = p.config();
    c.total_timeout = std::chrono::milliseconds(3500);  // not whole seconds either
    const outcome o = send_in(p, c);
    EXPECT_TRUE(o.failed);
    EXPECT_GE(o.seconds, 3.0);  // it did wait for the reply, up to the bound
}

// -- connection dropped or reset -------------------------------------------------

TEST(SmtpHostile, DropAtGreetingIsRetryable) { expect_retryable("drop_at_greeting", "failed"); }
TEST(SmtpHostile, DropAfterDataIsRetryable) { expect_retryable("drop_after_data", "failed"); }
TEST(SmtpHostile, ResetAfterDataIsRetryable) { expect_retryable("reset_after_data", "failed"); }

// -- garbage and overlong replies -----------------------------------------------

TEST(SmtpHostile, GarbageGreetingIsRetryable) { expect_retryable("garbage_greeting", "failed"); }
TEST(SmtpHostile, BinaryGarbageIsRetryable) { expect_retryable("binary_garbage", "failed"); }
TEST(SmtpHostile, OverlongReplyIsRetryable) { expect_retryable("overlong_reply", "failed"); }
TEST(SmtpHostile, ReplyCode600IsRefused) {
    const outcome o = send_in("reply_code_600");
    EXPECT_TRUE(o.failed);
    EXPECT_NE(o.what.find("failed"), std::string::npos) << o.what;
}
TEST(SmtpHostile, LfOnlyRepliesStillDeliver) {
    const outcome o = send_in("lf_only_replies", 1);
    EXPECT_FALSE(o.failed) << o.what;
}

// -- refusals -----------------------------------------------------------------

TEST(SmtpHostile, Greeting421IsRetryable) { expect_retryable("greeting_421", "421"); }
TEST(SmtpHostile, Greeting554IsPermanent) { expect_permanent("greeting_554", "554"); }
TEST(SmtpHostile, DataReply451IsRetryable) { expect_retryable("data_reply_451", "451"); }
TEST(SmtpHostile, DataReply552IsPermanent) { expect_permanent("data_reply_552", "552"); }
TEST(SmtpHostile, ControlCharsInAReplyNeverReachTheMessage) {
    expect_permanent("control_chars_reply", "550");
}

TEST(SmtpHostile, EchoedAuthNeverReachesTheMessage) {
    peer p("echo_auth");
    auto c = p.config();
    c.user = "relay";
    c.password = password;
    const outcome o = send_in(p, c);
    EXPECT_TRUE(o.failed);
    EXPECT_FALSE(o.retryable) << o.what;  // 535: the credentials are wrong
    EXPECT_EQ(p.accepted(), 0);
}
