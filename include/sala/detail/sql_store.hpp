#pragma once
// The store contract on an SQL database, written once for sqlite_store and
// postgres_store (their common base; not for direct use). The rows, the
// change_set writer, loading, changes and history live in src/store and run over a
// connection each adapter provides, with the adapter's dialect; the adapter
// keeps only what truly differs: opening, its schema and migrations, and the
// writer lock (begin_write/commit/rollback).

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "sala/ports/store.hpp"

namespace sala::detail {

class sql_connection;  // src/store/sql_connection.hpp
struct sql_dialect;

class sql_store : public store {
  public:
    platform_state load(std::uint64_t* version = nullptr) override;
    state_delta changes_since(std::uint64_t since) override;
    std::vector<history_record> history(const history_query& q) override;
    std::optional<history_record> find_history(request_id id) override;
    std::uint64_t version() override;
    std::vector<lifecycle_record> lifecycle() override;
    std::vector<report_record> reports() override;
    std::vector<lifecycle_record> lifecycle_changes(std::uint64_t since,
                                                    std::uint64_t* version = nullptr) override;
    bool take_lease(const std::string& name, const std::string& holder, lease_time now,
                    std::chrono::milliseconds ttl) override;
    void release_lease(const std::string& name, const std::string& holder) override;
    std::optional<std::string> lease_holder(const std::string& name, lease_time now) override;
    std::vector<outbox_entry> outbox() override;

    std::uint64_t write(const change_set& changes) override;

    std::vector<outbox_entry> due_effects(instant now, std::size_t limit) override;
    void mark_done(std::uint64_t id) override;
    void mark_failed(std::uint64_t id, const std::string& error,
                     std::optional<instant> retry_at) override;

  protected:
    sql_store() = default;
    virtual sql_connection& connection() = 0;
    virtual const sql_dialect& dialect() const = 0;

  private:
    template <class F>
    auto locked(F&& f);
};

}  // namespace sala::detail
