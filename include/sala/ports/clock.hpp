#pragma once
// Clock port: where "now" comes from. The core never reads the system time itself.

#include <chrono>
#include <mutex>

#include "sala/time.hpp"

namespace sala {

class clock {
  public:
    virtual ~clock() = default;
    virtual instant now() const = 0;
};

// Wall-clock UTC, floored to the minute.
class system_clock final : public clock {
  public:
    instant now() const override {
        return std::chrono::floor<minutes>(std::chrono::system_clock::now());
    }
};

// A clock that moves only when told: tests, simulations, the demo.
class manual_clock final : public clock {
  public:
    explicit manual_clock(instant start = instant{}) : now_(start) {}
    instant now() const override {
        std::lock_guard lock(mutex_);
        return now_;
    }
    void set(instant t) {
        std::lock_guard lock(mutex_);
        now_ = t;
    }
    void advance(minutes d) {
        std::lock_guard lock(mutex_);
        now_ += d;
    }

  private:
    mutable std::mutex mutex_;
    instant now_;
};

}  // namespace sala
