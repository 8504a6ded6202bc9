#pragma once
// PostgreSQL store: several host processes sharing one room pool.
//
// Every write transaction takes the writer lock (the single `head` row, FOR
// UPDATE), so commands of all processes are serialised; under that lock the
// process loads what the others committed since its last version (requests
// and reservations by row version, the small tables in full) before it runs
// the command: allocation always sees every committed booking, and first-fit
// (R9) picks from what was free at its commit. Reservations also carry a
// tstzrange `blocked` with EXCLUDE USING gist (room_id WITH =, blocked WITH &&)
// (btree_gist): the database itself refuses a double booking (R1).
//
//   auto db = sala::postgres_store::open("host=... dbname=... user=...");
//   sala::durable_platform p(db);
//
// Tables live in their own PostgreSQL schema (default "sala"). A schema that
// holds other tables, or a newer sala schema, is refused with
// sala::store_error and left untouched. Reading, the change_set writer and the
// outbox are the SQL layer it shares with sqlite_store (sala/detail/sql_store.hpp).
// One postgres_store is one connection: use it from one thread.

#include <cstdint>
#include <memory>
#include <string>

#include "sala/detail/sql_store.hpp"

namespace sala {

class postgres_store final : public detail::sql_store {
  public:
    static constexpr int current_schema = 3;

    struct options {
        std::string schema = "sala";  // PostgreSQL schema holding sala's tables
    };

    static std::shared_ptr<postgres_store> open(const std::string& conninfo);
    static std::shared_ptr<postgres_store> open(const std::string& conninfo, const options& opt);
    // Tests and tooling: creates the schema at an older version without migrating.
    static void create_at_version(const std::string& conninfo, const options& opt, int version);

    ~postgres_store() override;
    postgres_store(const postgres_store&) = delete;
    postgres_store& operator=(const postgres_store&) = delete;

    int schema_version() const override;
    std::string location() const override;

    std::uint64_t begin_write() override;
    void commit() override;
    void rollback() noexcept override;
    // A session advisory lock: one dispatcher at a time across processes; a
    // crashed holder's lock goes with its connection.
    bool try_lock_dispatcher() override;
    void unlock_dispatcher() override;

    struct impl;

  private:
    detail::sql_connection& connection() override;
    const detail::sql_dialect& dialect() const override;

    explicit postgres_store(std::unique_ptr<impl> p);
    std::unique_ptr<impl> impl_;
};

}  // namespace sala
