// SMTP mailer against a real SMTP server (aiosmtpd) on 127.0.0.1 that the test
// starts itself (tests/support/smtp_sink.py). Assertions read what the server
// received, parsed back by Python's email package.
#include <gtest/gtest.h>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <memory>
#include <sstream>

#include <nlohmann/json.hpp>

#include "child_process.hpp"
#include "sala/adapters/outbox_mailer.hpp"
#include "sala/adapters/smtp_mailer.hpp"
#include "sala/error.hpp"

namespace fs = std::filesystem;
using nlohmann::json;

namespace {

std::string lf(std::string s) {
    std::string out;
    for (std::size_t i = 0; i < s.size(); ++i)
        if (!(s[i] == '\r' && i + 1 < s.size() && s[i + 1] == '\n')) out += s[i];
    return out;
}

class sink {
  public:
    explicit sink(std::vector<std::string> extra = {}) {
        dir_ = fs::temp_directory_path() /
               ("sala-smtp-" + std::to_string(getpid()) + "-" + std::to_string(counter()++));
        fs::remove_all(dir_);
        std::vector<std::string> argv{"/usr/bin/python3", SALA_SMTP_SINK,   "--dir",
                                      dir_.string(),      "--slow-seconds", "10"};
        argv.insert(argv.end(), extra.begin(), extra.end());
        proc_ = std::make_unique<sala::test::child_process>(argv);
    }
    ~sink() {
        proc_.reset();
        fs::remove_all(dir_);
    }
    int port() const { return proc_->port(); }
    std::size_t count() const {
        std::size_t n = 0;
        if (fs::exists(dir_))
            for (const auto& e : fs::directory_iterator(dir_))
                n += e.is_regular_file() && e.path().extension() == ".json";
        return n;
    }
    json received(int n) const {
        std::ifstream in(dir_ / (std::to_string(n) + ".json"));
        return json::parse(in);
    }
    std::string raw(int n) const {
        std::ifstream in(dir_ / (std::to_string(n) + ".eml"), std::ios::binary);
        std::stringstream ss;
        ss << in.rdbuf();
        return ss.str();
    }
    std::string tls_cert() const { return (dir_ / "tls" / "cert.pem").string(); }
    sala::smtp_config config() const {
        sala::smtp_config c;
        c.host = "127.0.0.1";
        c.port = port();
        c.total_timeout = std::chrono::seconds(20);
        return c;
    }

  private:
    static int& counter() {
        static int c = 0;
        return c;
    }
    fs::path dir_;
    std::unique_ptr<sala::test::child_process> proc_;
};

sala::mail_message credentials_mail() {
    sala::mail_message m;
    m.from = {"Symposium · Salas", "salas@example.org"};
    m.to = {{"Pérez, Ana", "ana.perez@example.com"}, {"Bob", "bob@example.net"}};
    m.subject = "Credenciales: sesión turno de tarde (miércoles)";
    m.text_body =
        "Hola Ana,\n\nusuario: sala01@example.org\ncontraseña: Xy7-kq9!Lm\n"
        ".una línea con punto\nFrom the desk of the organizer \n" +
        std::string(200, 'x') + "\nfin = 100%";
    m.html_body = "<p>Hola <b>Ana</b>,</p><p>contraseña: <code>Xy7-kq9!Lm</code></p><p>" +
                  std::string(150, 'y') + "</p>";
    m.idempotency_key = "credentials/42";
    return m;
}

std::string unique_port_closed() {
    // A port that was free a moment ago: bind, read, close.
    sala::test::child_process p({"/usr/bin/python3", "-c",
                                 "import socket;s=socket.socket();s.bind(('127.0.0.1',0));"
                                 "print('PORT',s.getsockname()[1],flush=True);s.close()"});
    return std::to_string(p.port());
}

}  // namespace

TEST(Smtp, R12_CredentialsMailArrivesWithUtf8SubjectNamesAndBothParts) {
    sink s;
    sala::smtp_mailer mailer(s.config());
    const auto m = credentials_mail();
    mailer.send(m);
    ASSERT_EQ(s.count(), 1u);
    const json r = s.received(1);
    EXPECT_EQ(r["mail_from"], "salas@example.org");
    EXPECT_EQ(r["rcpt_tos"], json({"ana.perez@example.com", "bob@example.net"}));
    EXPECT_EQ(r["subject"], m.subject);
    EXPECT_EQ(r["from_name"], "Symposium · Salas");
    EXPECT_EQ(r["to"], json({"ana.perez@example.com", "bob@example.net"}));
    EXPECT_EQ(r["to_names"], json({"Pérez, Ana", "Bob"}));
    EXPECT_EQ(r["message_id"], "<sala.credentials%2F42@example.org>");
    EXPECT_EQ(r["message_id"], sala::rfc5322_message_id(m));
    EXPECT_NE(r["date"], "None");
    EXPECT_EQ(r["content_type"], "multipart/alternative");
    // The CRLF before a boundary belongs to the delimiter (RFC 2046 §5.1.1).
    EXPECT_EQ(lf(r["parts"]["text/plain"].get<std::string>()), m.text_body);
    EXPECT_EQ(lf(r["parts"]["text/html"].get<std::string>()), m.html_body);
    EXPECT_EQ(r["defects"], json::array());
    // The wire form really is encoded: no raw UTF-8 byte in any header line.
    const std::string raw = s.raw(1);
    const std::string head = raw.substr(0, raw.find("\r\n\r\n"));
    for (const char c : head) ASSERT_LT(static_cast<unsigned char>(c), 0x80) << head;
    EXPECT_NE(head.find("Subject: =?UTF-8?B?"), std::string::npos);
}

TEST(Smtp, R14_TextOnlyMessageIsSinglePart) {
    sink s;
    sala::smtp_mailer mailer(s.config());
    sala::mail_message m;
    m.from = {"", "salas@example.org"};
    m.to = {{"", "org@example.com"}};
    m.subject = "Your webinar ends in 10 minutes";
    m.text_body = "Plain only.";
    m.idempotency_key = "end-warning/7";
    mailer.send(m);
    const json r = s.received(1);
    EXPECT_EQ(r["content_type"], "text/plain");
    EXPECT_EQ(r["subject"], m.subject);
    EXPECT_EQ(lf(r["parts"]["text/plain"].get<std::string>()), "Plain only.\n");
}

TEST(Smtp, CrLfInAnyFieldNeverInjectsAHeader) {
    sink s;
    sala::smtp_mailer mailer(s.config());
    struct attempt {
        std::string field;
        void (*spoil)(sala::mail_message&);
    };
    const std::vector<attempt> attempts{
        {"subject", [](sala::mail_message& m) { m.subject = "Hi\r\nBcc: evil@attacker.test"; }},
        {"subject", [](sala::mail_message& m) { m.subject = "Hi\nBcc: evil@attacker.test"; }},
        {"subject", [](sala::mail_message& m) { m.subject = "sesión\rBcc: evil@attacker.test"; }},
        {"from.name",
         [](sala::mail_message& m) { m.from.name = "Salas\r\nBcc: evil@attacker.test"; }},
        {"from.email",
         [](sala::mail_message& m) {
             m.from.email = "salas@example.org\r\nBcc: evil@attacker.test";
         }},
        {"to[1].name", [](sala::mail_message& m) { m.to[1].name = "Bob\nX-Injected: 1"; }},
        {"to[0].email",
         [](sala::mail_message& m) { m.to[0].email = "ana@example.com\nBcc: evil@attacker.test"; }},
        {"to[0].email",
         [](sala::mail_message& m) { m.to[0].email = "ana@example.com>, <evil@attacker.test"; }},
        {"idempotency_key",
         [](sala::mail_message& m) { m.idempotency_key = "k\r\nBcc: evil@attacker.test"; }},
    };
    for (const auto& a : attempts) {
        auto m = credentials_mail();
        a.spoil(m);
        try {
            mailer.send(m);
            ADD_FAILURE() << "accepted a spoiled " << a.field;
        } catch (const sala::invalid_argument& e) {
            EXPECT_EQ(e.field(), a.field) << e.what();
        }
    }
    EXPECT_EQ(s.count(), 0u);
    // Header-looking text without a line break is just text in the subject.
    auto m = credentials_mail();
    m.subject = "Hi Bcc: evil@attacker.test";
    mailer.send(m);
    const json r = s.received(1);
    EXPECT_EQ(r["subject"], m.subject);
    for (const auto& name : r["header_names"]) EXPECT_NE(name, "Bcc");
    EXPECT_EQ(r["rcpt_tos"].size(), 2u);
}

TEST(Smtp, R16_ResendOfTheSameKeyCarriesTheSameMessageId) {
    sink s;
    sala::smtp_mailer mailer(s.config());
    auto m = credentials_mail();
    mailer.send(m);
    mailer.send(m);
    m.idempotency_key = "credentials/43";
    mailer.send(m);
    EXPECT_EQ(s.received(1)["message_id"], s.received(2)["message_id"]);
    EXPECT_NE(s.received(1)["message_id"], s.received(3)["message_id"]);
}

TEST(Smtp, PermanentRejectionIsNotRetryableAndSendsNothing) {
    sink s;
    sala::smtp_mailer mailer(s.config());
    auto m = credentials_mail();
    m.to.push_back({"", "reject-me@example.com"});
    try {
        mailer.send(m);
        FAIL() << "550 accepted";
    } catch (const sala::backend_error& e) {
        EXPECT_FALSE(e.retryable()) << e.what();
        EXPECT_NE(std::string(e.what()).find("550"), std::string::npos) << e.what();
    }
    EXPECT_EQ(s.count(), 0u);
}

TEST(Smtp, TemporaryRefusalIsRetryable) {
    sink s;
    sala::smtp_mailer mailer(s.config());
    auto m = credentials_mail();
    m.to = {{"", "defer@example.com"}};
    try {
        mailer.send(m);
        FAIL() << "451 accepted";
    } catch (const sala::backend_error& e) {
        EXPECT_TRUE(e.retryable()) << e.what();
        EXPECT_NE(std::string(e.what()).find("451"), std::string::npos) << e.what();
    }
}

TEST(Smtp, ConnectionRefusedIsRetryable) {
    sala::smtp_config c;
    c.port = std::stoi(unique_port_closed());
    c.connect_timeout = std::chrono::seconds(2);
    sala::smtp_mailer mailer(c);
    try {
        mailer.send(credentials_mail());
        FAIL() << "sent to a closed port";
    } catch (const sala::backend_error& e) {
        EXPECT_TRUE(e.retryable()) << e.what();
    }
}

TEST(Smtp, SlowServerTimesOutRetryable) {
    sink s;
    auto c = s.config();
    c.total_timeout = std::chrono::milliseconds(1500);
    sala::smtp_mailer mailer(c);
    auto m = credentials_mail();
    m.to = {{"", "slow@example.com"}};
    try {
        mailer.send(m);
        FAIL() << "no timeout";
    } catch (const sala::backend_error& e) {
        EXPECT_TRUE(e.retryable()) << e.what();
        EXPECT_NE(std::string(e.what()).find("imeout"), std::string::npos) << e.what();
    }
    // The send gave up while the server was still holding DATA (it answers
    // after 10 s): the adapter did not wait for it.
    EXPECT_EQ(s.count(), 0u);
}

TEST(Smtp, AuthenticatesAndNeverRevealsThePassword) {
    sink s({"--user", "relay", "--password", "s3cret-Pa55"});
    auto c = s.config();
    c.user = "relay";
    c.password = "s3cret-Pa55";
    sala::smtp_mailer(c).send(credentials_mail());
    ASSERT_EQ(s.count(), 1u);
    EXPECT_EQ(s.received(1)["auth"], true);

    c.password = "wrong-Pa55";
    try {
        sala::smtp_mailer(c).send(credentials_mail());
        FAIL() << "wrong password accepted";
    } catch (const sala::backend_error& e) {
        EXPECT_FALSE(e.retryable()) << e.what();
        EXPECT_EQ(std::string(e.what()).find("wrong-Pa55"), std::string::npos);
    }
    EXPECT_EQ(s.count(), 1u);

    c.user.clear();
    c.password.clear();
    EXPECT_THROW(sala::smtp_mailer(c).send(credentials_mail()), sala::backend_error);
    EXPECT_EQ(s.count(), 1u);
}

TEST(Smtp, ConfigFromEnvironment) {
    setenv("SALA_SMTP_HOST", "mail.example.org", 1);
    setenv("SALA_SMTP_TLS", "starttls", 1);
    setenv("SALA_SMTP_USER", "u", 1);
    setenv("SALA_SMTP_PASSWORD", "p", 1);
    unsetenv("SALA_SMTP_PORT");
    auto c = sala::smtp_config::from_env();
    EXPECT_EQ(c.host, "mail.example.org");
    EXPECT_EQ(c.port, 587);
    EXPECT_EQ(c.tls, sala::smtp_tls::starttls);
    EXPECT_EQ(c.user, "u");
    EXPECT_EQ(c.password, "p");
    setenv("SALA_SMTP_PORT", "70000", 1);
    try {
        (void)sala::smtp_config::from_env();
        FAIL();
    } catch (const sala::invalid_settings& e) {
        EXPECT_EQ(e.field(), "SALA_SMTP_PORT");
    }
    setenv("SALA_SMTP_PORT", "2525", 1);
    setenv("SALA_SMTP_TLS", "maybe", 1);
    try {
        (void)sala::smtp_config::from_env();
        FAIL();
    } catch (const sala::invalid_settings& e) {
        EXPECT_EQ(e.field(), "SALA_SMTP_TLS");
    }
    for (const char* v : {"SALA_SMTP_HOST", "SALA_SMTP_TLS", "SALA_SMTP_USER", "SALA_SMTP_PASSWORD",
                          "SALA_SMTP_PORT"})
        unsetenv(v);
    sala::smtp_config bad;
    bad.host = "";
    EXPECT_THROW(sala::smtp_mailer{bad}, sala::invalid_settings);
    bad.host = "127.0.0.1";
    bad.port = 0;
    EXPECT_THROW(sala::smtp_mailer{bad}, sala::invalid_settings);
}

TEST(Smtp, StartTlsWithTheServersCertificateTrusted) {
    sink s({"--tls", "starttls"});
    auto c = s.config();
    c.tls = sala::smtp_tls::starttls;
    c.ca_file = s.tls_cert();
    sala::smtp_mailer(c).send(credentials_mail());
    ASSERT_EQ(s.count(), 1u);
    EXPECT_EQ(s.received(1)["tls"], true);
    EXPECT_EQ(s.received(1)["subject"], credentials_mail().subject);

    // Without trusting that certificate the handshake fails: configuration, not retryable.
    c.ca_file.clear();
    try {
        sala::smtp_mailer(c).send(credentials_mail());
        FAIL() << "untrusted certificate accepted";
    } catch (const sala::backend_error& e) {
        EXPECT_FALSE(e.retryable()) << e.what();
    }
    // Plain SMTP to a server that requires STARTTLS is refused (530, permanent).
    c.tls = sala::smtp_tls::none;
    EXPECT_THROW(sala::smtp_mailer(c).send(credentials_mail()), sala::backend_error);
    EXPECT_EQ(s.count(), 1u);
}

TEST(Smtp, ImplicitTls) {
    sink s({"--tls", "implicit"});
    auto c = s.config();
    c.tls = sala::smtp_tls::implicit;
    c.ca_file = s.tls_cert();
    sala::smtp_mailer(c).send(credentials_mail());
    ASSERT_EQ(s.count(), 1u);
    EXPECT_EQ(s.received(1)["tls"], true);
}
