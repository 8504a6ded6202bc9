#pragma once
// An in-memory store for unit tests and demos: the whole store port (versions,
// change_set writes, changes_since, history, the outbox, lifecycle rows, reports,
// transactions with rollback) without a database, so durable_platform and
// durable_lifecycle can be tested in microseconds.
//
//   auto db = std::make_shared<sala::memory_store>();
//   sala::durable_platform p(db);
//   sala::durable_platform q(db->connect());   // a second "process" on the same data
//
// It keeps the promises of the SQL stores (the conformance suite in
// tests/conformance runs the same tests on all three): every write bumps the
// version, request and reservation rows remember the version that wrote them,
// deletions leave tombstones, the writer lock serialises connections (waiting
// up to a busy timeout), an overlapping reservation (R1), a dangling
// reference or a repeated queue entry makes write() throw backend_error, and
// a database that belongs to another application or has a newer schema is
// refused with store_error and left untouched.
//
// A write transaction works on a copy of the tables (O(state) per command):
// fine for tests, not meant for production volumes. Thread-safe.

#include <algorithm>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <type_traits>
#include <utility>
#include <vector>

#include "sala/error.hpp"
#include "sala/ports/store.hpp"

namespace sala {

// The data of one in-memory store, shared by its connections (memory_store objects).
struct memory_database {
    struct tables {
        std::uint64_t version = 0;
        std::optional<sala::settings> settings;
        policy_kind policy = policy_kind::first_fit;
        std::uint64_t next_request = 1;
        std::map<std::uint32_t, pool> pools;
        std::map<std::uint32_t, std::pair<room, std::uint64_t>> rooms;  // with the row version
        std::uint64_t queue_version = 0;                                // its last write
        std::map<request_id, history_record> history;
        std::map<request_id, std::pair<request, std::uint64_t>> requests;  // with the row version
        std::map<request_id, std::pair<reservation, std::uint64_t>> reservations;
        std::vector<request_id> queue;                                 // oldest first
        std::vector<std::pair<std::uint64_t, request_id>> tombstones;  // (version, erased id)
        // With the version that wrote it; an erased row stays with an empty state.
        std::map<std::string, std::pair<lifecycle_record, std::uint64_t>> lifecycle;
        std::map<std::string, std::pair<std::string, lease_time>> leases;  // holder, expiry
        std::vector<outbox_entry> outbox;
        std::uint64_t next_outbox = 1;
        std::map<std::string, report_record> reports;
    };

    // Like sala_meta in the SQL stores: empty for a new database, "sala" once
    // opened; anything else is another application's.
    std::string application;
    int schema = 0;
    tables committed;

    std::mutex mutex;
    std::condition_variable released;
    const void* writer = nullptr;      // the connection holding the writer lock
    const void* dispatcher = nullptr;  // the connection holding the dispatcher lock
};

class memory_store final : public store {
  public:
    static constexpr int current_schema = 3;
    using database = memory_database;

    // A new, empty store with its own database.
    memory_store() : memory_store(std::make_shared<database>()) {}
    // A connection to `db`; refuses another application's database or a newer schema.
    explicit memory_store(std::shared_ptr<database> db,
                          std::chrono::milliseconds busy_timeout = std::chrono::seconds(10))
        : db_(std::move(db)), busy_timeout_(busy_timeout) {
        if (!db_) throw invalid_argument("database", "is null");
        std::lock_guard lock(db_->mutex);
        if (!db_->application.empty() && db_->application != "sala")
            throw store_error(location() + " belongs to another application ('" + db_->application +
                              "'), not a sala store; it was left untouched");
        if (db_->schema > current_schema)
            throw store_error(location() + " has schema version " + std::to_string(db_->schema) +
                              ", newer than this sala understands (" +
                              std::to_string(current_schema) +
                              "); upgrade sala. It was left untouched");
        // Older schemas migrate forward: versions 2 and 3 only added tables and
        // columns, empty (or zero) at version 1.
        db_->application = "sala";
        db_->schema = current_schema;
    }
    ~memory_store() override {
        rollback();
        unlock_dispatcher();
    }
    memory_store(const memory_store&) = delete;
    memory_store& operator=(const memory_store&) = delete;

    // Another connection to the same data ("another process").
    std::shared_ptr<memory_store> connect() const {
        return std::make_shared<memory_store>(db_, busy_timeout_);
    }
    std::shared_ptr<database> shared_database() const noexcept { return db_; }
    // Tests and tooling: a database at an older schema version, not yet opened.
    static std::shared_ptr<database> create_at_version(int version) {
        if (version < 1 || version > current_schema)
            throw invalid_argument("version", "must be 1.." + std::to_string(current_schema));
        auto db = std::make_shared<database>();
        db->application = "sala";
        db->schema = version;
        return db;
    }
    // Test hook: the `n`th next write() throws backend_error before changing anything.
    void fail_next_write_for_test(int n = 1) { fail_writes_in_ = n; }

    int schema_version() const override { return current_schema; }
    std::string location() const override { return "memory store"; }

    // ---- reading: the open transaction's tables, or the committed ones --------------
    platform_state load(std::uint64_t* version = nullptr) override {
        return read([&](const database::tables& t) {
            platform_state s = small_of(t, {});
            for (const auto& [id, row] : t.requests) s.requests.emplace(id, row.first);
            for (const auto& [id, row] : t.reservations) s.reservations.emplace(id, row.first);
            if (version) *version = t.version;
            return s;
        });
    }
    state_delta changes_since(std::uint64_t since) override {
        return read([&](const database::tables& t) {
            const platform_state small = small_of(t, {});
            state_delta d;
            d.version = t.version;
            d.settings = small.settings;
            d.policy = small.policy;
            d.next_request = small.next_request;
            d.pools = small.pools;
            for (const auto& [id, row] : t.rooms)
                if (row.second > since) d.rooms.push_back(row.first);
            if (t.queue_version > since) d.queue = t.queue;
            for (const auto& [v, id] : t.tombstones)
                if (v > since) d.erased.push_back(id);
            for (const auto& [id, row] : t.requests)
                if (row.second > since) d.requests.push_back(row.first);
            for (const auto& [id, row] : t.reservations)
                if (row.second > since) d.reservations.push_back(row.first);
            return d;
        });
    }
    std::vector<history_record> history(const history_query& q) override {
        return read([&](const database::tables& t) {
            std::vector<history_record> out;
            for (const auto& [id, h] : t.history) {
                const interval& b = h.request.window.blocked;
                if ((q.room && h.room != q.room) ||
                    (q.event_id && h.request.event_id != *q.event_id) ||
                    (q.window && !(b.begin() < q.window->end() && q.window->begin() < b.end())))
                    continue;
                out.push_back(with_report(t, h));
            }
            std::stable_sort(out.begin(), out.end(), [](const auto& a, const auto& b) {
                return a.request.window.blocked.begin() < b.request.window.blocked.begin();
            });
            if (out.size() > q.limit) out.resize(q.limit);
            return out;
        });
    }
    std::optional<history_record> find_history(request_id id) override {
        return read([&](const database::tables& t) -> std::optional<history_record> {
            auto it = t.history.find(id);
            if (it == t.history.end()) return std::nullopt;
            return with_report(t, it->second);
        });
    }
    std::uint64_t version() override {
        return read([](const database::tables& t) { return t.version; });
    }
    std::vector<lifecycle_record> lifecycle() override {
        return read([](const database::tables& t) {
            std::vector<lifecycle_record> out;
            for (const auto& [key, r] : t.lifecycle)
                if (!r.first.state.empty()) out.push_back(r.first);
            return out;
        });
    }
    std::vector<lifecycle_record> lifecycle_changes(std::uint64_t since,
                                                    std::uint64_t* version = nullptr) override {
        return read([&](const database::tables& t) {
            std::vector<lifecycle_record> out;
            for (const auto& [key, r] : t.lifecycle)
                if (since == 0 || r.second > since) out.push_back(r.first);
            if (version) *version = t.version;
            return out;
        });
    }
    bool take_lease(const std::string& name, const std::string& holder, lease_time now,
                    std::chrono::milliseconds ttl) override {
        if (name.empty()) throw invalid_argument("lease.name", "is empty");
        if (holder.empty()) throw invalid_argument("lease.holder", "is empty");
        if (ttl <= std::chrono::milliseconds{0})
            throw invalid_argument("lease.ttl", "must be positive");
        bool taken = false;
        in_transaction([&](database::tables& t) {
            auto it = t.leases.find(name);
            if (it != t.leases.end() && it->second.first != holder && it->second.second > now)
                return;
            t.leases[name] = {holder, now + ttl};
            taken = true;
        });
        return taken;
    }
    void release_lease(const std::string& name, const std::string& holder) override {
        in_transaction([&](database::tables& t) {
            auto it = t.leases.find(name);
            if (it != t.leases.end() && it->second.first == holder) t.leases.erase(it);
        });
    }
    std::optional<std::string> lease_holder(const std::string& name, lease_time now) override {
        return read([&](const database::tables& t) -> std::optional<std::string> {
            auto it = t.leases.find(name);
            if (it == t.leases.end() || it->second.second <= now) return std::nullopt;
            return it->second.first;
        });
    }
    std::vector<report_record> reports() override {
        return read([](const database::tables& t) {
            std::vector<report_record> out;
            for (const auto& [key, r] : t.reports) out.push_back(r);
            return out;
        });
    }
    std::vector<outbox_entry> outbox() override {
        return read([](const database::tables& t) { return t.outbox; });
    }

    // ---- writing: one transaction --------------------------------------------------
    std::uint64_t begin_write() override {
        std::unique_lock lock(db_->mutex);
        if (db_->writer == this) throw error("memory_store::begin_write inside a transaction");
        if (!db_->released.wait_for(lock, busy_timeout_, [&] { return db_->writer == nullptr; }))
            throw backend_error(location() + ": another connection holds the writer lock", true);
        db_->writer = this;
        work_ = db_->committed;
        return work_->version;
    }
    std::uint64_t write(const change_set& c) override {
        if (!work_) throw error("memory_store::write outside begin_write()");
        if (fail_writes_in_ > 0 && --fail_writes_in_ == 0)
            throw backend_error(location() + ": injected write failure (test)", true);
        auto& t = *work_;
        const std::uint64_t v = ++t.version;
        if (c.next_request) t.next_request = *c.next_request;
        if (c.policy) t.policy = *c.policy;
        if (c.settings) t.settings = *c.settings;
        for (const auto& p : c.pools) t.pools[p.id.value] = p;
        for (const auto& r : c.rooms) t.rooms[r.id.value] = {r, v};
        if (!c.erased_requests.empty() || !c.queue_removed.empty() || !c.queue_appended.empty() ||
            c.queue_rewrite)
            t.queue_version = v;
        for (const auto& h : c.history) t.history[h.request.id] = h;
        for (const request_id id : c.erased_requests) {
            t.reservations.erase(id);
            std::erase(t.queue, id);
            t.requests.erase(id);
            t.tombstones.emplace_back(v, id);
        }
        for (const auto& q : c.requests) t.requests[q.id] = {q, v};
        for (const request_id id : c.erased_reservations)
            if (t.reservations.erase(id)) t.tombstones.emplace_back(v, id);
        for (const auto& r : c.reservations) reserve(t, r, v);
        if (c.queue_rewrite) t.queue.clear();
        for (const request_id id : c.queue_removed) std::erase(t.queue, id);
        for (const request_id id : c.queue_rewrite ? *c.queue_rewrite : c.queue_appended)
            enqueue(t, id);
        for (const auto& l : c.lifecycle) {
            auto it = t.lifecycle.find(l.key);
            if (!l.state.empty())
                t.lifecycle[l.key] = {l, v};
            else if (it != t.lifecycle.end())
                it->second = {{l.key, it->second.first.request, ""}, v};
        }
        for (const auto& e : c.effects) {
            if (e.idempotency_key.empty())
                throw invalid_argument("effect.idempotency_key", "is empty");
            if (e.kind.empty()) throw invalid_argument("effect.kind", "is empty");
            bool known = false;
            for (const auto& x : t.outbox)
                known = known || x.effect.idempotency_key == e.idempotency_key;
            if (!known)
                t.outbox.push_back({t.next_outbox++, e, effect_status::pending, 0, "", instant{}});
        }
        for (const auto& r : c.reports) t.reports[r.key] = r;
        check_references(t);
        return v;
    }
    void commit() override {
        if (!work_) throw error("memory_store::commit outside begin_write()");
        std::lock_guard lock(db_->mutex);
        db_->committed = std::move(*work_);
        release_writer();
    }
    void rollback() noexcept override {
        if (!work_) return;
        std::lock_guard lock(db_->mutex);
        release_writer();
    }

    // ---- outbox dispatch: each call its own transaction unless one is open ------------
    std::vector<outbox_entry> due_effects(instant now, std::size_t limit) override {
        return read([&](const database::tables& t) {
            std::vector<outbox_entry> out;
            for (const auto& e : t.outbox)
                if (out.size() < limit && e.status == effect_status::pending && e.not_before <= now)
                    out.push_back(e);
            return out;
        });
    }
    void mark_done(std::uint64_t id) override {
        update_outbox(id, [](outbox_entry& e) {
            e.status = effect_status::done;
            ++e.attempts;
            e.last_error.clear();
        });
    }
    void mark_failed(std::uint64_t id, const std::string& error,
                     std::optional<instant> retry_at) override {
        update_outbox(id, [&](outbox_entry& e) {
            e.status = retry_at ? effect_status::pending : effect_status::failed;
            ++e.attempts;
            e.last_error = error;
            e.not_before = retry_at ? *retry_at : instant{};
        });
    }
    bool try_lock_dispatcher() override {
        std::lock_guard lock(db_->mutex);
        if (db_->dispatcher && db_->dispatcher != this) return false;
        db_->dispatcher = this;
        return true;
    }
    void unlock_dispatcher() override {
        std::lock_guard lock(db_->mutex);
        if (db_->dispatcher == this) db_->dispatcher = nullptr;
    }

  private:
    // Inside this connection's transaction its own tables, else the committed ones.
    template <class F>
    auto read(F&& f) -> std::invoke_result_t<F&, const database::tables&> {
        if (work_) return f(*work_);
        std::lock_guard lock(db_->mutex);
        return f(db_->committed);
    }

    static platform_state small_of(const database::tables& t, platform_state s) {
        s.next_request = t.next_request;
        s.policy = t.policy;
        if (t.settings) s.settings = *t.settings;
        s.pools.clear();
        for (const auto& [id, p] : t.pools) s.pools.push_back(p);
        s.rooms.clear();
        for (const auto& [id, r] : t.rooms) s.rooms.push_back(r.first);
        s.queue = t.queue;
        return s;
    }

    static history_record with_report(const database::tables& t, history_record h) {
        for (const auto& [key, r] : t.reports)
            if (r.request == h.request.id && r.kind == "attendance") {
                h.report = r.body;
                break;
            }
        return h;
    }

    // R1 in the store itself, as the SQL stores' trigger and exclusion constraint.
    void reserve(database::tables& t, const reservation& r, std::uint64_t v) const {
        for (const auto& [id, row] : t.reservations)
            if (id != r.request && row.first.room == r.room &&
                row.first.blocked.overlaps(r.blocked))
                throw backend_error(location() + ": overlapping reservation on one room (R1)",
                                    false);
        t.reservations[r.request] = {r, v};
    }
    void enqueue(database::tables& t, request_id id) const {
        for (const request_id q : t.queue)
            if (q == id) throw backend_error(location() + ": request already in the queue", false);
        t.queue.push_back(id);
    }
    // The SQL stores' foreign keys.
    void check_references(const database::tables& t) const {
        auto dangling = [&](const std::string& what) {
            throw backend_error(location() + ": " + what + " refers to a missing row", false);
        };
        for (const auto& [id, r] : t.rooms)
            if (!t.pools.count(r.first.pool.value)) dangling("room " + std::to_string(id));
        for (const auto& [id, row] : t.reservations)
            if (!t.requests.count(id) || !t.rooms.count(row.first.room.value))
                dangling("reservation " + std::to_string(id.value));
        for (const request_id id : t.queue)
            if (!t.requests.count(id)) dangling("queue entry " + std::to_string(id.value));
    }

    // Like an UPDATE: in the open transaction, else one of its own (waiting for the writer lock).
    template <class F>
    void in_transaction(F&& change) {
        if (work_) return change(*work_);
        begin_write();
        change(*work_);
        commit();
    }
    template <class F>
    void update_outbox(std::uint64_t id, F&& change) {
        in_transaction([&](database::tables& t) {
            for (auto& e : t.outbox)
                if (e.id == id) change(e);
        });
    }

    void release_writer() noexcept {
        work_.reset();
        if (db_->writer == this) db_->writer = nullptr;
        db_->released.notify_all();
    }

    std::shared_ptr<database> db_;
    std::chrono::milliseconds busy_timeout_;
    std::optional<database::tables> work_;  // the open write transaction's tables
    int fail_writes_in_ = 0;
};

}  // namespace sala
