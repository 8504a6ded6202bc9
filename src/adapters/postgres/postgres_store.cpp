#include "sala/adapters/postgres_store.hpp"

#include <libpq-fe.h>

#include <memory>
#include <optional>

#include "store/sql_connection.hpp"
#include "store/sql_schema.hpp"

namespace sala {

namespace {

using namespace detail;

// The shared schema (src/store/sql_schema.cpp) in PostgreSQL's types; R1 guarded by
// an exclusion constraint on a tstzrange (btree_gist).
const sql_schema postgres_schema{"int",
                                 "bigint",
                                 "text",
                                 "boolean",
                                 "bigserial PRIMARY KEY",
                                 "CREATE EXTENSION IF NOT EXISTS btree_gist;\n",
                                 R"sql(CREATE INDEX requests_by_version ON requests(row_version);
-- R1: the last line of defence against a double booking.
CREATE TABLE reservations(request_id bigint PRIMARY KEY REFERENCES requests(id),
  room_id int NOT NULL REFERENCES rooms(id),
  blocked_begin bigint NOT NULL, blocked_end bigint NOT NULL, blocked tstzrange NOT NULL,
  row_version bigint NOT NULL,
  EXCLUDE USING gist (room_id WITH =, blocked WITH &&));
CREATE INDEX reservations_by_version ON reservations(row_version);
)sql"};
static_assert(postgres_store::current_schema == sql_schema_version);

std::string quote_ident(const std::string& s) {
    std::string out = "\"";
    for (char c : s) out += c == '"' ? std::string("\"\"") : std::string(1, c);
    return out + "\"";
}

// The current row of a PGresult (text format).
class pg_row final : public sql_row {
  public:
    pg_row(const PGresult* r, int row) : r_(r), row_(row) {}
    bool is_null(int c) const override { return PQgetisnull(r_, row_, c) != 0; }
    long long integer(int c) const override { return std::stoll(PQgetvalue(r_, row_, c)); }
    bool boolean(int c) const override { return PQgetvalue(r_, row_, c)[0] == 't'; }
    std::string text(int c) const override { return PQgetvalue(r_, row_, c); }

  private:
    const PGresult* r_;
    int row_;
};

struct result_deleter {
    void operator()(PGresult* r) const { PQclear(r); }
};
using result = std::unique_ptr<PGresult, result_deleter>;

// One libpq connection; SQLSTATEs become backend_errors (retryable or not).
class pg_connection final : public sql_connection {
  public:
    PGconn* conn = nullptr;
    std::string schema;

    pg_connection() = default;
    pg_connection(const pg_connection&) = delete;
    pg_connection& operator=(const pg_connection&) = delete;
    ~pg_connection() override {
        if (conn) PQfinish(conn);
    }

    std::string where() const {
        // The conninfo may hold a password: name the database, not the string.
        const char* db = conn ? PQdb(conn) : nullptr;
        const char* host = conn ? PQhost(conn) : nullptr;
        return "postgres store " + std::string(db ? db : "?") + "@" + (host ? host : "?") +
               " schema " + schema;
    }

    void query_rows(const std::string& sql, std::span<const sql_value> params,
                    const row_handler& each) override {
        const pg_params p(params);
        const result r = checked(
            PQexecParams(conn, sql.c_str(), p.count(), nullptr, p.values(), nullptr, nullptr, 0));
        if (each)
            for (int k = 0; k < PQntuples(r.get()); ++k) each(pg_row(r.get(), k));
    }

    // libpq's pipeline mode: every statement sent, then one sync, then the
    // results read back in order (https://www.postgresql.org/docs/15/libpq-pipeline-mode.html).
    void query_batch(std::span<const sql_query> batch) override {
        if (batch.size() < 2 || PQenterPipelineMode(conn) != 1)
            return sql_connection::query_batch(batch);
        std::optional<backend_error> failure;
        std::size_t sent = 0;
        for (const auto& q : batch) {
            const pg_params p(q.params);
            if (PQsendQueryParams(conn, q.sql.c_str(), p.count(), nullptr, p.values(), nullptr,
                                  nullptr, 0) != 1) {
                failure = error_of(nullptr);
                break;
            }
            ++sent;
        }
        if (PQpipelineSync(conn) != 1 && !failure) failure = error_of(nullptr);
        // Results come as: one result then a null per statement, then the sync.
        std::size_t k = 0;
        while (k <= sent + 1) {
            PGresult* raw = PQgetResult(conn);
            if (!raw) {
                ++k;
                continue;
            }
            const result r(raw);
            const auto st = PQresultStatus(r.get());
            if (st == PGRES_PIPELINE_SYNC) break;
            if (st == PGRES_PIPELINE_ABORTED || failure) continue;
            if (st != PGRES_TUPLES_OK && st != PGRES_COMMAND_OK) {
                failure = error_of(r.get());
                continue;
            }
            if (k < sent && batch[k].each)
                for (int row = 0; row < PQntuples(r.get()); ++row)
                    batch[k].each(pg_row(r.get(), row));
        }
        if (PQexitPipelineMode(conn) != 1 && !failure) failure = error_of(nullptr);
        if (failure) throw *failure;
    }

    // Without parameters PQexec also runs several statements (migrations).
    void exec(const std::string& sql) override { checked(PQexec(conn, sql.c_str())); }
    // Several statements, the last one's first column.
    long long exec_scalar(const std::string& sql) {
        const result r = checked(PQexec(conn, sql.c_str()));
        return PQntuples(r.get()) && !PQgetisnull(r.get(), 0, 0)
                   ? std::stoll(PQgetvalue(r.get(), 0, 0))
                   : 0;
    }

    bool in_transaction() override { return PQtransactionStatus(conn) != PQTRANS_IDLE; }

  private:
    // Parameters as libpq takes them: text, or a null pointer for NULL.
    class pg_params {
      public:
        explicit pg_params(std::span<const sql_value> params) {
            texts_.reserve(params.size());
            for (const auto& v : params) {
                switch (v.kind) {
                    case sql_value::type::null: texts_.emplace_back(); break;
                    case sql_value::type::integer:
                        texts_.push_back(std::to_string(v.integer));
                        break;
                    case sql_value::type::boolean:
                        texts_.emplace_back(v.integer ? "true" : "false");
                        break;
                    case sql_value::type::text: texts_.emplace_back(v.text); break;
                }
            }
            auto it = params.begin();
            for (const auto& t : texts_)
                values_.push_back((it++)->kind == sql_value::type::null ? nullptr : t.c_str());
        }
        int count() const { return static_cast<int>(values_.size()); }
        const char* const* values() const { return values_.data(); }

      private:
        std::vector<std::string> texts_;
        std::vector<const char*> values_;
    };

    result checked(PGresult* raw) {
        result r(raw);
        const auto st = PQresultStatus(r.get());
        if (st == PGRES_COMMAND_OK || st == PGRES_TUPLES_OK) return r;
        throw error_of(r.get());
    }

    // The failure a result (or, without one, the connection) reports.
    backend_error error_of(const PGresult* r) const {
        const char* state = r ? PQresultErrorField(r, PG_DIAG_SQLSTATE) : nullptr;
        const std::string code = state ? state : "";
        std::string msg = r ? PQresultErrorMessage(r) : "";
        if (msg.empty()) msg = PQerrorMessage(conn);
        while (!msg.empty() && (msg.back() == '\n' || msg.back() == ' ')) msg.pop_back();
        if (code == "23P01")
            return backend_error(where() +
                                     ": overlapping reservation on one room refused by the "
                                     "exclusion constraint (R1): " +
                                     msg,
                                 false);
        const bool retryable = code.empty() /* connection */ || code.rfind("40", 0) == 0 ||
                               code.rfind("08", 0) == 0 || code == "55P03" || code == "57P01";
        return backend_error(
            where() + ": " + msg + (code.empty() ? "" : " [SQLSTATE " + code + "]"), retryable);
    }
};

constexpr sql_dialect postgres_dialect{
    "postgres_store", "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY",
    // The tstzrange `blocked` is what the exclusion constraint compares (R1).
    "INSERT INTO reservations VALUES ($1, $2, $3, $4, "
    "tstzrange(to_timestamp($3::bigint * 60), to_timestamp($4::bigint * 60), '[)'), $5) "
    "ON CONFLICT (request_id) DO UPDATE SET room_id = excluded.room_id, "
    "blocked_begin = excluded.blocked_begin, blocked_end = excluded.blocked_end, "
    "blocked = excluded.blocked, row_version = excluded.row_version"};

}  // namespace

struct postgres_store::impl {
    pg_connection conn;
    std::string conninfo;
    std::string schema;
    int version_of_schema = 0;

    std::string where() const { return conn.where(); }
    void cmd(const std::string& sql) { conn.exec(sql); }
    long long scalar(const std::string& sql, sql_params params = {}) {
        return conn.scalar(sql, params);
    }
};

// ---- opening ----------------------------------------------------------------------------------

namespace {

std::unique_ptr<postgres_store::impl> connect(const std::string& conninfo,
                                              const std::string& schema) {
    if (schema.empty()) throw invalid_argument("schema", "is empty");
    auto m = std::make_unique<postgres_store::impl>();
    m->conninfo = conninfo;
    m->schema = schema;
    m->conn.schema = schema;
    m->conn.conn = PQconnectdb(conninfo.c_str());
    if (!m->conn.conn || PQstatus(m->conn.conn) != CONNECTION_OK) {
        std::string msg = m->conn.conn ? PQerrorMessage(m->conn.conn) : "out of memory";
        while (!msg.empty() && msg.back() == '\n') msg.pop_back();
        throw backend_error("postgres store: cannot connect: " + msg, true);
    }
    m->cmd("SET client_min_messages TO warning");
    return m;
}

void run_migration(postgres_store::impl& m, int to) {
    m.cmd("BEGIN");
    try {
        m.cmd("CREATE SCHEMA IF NOT EXISTS " + quote_ident(m.schema));
        m.cmd("SET LOCAL search_path TO " + quote_ident(m.schema) + ", public");
        m.cmd(sql_migration(to, postgres_schema));
        if (to == 1) m.cmd("INSERT INTO sala_meta VALUES ('application', 'sala')");
        m.conn.run(
            "INSERT INTO sala_meta VALUES ('schema_version', $1) "
            "ON CONFLICT (key) DO UPDATE SET value = excluded.value",
            {std::to_string(to)});
        m.cmd("COMMIT");
    } catch (...) {
        PQclear(PQexec(m.conn.conn, "ROLLBACK"));
        throw;
    }
}

// Which version the schema is at (0: absent or empty); refuses foreign or newer ones.
int inspect(postgres_store::impl& m) {
    const long long tables = m.scalar(
        "SELECT count(*) FROM information_schema.tables WHERE table_schema = $1", {m.schema});
    if (tables == 0) return 0;
    const long long has_meta = m.scalar(
        "SELECT count(*) FROM information_schema.tables WHERE table_schema = $1 AND table_name = "
        "'sala_meta'",
        {m.schema});
    if (!has_meta)
        throw store_error(
            m.where() + " holds " + std::to_string(tables) +
            " tables of another application, not a sala store; it was left untouched");
    std::string app, version;
    m.conn.query("SELECT key, value FROM " + quote_ident(m.schema) + ".sala_meta", {},
                 [&](const sql_row& r) {
                     if (r.text(0) == "application") app = r.text(1);
                     if (r.text(0) == "schema_version") version = r.text(1);
                 });
    if (app != "sala")
        throw store_error(m.where() +
                          " has a sala_meta table that is not sala's; it was left untouched");
    int v = 0;
    try {
        v = std::stoi(version);
    } catch (...) {
        throw store_error(m.where() + " has no readable schema version; it was left untouched");
    }
    if (v > postgres_store::current_schema)
        throw store_error(m.where() + " has schema version " + std::to_string(v) +
                          ", newer than this sala understands (" +
                          std::to_string(postgres_store::current_schema) +
                          "); upgrade sala. It was left untouched");
    return v;
}

// Serialises concurrent openers' migrations.
struct migration_lock {
    postgres_store::impl& m;
    explicit migration_lock(postgres_store::impl& x) : m(x) {
        m.conn.run("SELECT pg_advisory_lock(hashtext($1))", {"sala-migrate:" + m.schema});
    }
    ~migration_lock() {
        try {
            m.conn.run("SELECT pg_advisory_unlock(hashtext($1))", {"sala-migrate:" + m.schema});
        } catch (...) {
        }
    }
};

}  // namespace

postgres_store::postgres_store(std::unique_ptr<impl> x) : impl_(std::move(x)) {}
postgres_store::~postgres_store() = default;

std::shared_ptr<postgres_store> postgres_store::open(const std::string& conninfo) {
    return open(conninfo, options{});
}

std::shared_ptr<postgres_store> postgres_store::open(const std::string& conninfo,
                                                     const options& opt) {
    auto m = connect(conninfo, opt.schema);
    {
        migration_lock lock(*m);
        const int at = inspect(*m);
        for (int v = at + 1; v <= current_schema; ++v) run_migration(*m, v);
    }
    m->cmd("SET search_path TO " + quote_ident(m->schema) + ", public");
    m->version_of_schema = current_schema;
    return std::shared_ptr<postgres_store>(new postgres_store(std::move(m)));
}

void postgres_store::create_at_version(const std::string& conninfo, const options& opt,
                                       int version) {
    if (version < 1 || version > current_schema)
        throw invalid_argument("version", "must be 1.." + std::to_string(current_schema));
    auto m = connect(conninfo, opt.schema);
    migration_lock lock(*m);
    if (inspect(*m) != 0) throw invalid_argument("schema", "'" + opt.schema + "' exists already");
    for (int v = 1; v <= version; ++v) run_migration(*m, v);
}

int postgres_store::schema_version() const { return impl_->version_of_schema; }
std::string postgres_store::location() const { return impl_->where(); }
sql_connection& postgres_store::connection() { return impl_->conn; }
const sql_dialect& postgres_store::dialect() const { return postgres_dialect; }

// ---- the writer lock: the head row FOR UPDATE --------------------------------------------------

std::uint64_t postgres_store::begin_write() {
    try {
        // Every command of every process queues here, and once it holds the
        // row it sees everything committed before. One round trip for both.
        return static_cast<std::uint64_t>(
            impl_->conn.exec_scalar("BEGIN; SELECT version FROM head WHERE id = 1 FOR UPDATE"));
    } catch (...) {
        rollback();
        throw;
    }
}

void postgres_store::commit() { impl_->cmd("COMMIT"); }

void postgres_store::rollback() noexcept {
    if (impl_->conn.conn && impl_->conn.in_transaction())
        PQclear(PQexec(impl_->conn.conn, "ROLLBACK"));
}

// ---- one dispatcher at a time ------------------------------------------------------------------

bool postgres_store::try_lock_dispatcher() {
    bool held = false;
    impl_->conn.query("SELECT pg_try_advisory_lock(hashtext($1))",
                      {"sala-dispatch:" + impl_->schema},
                      [&](const sql_row& r) { held = r.boolean(0); });
    return held;
}

void postgres_store::unlock_dispatcher() {
    impl_->conn.run("SELECT pg_advisory_unlock(hashtext($1))", {"sala-dispatch:" + impl_->schema});
}

}  // namespace sala
