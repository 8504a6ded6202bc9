#pragma once
// Store port: durable state. Adapters: sqlite_store (sala/adapters/sqlite_store.hpp,
// one file, the embedded default) and postgres_store (sala/adapters/postgres_store.hpp,
// several processes sharing one pool), both on one SQL layer (sala/detail/sql_store.hpp);
// sala::memory_store (sala/fakes/memory_store.hpp) for unit tests. sala::durable_platform
// (sala/durable/durable_platform.hpp) drives any of them; tests/conformance holds
// the tests every store passes.
//
// Granularity: one platform command = one write transaction = one change_set,
// holding only the rows the command touched (the requests named by its events,
// rooms/pools/settings that differ from before, the queue entries added or
// removed), the lifecycle step state it moved and the effects it caused
// (transactional outbox). Every committed write bumps the store's version;
// request and reservation rows remember the version that last wrote them, so a
// process that shares the store takes in only what others committed since
// (changes_since). Requests that leave the live state (cancelled; finished
// past retention) move to the history rows in the same transaction.
//
// Failures of the database throw sala::backend_error; a file or database that
// is not a sala store, or has a newer schema, throws sala::store_error
// (sala/error.hpp) and is left untouched. The rows it keeps besides the
// platform state are in sala/records.hpp.

#include <chrono>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "sala/error.hpp"
#include "sala/ids.hpp"
#include "sala/records.hpp"
#include "sala/state.hpp"
#include "sala/time.hpp"

namespace sala {

// Lease expiry is wall-clock time (leases are about processes being alive).
using lease_time = std::chrono::sys_time<std::chrono::milliseconds>;

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
    // What was committed after version `since`, by row version: the requests,
    // reservations and rooms written since, the tombstones of those erased,
    // the queue when it changed, and the small singletons (settings, policy,
    // next id, pools). Apply it with platform::apply_changes.
    virtual state_delta changes_since(std::uint64_t since) = 0;
    // Cancelled and archived webinars (never loaded with the state).
    virtual std::vector<history_record> history(const history_query& q) = 0;
    virtual std::optional<history_record> find_history(request_id id) = 0;
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

    // ---- several processes on one lifecycle (docs/lifecycle.md, "Several processes") ----
    // The lifecycle rows written after version `since` (every row for 0), an
    // erased row with an empty state, and the version they are as of.
    virtual std::vector<lifecycle_record> lifecycle_changes(std::uint64_t since,
                                                            std::uint64_t* version = nullptr) = 0;
    // Takes or renews lease `name` for `holder` until now + ttl when it is free,
    // expired or already `holder`'s; returns whether `holder` has it. Inside the
    // open write transaction (begin_write), else in one of its own. Leases do
    // not bump the version.
    virtual bool take_lease(const std::string& name, const std::string& holder, lease_time now,
                            std::chrono::milliseconds ttl) = 0;
    // Gives lease `name` up if `holder` has it (same transaction rule).
    virtual void release_lease(const std::string& name, const std::string& holder) = 0;
    // Who holds lease `name` unexpired at `now`, if anyone.
    virtual std::optional<std::string> lease_holder(const std::string& name, lease_time now) = 0;

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

}  // namespace sala
