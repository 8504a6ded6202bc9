#pragma once
// SQLite store: the embedded default. One file, WAL mode; each write
// transaction is one platform command. The file carries application_id 'SALA'
// and its schema version in user_version; a file that is not a sala store, is
// corrupted or has a newer schema is refused with sala::store_error and left
// byte-for-byte untouched. Older schemas are migrated forward on open.
//
//   auto db = sala::sqlite_store::open("/var/lib/myapp/sala.db");
//   sala::durable_platform p(db);
//
// Reading, the change_set writer and the outbox are the SQL layer it shares
// with postgres_store (sala/detail/sql_store.hpp); this adapter adds the file,
// its checks, the schema's SQLite spelling and the BEGIN IMMEDIATE writer lock.
//
// One sqlite_store is one connection: use it from one thread. Several
// processes may open the same file (SQLite's own locking; writers queue on
// BEGIN IMMEDIATE for up to busy_timeout).

#include <cstdint>
#include <memory>
#include <string>

#include "sala/detail/sql_store.hpp"

namespace sala {

class sqlite_store final : public detail::sql_store {
  public:
    static constexpr int current_schema = 3;
    // 'SALA' in PRAGMA application_id.
    static constexpr std::int32_t application_id = 0x53414C41;

    enum class durability {
        full,   // synchronous=FULL: a returned command survives power loss
        normal  // synchronous=NORMAL: survives a process crash; the last commits may be lost on
                // power loss
    };
    struct options {
        bool create = true;  // create the file when missing
        durability sync = durability::full;
        int busy_timeout_ms = 10000;  // wait for another process's write lock
        bool quick_check = true;      // PRAGMA quick_check on open (refuse a damaged file)
        // The write-ahead log is copied back into the file (a checkpoint, with
        // its fsyncs) once it holds this many 4 KiB pages. SQLite's default,
        // 1,000, puts a checkpoint every ~150 commands; 10,000 (a log of up to
        // ~40 MiB) halves a command's mean cost and cuts its p99 by 4x
        // (docs/performance.md). At least 1.
        int checkpoint_pages = 10000;
        // SQLite's page cache for this connection, filled as pages are read.
        // SQLite's default (2 MiB) misses the index pages of a store holding a
        // million webinars on most commands; 128 MiB cut a command's CPU time
        // there by a quarter (docs/performance.md). 1 to 65536.
        int cache_mib = 128;
    };

    static std::shared_ptr<sqlite_store> open(const std::string& path);
    static std::shared_ptr<sqlite_store> open(const std::string& path, const options& opt);

    // Tests and tooling: creates a new file at an older schema version
    // (1..current_schema) without migrating it.
    static void create_at_version(const std::string& path, int version);

    ~sqlite_store() override;
    sqlite_store(const sqlite_store&) = delete;
    sqlite_store& operator=(const sqlite_store&) = delete;

    int schema_version() const override;
    std::string location() const override;

    std::uint64_t begin_write() override;
    std::uint64_t write(const change_set& changes) override;  // honours the test hook below
    void commit() override;
    void rollback() noexcept override;

    // Test hook: the next `n`th write() throws backend_error before touching
    // the database (0 = never), to prove a failed write changes nothing.
    void fail_next_write_for_test(int n = 1);

    struct impl;

  private:
    detail::sql_connection& connection() override;
    const detail::sql_dialect& dialect() const override;

    explicit sqlite_store(std::unique_ptr<impl> p);
    std::unique_ptr<impl> impl_;
};

}  // namespace sala
