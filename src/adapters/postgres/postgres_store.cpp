#include "sala/adapters/postgres_store.hpp"

#include <libpq-fe.h>

#include "../sqlite/codec.hpp"

namespace sala {

namespace {

using namespace detail;
using param = std::optional<std::string>;

// Schema steps: index k takes the schema from version k to k+1 (as in SQLite).
const char* const migrations[] = {
    R"sql(
CREATE EXTENSION IF NOT EXISTS btree_gist;
CREATE TABLE sala_meta(key text PRIMARY KEY, value text NOT NULL);
CREATE TABLE head(id int PRIMARY KEY CHECK (id = 1), version bigint NOT NULL,
                  next_request bigint NOT NULL, policy text NOT NULL);
INSERT INTO head VALUES (1, 0, 1, 'first_fit');
CREATE TABLE settings(id int PRIMARY KEY CHECK (id = 1),
  min_days_in_advance int NOT NULL, max_days_in_advance int NOT NULL,
  min_duration bigint NOT NULL, max_duration bigint NOT NULL,
  preparation bigint NOT NULL, courtesy bigint NOT NULL, post_processing bigint NOT NULL,
  credentials_lead bigint NOT NULL, end_warning_lead bigint NOT NULL);
CREATE TABLE pools(id int PRIMARY KEY, name text NOT NULL UNIQUE,
  kind text NOT NULL CHECK (kind IN ('lent', 'own')));
CREATE TABLE rooms(id int PRIMARY KEY, pool_id int NOT NULL REFERENCES pools(id),
  user_id text NOT NULL, email text NOT NULL, display_name text NOT NULL,
  capacity int NOT NULL, active boolean NOT NULL,
  mode text NOT NULL CHECK (mode IN ('manual', 'automatic')));
CREATE TABLE requests(id bigint PRIMARY KEY, title text NOT NULL, local_start bigint NOT NULL,
  zone text NOT NULL, duration bigint NOT NULL, admission text NOT NULL, event_id text NOT NULL,
  organizer_name text NOT NULL, organizer_email text NOT NULL, expected_attendees int,
  panelists text NOT NULL, blocked_begin bigint NOT NULL, blocked_end bigint NOT NULL,
  start_at bigint NOT NULL, end_at bigint NOT NULL, grace_end bigint NOT NULL,
  row_version bigint NOT NULL);
CREATE INDEX requests_by_version ON requests(row_version);
-- R1: the last line of defence against a double booking.
CREATE TABLE reservations(request_id bigint PRIMARY KEY REFERENCES requests(id),
  room_id int NOT NULL REFERENCES rooms(id),
  blocked_begin bigint NOT NULL, blocked_end bigint NOT NULL, blocked tstzrange NOT NULL,
  row_version bigint NOT NULL,
  EXCLUDE USING gist (room_id WITH =, blocked WITH &&));
CREATE INDEX reservations_by_version ON reservations(row_version);
CREATE TABLE queue(request_id bigint PRIMARY KEY REFERENCES requests(id), seq bigint NOT NULL UNIQUE);
CREATE TABLE tombstones(row_version bigint NOT NULL, request_id bigint NOT NULL);
CREATE INDEX tombstones_by_version ON tombstones(row_version);
)sql",
    R"sql(
CREATE TABLE lifecycle(key text PRIMARY KEY, request_id bigint, state text NOT NULL);
CREATE TABLE outbox(id bigserial PRIMARY KEY, idempotency_key text NOT NULL UNIQUE,
  kind text NOT NULL, payload text NOT NULL, request_id bigint,
  status text NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'done', 'failed')),
  attempts int NOT NULL DEFAULT 0, last_error text NOT NULL DEFAULT '',
  not_before bigint NOT NULL DEFAULT 0, committed_version bigint NOT NULL);
CREATE INDEX outbox_due ON outbox(status, not_before, id);
CREATE TABLE reports(key text PRIMARY KEY, request_id bigint, kind text NOT NULL,
  body text NOT NULL, created bigint NOT NULL);
)sql",
};
static_assert(std::size(migrations) == postgres_store::current_schema);

std::string quote_ident(const std::string& s) {
    std::string out = "\"";
    for (char c : s) out += c == '"' ? std::string("\"\"") : std::string(1, c);
    return out + "\"";
}

class result {
public:
    explicit result(PGresult* r) : r_(r) {}
    result(result&& o) noexcept : r_(o.r_) { o.r_ = nullptr; }
    result(const result&) = delete;
    result& operator=(const result&) = delete;
    ~result() { PQclear(r_); }
    int rows() const { return PQntuples(r_); }
    bool null(int row, int col) const { return PQgetisnull(r_, row, col) != 0; }
    std::string t(int row, int col) const { return PQgetvalue(r_, row, col); }
    long long i(int row, int col) const { return std::stoll(PQgetvalue(r_, row, col)); }
    bool b(int row, int col) const { return PQgetvalue(r_, row, col)[0] == 't'; }

private:
    PGresult* r_;
};

param p(long long v) { return std::to_string(v); }
template <class T>
param p(const std::optional<T>& v) {
    if (!v) return std::nullopt;
    return std::to_string(static_cast<long long>(*v));
}

}  // namespace

struct postgres_store::impl {
    PGconn* conn = nullptr;
    std::string conninfo;
    std::string schema;
    int version_of_schema = 0;

    ~impl() {
        if (conn) PQfinish(conn);
    }

    std::string where() const {
        // The conninfo may hold a password: name the database, not the string.
        const char* db = conn ? PQdb(conn) : nullptr;
        const char* host = conn ? PQhost(conn) : nullptr;
        return "postgres store " + std::string(db ? db : "?") + "@" + (host ? host : "?") + " schema " + schema;
    }

    result exec(const std::string& sql, const std::vector<param>& params = {}) {
        std::vector<const char*> values;
        values.reserve(params.size());
        for (const auto& x : params) values.push_back(x ? x->c_str() : nullptr);
        // Without parameters PQexec also runs several statements (migrations).
        PGresult* r = params.empty() ? PQexec(conn, sql.c_str())
                                     : PQexecParams(conn, sql.c_str(), static_cast<int>(params.size()),
                                                    nullptr, values.data(), nullptr, nullptr, 0);
        const auto st = PQresultStatus(r);
        if (st == PGRES_COMMAND_OK || st == PGRES_TUPLES_OK) return result(r);
        const char* state = PQresultErrorField(r, PG_DIAG_SQLSTATE);
        const std::string code = state ? state : "";
        std::string msg = PQresultErrorMessage(r);
        if (msg.empty()) msg = PQerrorMessage(conn);
        while (!msg.empty() && (msg.back() == '\n' || msg.back() == ' ')) msg.pop_back();
        PQclear(r);
        if (code == "23P01")
            throw backend_error(where() + ": overlapping reservation on one room refused by the "
                                "exclusion constraint (R1): " + msg, false);
        const bool retryable = code.empty() /* connection */ || code.rfind("40", 0) == 0 ||
                               code.rfind("08", 0) == 0 || code == "55P03" || code == "57P01";
        throw backend_error(where() + ": " + msg + (code.empty() ? "" : " [SQLSTATE " + code + "]"), retryable);
    }
    void cmd(const std::string& sql) { exec(sql); }
    long long scalar(const std::string& sql, const std::vector<param>& params = {}) {
        auto r = exec(sql, params);
        return r.rows() && !r.null(0, 0) ? r.i(0, 0) : 0;
    }
    bool in_transaction() const { return PQtransactionStatus(conn) != PQTRANS_IDLE; }

    template <class F>
    auto read(F&& f) {
        if (in_transaction()) return f();
        cmd("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY");
        try {
            auto out = f();
            cmd("COMMIT");
            return out;
        } catch (...) {
            PQclear(PQexec(conn, "ROLLBACK"));
            throw;
        }
    }

    platform_state load_small(platform_state s) {
        {
            auto h = exec("SELECT next_request, policy FROM head WHERE id = 1");
            if (h.rows()) {
                s.next_request = static_cast<std::uint64_t>(h.i(0, 0));
                s.policy = parse_policy(h.t(0, 1));
            }
        }
        {
            auto q = exec("SELECT min_days_in_advance, max_days_in_advance, min_duration, max_duration, "
                          "preparation, courtesy, post_processing, credentials_lead, end_warning_lead "
                          "FROM settings WHERE id = 1");
            if (q.rows()) {
                settings x;
                x.min_days_in_advance = static_cast<int>(q.i(0, 0));
                x.max_days_in_advance = static_cast<int>(q.i(0, 1));
                x.min_duration = minutes{q.i(0, 2)};
                x.max_duration = minutes{q.i(0, 3)};
                x.preparation = minutes{q.i(0, 4)};
                x.courtesy = minutes{q.i(0, 5)};
                x.post_processing = minutes{q.i(0, 6)};
                x.credentials_lead = minutes{q.i(0, 7)};
                x.end_warning_lead = minutes{q.i(0, 8)};
                s.settings = x;
            }
        }
        s.pools.clear();
        {
            auto q = exec("SELECT id, name, kind FROM pools ORDER BY id");
            for (int k = 0; k < q.rows(); ++k)
                s.pools.push_back({pool_id{static_cast<std::uint32_t>(q.i(k, 0))}, q.t(k, 1),
                                   parse_pool_kind(q.t(k, 2))});
        }
        s.rooms.clear();
        {
            auto q = exec("SELECT id, pool_id, user_id, email, display_name, capacity, active, mode "
                          "FROM rooms ORDER BY id");
            for (int k = 0; k < q.rows(); ++k) {
                room x;
                x.id = room_id{static_cast<std::uint32_t>(q.i(k, 0))};
                x.pool = pool_id{static_cast<std::uint32_t>(q.i(k, 1))};
                x.user_id = q.t(k, 2);
                x.email = q.t(k, 3);
                x.display_name = q.t(k, 4);
                x.capacity = static_cast<int>(q.i(k, 5));
                x.active = q.b(k, 6);
                x.mode = parse_mode(q.t(k, 7));
                s.rooms.push_back(std::move(x));
            }
        }
        s.queue.clear();
        {
            auto q = exec("SELECT request_id FROM queue ORDER BY seq");
            for (int k = 0; k < q.rows(); ++k) s.queue.push_back(request_id{static_cast<std::uint64_t>(q.i(k, 0))});
        }
        return s;
    }

    static constexpr const char* request_cols =
        "id, title, local_start, zone, duration, admission, event_id, organizer_name, "
        "organizer_email, expected_attendees, panelists, blocked_begin, blocked_end, start_at, "
        "end_at, grace_end";

    static request request_row(const result& q, int k) {
        request x;
        x.id = request_id{static_cast<std::uint64_t>(q.i(k, 0))};
        x.title = q.t(k, 1);
        x.local_start = local_of(q.i(k, 2));
        x.zone = q.t(k, 3);
        x.duration = minutes{q.i(k, 4)};
        x.admission = parse_admission(q.t(k, 5));
        x.event_id = q.t(k, 6);
        x.organizer = {q.t(k, 7), q.t(k, 8)};
        if (!q.null(k, 9)) x.expected_attendees = static_cast<int>(q.i(k, 9));
        x.panelists = decode_list(q.t(k, 10));
        x.window.blocked = interval{instant_of(q.i(k, 11)), instant_of(q.i(k, 12))};
        x.window.start = instant_of(q.i(k, 13));
        x.window.end = instant_of(q.i(k, 14));
        x.window.grace_end = instant_of(q.i(k, 15));
        return x;
    }
    static reservation reservation_row(const result& q, int k) {
        return {request_id{static_cast<std::uint64_t>(q.i(k, 0))}, room_id{static_cast<std::uint32_t>(q.i(k, 1))},
                interval{instant_of(q.i(k, 2)), instant_of(q.i(k, 3))}};
    }
};

// ---- opening ----------------------------------------------------------------------------------

namespace {

std::unique_ptr<postgres_store::impl> connect(const std::string& conninfo, const std::string& schema) {
    if (schema.empty()) throw invalid_argument("schema", "is empty");
    auto m = std::make_unique<postgres_store::impl>();
    m->conninfo = conninfo;
    m->schema = schema;
    m->conn = PQconnectdb(conninfo.c_str());
    if (!m->conn || PQstatus(m->conn) != CONNECTION_OK) {
        std::string msg = m->conn ? PQerrorMessage(m->conn) : "out of memory";
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
        m.cmd(migrations[to - 1]);
        if (to == 1) m.cmd("INSERT INTO sala_meta VALUES ('application', 'sala')");
        m.exec("INSERT INTO sala_meta VALUES ('schema_version', $1) "
               "ON CONFLICT (key) DO UPDATE SET value = excluded.value",
               {std::to_string(to)});
        m.cmd("COMMIT");
    } catch (...) {
        PQclear(PQexec(m.conn, "ROLLBACK"));
        throw;
    }
}

// Which version the schema is at (0: absent or empty); refuses foreign or newer ones.
int inspect(postgres_store::impl& m) {
    const long long tables = m.scalar(
        "SELECT count(*) FROM information_schema.tables WHERE table_schema = $1", {m.schema});
    if (tables == 0) return 0;
    const long long has_meta = m.scalar(
        "SELECT count(*) FROM information_schema.tables WHERE table_schema = $1 AND table_name = 'sala_meta'",
        {m.schema});
    if (!has_meta)
        throw store_error(m.where() + " holds " + std::to_string(tables) +
                          " tables of another application, not a sala store; it was left untouched");
    auto r = m.exec("SELECT key, value FROM " + quote_ident(m.schema) + ".sala_meta");
    std::string app, version;
    for (int k = 0; k < r.rows(); ++k) {
        if (r.t(k, 0) == "application") app = r.t(k, 1);
        if (r.t(k, 0) == "schema_version") version = r.t(k, 1);
    }
    if (app != "sala")
        throw store_error(m.where() + " has a sala_meta table that is not sala's; it was left untouched");
    int v = 0;
    try {
        v = std::stoi(version);
    } catch (...) {
        throw store_error(m.where() + " has no readable schema version; it was left untouched");
    }
    if (v > postgres_store::current_schema)
        throw store_error(m.where() + " has schema version " + std::to_string(v) +
                          ", newer than this sala understands (" + std::to_string(postgres_store::current_schema) +
                          "); upgrade sala. It was left untouched");
    return v;
}

// Serialises concurrent openers' migrations.
struct migration_lock {
    postgres_store::impl& m;
    explicit migration_lock(postgres_store::impl& x) : m(x) {
        m.exec("SELECT pg_advisory_lock(hashtext($1))", {"sala-migrate:" + m.schema});
    }
    ~migration_lock() {
        try {
            m.exec("SELECT pg_advisory_unlock(hashtext($1))", {"sala-migrate:" + m.schema});
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

std::shared_ptr<postgres_store> postgres_store::open(const std::string& conninfo, const options& opt) {
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

void postgres_store::create_at_version(const std::string& conninfo, const options& opt, int version) {
    if (version < 1 || version > current_schema)
        throw invalid_argument("version", "must be 1.." + std::to_string(current_schema));
    auto m = connect(conninfo, opt.schema);
    migration_lock lock(*m);
    if (inspect(*m) != 0) throw invalid_argument("schema", "'" + opt.schema + "' exists already");
    for (int v = 1; v <= version; ++v) run_migration(*m, v);
}

int postgres_store::schema_version() const { return impl_->version_of_schema; }
std::string postgres_store::location() const { return impl_->where(); }

// ---- reading --------------------------------------------------------------------------------

std::uint64_t postgres_store::version() {
    return static_cast<std::uint64_t>(impl_->scalar("SELECT version FROM head WHERE id = 1"));
}

platform_state postgres_store::load(std::uint64_t* version) {
    auto& m = *impl_;
    return m.read([&] {
        platform_state s = m.load_small({});
        auto q = m.exec(std::string("SELECT ") + impl::request_cols + " FROM requests ORDER BY id");
        for (int k = 0; k < q.rows(); ++k) {
            request x = impl::request_row(q, k);
            s.requests.emplace(x.id, std::move(x));
        }
        auto r = m.exec("SELECT request_id, room_id, blocked_begin, blocked_end FROM reservations");
        for (int k = 0; k < r.rows(); ++k) {
            const reservation x = impl::reservation_row(r, k);
            s.reservations.emplace(x.request, x);
        }
        if (version) *version = static_cast<std::uint64_t>(m.scalar("SELECT version FROM head WHERE id = 1"));
        return s;
    });
}

platform_state postgres_store::load_changes(platform_state base, std::uint64_t since, std::uint64_t* version) {
    auto& m = *impl_;
    return m.read([&] {
        platform_state s = m.load_small(std::move(base));
        const param v = p(static_cast<long long>(since));
        auto t = m.exec("SELECT request_id FROM tombstones WHERE row_version > $1", {v});
        for (int k = 0; k < t.rows(); ++k) {
            const request_id id{static_cast<std::uint64_t>(t.i(k, 0))};
            s.reservations.erase(id);
            s.requests.erase(id);
        }
        auto q = m.exec(std::string("SELECT ") + impl::request_cols + " FROM requests WHERE row_version > $1", {v});
        for (int k = 0; k < q.rows(); ++k) {
            request x = impl::request_row(q, k);
            s.requests.insert_or_assign(x.id, std::move(x));
        }
        auto r = m.exec("SELECT request_id, room_id, blocked_begin, blocked_end FROM reservations "
                        "WHERE row_version > $1", {v});
        for (int k = 0; k < r.rows(); ++k) {
            const reservation x = impl::reservation_row(r, k);
            s.reservations.insert_or_assign(x.request, x);
        }
        if (version) *version = static_cast<std::uint64_t>(m.scalar("SELECT version FROM head WHERE id = 1"));
        return s;
    });
}

std::vector<lifecycle_record> postgres_store::lifecycle() {
    auto q = impl_->exec("SELECT key, request_id, state FROM lifecycle ORDER BY key");
    std::vector<lifecycle_record> out;
    for (int k = 0; k < q.rows(); ++k) {
        lifecycle_record x{q.t(k, 0), std::nullopt, q.t(k, 2)};
        if (!q.null(k, 1)) x.request = request_id{static_cast<std::uint64_t>(q.i(k, 1))};
        out.push_back(std::move(x));
    }
    return out;
}

std::vector<report_record> postgres_store::reports() {
    auto q = impl_->exec("SELECT key, request_id, kind, body, created FROM reports ORDER BY key");
    std::vector<report_record> out;
    for (int k = 0; k < q.rows(); ++k) {
        report_record x{q.t(k, 0), std::nullopt, q.t(k, 2), q.t(k, 3), instant_of(q.i(k, 4))};
        if (!q.null(k, 1)) x.request = request_id{static_cast<std::uint64_t>(q.i(k, 1))};
        out.push_back(std::move(x));
    }
    return out;
}

namespace {
constexpr const char* outbox_cols =
    "id, idempotency_key, kind, payload, request_id, status, attempts, last_error, not_before";
std::vector<outbox_entry> outbox_rows(const result& q) {
    std::vector<outbox_entry> out;
    for (int k = 0; k < q.rows(); ++k) {
        outbox_entry e;
        e.id = static_cast<std::uint64_t>(q.i(k, 0));
        e.effect.idempotency_key = q.t(k, 1);
        e.effect.kind = q.t(k, 2);
        e.effect.payload = q.t(k, 3);
        if (!q.null(k, 4)) e.effect.request = request_id{static_cast<std::uint64_t>(q.i(k, 4))};
        e.status = parse_status(q.t(k, 5));
        e.attempts = static_cast<int>(q.i(k, 6));
        e.last_error = q.t(k, 7);
        e.not_before = instant_of(q.i(k, 8));
        out.push_back(std::move(e));
    }
    return out;
}
}  // namespace

std::vector<outbox_entry> postgres_store::outbox() {
    return outbox_rows(impl_->exec(std::string("SELECT ") + outbox_cols + " FROM outbox ORDER BY id"));
}

// ---- writing ----------------------------------------------------------------------------------

std::uint64_t postgres_store::begin_write() {
    auto& m = *impl_;
    try {
        // The writer lock: every command of every process queues here, and
        // once it holds the row it sees everything committed before. One
        // round trip for both statements.
        return static_cast<std::uint64_t>(m.scalar("BEGIN; SELECT version FROM head WHERE id = 1 FOR UPDATE"));
    } catch (...) {
        rollback();
        throw;
    }
}

void postgres_store::commit() { impl_->cmd("COMMIT"); }

void postgres_store::rollback() noexcept {
    if (impl_->conn && impl_->in_transaction()) PQclear(PQexec(impl_->conn, "ROLLBACK"));
}

std::uint64_t postgres_store::write(const change_set& c) {
    auto& m = *impl_;
    if (!m.in_transaction()) throw error("postgres_store::write outside begin_write()");
    const long long v = m.scalar(
        "UPDATE head SET version = version + 1, next_request = COALESCE($1::bigint, next_request), "
        "policy = COALESCE($2::text, policy) WHERE id = 1 RETURNING version",
        {c.next_request ? p(static_cast<long long>(*c.next_request)) : std::nullopt,
         c.policy ? param(policy_name(*c.policy)) : std::nullopt});
    const param pv = p(v);
    if (c.settings) {
        const auto& s = *c.settings;
        m.exec("INSERT INTO settings VALUES (1, $1, $2, $3, $4, $5, $6, $7, $8, $9) ON CONFLICT (id) DO UPDATE SET "
               "min_days_in_advance = excluded.min_days_in_advance, max_days_in_advance = excluded.max_days_in_advance, "
               "min_duration = excluded.min_duration, max_duration = excluded.max_duration, "
               "preparation = excluded.preparation, courtesy = excluded.courtesy, "
               "post_processing = excluded.post_processing, credentials_lead = excluded.credentials_lead, "
               "end_warning_lead = excluded.end_warning_lead",
               {p(s.min_days_in_advance), p(s.max_days_in_advance), p(s.min_duration.count()),
                p(s.max_duration.count()), p(s.preparation.count()), p(s.courtesy.count()),
                p(s.post_processing.count()), p(s.credentials_lead.count()), p(s.end_warning_lead.count())});
    }
    for (const auto& x : c.pools)
        m.exec("INSERT INTO pools VALUES ($1, $2, $3) ON CONFLICT (id) DO UPDATE SET name = excluded.name, "
               "kind = excluded.kind",
               {p(x.id.value), x.name, std::string(to_string(x.kind))});
    for (const auto& r : c.rooms)
        m.exec("INSERT INTO rooms VALUES ($1, $2, $3, $4, $5, $6, $7, $8) ON CONFLICT (id) DO UPDATE SET "
               "pool_id = excluded.pool_id, user_id = excluded.user_id, email = excluded.email, "
               "display_name = excluded.display_name, capacity = excluded.capacity, "
               "active = excluded.active, mode = excluded.mode",
               {p(r.id.value), p(r.pool.value), r.user_id, r.email, r.display_name, p(r.capacity),
                std::string(r.active ? "true" : "false"), std::string(to_string(r.mode))});
    for (const request_id id : c.erased_requests) {
        const param k = p(static_cast<long long>(id.value));
        m.exec("DELETE FROM reservations WHERE request_id = $1", {k});
        m.exec("DELETE FROM queue WHERE request_id = $1", {k});
        m.exec("DELETE FROM requests WHERE id = $1", {k});
        m.exec("INSERT INTO tombstones VALUES ($1, $2)", {pv, k});
    }
    for (const auto& q : c.requests)
        m.exec("INSERT INTO requests VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17) "
               "ON CONFLICT (id) DO UPDATE SET title = excluded.title, local_start = excluded.local_start, "
               "zone = excluded.zone, duration = excluded.duration, admission = excluded.admission, "
               "event_id = excluded.event_id, organizer_name = excluded.organizer_name, "
               "organizer_email = excluded.organizer_email, expected_attendees = excluded.expected_attendees, "
               "panelists = excluded.panelists, blocked_begin = excluded.blocked_begin, "
               "blocked_end = excluded.blocked_end, start_at = excluded.start_at, end_at = excluded.end_at, "
               "grace_end = excluded.grace_end, row_version = excluded.row_version",
               {p(static_cast<long long>(q.id.value)), q.title, p(minutes_of(q.local_start)), q.zone,
                p(q.duration.count()), std::string(to_string(q.admission)), q.event_id, q.organizer.name,
                q.organizer.email, p(q.expected_attendees), encode_list(q.panelists),
                p(minutes_of(q.window.blocked.begin())), p(minutes_of(q.window.blocked.end())),
                p(minutes_of(q.window.start)), p(minutes_of(q.window.end)), p(minutes_of(q.window.grace_end)), pv});
    for (const request_id id : c.erased_reservations) {
        const param k = p(static_cast<long long>(id.value));
        if (m.scalar("WITH d AS (DELETE FROM reservations WHERE request_id = $1 RETURNING 1) SELECT count(*) FROM d", {k}) > 0)
            m.exec("INSERT INTO tombstones VALUES ($1, $2)", {pv, k});
    }
    for (const auto& r : c.reservations)
        m.exec("INSERT INTO reservations VALUES ($1, $2, $3, $4, "
               "tstzrange(to_timestamp($3::bigint * 60), to_timestamp($4::bigint * 60), '[)'), $5) "
               "ON CONFLICT (request_id) DO UPDATE SET room_id = excluded.room_id, "
               "blocked_begin = excluded.blocked_begin, blocked_end = excluded.blocked_end, "
               "blocked = excluded.blocked, row_version = excluded.row_version",
               {p(static_cast<long long>(r.request.value)), p(r.room.value), p(minutes_of(r.blocked.begin())),
                p(minutes_of(r.blocked.end())), pv});
    if (c.queue_rewrite) {
        m.cmd("DELETE FROM queue");
        long long seq = 0;
        for (const request_id id : *c.queue_rewrite)
            m.exec("INSERT INTO queue VALUES ($1, $2)", {p(static_cast<long long>(id.value)), p(++seq)});
    } else {
        for (const request_id id : c.queue_removed)
            m.exec("DELETE FROM queue WHERE request_id = $1", {p(static_cast<long long>(id.value))});
        for (const request_id id : c.queue_appended)
            m.exec("INSERT INTO queue VALUES ($1, (SELECT COALESCE(MAX(seq), 0) + 1 FROM queue))",
                   {p(static_cast<long long>(id.value))});
    }
    for (const auto& l : c.lifecycle) {
        if (l.state.empty()) {
            m.exec("DELETE FROM lifecycle WHERE key = $1", {l.key});
            continue;
        }
        m.exec("INSERT INTO lifecycle VALUES ($1, $2, $3) ON CONFLICT (key) DO UPDATE SET "
               "request_id = excluded.request_id, state = excluded.state",
               {l.key, l.request ? p(static_cast<long long>(l.request->value)) : std::nullopt, l.state});
    }
    for (const auto& e : c.effects) {
        if (e.idempotency_key.empty()) throw invalid_argument("effect.idempotency_key", "is empty");
        if (e.kind.empty()) throw invalid_argument("effect.kind", "is empty");
        m.exec("INSERT INTO outbox(idempotency_key, kind, payload, request_id, committed_version) "
               "VALUES ($1, $2, $3, $4, $5) ON CONFLICT (idempotency_key) DO NOTHING",
               {e.idempotency_key, e.kind, e.payload,
                e.request ? p(static_cast<long long>(e.request->value)) : std::nullopt, pv});
    }
    for (const auto& r : c.reports)
        m.exec("INSERT INTO reports VALUES ($1, $2, $3, $4, $5) ON CONFLICT (key) DO UPDATE SET "
               "request_id = excluded.request_id, kind = excluded.kind, body = excluded.body, "
               "created = excluded.created",
               {r.key, r.request ? p(static_cast<long long>(r.request->value)) : std::nullopt, r.kind, r.body,
                p(minutes_of(r.created))});
    return static_cast<std::uint64_t>(v);
}

// ---- outbox ----------------------------------------------------------------------------------

std::vector<outbox_entry> postgres_store::due_effects(instant now, std::size_t limit) {
    return outbox_rows(impl_->exec(std::string("SELECT ") + outbox_cols +
                                       " FROM outbox WHERE status = 'pending' AND not_before <= $1 ORDER BY id LIMIT $2",
                                   {p(minutes_of(now)), p(static_cast<long long>(limit))}));
}

void postgres_store::mark_done(std::uint64_t id) {
    impl_->exec("UPDATE outbox SET status = 'done', attempts = attempts + 1, last_error = '' WHERE id = $1",
                {p(static_cast<long long>(id))});
}

void postgres_store::mark_failed(std::uint64_t id, const std::string& error, std::optional<instant> retry_at) {
    impl_->exec("UPDATE outbox SET status = $1, attempts = attempts + 1, last_error = $2, not_before = $3 WHERE id = $4",
                {std::string(retry_at ? "pending" : "failed"), error, p(retry_at ? minutes_of(*retry_at) : 0LL),
                 p(static_cast<long long>(id))});
}

bool postgres_store::try_lock_dispatcher() {
    auto r = impl_->exec("SELECT pg_try_advisory_lock(hashtext($1))", {"sala-dispatch:" + impl_->schema});
    return r.b(0, 0);
}

void postgres_store::unlock_dispatcher() {
    impl_->exec("SELECT pg_advisory_unlock(hashtext($1))", {"sala-dispatch:" + impl_->schema});
}

}  // namespace sala
