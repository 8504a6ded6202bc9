#include "sala/adapters/sqlite_store.hpp"

#include <sqlite3.h>
#include <sys/stat.h>

#include <map>
#include <unordered_map>

#include "codec.hpp"

namespace sala {

namespace {

using namespace detail;

// Schema steps: index k takes the file from version k to k+1.
// v1: the platform state. v2: lifecycle step state, outbox, reports.
const char* const migrations[] = {
    R"sql(
CREATE TABLE sala_meta(key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE head(id INTEGER PRIMARY KEY CHECK (id = 1), version INTEGER NOT NULL,
                  next_request INTEGER NOT NULL, policy TEXT NOT NULL);
INSERT INTO head VALUES (1, 0, 1, 'first_fit');
CREATE TABLE settings(id INTEGER PRIMARY KEY CHECK (id = 1),
  min_days_in_advance INTEGER NOT NULL, max_days_in_advance INTEGER NOT NULL,
  min_duration INTEGER NOT NULL, max_duration INTEGER NOT NULL,
  preparation INTEGER NOT NULL, courtesy INTEGER NOT NULL, post_processing INTEGER NOT NULL,
  credentials_lead INTEGER NOT NULL, end_warning_lead INTEGER NOT NULL);
CREATE TABLE pools(id INTEGER PRIMARY KEY, name TEXT NOT NULL UNIQUE,
  kind TEXT NOT NULL CHECK (kind IN ('lent', 'own')));
CREATE TABLE rooms(id INTEGER PRIMARY KEY, pool_id INTEGER NOT NULL REFERENCES pools(id),
  user_id TEXT NOT NULL, email TEXT NOT NULL, display_name TEXT NOT NULL,
  capacity INTEGER NOT NULL, active INTEGER NOT NULL,
  mode TEXT NOT NULL CHECK (mode IN ('manual', 'automatic')));
CREATE TABLE requests(id INTEGER PRIMARY KEY, title TEXT NOT NULL, local_start INTEGER NOT NULL,
  zone TEXT NOT NULL, duration INTEGER NOT NULL, admission TEXT NOT NULL, event_id TEXT NOT NULL,
  organizer_name TEXT NOT NULL, organizer_email TEXT NOT NULL, expected_attendees INTEGER,
  panelists TEXT NOT NULL, blocked_begin INTEGER NOT NULL, blocked_end INTEGER NOT NULL,
  start_at INTEGER NOT NULL, end_at INTEGER NOT NULL, grace_end INTEGER NOT NULL,
  row_version INTEGER NOT NULL);
CREATE TABLE reservations(request_id INTEGER PRIMARY KEY REFERENCES requests(id),
  room_id INTEGER NOT NULL REFERENCES rooms(id),
  blocked_begin INTEGER NOT NULL, blocked_end INTEGER NOT NULL, row_version INTEGER NOT NULL,
  CHECK (blocked_begin <= blocked_end));
CREATE INDEX reservations_by_room ON reservations(room_id, blocked_begin);
-- R1: a room holds one blocked interval at any instant; last line of defence.
CREATE TRIGGER reservations_no_overlap_insert BEFORE INSERT ON reservations
WHEN EXISTS (SELECT 1 FROM reservations o WHERE o.room_id = NEW.room_id
             AND o.request_id <> NEW.request_id
             AND o.blocked_begin < NEW.blocked_end AND NEW.blocked_begin < o.blocked_end)
BEGIN SELECT RAISE(ABORT, 'sala: overlapping reservation on one room (R1)'); END;
CREATE TRIGGER reservations_no_overlap_update BEFORE UPDATE ON reservations
WHEN EXISTS (SELECT 1 FROM reservations o WHERE o.room_id = NEW.room_id
             AND o.request_id <> NEW.request_id
             AND o.blocked_begin < NEW.blocked_end AND NEW.blocked_begin < o.blocked_end)
BEGIN SELECT RAISE(ABORT, 'sala: overlapping reservation on one room (R1)'); END;
CREATE TABLE queue(request_id INTEGER PRIMARY KEY REFERENCES requests(id), seq INTEGER NOT NULL UNIQUE);
CREATE TABLE tombstones(row_version INTEGER NOT NULL, request_id INTEGER NOT NULL);
CREATE INDEX tombstones_by_version ON tombstones(row_version);
)sql",
    R"sql(
CREATE TABLE lifecycle(key TEXT PRIMARY KEY, request_id INTEGER, state TEXT NOT NULL);
CREATE TABLE outbox(id INTEGER PRIMARY KEY AUTOINCREMENT, idempotency_key TEXT NOT NULL UNIQUE,
  kind TEXT NOT NULL, payload TEXT NOT NULL, request_id INTEGER,
  status TEXT NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'done', 'failed')),
  attempts INTEGER NOT NULL DEFAULT 0, last_error TEXT NOT NULL DEFAULT '',
  not_before INTEGER NOT NULL DEFAULT 0, committed_version INTEGER NOT NULL);
CREATE INDEX outbox_due ON outbox(status, not_before, id);
CREATE TABLE reports(key TEXT PRIMARY KEY, request_id INTEGER, kind TEXT NOT NULL,
  body TEXT NOT NULL, created INTEGER NOT NULL);
)sql",
};
static_assert(std::size(migrations) == sqlite_store::current_schema);

bool retryable_code(int rc) {
    const int primary = rc & 0xff;
    return primary == SQLITE_BUSY || primary == SQLITE_LOCKED || primary == SQLITE_IOERR ||
           primary == SQLITE_FULL;
}

class statement {
public:
    statement() = default;
    statement(sqlite3* db, const std::string& sql, const std::string& where) : db_(db) {
        if (sqlite3_prepare_v2(db, sql.c_str(), static_cast<int>(sql.size()), &s_, nullptr) != SQLITE_OK)
            throw backend_error(where + ": " + sqlite3_errmsg(db) + " in: " + sql, false);
    }
    statement(const statement&) = delete;
    statement& operator=(const statement&) = delete;
    ~statement() { sqlite3_finalize(s_); }

    statement& reset() {
        sqlite3_reset(s_);
        sqlite3_clear_bindings(s_);
        col_ = 0;
        return *this;
    }
    statement& bind(long long v) {
        sqlite3_bind_int64(s_, ++col_, v);
        return *this;
    }
    statement& bind(const std::string& v) {
        sqlite3_bind_text(s_, ++col_, v.data(), static_cast<int>(v.size()), SQLITE_TRANSIENT);
        return *this;
    }
    statement& bind_null() {
        sqlite3_bind_null(s_, ++col_);
        return *this;
    }
    template <class T>
    statement& bind_opt(const std::optional<T>& v) {
        if (v) return bind(static_cast<long long>(*v));
        return bind_null();
    }
    // True while there is a row.
    bool step() {
        const int rc = sqlite3_step(s_);
        if (rc == SQLITE_ROW) return true;
        if (rc == SQLITE_DONE) return false;
        const std::string msg = sqlite3_errmsg(db_);
        sqlite3_reset(s_);
        throw backend_error("sqlite: " + msg, retryable_code(rc));
    }
    void run() {
        while (step()) {
        }
        sqlite3_reset(s_);
    }
    long long i(int c) const { return sqlite3_column_int64(s_, c); }
    bool is_null(int c) const { return sqlite3_column_type(s_, c) == SQLITE_NULL; }
    std::string t(int c) const {
        const auto* p = reinterpret_cast<const char*>(sqlite3_column_text(s_, c));
        return p ? std::string(p, static_cast<std::size_t>(sqlite3_column_bytes(s_, c))) : std::string();
    }

private:
    sqlite3* db_ = nullptr;
    sqlite3_stmt* s_ = nullptr;
    int col_ = 0;
};

std::string quote_path(const std::string& p) { return "'" + p + "'"; }

}  // namespace

struct sqlite_store::impl {
    std::string path;
    sqlite3* db = nullptr;
    int schema = 0;
    int fail_writes_in = 0;
    std::unordered_map<std::string, std::unique_ptr<statement>> cache;

    ~impl() {
        cache.clear();
        if (db) sqlite3_close_v2(db);
    }

    std::string where() const { return "sqlite store " + quote_path(path); }

    statement& st(const std::string& sql) {
        auto& s = cache[sql];
        if (!s) s = std::make_unique<statement>(db, sql, where());
        return s->reset();
    }
    void exec(const std::string& sql) {
        char* err = nullptr;
        const int rc = sqlite3_exec(db, sql.c_str(), nullptr, nullptr, &err);
        if (rc != SQLITE_OK) {
            const std::string msg = err ? err : sqlite3_errstr(rc);
            sqlite3_free(err);
            throw backend_error(where() + ": " + msg, retryable_code(rc));
        }
    }
    long long scalar(const std::string& sql) {
        auto& s = st(sql);
        const long long v = s.step() ? s.i(0) : 0;
        s.reset();
        return v;
    }

    // A consistent read: inside the open write transaction, or its own.
    template <class F>
    auto read(F&& f) {
        if (!sqlite3_get_autocommit(db)) return f();
        exec("BEGIN");
        try {
            auto out = f();
            exec("COMMIT");
            return out;
        } catch (...) {
            exec("ROLLBACK");
            throw;
        }
    }

    platform_state load_small(platform_state s) {
        auto& h = st("SELECT next_request, policy FROM head WHERE id = 1");
        if (h.step()) {
            s.next_request = static_cast<std::uint64_t>(h.i(0));
            s.policy = parse_policy(h.t(1));
        }
        h.reset();
        auto& q = st("SELECT min_days_in_advance, max_days_in_advance, min_duration, max_duration, "
                     "preparation, courtesy, post_processing, credentials_lead, end_warning_lead "
                     "FROM settings WHERE id = 1");
        if (q.step()) {
            settings x;
            x.min_days_in_advance = static_cast<int>(q.i(0));
            x.max_days_in_advance = static_cast<int>(q.i(1));
            x.min_duration = minutes{q.i(2)};
            x.max_duration = minutes{q.i(3)};
            x.preparation = minutes{q.i(4)};
            x.courtesy = minutes{q.i(5)};
            x.post_processing = minutes{q.i(6)};
            x.credentials_lead = minutes{q.i(7)};
            x.end_warning_lead = minutes{q.i(8)};
            s.settings = x;
        }
        q.reset();
        s.pools.clear();
        auto& p = st("SELECT id, name, kind FROM pools ORDER BY id");
        while (p.step())
            s.pools.push_back({pool_id{static_cast<std::uint32_t>(p.i(0))}, p.t(1), parse_pool_kind(p.t(2))});
        s.rooms.clear();
        auto& r = st("SELECT id, pool_id, user_id, email, display_name, capacity, active, mode "
                     "FROM rooms ORDER BY id");
        while (r.step()) {
            room x;
            x.id = room_id{static_cast<std::uint32_t>(r.i(0))};
            x.pool = pool_id{static_cast<std::uint32_t>(r.i(1))};
            x.user_id = r.t(2);
            x.email = r.t(3);
            x.display_name = r.t(4);
            x.capacity = static_cast<int>(r.i(5));
            x.active = r.i(6) != 0;
            x.mode = parse_mode(r.t(7));
            s.rooms.push_back(std::move(x));
        }
        s.queue.clear();
        auto& qu = st("SELECT request_id FROM queue ORDER BY seq");
        while (qu.step()) s.queue.push_back(request_id{static_cast<std::uint64_t>(qu.i(0))});
        return s;
    }

    static constexpr const char* request_cols =
        "id, title, local_start, zone, duration, admission, event_id, organizer_name, "
        "organizer_email, expected_attendees, panelists, blocked_begin, blocked_end, start_at, "
        "end_at, grace_end";

    static request request_row(const statement& q) {
        request x;
        x.id = request_id{static_cast<std::uint64_t>(q.i(0))};
        x.title = q.t(1);
        x.local_start = local_of(q.i(2));
        x.zone = q.t(3);
        x.duration = minutes{q.i(4)};
        x.admission = parse_admission(q.t(5));
        x.event_id = q.t(6);
        x.organizer = {q.t(7), q.t(8)};
        if (!q.is_null(9)) x.expected_attendees = static_cast<int>(q.i(9));
        x.panelists = decode_list(q.t(10));
        x.window.blocked = interval{instant_of(q.i(11)), instant_of(q.i(12))};
        x.window.start = instant_of(q.i(13));
        x.window.end = instant_of(q.i(14));
        x.window.grace_end = instant_of(q.i(15));
        return x;
    }
    static reservation reservation_row(const statement& q) {
        return {request_id{static_cast<std::uint64_t>(q.i(0))},
                room_id{static_cast<std::uint32_t>(q.i(1))},
                interval{instant_of(q.i(2)), instant_of(q.i(3))}};
    }
};

// ---- opening ------------------------------------------------------------------------------

namespace {

void run_migration(sqlite_store::impl& m, int to) {
    m.exec("BEGIN IMMEDIATE");
    try {
        m.exec(migrations[to - 1]);
        if (to == 1)
            m.exec("INSERT INTO sala_meta VALUES ('application', 'sala')");
        m.exec("INSERT INTO sala_meta VALUES ('schema_version', '" + std::to_string(to) +
               "') ON CONFLICT(key) DO UPDATE SET value = excluded.value");
        m.exec("PRAGMA application_id = " + std::to_string(sqlite_store::application_id));
        m.exec("PRAGMA user_version = " + std::to_string(to));
        m.exec("COMMIT");
    } catch (...) {
        m.exec("ROLLBACK");
        throw;
    }
}

std::unique_ptr<sqlite_store::impl> open_impl(const std::string& path, bool create) {
    auto m = std::make_unique<sqlite_store::impl>();
    m->path = path;
    struct stat sb {};
    const bool exists = ::stat(path.c_str(), &sb) == 0;
    if (!exists && !create)
        throw store_error("sqlite store " + quote_path(path) + " does not exist");
    const int flags = SQLITE_OPEN_READWRITE | (exists ? 0 : SQLITE_OPEN_CREATE) | SQLITE_OPEN_NOMUTEX;
    const int rc = sqlite3_open_v2(path.c_str(), &m->db, flags, nullptr);
    if (rc != SQLITE_OK)
        throw store_error("sqlite store " + quote_path(path) + ": cannot open: " +
                          (m->db ? sqlite3_errmsg(m->db) : sqlite3_errstr(rc)));
    sqlite3_extended_result_codes(m->db, 1);
    return m;
}

// Reads without writing anything: is this a sala store, which version.
int inspect(sqlite_store::impl& m) {
    long long app = 0, user_version = 0, objects = 0;
    try {
        app = m.scalar("PRAGMA application_id");
        user_version = m.scalar("PRAGMA user_version");
        objects = m.scalar("SELECT count(*) FROM sqlite_master");
    } catch (const backend_error& e) {
        throw store_error("sqlite store " + quote_path(m.path) +
                          " is not a SQLite database or is corrupted (" + e.what() +
                          "); it was left untouched");
    }
    if (app == 0 && user_version == 0 && objects == 0) return 0;  // new, empty
    if (app != sqlite_store::application_id)
        throw store_error("sqlite store " + quote_path(m.path) +
                          " is a SQLite database of another application (application_id " +
                          std::to_string(app) + ", " + std::to_string(objects) +
                          " schema objects), not a sala store; it was left untouched");
    if (user_version > sqlite_store::current_schema)
        throw store_error("sqlite store " + quote_path(m.path) + " has schema version " +
                          std::to_string(user_version) + ", newer than this sala understands (" +
                          std::to_string(sqlite_store::current_schema) +
                          "); upgrade sala. The file was left untouched");
    if (user_version < 1)
        throw store_error("sqlite store " + quote_path(m.path) +
                          " carries sala's application_id but no schema version; it was left untouched");
    return static_cast<int>(user_version);
}

}  // namespace

sqlite_store::sqlite_store(std::unique_ptr<impl> p) : impl_(std::move(p)) {}
sqlite_store::~sqlite_store() = default;

std::shared_ptr<sqlite_store> sqlite_store::open(const std::string& path) { return open(path, options{}); }

std::shared_ptr<sqlite_store> sqlite_store::open(const std::string& path, const options& opt) {
    if (path.empty()) throw invalid_argument("path", "is empty");
    auto m = open_impl(path, opt.create);
    sqlite3_busy_timeout(m->db, opt.busy_timeout_ms);
    const int at = inspect(*m);
    if (at > 0 && opt.quick_check) {
        std::string verdict;
        try {
            auto& q = m->st("PRAGMA quick_check");
            verdict = q.step() ? q.t(0) : "no answer";
            q.reset();
        } catch (const backend_error& e) {
            verdict = e.what();
        }
        if (verdict != "ok")
            throw store_error("sqlite store " + quote_path(path) + " is corrupted (quick_check: " +
                              verdict + "); it was left untouched");
    }
    // Only now, knowing it is ours, anything is written.
    m->exec("PRAGMA journal_mode = WAL");
    m->exec(opt.sync == durability::full ? "PRAGMA synchronous = FULL" : "PRAGMA synchronous = NORMAL");
    m->exec("PRAGMA foreign_keys = ON");
    for (int v = at + 1; v <= current_schema; ++v) run_migration(*m, v);
    m->schema = current_schema;
    m->cache.clear();
    return std::shared_ptr<sqlite_store>(new sqlite_store(std::move(m)));
}

void sqlite_store::create_at_version(const std::string& path, int version) {
    if (version < 1 || version > current_schema)
        throw invalid_argument("version", "must be 1.." + std::to_string(current_schema));
    struct stat sb {};
    if (::stat(path.c_str(), &sb) == 0) throw invalid_argument("path", "'" + path + "' exists already");
    auto m = open_impl(path, true);
    m->exec("PRAGMA journal_mode = WAL");
    for (int v = 1; v <= version; ++v) run_migration(*m, v);
}

int sqlite_store::schema_version() const { return impl_->schema; }
std::string sqlite_store::location() const { return impl_->path; }

// ---- reading --------------------------------------------------------------------------------

std::uint64_t sqlite_store::version() {
    return static_cast<std::uint64_t>(impl_->scalar("SELECT version FROM head WHERE id = 1"));
}

platform_state sqlite_store::load(std::uint64_t* version) {
    auto& m = *impl_;
    return m.read([&] {
        platform_state s = m.load_small({});
        auto& q = m.st(std::string("SELECT ") + impl::request_cols + " FROM requests ORDER BY id");
        while (q.step()) {
            request x = impl::request_row(q);
            s.requests.emplace(x.id, std::move(x));
        }
        auto& r = m.st("SELECT request_id, room_id, blocked_begin, blocked_end FROM reservations");
        while (r.step()) {
            const reservation x = impl::reservation_row(r);
            s.reservations.emplace(x.request, x);
        }
        if (version) *version = static_cast<std::uint64_t>(m.scalar("SELECT version FROM head WHERE id = 1"));
        return s;
    });
}

platform_state sqlite_store::load_changes(platform_state base, std::uint64_t since, std::uint64_t* version) {
    auto& m = *impl_;
    return m.read([&] {
        platform_state s = m.load_small(std::move(base));
        const auto v = static_cast<long long>(since);
        auto& t = m.st("SELECT request_id FROM tombstones WHERE row_version > ?");
        t.bind(v);
        while (t.step()) {
            const request_id id{static_cast<std::uint64_t>(t.i(0))};
            s.reservations.erase(id);
            s.requests.erase(id);  // put back below if the request still exists
        }
        auto& q = m.st(std::string("SELECT ") + impl::request_cols + " FROM requests WHERE row_version > ?");
        q.bind(v);
        while (q.step()) {
            request x = impl::request_row(q);
            s.requests.insert_or_assign(x.id, std::move(x));
        }
        auto& r = m.st("SELECT request_id, room_id, blocked_begin, blocked_end FROM reservations "
                       "WHERE row_version > ?");
        r.bind(v);
        while (r.step()) {
            const reservation x = impl::reservation_row(r);
            s.reservations.insert_or_assign(x.request, x);
        }
        if (version) *version = static_cast<std::uint64_t>(m.scalar("SELECT version FROM head WHERE id = 1"));
        return s;
    });
}

std::vector<lifecycle_record> sqlite_store::lifecycle() {
    auto& m = *impl_;
    return m.read([&] {
        std::vector<lifecycle_record> out;
        auto& q = m.st("SELECT key, request_id, state FROM lifecycle ORDER BY key");
        while (q.step()) {
            lifecycle_record x{q.t(0), std::nullopt, q.t(2)};
            if (!q.is_null(1)) x.request = request_id{static_cast<std::uint64_t>(q.i(1))};
            out.push_back(std::move(x));
        }
        return out;
    });
}

std::vector<report_record> sqlite_store::reports() {
    auto& m = *impl_;
    return m.read([&] {
        std::vector<report_record> out;
        auto& q = m.st("SELECT key, request_id, kind, body, created FROM reports ORDER BY key");
        while (q.step()) {
            report_record x{q.t(0), std::nullopt, q.t(2), q.t(3), instant_of(q.i(4))};
            if (!q.is_null(1)) x.request = request_id{static_cast<std::uint64_t>(q.i(1))};
            out.push_back(std::move(x));
        }
        return out;
    });
}

namespace {
outbox_entry outbox_row(const statement& q) {
    outbox_entry e;
    e.id = static_cast<std::uint64_t>(q.i(0));
    e.effect.idempotency_key = q.t(1);
    e.effect.kind = q.t(2);
    e.effect.payload = q.t(3);
    if (!q.is_null(4)) e.effect.request = request_id{static_cast<std::uint64_t>(q.i(4))};
    e.status = parse_status(q.t(5));
    e.attempts = static_cast<int>(q.i(6));
    e.last_error = q.t(7);
    e.not_before = instant_of(q.i(8));
    return e;
}
constexpr const char* outbox_cols =
    "id, idempotency_key, kind, payload, request_id, status, attempts, last_error, not_before";
}  // namespace

std::vector<outbox_entry> sqlite_store::outbox() {
    auto& m = *impl_;
    return m.read([&] {
        std::vector<outbox_entry> out;
        auto& q = m.st(std::string("SELECT ") + outbox_cols + " FROM outbox ORDER BY id");
        while (q.step()) out.push_back(outbox_row(q));
        return out;
    });
}

// ---- writing ----------------------------------------------------------------------------------

std::uint64_t sqlite_store::begin_write() {
    impl_->exec("BEGIN IMMEDIATE");
    try {
        return version();
    } catch (...) {
        rollback();
        throw;
    }
}

void sqlite_store::commit() { impl_->exec("COMMIT"); }

void sqlite_store::rollback() noexcept {
    if (!sqlite3_get_autocommit(impl_->db)) sqlite3_exec(impl_->db, "ROLLBACK", nullptr, nullptr, nullptr);
}

void sqlite_store::fail_next_write_for_test(int n) { impl_->fail_writes_in = n; }

std::uint64_t sqlite_store::write(const change_set& c) {
    auto& m = *impl_;
    if (sqlite3_get_autocommit(m.db)) throw error("sqlite_store::write outside begin_write()");
    if (m.fail_writes_in > 0 && --m.fail_writes_in == 0)
        throw backend_error(m.where() + ": injected write failure (test)", true);
    const long long v = m.scalar("SELECT version FROM head WHERE id = 1") + 1;
    m.st("UPDATE head SET version = ? WHERE id = 1").bind(v).run();
    if (c.next_request)
        m.st("UPDATE head SET next_request = ? WHERE id = 1").bind(static_cast<long long>(*c.next_request)).run();
    if (c.policy) m.st("UPDATE head SET policy = ? WHERE id = 1").bind(policy_name(*c.policy)).run();
    if (c.settings) {
        const auto& s = *c.settings;
        m.st("INSERT OR REPLACE INTO settings VALUES (1, ?, ?, ?, ?, ?, ?, ?, ?, ?)")
            .bind(s.min_days_in_advance).bind(s.max_days_in_advance)
            .bind(s.min_duration.count()).bind(s.max_duration.count())
            .bind(s.preparation.count()).bind(s.courtesy.count()).bind(s.post_processing.count())
            .bind(s.credentials_lead.count()).bind(s.end_warning_lead.count())
            .run();
    }
    for (const auto& p : c.pools)
        m.st("INSERT INTO pools VALUES (?, ?, ?) ON CONFLICT(id) DO UPDATE SET name = excluded.name, "
             "kind = excluded.kind")
            .bind(p.id.value).bind(p.name).bind(to_string(p.kind)).run();
    for (const auto& r : c.rooms)
        m.st("INSERT INTO rooms VALUES (?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT(id) DO UPDATE SET "
             "pool_id = excluded.pool_id, user_id = excluded.user_id, email = excluded.email, "
             "display_name = excluded.display_name, capacity = excluded.capacity, "
             "active = excluded.active, mode = excluded.mode")
            .bind(r.id.value).bind(r.pool.value).bind(r.user_id).bind(r.email).bind(r.display_name)
            .bind(r.capacity).bind(r.active ? 1 : 0).bind(to_string(r.mode)).run();
    for (const request_id id : c.erased_requests) {
        const auto k = static_cast<long long>(id.value);
        m.st("DELETE FROM reservations WHERE request_id = ?").bind(k).run();
        m.st("DELETE FROM queue WHERE request_id = ?").bind(k).run();
        m.st("DELETE FROM requests WHERE id = ?").bind(k).run();
        m.st("INSERT INTO tombstones VALUES (?, ?)").bind(v).bind(k).run();
    }
    for (const auto& q : c.requests) {
        auto& s = m.st("INSERT OR REPLACE INTO requests VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)");
        s.bind(static_cast<long long>(q.id.value)).bind(q.title).bind(minutes_of(q.local_start)).bind(q.zone)
            .bind(q.duration.count()).bind(to_string(q.admission)).bind(q.event_id)
            .bind(q.organizer.name).bind(q.organizer.email).bind_opt(q.expected_attendees)
            .bind(encode_list(q.panelists))
            .bind(minutes_of(q.window.blocked.begin())).bind(minutes_of(q.window.blocked.end()))
            .bind(minutes_of(q.window.start)).bind(minutes_of(q.window.end))
            .bind(minutes_of(q.window.grace_end)).bind(v)
            .run();
    }
    for (const request_id id : c.erased_reservations) {
        const auto k = static_cast<long long>(id.value);
        m.st("DELETE FROM reservations WHERE request_id = ?").bind(k).run();
        if (sqlite3_changes(m.db) > 0) m.st("INSERT INTO tombstones VALUES (?, ?)").bind(v).bind(k).run();
    }
    for (const auto& r : c.reservations)
        m.st("INSERT INTO reservations VALUES (?, ?, ?, ?, ?) ON CONFLICT(request_id) DO UPDATE SET "
             "room_id = excluded.room_id, blocked_begin = excluded.blocked_begin, "
             "blocked_end = excluded.blocked_end, row_version = excluded.row_version")
            .bind(static_cast<long long>(r.request.value)).bind(r.room.value)
            .bind(minutes_of(r.blocked.begin())).bind(minutes_of(r.blocked.end())).bind(v)
            .run();
    if (c.queue_rewrite) {
        m.st("DELETE FROM queue").run();
        long long seq = 0;
        for (const request_id id : *c.queue_rewrite)
            m.st("INSERT INTO queue VALUES (?, ?)").bind(static_cast<long long>(id.value)).bind(++seq).run();
    } else {
        for (const request_id id : c.queue_removed)
            m.st("DELETE FROM queue WHERE request_id = ?").bind(static_cast<long long>(id.value)).run();
        for (const request_id id : c.queue_appended)
            m.st("INSERT INTO queue VALUES (?, (SELECT COALESCE(MAX(seq), 0) + 1 FROM queue))")
                .bind(static_cast<long long>(id.value)).run();
    }
    for (const auto& l : c.lifecycle) {
        if (l.state.empty()) {
            m.st("DELETE FROM lifecycle WHERE key = ?").bind(l.key).run();
            continue;
        }
        auto& s = m.st("INSERT OR REPLACE INTO lifecycle VALUES (?, ?, ?)");
        s.bind(l.key);
        if (l.request) s.bind(static_cast<long long>(l.request->value));
        else s.bind_null();
        s.bind(l.state).run();
    }
    for (const auto& e : c.effects) {
        if (e.idempotency_key.empty()) throw invalid_argument("effect.idempotency_key", "is empty");
        if (e.kind.empty()) throw invalid_argument("effect.kind", "is empty");
        auto& s = m.st("INSERT INTO outbox(idempotency_key, kind, payload, request_id, committed_version) "
                       "VALUES (?, ?, ?, ?, ?) ON CONFLICT(idempotency_key) DO NOTHING");
        s.bind(e.idempotency_key).bind(e.kind).bind(e.payload);
        if (e.request) s.bind(static_cast<long long>(e.request->value));
        else s.bind_null();
        s.bind(v).run();
    }
    for (const auto& r : c.reports) {
        auto& s = m.st("INSERT OR REPLACE INTO reports VALUES (?, ?, ?, ?, ?)");
        s.bind(r.key);
        if (r.request) s.bind(static_cast<long long>(r.request->value));
        else s.bind_null();
        s.bind(r.kind).bind(r.body).bind(minutes_of(r.created)).run();
    }
    return static_cast<std::uint64_t>(v);
}

// ---- outbox ----------------------------------------------------------------------------------

std::vector<outbox_entry> sqlite_store::due_effects(instant now, std::size_t limit) {
    auto& m = *impl_;
    return m.read([&] {
        std::vector<outbox_entry> out;
        auto& q = m.st(std::string("SELECT ") + outbox_cols +
                       " FROM outbox WHERE status = 'pending' AND not_before <= ? ORDER BY id LIMIT ?");
        q.bind(minutes_of(now)).bind(static_cast<long long>(limit));
        while (q.step()) out.push_back(outbox_row(q));
        return out;
    });
}

void sqlite_store::mark_done(std::uint64_t id) {
    impl_->st("UPDATE outbox SET status = 'done', attempts = attempts + 1, last_error = '' WHERE id = ?")
        .bind(static_cast<long long>(id)).run();
}

void sqlite_store::mark_failed(std::uint64_t id, const std::string& error, std::optional<instant> retry_at) {
    impl_->st("UPDATE outbox SET status = ?, attempts = attempts + 1, last_error = ?, not_before = ? WHERE id = ?")
        .bind(retry_at ? "pending" : "failed").bind(error).bind(retry_at ? minutes_of(*retry_at) : 0LL)
        .bind(static_cast<long long>(id)).run();
}

}  // namespace sala
