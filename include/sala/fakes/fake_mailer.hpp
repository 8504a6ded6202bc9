#pragma once
// In-memory mailer for unit tests and demos: records every message and fails
// on demand with sala::backend_error. Not thread-safe.

#include <set>
#include <string>
#include <vector>

#include "sala/error.hpp"
#include "sala/ports/mailer.hpp"

namespace sala {

class fake_mailer : public mailer {
  public:
    void send(const mail_message& m) override {
        ++attempts_;
        if (fail_next_ > 0) {
            --fail_next_;
            throw backend_error("fake mailer: injected failure (" + m.idempotency_key + ")",
                                retryable_);
        }
        if (fail_once_ && failed_once_.insert(m.idempotency_key).second)
            throw backend_error("fake mailer: first send of " + m.idempotency_key + " fails", true);
        sent_.push_back(m);
    }

    // The next `n` sends throw.
    void fail_next(int n, bool retryable = true) {
        fail_next_ = n;
        retryable_ = retryable;
    }
    // Each idempotency key fails the first time it is sent.
    void fail_every_message_once(bool on = true) { fail_once_ = on; }

    const std::vector<mail_message>& sent() const { return sent_; }
    std::size_t attempts() const { return attempts_; }
    void clear() { sent_.clear(); }

    // Messages whose idempotency key starts with `prefix` ("credentials/").
    std::vector<mail_message> with_key_prefix(const std::string& prefix) const {
        std::vector<mail_message> out;
        for (const auto& m : sent_)
            if (m.idempotency_key.rfind(prefix, 0) == 0) out.push_back(m);
        return out;
    }
    // How many times one idempotency key was delivered.
    std::size_t count_key(const std::string& key) const {
        std::size_t n = 0;
        for (const auto& m : sent_) n += m.idempotency_key == key ? 1 : 0;
        return n;
    }
    // Messages to one address.
    std::vector<mail_message> to(const std::string& email) const {
        std::vector<mail_message> out;
        for (const auto& m : sent_)
            for (const auto& a : m.to)
                if (a.email == email) {
                    out.push_back(m);
                    break;
                }
        return out;
    }

  private:
    std::vector<mail_message> sent_;
    std::size_t attempts_ = 0;
    int fail_next_ = 0;
    bool retryable_ = true;
    bool fail_once_ = false;
    std::set<std::string> failed_once_;
};

}  // namespace sala
