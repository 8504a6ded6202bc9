#pragma once
// Outbox mailer: each message becomes one RFC 5322 `.eml` file in a folder (the
// demo's default mailer). The file holds exactly the bytes the SMTP mailer
// would send: both use format_rfc5322() below. Target sala::outbox.

#include <chrono>
#include <filesystem>
#include <string>

#include "sala/ports/mailer.hpp"

namespace sala {

// Renders `m` as a complete RFC 5322 / MIME message with CRLF line ends:
// Date (from `date`), From, To, Subject (RFC 2047 encoded words when not plain
// ASCII), Message-ID (from m.idempotency_key, see rfc5322_message_id),
// MIME-Version and a text/plain body, or multipart/alternative text + HTML,
// both quoted-printable UTF-8.
// Throws sala::invalid_argument naming the field ("subject", "to[1].email",
// "from.name", ...) for a CR, LF or other control character in any header
// field, invalid UTF-8, an address that is not name@domain, a non-ASCII
// address, or a message without recipients: nothing can inject a header.
std::string format_rfc5322(const mail_message& m, std::chrono::system_clock::time_point date);
inline std::string format_rfc5322(const mail_message& m) {
    return format_rfc5322(m, std::chrono::system_clock::now());
}

// The Message-ID (with angle brackets) derived from the idempotency key and the
// From domain: "<sala.credentials/42@example.org>". Same key, same id. An
// empty key gets a random, one-off id.
std::string rfc5322_message_id(const mail_message& m);

// RFC 2047 encoding of one header value: returned as is when it is printable
// ASCII, otherwise as "=?UTF-8?B?...?=" words of at most 75 characters joined
// by CRLF SP. Throws sala::invalid_argument(field) for control characters or
// invalid UTF-8.
std::string encode_header_text(const std::string& value, const std::string& field);

class outbox_mailer final : public mailer {
  public:
    // Creates `folder` (and parents) if missing; throws sala::backend_error
    // (not retryable) if it cannot.
    explicit outbox_mailer(std::filesystem::path folder);

    // Writes `<folder>/<file name for the key>.eml` atomically (temp file +
    // rename). A resend with the same idempotency key overwrites the same file,
    // never adds a second one. An empty key gets a unique name. I/O failures
    // throw sala::backend_error (retryable).
    void send(const mail_message& m) override;

    // The file a message with this idempotency key is written to.
    std::filesystem::path path_for(const std::string& idempotency_key) const;

    const std::filesystem::path& folder() const noexcept { return folder_; }

  private:
    std::filesystem::path folder_;
};

}  // namespace sala
