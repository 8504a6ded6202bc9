#include "sala/adapters/sqlite_store.hpp"

#include <sqlite3.h>
#include <sys/stat.h>
#include <unistd.h>

#include <memory>
#include <unordered_map>

#include "store/sql_connection.hpp"
#include "store/sql_schema.hpp"

namespace sala {

namespace {

using namespace detail;

// The shared schema (src/store/sql_schema.cpp) in SQLite's types; R1 guarded by triggers.
const sql_schema sqlite_schema{
    "INTEGER", "INTEGER", "TEXT", "INTEGER", "INTEGER PRIMARY KEY AUTOINCREMENT", "",
    R"sql(CREATE TABLE reservations(request_id INTEGER PRIMARY KEY REFERENCES requests(id),
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
)sql",
    // Version 3: the same R1 guard asking only the neighbours. A room's
    // bookings never overlap, so only the last one starting at or before the
    // new begin, and those starting inside the new interval, can collide: two
    // index seeks instead of a scan of the room's whole past.
    R"sql(DROP TRIGGER reservations_no_overlap_insert;
DROP TRIGGER reservations_no_overlap_update;
CREATE TRIGGER reservations_no_overlap_insert BEFORE INSERT ON reservations
WHEN (SELECT o.blocked_end > NEW.blocked_begin FROM reservations o
      WHERE o.room_id = NEW.room_id AND o.blocked_begin <= NEW.blocked_begin
        AND o.request_id <> NEW.request_id AND o.blocked_begin < o.blocked_end
      ORDER BY o.blocked_begin DESC LIMIT 1)
  OR EXISTS (SELECT 1 FROM reservations o WHERE o.room_id = NEW.room_id
             AND o.request_id <> NEW.request_id
             AND o.blocked_begin > NEW.blocked_begin AND o.blocked_begin < NEW.blocked_end)
BEGIN SELECT RAISE(ABORT, 'sala: overlapping reservation on one room (R1)'); END;
CREATE TRIGGER reservations_no_overlap_update BEFORE UPDATE ON reservations
WHEN (SELECT o.blocked_end > NEW.blocked_begin FROM reservations o
      WHERE o.room_id = NEW.room_id AND o.blocked_begin <= NEW.blocked_begin
        AND o.request_id <> NEW.request_id AND o.blocked_begin < o.blocked_end
      ORDER BY o.blocked_begin DESC LIMIT 1)
  OR EXISTS (SELECT 1 FROM reservations o WHERE o.room_id = NEW.room_id
             AND o.request_id <> NEW.request_id
             AND o.blocked_begin > NEW.blocked_begin AND o.blocked_begin < NEW.blocked_end)
BEGIN SELECT RAISE(ABORT, 'sala: overlapping reservation on one room (R1)'); END;
)sql"};
static_assert(sqlite_store::current_schema == sql_schema_version);

bool retryable_code(int rc) {
    const int primary = rc & 0xff;
    return primary == SQLITE_BUSY || primary == SQLITE_LOCKED || primary == SQLITE_IOERR ||
           primary == SQLITE_FULL;
}

std::string quote_path(const std::string& p) { return "'" + p + "'"; }

// The shared SQL numbers its parameters $1, $2 ...; SQLite's own spelling is ?1, ?2.
std::string sqlite_placeholders(const std::string& sql) {
    std::string out = sql;
    for (std::size_t k = 0; k + 1 < out.size(); ++k)
        if (out[k] == '$' && out[k + 1] >= '0' && out[k + 1] <= '9') out[k] = '?';
    return out;
}

class sqlite_row final : public sql_row {
  public:
    explicit sqlite_row(sqlite3_stmt* s) : s_(s) {}
    bool is_null(int c) const override { return sqlite3_column_type(s_, c) == SQLITE_NULL; }
    long long integer(int c) const override { return sqlite3_column_int64(s_, c); }
    bool boolean(int c) const override { return sqlite3_column_int64(s_, c) != 0; }
    std::string text(int c) const override {
        const auto* p = reinterpret_cast<const char*>(sqlite3_column_text(s_, c));
        return p ? std::string(p, static_cast<std::size_t>(sqlite3_column_bytes(s_, c)))
                 : std::string();
    }

  private:
    sqlite3_stmt* s_;
};

// One connection with its prepared statements, cached by SQL text.
class sqlite_connection final : public sql_connection {
  public:
    sqlite3* db = nullptr;
    std::string where;  // "sqlite store '<path>'", for messages

    sqlite_connection() = default;
    sqlite_connection(const sqlite_connection&) = delete;
    sqlite_connection& operator=(const sqlite_connection&) = delete;
    ~sqlite_connection() override {
        clear_cache();
        if (db) sqlite3_close_v2(db);
    }

    void clear_cache() {
        for (auto& [sql, s] : cache_) sqlite3_finalize(s);
        cache_.clear();
    }

    void query_rows(const std::string& sql, std::span<const sql_value> params,
                    const row_handler& each) override {
        sqlite3_stmt* s = prepared(sql);
        int col = 0;
        for (const auto& v : params) {
            ++col;
            switch (v.kind) {
                case sql_value::type::null: sqlite3_bind_null(s, col); break;
                case sql_value::type::integer:
                case sql_value::type::boolean: sqlite3_bind_int64(s, col, v.integer); break;
                case sql_value::type::text:
                    sqlite3_bind_text(s, col, v.text.data(), static_cast<int>(v.text.size()),
                                      SQLITE_TRANSIENT);
                    break;
            }
        }
        const sqlite_row row(s);
        for (;;) {
            const int rc = sqlite3_step(s);
            if (rc == SQLITE_ROW) {
                if (each) each(row);
                continue;
            }
            if (rc == SQLITE_DONE) break;
            const std::string msg = sqlite3_errmsg(db);
            release(s);
            throw backend_error("sqlite: " + msg, retryable_code(rc));
        }
        release(s);
    }

    void exec(const std::string& sql) override {
        char* err = nullptr;
        const int rc = sqlite3_exec(db, sql.c_str(), nullptr, nullptr, &err);
        if (rc != SQLITE_OK) {
            const std::string msg = err ? err : sqlite3_errstr(rc);
            sqlite3_free(err);
            throw backend_error(where + ": " + msg, retryable_code(rc));
        }
    }

    bool in_transaction() override { return !sqlite3_get_autocommit(db); }

  private:
    sqlite3_stmt* prepared(const std::string& sql) {
        auto& s = cache_[sql];
        if (!s) {
            const std::string text = sqlite_placeholders(sql);
            if (sqlite3_prepare_v2(db, text.c_str(), static_cast<int>(text.size()), &s, nullptr) !=
                SQLITE_OK) {
                cache_.erase(sql);
                throw backend_error(where + ": " + sqlite3_errmsg(db) + " in: " + text, false);
            }
        }
        return s;
    }
    static void release(sqlite3_stmt* s) {
        sqlite3_reset(s);
        sqlite3_clear_bindings(s);
    }

    std::unordered_map<std::string, sqlite3_stmt*> cache_;
};

constexpr sql_dialect sqlite_dialect{
    "sqlite_store", "BEGIN",
    "INSERT INTO reservations VALUES ($1, $2, $3, $4, $5) ON CONFLICT (request_id) DO UPDATE SET "
    "room_id = excluded.room_id, blocked_begin = excluded.blocked_begin, "
    "blocked_end = excluded.blocked_end, row_version = excluded.row_version"};

}  // namespace

struct sqlite_store::impl {
    std::string path;
    sqlite_connection conn;
    int schema = 0;
    // The file this connection writes to: if the path later names another
    // file (deleted, replaced by a rename), commands would go to an unlinked
    // inode and be lost; begin_write refuses instead.
    bool in_memory = false;  // ":memory:": no file to check
    dev_t device = 0;
    ino_t inode = 0;
    int fail_writes_in = 0;

    void exec(const std::string& sql) { conn.exec(sql); }
    long long scalar(const std::string& sql) { return conn.scalar(sql); }
};

// ---- opening ------------------------------------------------------------------------------

namespace {

void run_migration(sqlite_store::impl& m, int to) {
    m.exec("BEGIN IMMEDIATE");
    try {
        m.exec(sql_migration(to, sqlite_schema));
        if (to == 1) m.exec("INSERT INTO sala_meta VALUES ('application', 'sala')");
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
    m->conn.where = "sqlite store " + quote_path(path);
    const std::string where = "sqlite store " + quote_path(path);
    m->in_memory = path == ":memory:";
    struct stat sb {};
    const bool exists = !m->in_memory && ::stat(path.c_str(), &sb) == 0;
    if (!exists && !create) throw store_error(where + " does not exist");
    if (exists) {
        if (S_ISDIR(sb.st_mode)) throw store_error(where + " is a directory, not a store file");
        if (!S_ISREG(sb.st_mode))
            throw store_error(where + " is not a regular file (a device, pipe or socket)");
        // An empty file is what a new store looks like to SQLite; only a
        // caller that asked to create one gets it turned into a store.
        if (sb.st_size == 0 && !create)
            throw store_error(where + " is an empty file, not a sala store; it was left untouched");
        if (::access(path.c_str(), R_OK | W_OK) != 0)
            throw store_error(where +
                              " cannot be written (read-only file or no permission); "
                              "sala needs to write the store. It was left untouched");
    }
    // WAL mode keeps two files (-wal, -shm) beside the store.
    const auto slash = path.rfind('/');
    const std::string dir = slash == std::string::npos ? "."
                            : slash == 0               ? "/"
                                                       : path.substr(0, slash);
    if (!m->in_memory && ::access(dir.c_str(), W_OK | X_OK) != 0)
        throw store_error(where + ": its directory '" + dir +
                          "' cannot be written; sala keeps its journal files there");
    const int flags =
        SQLITE_OPEN_READWRITE | (exists ? 0 : SQLITE_OPEN_CREATE) | SQLITE_OPEN_NOMUTEX;
    const int rc = sqlite3_open_v2(path.c_str(), &m->conn.db, flags, nullptr);
    if (rc != SQLITE_OK)
        throw store_error(where + ": cannot open: " +
                          (m->conn.db ? sqlite3_errmsg(m->conn.db) : sqlite3_errstr(rc)));
    sqlite3_extended_result_codes(m->conn.db, 1);
    if (m->in_memory) return m;
    if (::stat(path.c_str(), &sb) != 0)
        throw store_error(where + " disappeared while it was being opened");
    m->device = sb.st_dev;
    m->inode = sb.st_ino;
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
        if (sqlite3_db_readonly(m.conn.db, "main") == 1)
            throw store_error("sqlite store " + quote_path(m.path) +
                              " can only be opened read-only (" + e.what() +
                              "); sala needs to write the store and its journal files");
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
        throw store_error(
            "sqlite store " + quote_path(m.path) +
            " carries sala's application_id but no schema version; it was left untouched");
    return static_cast<int>(user_version);
}

}  // namespace

sqlite_store::sqlite_store(std::unique_ptr<impl> p) : impl_(std::move(p)) {}
sqlite_store::~sqlite_store() = default;

std::shared_ptr<sqlite_store> sqlite_store::open(const std::string& path) {
    return open(path, options{});
}

std::shared_ptr<sqlite_store> sqlite_store::open(const std::string& path, const options& opt) {
    if (path.empty()) throw invalid_argument("path", "is empty");
    if (opt.cache_mib < 1 || opt.cache_mib > 65536)
        throw invalid_argument("options.cache_mib",
                               "must be 1 to 65536 (got " + std::to_string(opt.cache_mib) + ")");
    if (opt.checkpoint_pages < 1)
        throw invalid_argument(
            "options.checkpoint_pages",
            "must be at least 1 (got " + std::to_string(opt.checkpoint_pages) + ")");
    auto m = open_impl(path, opt.create);
    sqlite3_busy_timeout(m->conn.db, opt.busy_timeout_ms);
    const int at = inspect(*m);
    if (at > 0 && opt.quick_check) {
        std::string verdict;
        try {
            verdict = "no answer";
            bool first = true;
            m->conn.query("PRAGMA quick_check", {}, [&](const sql_row& r) {
                if (first) verdict = r.text(0);
                first = false;
            });
        } catch (const backend_error& e) {
            verdict = e.what();
        }
        if (verdict != "ok")
            throw store_error("sqlite store " + quote_path(path) + " is corrupted (quick_check: " +
                              verdict + "); it was left untouched");
    }
    // Only now, knowing it is ours, anything is written.
    m->exec("PRAGMA journal_mode = WAL");
    m->exec(opt.sync == durability::full ? "PRAGMA synchronous = FULL"
                                         : "PRAGMA synchronous = NORMAL");
    m->exec("PRAGMA foreign_keys = ON");
    m->exec("PRAGMA wal_autocheckpoint = " + std::to_string(opt.checkpoint_pages));
    m->exec("PRAGMA cache_size = -" + std::to_string(opt.cache_mib * 1024));  // KiB when negative
    for (int v = at + 1; v <= current_schema; ++v) run_migration(*m, v);
    m->schema = current_schema;
    m->conn.clear_cache();
    return std::shared_ptr<sqlite_store>(new sqlite_store(std::move(m)));
}

void sqlite_store::create_at_version(const std::string& path, int version) {
    if (version < 1 || version > current_schema)
        throw invalid_argument("version", "must be 1.." + std::to_string(current_schema));
    struct stat sb {};
    if (::stat(path.c_str(), &sb) == 0)
        throw invalid_argument("path", "'" + path + "' exists already");
    auto m = open_impl(path, true);
    m->exec("PRAGMA journal_mode = WAL");
    for (int v = 1; v <= version; ++v) run_migration(*m, v);
}

int sqlite_store::schema_version() const { return impl_->schema; }
std::string sqlite_store::location() const { return impl_->path; }
sql_connection& sqlite_store::connection() { return impl_->conn; }
const sql_dialect& sqlite_store::dialect() const { return sqlite_dialect; }

// ---- the writer lock: BEGIN IMMEDIATE ---------------------------------------------------------

namespace {

// Commands written to a deleted or replaced file would be acknowledged and lost.
void check_same_file(const sqlite_store::impl& m) {
    if (m.in_memory) return;
    struct stat sb {};
    if (::stat(m.path.c_str(), &sb) != 0)
        throw store_error("sqlite store " + quote_path(m.path) +
                          " was deleted after it was opened; nothing was written. Reopen the "
                          "store (or restore the file) before the next command");
    if (sb.st_dev != m.device || sb.st_ino != m.inode)
        throw store_error("sqlite store " + quote_path(m.path) +
                          " was replaced by another file after it was opened; nothing was "
                          "written. Reopen the store before the next command");
}

}  // namespace

std::uint64_t sqlite_store::begin_write() {
    check_same_file(*impl_);
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
    if (!sqlite3_get_autocommit(impl_->conn.db))
        sqlite3_exec(impl_->conn.db, "ROLLBACK", nullptr, nullptr, nullptr);
}

void sqlite_store::fail_next_write_for_test(int n) { impl_->fail_writes_in = n; }

std::uint64_t sqlite_store::write(const change_set& c) {
    auto& m = *impl_;
    if (m.fail_writes_in > 0 && m.conn.in_transaction() && --m.fail_writes_in == 0)
        throw backend_error(m.conn.where + ": injected write failure (test)", true);
    return sql_store::write(c);
}

}  // namespace sala
