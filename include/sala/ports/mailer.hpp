#pragma once
// Mailer port: send one message. Adapters: smtp (libcurl), outbox (.eml files),
// the recording fake (sala/fakes/fake_mailer.hpp). Failures throw sala::backend_error.

#include <string>
#include <vector>

namespace sala {

struct mail_address {
    std::string name;  // display name, any UTF-8; encoded by the adapter
    std::string email;
    friend bool operator==(const mail_address&, const mail_address&) = default;
};

struct mail_message {
    mail_address from;
    std::vector<mail_address> to;
    std::string subject;    // UTF-8; adapters encode it (RFC 2047) and never let CR/LF through
    std::string text_body;  // plain text
    std::string html_body;  // HTML alternative; empty means text only
    // Stable per logical message (e.g. "credentials/42"): adapters derive the
    // Message-ID from it so a resend after a crash is recognisable.
    std::string idempotency_key;
    friend bool operator==(const mail_message&, const mail_message&) = default;
};

class mailer {
  public:
    virtual ~mailer() = default;
    virtual void send(const mail_message& m) = 0;
};

}  // namespace sala
