// Outbox mailer and the shared RFC 5322 formatter: real files in a temp folder.
#include <gtest/gtest.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "sala/adapters/outbox_mailer.hpp"
#include "sala/error.hpp"

namespace fs = std::filesystem;

namespace {

struct temp_dir {
    fs::path path;
    temp_dir() {
        path = fs::temp_directory_path() /
               ("sala-outbox-" + std::to_string(getpid()) + "-" +
                std::to_string(std::chrono::steady_clock::now().time_since_epoch().count()));
    }
    ~temp_dir() { fs::remove_all(path); }
};

std::string slurp(const fs::path& p) {
    std::ifstream in(p, std::ios::binary);
    std::stringstream ss;
    ss << in.rdbuf();
    return ss.str();
}

std::size_t files_in(const fs::path& dir) {
    std::size_t n = 0;
    for ([[maybe_unused]] const auto& e : fs::directory_iterator(dir)) ++n;
    return n;
}

sala::mail_message sample() {
    sala::mail_message m;
    m.from = {"Salas", "salas@example.org"};
    m.to = {{"Ana Pérez", "ana@example.com"}};
    m.subject = "sesión turno de tarde";
    m.text_body = "Hola";
    m.html_body = "<p>Hola</p>";
    m.idempotency_key = "credentials/42";
    return m;
}

std::chrono::system_clock::time_point fixed_date() {
    return std::chrono::sys_days{std::chrono::year{2021} / 5 / 12} + std::chrono::hours{13} +
           std::chrono::minutes{5} + std::chrono::seconds{7};
}

std::string header_block(const std::string& msg) { return msg.substr(0, msg.find("\r\n\r\n") + 2); }

}  // namespace

TEST(Outbox, R16_SameKeyOverwritesDifferentKeyAddsAFile) {
    temp_dir d;
    sala::outbox_mailer out(d.path / "mail");
    auto m = sample();
    out.send(m);
    out.send(m);
    EXPECT_EQ(files_in(out.folder()), 1u);
    EXPECT_TRUE(fs::exists(out.path_for("credentials/42")));
    EXPECT_EQ(out.path_for("credentials/42").filename(), "credentials%2F42.eml");
    m.idempotency_key = "credentials/43";
    out.send(m);
    EXPECT_EQ(files_in(out.folder()), 2u);
    // Keys that differ only in an escaped character stay apart.
    m.idempotency_key = "credentials_42";
    out.send(m);
    EXPECT_EQ(files_in(out.folder()), 3u);
    const std::string text = slurp(out.path_for("credentials/42"));
    EXPECT_NE(text.find("Message-ID: <sala.credentials%2F42@example.org>\r\n"), std::string::npos);
    EXPECT_NE(text.find("Subject: =?UTF-8?B?"), std::string::npos);
}

TEST(Outbox, EmptyKeyGetsAUniqueFileEachTime) {
    temp_dir d;
    sala::outbox_mailer out(d.path);
    auto m = sample();
    m.idempotency_key.clear();
    out.send(m);
    out.send(m);
    EXPECT_EQ(files_in(d.path), 2u);
    EXPECT_THROW((void)out.path_for(""), sala::invalid_argument);
}

TEST(Outbox, RejectedMessageWritesNothing) {
    temp_dir d;
    sala::outbox_mailer out(d.path);
    auto m = sample();
    m.subject = "x\r\nBcc: evil@attacker.test";
    try {
        out.send(m);
        FAIL();
    } catch (const sala::invalid_argument& e) {
        EXPECT_EQ(e.field(), "subject");
    }
    m = sample();
    m.to.clear();
    try {
        out.send(m);
        FAIL();
    } catch (const sala::invalid_argument& e) {
        EXPECT_EQ(e.field(), "to");
    }
    m = sample();
    m.text_body = std::string("bad \xC3\x28 utf8");
    try {
        out.send(m);
        FAIL();
    } catch (const sala::invalid_argument& e) {
        EXPECT_EQ(e.field(), "text_body");
    }
    m = sample();
    m.to[0].email = "ñu@example.com";
    try {
        out.send(m);
        FAIL();
    } catch (const sala::invalid_argument& e) {
        EXPECT_EQ(e.field(), "to[0].email");
    }
    EXPECT_EQ(files_in(d.path), 0u);
}

TEST(Outbox, UnwritableFolderIsABackendError) {
    temp_dir d;
    fs::create_directories(d.path);
    std::ofstream(d.path / "file") << "x";
    EXPECT_THROW(sala::outbox_mailer(d.path / "file"), sala::backend_error);
}

TEST(Rfc5322, FormatIsDeterministicWithDateAndHeaders) {
    const auto m = sample();
    const std::string a = sala::format_rfc5322(m, fixed_date());
    EXPECT_EQ(a, sala::format_rfc5322(m, fixed_date()));
    const std::string h = header_block(a);
    EXPECT_NE(h.find("Date: Wed, 12 May 2021 13:05:07 +0000\r\n"), std::string::npos) << h;
    EXPECT_NE(h.find("From: Salas <salas@example.org>\r\n"), std::string::npos) << h;
    EXPECT_NE(h.find("MIME-Version: 1.0\r\n"), std::string::npos);
    EXPECT_NE(h.find("Content-Type: multipart/alternative; boundary=\"=_sala_"), std::string::npos);
    // "sesión turno de tarde" in UTF-8, base64.
    EXPECT_NE(h.find("Subject: =?UTF-8?B?c2VzacOzbiB0dXJubyBkZSB0YXJkZQ==?=\r\n"),
              std::string::npos)
        << h;
}

TEST(Rfc5322, EveryHeaderLineIsAHeaderOrAContinuation) {
    auto m = sample();
    m.subject = std::string(300, 'a') + " ñ " + std::string(100, 'b');
    m.from.name = "Quote \"me\" \\ please";
    m.to.push_back({"", "bob@example.net"});
    m.to.push_back(
        {"Zoë Ñandú-Álvarez de la Peña y Muñoz Sánchez del Río Guadalquivir", "zoe@example.net"});
    const std::string msg = sala::format_rfc5322(m, fixed_date());
    std::istringstream in(header_block(msg));
    std::string line;
    int headers = 0;
    while (std::getline(in, line)) {
        ASSERT_FALSE(line.empty());
        ASSERT_EQ(line.back(), '\r') << "bare LF";
        line.pop_back();
        if (line.empty()) break;
        EXPECT_LE(line.size(), 78u) << line;
        if (line[0] == ' ') continue;
        const auto colon = line.find(':');
        ASSERT_NE(colon, std::string::npos) << line;
        const std::string name = line.substr(0, colon);
        EXPECT_TRUE(name == "Date" || name == "From" || name == "To" || name == "Subject" ||
                    name == "Message-ID" || name == "MIME-Version" || name == "Content-Type")
            << name;
        ++headers;
    }
    EXPECT_EQ(headers, 7);
    EXPECT_NE(msg.find("From: \"Quote \\\"me\\\" \\\\ please\" <salas@example.org>"),
              std::string::npos);
}

TEST(Rfc5322, QuotedPrintableBodyLinesStayShortAndSafe) {
    auto m = sample();
    m.html_body.clear();
    m.text_body = std::string(500, 'z') + "\n.dot at start\nFrom here\ntrailing space \nñ=eq";
    const std::string msg = sala::format_rfc5322(m, fixed_date());
    const std::string body = msg.substr(msg.find("\r\n\r\n") + 4);
    std::istringstream in(body);
    std::string line;
    while (std::getline(in, line)) {
        if (!line.empty() && line.back() == '\r') line.pop_back();
        EXPECT_LE(line.size(), 76u);
        EXPECT_NE(line.rfind(".", 0), 0u) << line;
        EXPECT_NE(line.rfind("From ", 0), 0u) << line;
        EXPECT_FALSE(!line.empty() && line.back() == ' ') << line;
    }
    EXPECT_NE(body.find("=2Edot at start"), std::string::npos);
    EXPECT_NE(body.find("trailing space=20\r\n"), std::string::npos);
    EXPECT_NE(body.find("=C3=B1=3Deq"), std::string::npos);
}

TEST(Rfc5322, MessageIdFollowsTheKey) {
    auto m = sample();
    EXPECT_EQ(sala::rfc5322_message_id(m), "<sala.credentials%2F42@example.org>");
    m.idempotency_key = std::string(400, 'k');
    const auto long_id = sala::rfc5322_message_id(m);
    EXPECT_LT(long_id.size(), 200u);
    m.idempotency_key = std::string(399, 'k') + "j";
    EXPECT_NE(sala::rfc5322_message_id(m), long_id);
    m.idempotency_key.clear();
    EXPECT_NE(sala::rfc5322_message_id(m), sala::rfc5322_message_id(m));
}
