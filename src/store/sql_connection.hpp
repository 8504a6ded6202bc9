#pragma once
// The little a shared SQL store needs from a database connection: run one
// statement with parameters and walk its rows. sqlite_store and postgres_store
// each implement it over their client library; sala::detail::sql_store
// (sala/detail/sql_store.hpp, src/store/sql_store.cpp) runs the store contract
// on it, so both stores share one codec, one change_set writer and one loader.
//
// SQL is written with PostgreSQL's numbered placeholders ($1, $2, ...); the
// SQLite connection rewrites them to its own ?1, ?2 (same numbering).

#include <concepts>
#include <cstdint>
#include <functional>
#include <initializer_list>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace sala::detail {

// One bound parameter. Text is a view: it must outlive the call (a temporary
// in the call's argument list does).
struct sql_value {
    enum class type { null, integer, boolean, text };
    type kind = type::null;
    long long integer = 0;
    std::string_view text;

    sql_value(std::nullopt_t) {}
    template <std::integral T>
    requires(!std::same_as<T, bool>) sql_value(T v)
        : kind(type::integer), integer(static_cast<long long>(v)) {}
    sql_value(bool v) : kind(type::boolean), integer(v ? 1 : 0) {}
    sql_value(std::string_view v) : kind(type::text), text(v) {}
    sql_value(const char* v) : kind(type::text), text(v) {}
    sql_value(const std::string& v) : kind(type::text), text(v) {}
    template <std::integral T>
    sql_value(const std::optional<T>& v) : sql_value(std::nullopt) {
        if (v) *this = sql_value(*v);
    }
};

using sql_params = std::initializer_list<sql_value>;
// The current row of a result, columns numbered from 0.
class sql_row {
  public:
    virtual bool is_null(int column) const = 0;
    virtual long long integer(int column) const = 0;
    virtual bool boolean(int column) const = 0;
    virtual std::string text(int column) const = 0;

  protected:
    ~sql_row() = default;
};

using sql_row_handler = std::function<void(const sql_row&)>;

// One statement of a batch (sql_connection::query_batch).
struct sql_query {
    std::string sql;
    std::vector<sql_value> params;
    sql_row_handler each;  // may be empty
};

class sql_connection {
  public:
    using row_handler = sql_row_handler;
    virtual ~sql_connection() = default;

    // Runs one statement; `each` (if any) sees every row it returns.
    void query(const std::string& sql, sql_params params, const row_handler& each) {
        query_rows(sql, {params.begin(), params.size()}, each);
    }
    // The same with parameters built at run time (a query whose filters vary).
    void query(const std::string& sql, const std::vector<sql_value>& params,
               const row_handler& each) {
        query_rows(sql, params, each);
    }
    virtual void query_rows(const std::string& sql, std::span<const sql_value> params,
                            const row_handler& each) = 0;
    // Runs the statements in order; each handler sees its statement's rows before
    // the next statement's rows are read, so a handler may decide what a later one
    // keeps. The first failure throws once the batch is drained (the statements
    // after it did not run). PostgreSQL sends the batch in one round trip (pipeline
    // mode): what a command pays to take in others' commits is then one wait, not
    // one per table.
    virtual void query_batch(std::span<const sql_query> batch) {
        for (const auto& q : batch) query_rows(q.sql, q.params, q.each);
    }
    // Runs statements without parameters (several at once: migrations).
    virtual void exec(const std::string& sql) = 0;
    // Whether a transaction is open on this connection.
    virtual bool in_transaction() = 0;

    void run(const std::string& sql, sql_params params = {}) { query(sql, params, nullptr); }
    // The first column of the first row (0 when there is none or it is NULL).
    long long scalar(const std::string& sql, sql_params params = {}) {
        long long v = 0;
        bool first = true;
        query(sql, params, [&](const sql_row& r) {
            if (first && !r.is_null(0)) v = r.integer(0);
            first = false;
        });
        return v;
    }
};

// What differs between the SQL of the two stores, beyond the connection.
struct sql_dialect {
    const char* store_name;  // "sqlite_store", for messages
    const char* begin_read;  // a consistent snapshot for a multi-statement read
    // Upserts a reservation from ($1 request, $2 room, $3 begin, $4 end, $5
    // version); PostgreSQL also fills the tstzrange its exclusion constraint needs.
    const char* upsert_reservation;
};

}  // namespace sala::detail
