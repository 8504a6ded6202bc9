#pragma once
// SMTP mailer (libcurl): sends the RFC 5322 message format_rfc5322() renders
// (sala/adapters/outbox_mailer.hpp). Target sala::smtp.

#include <chrono>
#include <memory>
#include <string>

#include "sala/enum_names.hpp"
#include "sala/ports/mailer.hpp"

namespace sala {

enum class smtp_tls {
    none,      // plain SMTP (loopback relays, tests)
    starttls,  // plain connect, then STARTTLS, required (port 587)
    implicit,  // TLS from the first byte, "smtps" (port 465)
};
template <>
struct enum_names<smtp_tls> {
    static constexpr enum_table<smtp_tls, 3> entries{{SALA_ENUM_NAME(smtp_tls, none),
                                                      SALA_ENUM_NAME(smtp_tls, starttls),
                                                      SALA_ENUM_NAME(smtp_tls, implicit)}};
};

struct smtp_config {
    std::string host = "127.0.0.1";
    int port = 25;
    std::string user;      // empty: no AUTH
    std::string password;  // never logged, never part of an error message
    smtp_tls tls = smtp_tls::none;
    bool verify_peer = true;  // TLS certificate and host name checks
    std::string ca_file;      // PEM bundle to trust instead of the system's; empty: system CAs
    std::chrono::milliseconds connect_timeout{10'000};
    std::chrono::milliseconds total_timeout{60'000};
    // Name sent in EHLO; empty lets libcurl choose.
    std::string helo_name;

    // Reads SALA_SMTP_HOST, SALA_SMTP_PORT, SALA_SMTP_USER, SALA_SMTP_PASSWORD,
    // SALA_SMTP_TLS (none|starttls|implicit), SALA_SMTP_VERIFY (1|0),
    // SALA_SMTP_CA_FILE,
    // SALA_SMTP_TIMEOUT_SECONDS over the defaults above. Throws
    // sala::invalid_settings naming the variable for a malformed value.
    static smtp_config from_env();
};

class smtp_mailer final : public mailer {
  public:
    // Throws sala::invalid_settings for an empty host or a port outside 1-65535.
    explicit smtp_mailer(smtp_config config);
    ~smtp_mailer() override;
    smtp_mailer(const smtp_mailer&) = delete;
    smtp_mailer& operator=(const smtp_mailer&) = delete;

    // One SMTP transaction: MAIL FROM m.from, RCPT TO each of m.to, DATA.
    // Any recipient refused fails the whole message. Throws
    // sala::invalid_argument for a malformed message (nothing is sent) and
    // sala::backend_error otherwise: retryable for connection failures,
    // timeouts and 4xx replies; not retryable for 5xx replies (permanent
    // rejection, authentication refused). Thread-safe.
    void send(const mail_message& m) override;

    const smtp_config& config() const noexcept { return config_; }

  private:
    smtp_config config_;
};

}  // namespace sala
