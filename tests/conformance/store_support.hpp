#pragma once
// What the store conformance suite (store_conformance.hpp) needs besides a
// backend: the seed platform, webinars, and a store wrapper that records the
// change_sets written and fails a write on demand (so "a failed write reloads
// memory" runs on every backend, also on those without a test hook of their own).
//
// A backend is a class with
//   static constexpr const char* name;           "memory", "sqlite", "postgres"
//   static constexpr bool exclusive_dispatcher;  try_lock_dispatcher excludes others
//   std::string unavailable();                   why it cannot run here ("" = it can)
//   std::shared_ptr<sala::store> open();         a new connection ("a process")
//   void make_at_version(int v);                 this test's store at schema version v
//   void make_foreign();                         this test's store: another app's data
//   void make_newer();                           a schema newer than sala's
//   std::string fingerprint();                   what "left untouched" compares

#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "../unit/seed_fixture.hpp"
#include "sala/durable/durable_platform.hpp"

namespace conformance {

inline std::shared_ptr<sala::manual_clock> may_2021() {
    return std::make_shared<sala::manual_clock>(sala::make_utc(2021, 5, 1));
}

// Room 1: a lent pool's inactive room; rooms 2..6 the seed's own account,
// 2 and 3 automatic, 4 and 5 manual, 6 inactive.
inline void seed_rooms(sala::durable_platform& p) {
    p.link_account("lent-by-platform", sala::pool_kind::lent,
                   {{"L1", "lent1@platform.example", "Lent 1", false, true, 300}});
    p.link_account("symposium", sala::pool_kind::own, seed::symposium_users());
    for (std::uint32_t r = 2; r <= 5; ++r) p.activate(sala::room_id{r});
    p.set_mode(sala::room_id{2}, sala::room_mode::automatic);
    p.set_mode(sala::room_id{3}, sala::room_mode::automatic);
}

inline sala::request_input webinar(std::string title, unsigned day, unsigned hour, int minutes) {
    auto in = seed::fixture::webinar(std::move(title), 2021, 5, day, hour, 0, minutes);
    in.panelists = {"ana@example.org", "luis@example.org"};
    in.expected_attendees = 80;
    in.admission = sala::admission::manual;
    return in;
}

// Any store; records every change_set written, and the `n`th next write
// throws before reaching the store.
class spy_store final : public sala::store {
  public:
    explicit spy_store(std::shared_ptr<sala::store> inner) : inner_(std::move(inner)) {}
    void fail_next_write(int n = 1) { fail_in_ = n; }
    std::vector<sala::change_set> written;

    int schema_version() const override { return inner_->schema_version(); }
    std::string location() const override { return inner_->location(); }
    sala::platform_state load(std::uint64_t* v = nullptr) override { return inner_->load(v); }
    sala::state_delta changes_since(std::uint64_t since) override {
        return inner_->changes_since(since);
    }
    std::vector<sala::history_record> history(const sala::history_query& q) override {
        return inner_->history(q);
    }
    std::optional<sala::history_record> find_history(sala::request_id id) override {
        return inner_->find_history(id);
    }
    std::uint64_t version() override { return inner_->version(); }
    std::vector<sala::lifecycle_record> lifecycle() override { return inner_->lifecycle(); }
    std::vector<sala::report_record> reports() override { return inner_->reports(); }
    std::vector<sala::lifecycle_record> lifecycle_changes(std::uint64_t since,
                                                          std::uint64_t* v = nullptr) override {
        return inner_->lifecycle_changes(since, v);
    }
    bool take_lease(const std::string& name, const std::string& holder, sala::lease_time now,
                    std::chrono::milliseconds ttl) override {
        return inner_->take_lease(name, holder, now, ttl);
    }
    void release_lease(const std::string& name, const std::string& holder) override {
        inner_->release_lease(name, holder);
    }
    std::optional<std::string> lease_holder(const std::string& name,
                                            sala::lease_time now) override {
        return inner_->lease_holder(name, now);
    }
    std::vector<sala::outbox_entry> outbox() override { return inner_->outbox(); }
    std::uint64_t begin_write() override { return inner_->begin_write(); }
    std::uint64_t write(const sala::change_set& c) override {
        if (fail_in_ > 0 && --fail_in_ == 0)
            throw sala::backend_error("injected write failure (test)", true);
        written.push_back(c);
        return inner_->write(c);
    }
    void commit() override { inner_->commit(); }
    void rollback() noexcept override { inner_->rollback(); }
    std::vector<sala::outbox_entry> due_effects(sala::instant now, std::size_t limit) override {
        return inner_->due_effects(now, limit);
    }
    void mark_done(std::uint64_t id) override { inner_->mark_done(id); }
    void mark_failed(std::uint64_t id, const std::string& e,
                     std::optional<sala::instant> at) override {
        inner_->mark_failed(id, e, at);
    }
    bool try_lock_dispatcher() override { return inner_->try_lock_dispatcher(); }
    void unlock_dispatcher() override { inner_->unlock_dispatcher(); }

  private:
    std::shared_ptr<sala::store> inner_;
    int fail_in_ = 0;
};

// Test names as gtest prints them: the backend's name, not its index.
struct backend_names {
    template <class B>
    static std::string GetName(int) {
        return B::name;
    }
};

}  // namespace conformance
