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

// An input was rejected; `field()` names it ("title", "duration", "zone", ...).
class invalid_argument : public error {
public:
    invalid_argument(std::string field, const std::string& reason)
        : error(field + ": " + reason), field_(std::move(field)) {}
    const std::string& field() const noexcept { return field_; }

private:
    std::string field_;
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
class not_found : public error {
public:
    not_found(std::string what_kind, const std::string& id)
        : error(what_kind + " not found: " + id), kind_(std::move(what_kind)) {}
    const std::string& kind() const noexcept { return kind_; }

private:
    std::string kind_;
};

// A command that a domain rule forbids; `rule()` is its number in docs/rules.md ("R3").
class rule_violation : public error {
public:
    rule_violation(std::string rule, const std::string& reason)
        : error(rule + ": " + reason), rule_(std::move(rule)) {}
    const std::string& rule() const noexcept { return rule_; }

private:
    std::string rule_;
};

// Thrown only by callers that ask for it (assignment::value()): the room is busy.
class room_not_free : public error {
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
