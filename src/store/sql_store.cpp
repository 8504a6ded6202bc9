// The store contract on SQL, shared by sqlite_store and postgres_store: one
// codec of rows, one loader (load / changes_since), one change_set writer, one
// outbox. Both schemas have the same tables and columns; the few differences
// are the connection's (placeholders, booleans) or the dialect's.

#include "sala/detail/sql_store.hpp"

#include "store/sql_codec.hpp"
#include "store/sql_connection.hpp"

namespace sala::detail {

namespace {

request_id request_of(long long v) { return request_id{static_cast<std::uint64_t>(v)}; }
std::optional<request_id> optional_request(const sql_row& r, int c) {
    if (r.is_null(c)) return std::nullopt;
    return request_of(r.integer(c));
}
std::optional<std::uint64_t> id_value(const std::optional<request_id>& id) {
    if (!id) return std::nullopt;
    return id->value;
}

constexpr const char* version_sql = "SELECT version FROM head WHERE id = 1";

constexpr const char* request_cols =
    "id, title, local_start, zone, duration, admission, event_id, organizer_name, "
    "organizer_email, expected_attendees, panelists, blocked_begin, blocked_end, start_at, "
    "end_at, grace_end";

request request_row(const sql_row& q) {
    request x;
    x.id = request_of(q.integer(0));
    x.title = q.text(1);
    x.local_start = local_of(q.integer(2));
    x.zone = q.text(3);
    x.duration = minutes{q.integer(4)};
    x.admission = parse_admission(q.text(5));
    x.event_id = q.text(6);
    x.organizer = {q.text(7), q.text(8)};
    if (!q.is_null(9)) x.expected_attendees = static_cast<int>(q.integer(9));
    x.panelists = decode_list(q.text(10));
    x.window.blocked = interval{instant_of(q.integer(11)), instant_of(q.integer(12))};
    x.window.start = instant_of(q.integer(13));
    x.window.end = instant_of(q.integer(14));
    x.window.grace_end = instant_of(q.integer(15));
    return x;
}

constexpr const char* reservation_cols = "request_id, room_id, blocked_begin, blocked_end";

reservation reservation_row(const sql_row& q) {
    return {request_of(q.integer(0)), room_id{static_cast<std::uint32_t>(q.integer(1))},
            interval{instant_of(q.integer(2)), instant_of(q.integer(3))}};
}

constexpr const char* settings_cols =
    "min_days_in_advance, max_days_in_advance, min_duration, max_duration, preparation, "
    "courtesy, post_processing, credentials_lead, end_warning_lead";

settings settings_row(const sql_row& q) {
    settings x;
    x.min_days_in_advance = static_cast<int>(q.integer(0));
    x.max_days_in_advance = static_cast<int>(q.integer(1));
    x.min_duration = minutes{q.integer(2)};
    x.max_duration = minutes{q.integer(3)};
    x.preparation = minutes{q.integer(4)};
    x.courtesy = minutes{q.integer(5)};
    x.post_processing = minutes{q.integer(6)};
    x.credentials_lead = minutes{q.integer(7)};
    x.end_warning_lead = minutes{q.integer(8)};
    return x;
}

constexpr const char* room_cols =
    "id, pool_id, user_id, email, display_name, capacity, active, mode";

pool pool_row(const sql_row& p) {
    return {pool_id{static_cast<std::uint32_t>(p.integer(0))}, p.text(1),
            parse_pool_kind(p.text(2))};
}

room room_row(const sql_row& r) {
    room x;
    x.id = room_id{static_cast<std::uint32_t>(r.integer(0))};
    x.pool = pool_id{static_cast<std::uint32_t>(r.integer(1))};
    x.user_id = r.text(2);
    x.email = r.text(3);
    x.display_name = r.text(4);
    x.capacity = static_cast<int>(r.integer(5));
    x.active = r.boolean(6);
    x.mode = parse_mode(r.text(7));
    return x;
}

constexpr const char* outbox_cols =
    "id, idempotency_key, kind, payload, request_id, status, attempts, last_error, not_before";

outbox_entry outbox_row(const sql_row& q) {
    outbox_entry e;
    e.id = static_cast<std::uint64_t>(q.integer(0));
    e.effect.idempotency_key = q.text(1);
    e.effect.kind = q.text(2);
    e.effect.payload = q.text(3);
    e.effect.request = optional_request(q, 4);
    e.status = parse_status(q.text(5));
    e.attempts = static_cast<int>(q.integer(6));
    e.last_error = q.text(7);
    e.not_before = instant_of(q.integer(8));
    return e;
}

// The reads load() and changes_since() share, each a query whose handler fills `out`.
sql_query settings_query(settings& out) {
    return {std::string("SELECT ") + settings_cols + " FROM settings WHERE id = 1",
            {},
            [&out](const sql_row& q) { out = settings_row(q); }};
}
sql_query pools_query(std::vector<pool>& out) {
    return {"SELECT id, name, kind FROM pools ORDER BY id", {}, [&out](const sql_row& p) {
                out.push_back(pool_row(p));
            }};
}
sql_query rooms_query(const std::string& where, const std::vector<sql_value>& params,
                      std::vector<room>& out) {
    return {std::string("SELECT ") + room_cols + " FROM rooms " + where + " ORDER BY id", params,
            [&out](const sql_row& r) { out.push_back(room_row(r)); }};
}
sql_query requests_query(const std::string& where, const std::vector<sql_value>& params,
                         std::function<void(request)> each) {
    return {std::string("SELECT ") + request_cols + " FROM requests " + where, params,
            [each = std::move(each)](const sql_row& q) { each(request_row(q)); }};
}
sql_query reservations_query(const std::string& where, const std::vector<sql_value>& params,
                             std::function<void(const reservation&)> each) {
    return {std::string("SELECT ") + reservation_cols + " FROM reservations " + where, params,
            [each = std::move(each)](const sql_row& r) { each(reservation_row(r)); }};
}

// A consistent read: inside the open write transaction, or a snapshot of its own.
template <class F>
auto snapshot(sql_connection& c, const sql_dialect& d, F&& f) {
    if (c.in_transaction()) return f();
    c.exec(d.begin_read);
    try {
        auto out = f();
        c.exec("COMMIT");
        return out;
    } catch (...) {
        try {
            c.exec("ROLLBACK");
        } catch (...) {
        }
        throw;
    }
}

}  // namespace

// ---- reading ------------------------------------------------------------------------------------

std::uint64_t sql_store::version() {
    return static_cast<std::uint64_t>(connection().scalar(version_sql));
}

platform_state sql_store::load(std::uint64_t* version) {
    auto& c = connection();
    return snapshot(c, dialect(), [&] {
        platform_state s;
        // One batch (one round trip on PostgreSQL), the version last.
        const sql_query batch[] = {
            {"SELECT next_request, policy FROM head WHERE id = 1",
             {},
             [&](const sql_row& h) {
                 s.next_request = static_cast<std::uint64_t>(h.integer(0));
                 s.policy = parse_policy(h.text(1));
             }},
            settings_query(s.settings),
            pools_query(s.pools),
            rooms_query("", {}, s.rooms),
            {"SELECT request_id FROM queue ORDER BY seq",
             {},
             [&](const sql_row& q) { s.queue.push_back(request_of(q.integer(0))); }},
            requests_query("ORDER BY id", {},
                           [&](request x) {
                               const request_id id = x.id;
                               s.requests.emplace(id, std::move(x));
                           }),
            reservations_query("", {},
                               [&](const reservation& x) { s.reservations.emplace(x.request, x); }),
            {version_sql,
             {},
             [&](const sql_row& h) {
                 if (version) *version = static_cast<std::uint64_t>(h.integer(0));
             }},
        };
        c.query_batch(batch);
        return s;
    });
}

state_delta sql_store::changes_since(std::uint64_t since) {
    auto& c = connection();
    return snapshot(c, dialect(), [&] {
        state_delta d;
        const std::vector<sql_value> v{since};
        // One batch (one round trip on PostgreSQL): rows written after `since`,
        // the queue only when its version moved (the head, read first, says so).
        const sql_query batch[] = {
            {"SELECT version, next_request, policy, queue_version FROM head WHERE id = 1",
             {},
             [&](const sql_row& h) {
                 d.version = static_cast<std::uint64_t>(h.integer(0));
                 d.next_request = static_cast<std::uint64_t>(h.integer(1));
                 d.policy = parse_policy(h.text(2));
                 if (static_cast<std::uint64_t>(h.integer(3)) > since) d.queue.emplace();
             }},
            settings_query(d.settings),
            pools_query(d.pools),
            rooms_query("WHERE row_version > $1", v, d.rooms),
            {"SELECT request_id FROM queue "
             "WHERE (SELECT queue_version FROM head WHERE id = 1) > $1 ORDER BY seq",
             v,
             [&](const sql_row& q) {
                 if (d.queue) d.queue->push_back(request_of(q.integer(0)));
             }},
            {"SELECT request_id FROM tombstones WHERE row_version > $1", v,
             [&](const sql_row& t) { d.erased.push_back(request_of(t.integer(0))); }},
            requests_query("WHERE row_version > $1", v,
                           [&](request x) { d.requests.push_back(std::move(x)); }),
            reservations_query("WHERE row_version > $1", v,
                               [&](const reservation& x) { d.reservations.push_back(x); }),
        };
        c.query_batch(batch);
        return d;
    });
}

namespace {

history_record history_row(const sql_row& q) {
    history_record h;
    h.request = request_row(q);
    h.status = q.text(16) == "cancelled" ? history_status::cancelled : history_status::finished;
    h.at = instant_of(q.integer(17));
    h.command = q.text(18);
    if (!q.is_null(19)) h.room = room_id{static_cast<std::uint32_t>(q.integer(19))};
    if (!q.is_null(20)) h.report = q.text(20);
    return h;
}

std::string history_select() {
    std::string cols;
    for (const char* p = request_cols; *p; ++p) {
        cols += *p;
        if (*p == ' ' && p[1] != ' ') cols += "h.";
    }
    return "SELECT h." + cols +
           ", h.status, h.at, h.command, h.room_id, "
           "(SELECT body FROM reports r WHERE r.request_id = h.id AND r.kind = 'attendance' "
           "ORDER BY r.key LIMIT 1) FROM history h";
}

}  // namespace

std::vector<history_record> sql_store::history(const history_query& q) {
    std::string sql = history_select() + " WHERE 1 = 1";
    std::vector<sql_value> args;
    auto arg = [&](sql_value x) {
        args.push_back(std::move(x));
        return "$" + std::to_string(args.size());
    };
    if (q.room) sql += " AND h.room_id = " + arg(static_cast<long long>(q.room->value));
    if (q.window) {
        sql += " AND h.blocked_begin < " + arg(minutes_of(q.window->end()));
        sql += " AND h.blocked_end > " + arg(minutes_of(q.window->begin()));
    }
    if (q.event_id) sql += " AND h.event_id = " + arg(*q.event_id);
    sql += " ORDER BY h.blocked_begin, h.id LIMIT " + arg(static_cast<long long>(q.limit));
    std::vector<history_record> out;
    connection().query(sql, args, [&](const sql_row& r) { out.push_back(history_row(r)); });
    return out;
}

std::optional<history_record> sql_store::find_history(request_id id) {
    std::optional<history_record> out;
    connection().query(history_select() + " WHERE h.id = $1", {id.value},
                       [&](const sql_row& r) { out = history_row(r); });
    return out;
}

std::vector<lifecycle_record> sql_store::lifecycle() {
    std::vector<lifecycle_record> out;
    connection().query(
        "SELECT key, request_id, state FROM lifecycle WHERE state <> '' ORDER BY key", {},
        [&](const sql_row& q) {
            out.push_back({q.text(0), optional_request(q, 1), q.text(2)});
        });
    return out;
}

std::vector<lifecycle_record> sql_store::lifecycle_changes(std::uint64_t since,
                                                           std::uint64_t* version) {
    auto& c = connection();
    return snapshot(c, dialect(), [&] {
        std::vector<lifecycle_record> out;
        // Rows from before schema 3 carry version 0: "since 0" is every row.
        const long long after = since == 0 ? -1 : static_cast<long long>(since);
        c.query("SELECT key, request_id, state FROM lifecycle WHERE row_version > $1 ORDER BY key",
                {after}, [&](const sql_row& q) {
                    out.push_back({q.text(0), optional_request(q, 1), q.text(2)});
                });
        if (version) *version = static_cast<std::uint64_t>(c.scalar(version_sql));
        return out;
    });
}

// Leases: one statement each, inside the open write transaction or one of their own.
template <class F>
auto sql_store::locked(F&& f) {
    if (connection().in_transaction()) return f();
    begin_write();
    try {
        auto out = f();
        commit();
        return out;
    } catch (...) {
        rollback();
        throw;
    }
}

bool sql_store::take_lease(const std::string& name, const std::string& holder, lease_time now,
                           std::chrono::milliseconds ttl) {
    if (name.empty()) throw invalid_argument("lease.name", "is empty");
    if (holder.empty()) throw invalid_argument("lease.holder", "is empty");
    if (ttl <= std::chrono::milliseconds{0})
        throw invalid_argument("lease.ttl", "must be positive");
    const long long at = now.time_since_epoch().count();
    const long long until = (now + ttl).time_since_epoch().count();
    return locked([&] {
        bool taken = false;
        connection().query(
            "INSERT INTO leases VALUES ($1, $2, $3) ON CONFLICT (name) DO UPDATE SET "
            "holder = excluded.holder, expires = excluded.expires "
            "WHERE leases.holder = excluded.holder OR leases.expires <= $4 RETURNING holder",
            {name, holder, until, at}, [&](const sql_row&) { taken = true; });
        return taken;
    });
}

void sql_store::release_lease(const std::string& name, const std::string& holder) {
    locked([&] {
        connection().run("DELETE FROM leases WHERE name = $1 AND holder = $2", {name, holder});
        return true;
    });
}

std::optional<std::string> sql_store::lease_holder(const std::string& name, lease_time now) {
    std::optional<std::string> out;
    connection().query("SELECT holder FROM leases WHERE name = $1 AND expires > $2",
                       {name, now.time_since_epoch().count()},
                       [&](const sql_row& q) { out = q.text(0); });
    return out;
}

std::vector<report_record> sql_store::reports() {
    std::vector<report_record> out;
    connection().query("SELECT key, request_id, kind, body, created FROM reports ORDER BY key", {},
                       [&](const sql_row& q) {
                           out.push_back({q.text(0), optional_request(q, 1), q.text(2), q.text(3),
                                          instant_of(q.integer(4))});
                       });
    return out;
}

std::vector<outbox_entry> sql_store::outbox() {
    std::vector<outbox_entry> out;
    connection().query(std::string("SELECT ") + outbox_cols + " FROM outbox ORDER BY id", {},
                       [&](const sql_row& q) { out.push_back(outbox_row(q)); });
    return out;
}

// ---- writing: inside the transaction begin_write() opened
// ----------------------------------------

namespace {

void write_settings(sql_connection& c, const settings& s) {
    c.run(
        "INSERT INTO settings VALUES (1, $1, $2, $3, $4, $5, $6, $7, $8, $9) ON CONFLICT (id) DO "
        "UPDATE SET "
        "min_days_in_advance = excluded.min_days_in_advance, max_days_in_advance = "
        "excluded.max_days_in_advance, "
        "min_duration = excluded.min_duration, max_duration = excluded.max_duration, "
        "preparation = excluded.preparation, courtesy = excluded.courtesy, "
        "post_processing = excluded.post_processing, credentials_lead = excluded.credentials_lead, "
        "end_warning_lead = excluded.end_warning_lead",
        {s.min_days_in_advance, s.max_days_in_advance, s.min_duration.count(),
         s.max_duration.count(), s.preparation.count(), s.courtesy.count(),
         s.post_processing.count(), s.credentials_lead.count(), s.end_warning_lead.count()});
}

void write_request(sql_connection& c, const request& q, long long v) {
    c.run(
        "INSERT INTO requests VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, "
        "$15, $16, $17) "
        "ON CONFLICT (id) DO UPDATE SET title = excluded.title, local_start = "
        "excluded.local_start, "
        "zone = excluded.zone, duration = excluded.duration, admission = excluded.admission, "
        "event_id = excluded.event_id, organizer_name = excluded.organizer_name, "
        "organizer_email = excluded.organizer_email, expected_attendees = "
        "excluded.expected_attendees, "
        "panelists = excluded.panelists, blocked_begin = excluded.blocked_begin, "
        "blocked_end = excluded.blocked_end, start_at = excluded.start_at, end_at = "
        "excluded.end_at, "
        "grace_end = excluded.grace_end, row_version = excluded.row_version",
        {q.id.value, q.title, minutes_of(q.local_start), q.zone, q.duration.count(),
         to_string(q.admission), q.event_id, q.organizer.name, q.organizer.email,
         q.expected_attendees, encode_list(q.panelists), minutes_of(q.window.blocked.begin()),
         minutes_of(q.window.blocked.end()), minutes_of(q.window.start), minutes_of(q.window.end),
         minutes_of(q.window.grace_end), v});
}

void write_history(sql_connection& c, const history_record& h) {
    const request& q = h.request;
    c.run(
        "INSERT INTO history VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, "
        "$15, $16, $17, $18, $19, $20) ON CONFLICT (id) DO UPDATE SET status = excluded.status, "
        "at = excluded.at, command = excluded.command",
        {q.id.value,
         q.title,
         minutes_of(q.local_start),
         q.zone,
         q.duration.count(),
         to_string(q.admission),
         q.event_id,
         q.organizer.name,
         q.organizer.email,
         q.expected_attendees,
         encode_list(q.panelists),
         minutes_of(q.window.blocked.begin()),
         minutes_of(q.window.blocked.end()),
         minutes_of(q.window.start),
         minutes_of(q.window.end),
         minutes_of(q.window.grace_end),
         to_string(h.status),
         minutes_of(h.at),
         h.command,
         h.room ? sql_value(static_cast<long long>(h.room->value)) : sql_value(std::nullopt)});
}

void write_queue(sql_connection& c, const change_set& x) {
    if (x.queue_rewrite) {
        c.run("DELETE FROM queue");
        long long seq = 0;
        for (const request_id id : *x.queue_rewrite)
            c.run("INSERT INTO queue VALUES ($1, $2)", {id.value, ++seq});
        return;
    }
    for (const request_id id : x.queue_removed)
        c.run("DELETE FROM queue WHERE request_id = $1", {id.value});
    for (const request_id id : x.queue_appended)
        c.run("INSERT INTO queue VALUES ($1, (SELECT COALESCE(MAX(seq), 0) + 1 FROM queue))",
              {id.value});
}

// Lifecycle step state, effects (transactional outbox) and reports.
void write_records(sql_connection& c, const change_set& x, long long v) {
    for (const auto& l : x.lifecycle) {
        // An erased row keeps its key with an empty state, so others see the erasure.
        if (l.state.empty()) {
            c.run("UPDATE lifecycle SET state = '', row_version = $1 WHERE key = $2", {v, l.key});
            continue;
        }
        c.run(
            "INSERT INTO lifecycle(key, request_id, state, row_version) VALUES ($1, $2, $3, $4) "
            "ON CONFLICT (key) DO UPDATE SET request_id = excluded.request_id, "
            "state = excluded.state, row_version = excluded.row_version",
            {l.key, id_value(l.request), l.state, v});
    }
    for (const auto& e : x.effects) {
        if (e.idempotency_key.empty()) throw invalid_argument("effect.idempotency_key", "is empty");
        if (e.kind.empty()) throw invalid_argument("effect.kind", "is empty");
        // A key already in the outbox keeps its first effect (a lifecycle catching up, R16).
        c.run(
            "INSERT INTO outbox(idempotency_key, kind, payload, request_id, committed_version) "
            "VALUES ($1, $2, $3, $4, $5) ON CONFLICT (idempotency_key) DO NOTHING",
            {e.idempotency_key, e.kind, e.payload, id_value(e.request), v});
    }
    for (const auto& r : x.reports)
        c.run(
            "INSERT INTO reports VALUES ($1, $2, $3, $4, $5) ON CONFLICT (key) DO UPDATE SET "
            "request_id = excluded.request_id, kind = excluded.kind, body = excluded.body, "
            "created = excluded.created",
            {r.key, id_value(r.request), r.kind, r.body, minutes_of(r.created)});
}

}  // namespace

std::uint64_t sql_store::write(const change_set& x) {
    auto& c = connection();
    if (!c.in_transaction())
        throw error(std::string(dialect().store_name) + "::write outside begin_write()");
    const long long v = c.scalar(
        "UPDATE head SET version = version + 1, next_request = COALESCE($1, next_request), "
        "policy = COALESCE($2, policy) WHERE id = 1 RETURNING version",
        {x.next_request, x.policy ? sql_value(policy_name(*x.policy)) : sql_value(std::nullopt)});
    if (x.settings) write_settings(c, *x.settings);
    for (const auto& p : x.pools)
        c.run(
            "INSERT INTO pools VALUES ($1, $2, $3) ON CONFLICT (id) DO UPDATE SET name = "
            "excluded.name, "
            "kind = excluded.kind",
            {p.id.value, p.name, to_string(p.kind)});
    for (const auto& r : x.rooms)
        c.run(
            "INSERT INTO rooms VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) ON CONFLICT (id) DO "
            "UPDATE SET "
            "pool_id = excluded.pool_id, user_id = excluded.user_id, email = excluded.email, "
            "display_name = excluded.display_name, capacity = excluded.capacity, "
            "active = excluded.active, mode = excluded.mode, row_version = excluded.row_version",
            {r.id.value, r.pool.value, r.user_id, r.email, r.display_name, r.capacity, r.active,
             to_string(r.mode), v});
    // Readers take in the queue only when this says it changed (rooms go by their row version).
    if (!x.erased_requests.empty() || !x.queue_removed.empty() || !x.queue_appended.empty() ||
        x.queue_rewrite)
        c.run("UPDATE head SET queue_version = $1 WHERE id = 1", {v});
    for (const auto& h : x.history) write_history(c, h);
    // An erased request leaves a tombstone, so other processes drop it too.
    for (const request_id id : x.erased_requests) {
        c.run("DELETE FROM reservations WHERE request_id = $1", {id.value});
        c.run("DELETE FROM queue WHERE request_id = $1", {id.value});
        c.run("DELETE FROM requests WHERE id = $1", {id.value});
        c.run("INSERT INTO tombstones VALUES ($1, $2)", {v, id.value});
    }
    for (const auto& q : x.requests) write_request(c, q, v);
    for (const request_id id : x.erased_reservations) {
        bool deleted = false;
        c.query("DELETE FROM reservations WHERE request_id = $1 RETURNING request_id", {id.value},
                [&](const sql_row&) { deleted = true; });
        if (deleted) c.run("INSERT INTO tombstones VALUES ($1, $2)", {v, id.value});
    }
    for (const auto& r : x.reservations)
        c.run(dialect().upsert_reservation,
              {r.request.value, r.room.value, minutes_of(r.blocked.begin()),
               minutes_of(r.blocked.end()), v});
    write_queue(c, x);
    write_records(c, x, v);
    return static_cast<std::uint64_t>(v);
}

// ---- outbox dispatch ----------------------------------------------------------------------------

std::vector<outbox_entry> sql_store::due_effects(instant now, std::size_t limit) {
    std::vector<outbox_entry> out;
    connection().query(
        std::string("SELECT ") + outbox_cols +
            " FROM outbox WHERE status = 'pending' AND not_before <= $1 ORDER BY id LIMIT $2",
        {minutes_of(now), limit}, [&](const sql_row& q) { out.push_back(outbox_row(q)); });
    return out;
}

void sql_store::mark_done(std::uint64_t id) {
    connection().run(
        "UPDATE outbox SET status = 'done', attempts = attempts + 1, last_error = '' WHERE id = $1",
        {id});
}

void sql_store::mark_failed(std::uint64_t id, const std::string& error,
                            std::optional<instant> retry_at) {
    connection().run(
        "UPDATE outbox SET status = $1, attempts = attempts + 1, last_error = $2, not_before = $3 "
        "WHERE id = $4",
        {retry_at ? "pending" : "failed", error, retry_at ? minutes_of(*retry_at) : 0LL, id});
}

}  // namespace sala::detail
