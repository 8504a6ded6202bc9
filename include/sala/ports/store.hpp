#pragma once
// Store port: durable state. Adapters: sqlite_store (sala/adapters/sqlite_store.hpp,
// one file, the embedded default) and postgres_store (sala/adapters/postgres_store.hpp,
// several processes sharing one pool). sala::durable_platform (sala/durable.hpp)
// drives either one.
//
// Granularity: one platform command = one write transaction = one change_set,
// holding only the rows the command touched (the requests named by its events,
// rooms/pools/settings that differ from before, the queue entries added or
// removed), the lifecycle step state it moved and the effects it caused
// (transactional outbox). Every committed write bumps the store's version;
// request and reservation rows remember the version that last wrote them, so a
// process that shares the store reloads only what others committed since.
//
// Failures of the database throw sala::backend_error; a file or database that
// is not a sala store, or has a newer schema, throws sala::store_error and is
// left untouched.

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "sala/error.hpp"
#include "sala/ids.hpp"
#include "sala/platform.hpp"
#include "sala/time.hpp"

namespace sala {

// The store cannot be used: not a sala database, newer schema, corrupted.
class store_error : public error {
public:
    using error::error;
};

// One outbound effect (an e-mail to send, a webinar to create on the backend).
// `idempotency_key` is unique and stable ("credentials/42"): enqueuing the same
// key twice keeps the first, and the dispatcher hands the key to the backend so
// a resend after a crash is recognisable (mail_message::idempotency_key).
struct effect {
    std::string kind;              // "mail", "create_webinar", ... (the dispatcher routes on it)
    std::string idempotency_key;
    std::string payload;           // JSON, as the producer wrote it
    std::optional<request_id> request;  // the webinar it belongs to, if any
    friend bool operator==(const effect&, const effect&) = default;
};

enum class effect_status { pending, done, failed };

// An effect as the outbox holds it.
struct outbox_entry {
    std::uint64_t id = 0;          // outbox order (commit order)
    sala::effect effect;
    effect_status status = effect_status::pending;
    int attempts = 0;
    std::string last_error;
    instant not_before{};          // retry not before this instant
    friend bool operator==(const outbox_entry&, const outbox_entry&) = default;
};

// The lifecycle's step state of one webinar (or any other keyed job), stored
// as the lifecycle serialises it (JSON). An empty `state` erases the record.
struct lifecycle_record {
    std::string key;                    // e.g. "request/42"
    std::optional<request_id> request;
    std::string state;                  // JSON
    friend bool operator==(const lifecycle_record&, const lifecycle_record&) = default;
};

// A produced report (attendance report R15, recording status R19), kept for the
// organizer's and admin's views. Saving a key again replaces it.
struct report_record {
    std::string key;                    // e.g. "attendance/42"
    std::optional<request_id> request;
    std::string kind;                   // "attendance", "recordings", ...
    std::string body;                   // JSON or CSV, as produced
    instant created{};
    friend bool operator==(const report_record&, const report_record&) = default;
};

// What one command (or one lifecycle step) changed.
struct change_set {
    std::optional<sala::settings> settings;
    std::optional<policy_kind> policy;
    std::optional<std::uint64_t> next_request;
    std::vector<pool> pools;                    // inserted or updated
    std::vector<room> rooms;                    // inserted or updated
    std::vector<request> requests;              // inserted or updated
    std::vector<request_id> erased_requests;    // with any reservation and queue entry
    std::vector<reservation> reservations;      // inserted or updated
    std::vector<request_id> erased_reservations;
    std::vector<request_id> queue_removed;
    std::vector<request_id> queue_appended;     // at the end, in this order
    std::optional<std::vector<request_id>> queue_rewrite;  // whole queue, when reordered
    std::vector<lifecycle_record> lifecycle;
    std::vector<effect> effects;
    std::vector<report_record> reports;

    bool empty() const noexcept {
        return !settings && !policy && !next_request && pools.empty() && rooms.empty() &&
               requests.empty() && erased_requests.empty() && reservations.empty() &&
               erased_reservations.empty() && queue_removed.empty() && queue_appended.empty() &&
               !queue_rewrite && lifecycle.empty() && effects.empty() && reports.empty();
    }
};

class store {
public:
    virtual ~store() = default;

    // The schema version this store is at (after migrations).
    virtual int schema_version() const = 0;
    // Where it lives, for messages ("/var/lib/app/sala.db", "host=... dbname=...").
    virtual std::string location() const = 0;

    // ---- reading ---------------------------------------------------------------
    // Everything committed, and the version it is at.
    virtual platform_state load(std::uint64_t* version = nullptr) = 0;
    // `base` brought up to date with what was committed after version `since`
    // (requests/reservations by row version, the small tables in full).
    virtual platform_state load_changes(platform_state base, std::uint64_t since,
                                        std::uint64_t* version = nullptr) = 0;
    virtual std::uint64_t version() = 0;
    virtual std::vector<lifecycle_record> lifecycle() = 0;
    virtual std::vector<report_record> reports() = 0;
    // Every outbox entry in id order (done ones included), for views and tests.
    virtual std::vector<outbox_entry> outbox() = 0;

    // ---- writing: one transaction ----------------------------------------------------
    // Opens the write transaction and takes the writer lock (SQLite: BEGIN
    // IMMEDIATE; PostgreSQL: the head row FOR UPDATE), so no other writer
    // commits until commit()/rollback(). Returns the committed version.
    virtual std::uint64_t begin_write() = 0;
    // Writes the changes inside the open transaction; returns the new version.
    virtual std::uint64_t write(const change_set& changes) = 0;
    virtual void commit() = 0;
    virtual void rollback() noexcept = 0;

    // ---- outbox dispatch (outside command transactions) -----------------------------
    // Pending effects due at `now`, oldest first.
    virtual std::vector<outbox_entry> due_effects(instant now, std::size_t limit) = 0;
    virtual void mark_done(std::uint64_t id) = 0;
    // retry_at empty: give up (status failed, kept for the admin).
    virtual void mark_failed(std::uint64_t id, const std::string& error,
                             std::optional<instant> retry_at) = 0;
    // Only one dispatcher at a time sends; false when another process holds it.
    virtual bool try_lock_dispatcher() { return true; }
    virtual void unlock_dispatcher() {}
};

inline const char* to_string(effect_status s) {
    switch (s) {
        case effect_status::pending: return "pending";
        case effect_status::done: return "done";
        default: return "failed";
    }
}

}  // namespace sala
