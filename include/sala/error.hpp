#pragma once
// One exception hierarchy for misuse and backend failures, rooted at sala::error.
// Expected outcomes (no room free, room busy) are return values, not exceptions.

#include <stdexcept>
#include <string>
#include <utility>

namespace sala {

class error : public std::runtime_error {
  public:
    using std::runtime_error::runtime_error;
};

namespace detail {
// An error that carries one name beside its message (a field, a kind, a rule).
class named_error : public error {
  protected:
    named_error(std::string name, const std::string& message)
        : error(message), name_(std::move(name)) {}
    const std::string& name() const noexcept { return name_; }

  private:
    std::string name_;
};
}  // namespace detail

// An input was rejected; `field()` names it ("title", "duration", "zone", ...).
class invalid_argument : public detail::named_error {
  public:
    invalid_argument(std::string field, const std::string& reason)
        : named_error(field, field + ": " + reason) {}
    const std::string& field() const noexcept { return name(); }
};

// A settings value was rejected; `field()` names the setting.
class invalid_settings : public invalid_argument {
  public:
    using invalid_argument::invalid_argument;
};

// A local time that does not exist in its zone (DST gap).
class nonexistent_local_time : public invalid_argument {
  public:
    explicit nonexistent_local_time(const std::string& reason)
        : invalid_argument("start", reason) {}
};

// A local time that exists twice in its zone (DST overlap).
class ambiguous_local_time : public invalid_argument {
  public:
    explicit ambiguous_local_time(const std::string& reason) : invalid_argument("start", reason) {}
};

// An id that names nothing (unknown room, stale request id).
class not_found : public detail::named_error {
  public:
    not_found(std::string what_kind, const std::string& id)
        : named_error(what_kind, what_kind + " not found: " + id) {}
    const std::string& kind() const noexcept { return name(); }
};

// A command that a domain rule forbids; `rule()` is its number in docs/rules.md ("R3").
class rule_violation : public detail::named_error {
  public:
    rule_violation(std::string rule, const std::string& reason)
        : named_error(rule, rule + ": " + reason) {}
    const std::string& rule() const noexcept { return name(); }
};

// Thrown only by callers that ask for it (assignment::value()): the room is busy.
class room_not_free : public error {
  public:
    using error::error;
};

// A command called while the platform is calling out and must not change
// under the caller: from a port the lifecycle is running, or from an
// allocation policy choosing a room. Run it after the call returns.
class reentrant_command : public error {
  public:
    using error::error;
};

// A port's backend failed (HTTP error, timeout, SMTP refusal, database error).
// `retryable()` tells the lifecycle whether trying again later may help.
class backend_error : public error {
  public:
    backend_error(const std::string& what, bool retryable = true, int retry_after_seconds = 0)
        : error(what), retryable_(retryable), retry_after_seconds_(retry_after_seconds) {}
    bool retryable() const noexcept { return retryable_; }
    int retry_after_seconds() const noexcept { return retry_after_seconds_; }

  private:
    bool retryable_;
    int retry_after_seconds_;
};

// A store cannot be used: not a sala database, a newer schema, a row that
// cannot be read.
class store_error : public error {
  public:
    using error::error;
};

}  // namespace sala
