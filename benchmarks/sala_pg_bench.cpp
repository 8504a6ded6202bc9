// sala_pg_bench: the first-fit workload done the way a platform engineer
// would in SQL, against sala on the same requests (docs/performance.md).
//
//   rooms(id, eligible), bookings(room_id, blocked tstzrange, request_id) with
//   EXCLUDE USING gist (room_id WITH =, blocked WITH &&) (btree_gist): R1 in
//   the database. One allocation = one INSERT ... SELECT of the first eligible
//   room with no overlapping booking, ORDER BY id LIMIT 1, in autocommit.
//
// Usage: sala_pg_bench [--rooms R] [--requests N]   with SALA_PG_CONNINFO set
// (tests/support/pg_cluster.py run -- sala_pg_bench ... does that). Both sides
// start from the same seeded state (sala_bench's) and must place every
// request in the same room; the program exits non-zero otherwise.

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <stdexcept>
#include <string>
#include <vector>

#include <libpq-fe.h>

#include "workload.hpp"

namespace {

using clk = std::chrono::steady_clock;

struct pg {
    PGconn* c = nullptr;
    explicit pg(const char* conninfo) : c(PQconnectdb(conninfo)) {
        if (PQstatus(c) != CONNECTION_OK)
            throw std::runtime_error(std::string("connect: ") + PQerrorMessage(c));
    }
    ~pg() { PQfinish(c); }
    void exec(const std::string& sql) {
        PGresult* r = PQexec(c, sql.c_str());
        const auto st = PQresultStatus(r);
        if (st != PGRES_COMMAND_OK && st != PGRES_TUPLES_OK) {
            const std::string msg = PQresultErrorMessage(r);
            PQclear(r);
            throw std::runtime_error(sql.substr(0, 60) + ": " + msg);
        }
        PQclear(r);
    }
};

std::string ts(std::int64_t minute) {
    return sala::format_iso_utc(sala::instant{sala::minutes{minute}});
}

}  // namespace

int main(int argc, char** argv) {
    std::size_t rooms = 1000, n = 2000;
    for (int i = 1; i + 1 < argc; i += 2) {
        if (!std::strcmp(argv[i], "--rooms"))
            rooms = std::strtoull(argv[i + 1], nullptr, 10);
        else if (!std::strcmp(argv[i], "--requests"))
            n = std::strtoull(argv[i + 1], nullptr, 10);
        else {
            std::fprintf(stderr, "usage: sala_pg_bench [--rooms R] [--requests N]\n");
            return 2;
        }
    }
    const char* conninfo = std::getenv("SALA_PG_CONNINFO");
    if (!conninfo) {
        std::fprintf(stderr,
                     "sala_pg_bench: set SALA_PG_CONNINFO (or run it under "
                     "tests/support/pg_cluster.py run)\n");
        return 2;
    }
    try {
        sala::schedule s;
        sala::bench::build_state(s, rooms, sala::bench::state_seed);
        const auto batch = sala::bench::make_requests(n, sala::bench::batch_seed);

        pg db(conninfo);
        db.exec("SET client_min_messages = warning");
        db.exec("CREATE EXTENSION IF NOT EXISTS btree_gist");
        db.exec("DROP TABLE IF EXISTS bookings; DROP TABLE IF EXISTS rooms");
        db.exec("CREATE TABLE rooms (id integer PRIMARY KEY, eligible boolean NOT NULL)");
        db.exec(
            "CREATE TABLE bookings (room_id integer NOT NULL REFERENCES rooms(id), "
            "blocked tstzrange NOT NULL, request_id bigint NOT NULL)");
        db.exec("INSERT INTO rooms SELECT g, true FROM generate_series(1, " +
                std::to_string(rooms) + ") g");
        // Load the state with COPY, then add the constraint (as a migration would).
        PGresult* r = PQexec(db.c, "COPY bookings FROM STDIN");
        if (PQresultStatus(r) != PGRES_COPY_IN) throw std::runtime_error(PQerrorMessage(db.c));
        PQclear(r);
        std::string buf;
        for (std::uint32_t k = 1; k <= rooms; ++k)
            for (const auto& b : s.bookings(sala::room_id{k})) {
                buf += std::to_string(k) + "\t[" +
                       ts(b.blocked.begin().time_since_epoch().count()) + "," +
                       ts(b.blocked.end().time_since_epoch().count()) + ")\t" +
                       std::to_string(b.request.value) + "\n";
                if (buf.size() > (1 << 20)) {
                    if (PQputCopyData(db.c, buf.data(), static_cast<int>(buf.size())) != 1)
                        throw std::runtime_error(PQerrorMessage(db.c));
                    buf.clear();
                }
            }
        if (PQputCopyData(db.c, buf.data(), static_cast<int>(buf.size())) != 1 ||
            PQputCopyEnd(db.c, nullptr) != 1)
            throw std::runtime_error(PQerrorMessage(db.c));
        r = PQgetResult(db.c);
        if (PQresultStatus(r) != PGRES_COMMAND_OK)
            throw std::runtime_error(PQresultErrorMessage(r));
        PQclear(r);
        db.exec(
            "ALTER TABLE bookings ADD CONSTRAINT no_double_booking "
            "EXCLUDE USING gist (room_id WITH =, blocked WITH &&)");
        db.exec("ANALYZE");
        r = PQprepare(
            db.c, "alloc",
            "INSERT INTO bookings (room_id, blocked, request_id) "
            "SELECT r.id, tstzrange($1::timestamptz, $2::timestamptz), $3::bigint FROM rooms r "
            "WHERE r.eligible AND NOT EXISTS (SELECT 1 FROM bookings b WHERE b.room_id = r.id "
            "AND b.blocked && tstzrange($1::timestamptz, $2::timestamptz)) "
            "ORDER BY r.id LIMIT 1 RETURNING room_id",
            3, nullptr);
        if (PQresultStatus(r) != PGRES_COMMAND_OK)
            throw std::runtime_error(PQresultErrorMessage(r));
        PQclear(r);

        // PostgreSQL: one statement per request, autocommit.
        std::vector<int> pg_rooms(n, 0);
        std::vector<std::string> b_text(n), e_text(n);
        for (std::size_t i = 0; i < n; ++i)
            b_text[i] = ts(batch[i].begin), e_text[i] = ts(batch[i].end);
        const auto p0 = clk::now();
        for (std::size_t i = 0; i < n; ++i) {
            const std::string id = std::to_string(5'000'000'000ULL + i);
            const char* params[3] = {b_text[i].c_str(), e_text[i].c_str(), id.c_str()};
            PGresult* q = PQexecPrepared(db.c, "alloc", 3, params, nullptr, nullptr, 0);
            if (PQresultStatus(q) != PGRES_TUPLES_OK) {
                const std::string msg = PQresultErrorMessage(q);
                PQclear(q);
                throw std::runtime_error("alloc: " + msg);
            }
            pg_rooms[i] = PQntuples(q) ? std::atoi(PQgetvalue(q, 0, 0)) : 0;
            PQclear(q);
        }
        const double pg_s = std::chrono::duration<double>(clk::now() - p0).count();

        // sala: the same requests on the same state.
        std::vector<int> sala_rooms(n, 0);
        const auto s0 = clk::now();
        for (std::size_t i = 0; i < n; ++i) {
            const auto iv = sala::bench::to_interval(batch[i]);
            if (const auto room = s.first_free(iv)) {
                s.book(*room, iv, sala::request_id{5'000'000'000ULL + i});
                sala_rooms[i] = static_cast<int>(room->value);
            }
        }
        const double sala_s = std::chrono::duration<double>(clk::now() - s0).count();
        // sala's batch call on the same requests, from the same state again.
        for (std::size_t i = 0; i < n; ++i)
            if (sala_rooms[i])
                s.release(sala::room_id{static_cast<std::uint32_t>(sala_rooms[i])},
                          sala::bench::to_interval(batch[i]));
        std::vector<sala::schedule::batch_item> items;
        for (std::size_t i = 0; i < n; ++i)
            items.push_back(
                {sala::bench::to_interval(batch[i]), sala::request_id{5'000'000'000ULL + i}});
        const auto t0 = clk::now();
        const auto batch_rooms = s.book_first_fit(items);
        const double batch_s = std::chrono::duration<double>(clk::now() - t0).count();

        std::size_t placed = 0;
        for (std::size_t i = 0; i < n; ++i) {
            const int in_batch = batch_rooms[i] ? static_cast<int>(batch_rooms[i]->value) : 0;
            if (pg_rooms[i] != sala_rooms[i] || in_batch != sala_rooms[i]) {
                std::fprintf(stderr,
                             "sala_pg_bench: MISMATCH at request %zu: PostgreSQL room %d, sala "
                             "room %d, batch %d\n",
                             i, pg_rooms[i], sala_rooms[i], in_batch);
                return 1;
            }
            placed += pg_rooms[i] ? 1 : 0;
        }
        const double pg_rate = static_cast<double>(n) / pg_s,
                     sala_rate = static_cast<double>(n) / sala_s,
                     batch_rate = static_cast<double>(n) / batch_s;
        std::printf(
            "{\"rooms\": %zu, \"reservations\": %zu, \"requests\": %zu, \"placed\": %zu, "
            "\"postgres_allocations_per_s\": %.1f, \"sala_allocations_per_s\": %.1f, \"ratio\": "
            "%.1f, "
            "\"sala_batch_allocations_per_s\": %.1f, \"batch_ratio\": %.1f}\n",
            rooms, s.size() - placed, n, placed, pg_rate, sala_rate, sala_rate / pg_rate,
            batch_rate, batch_rate / pg_rate);
        std::fprintf(
            stderr,
            "sala_pg_bench: %zu rooms: PostgreSQL %.1f allocations/s, sala %.0f allocations/s one "
            "at a time "
            "(%.0fx), %.0f/s as a batch (%.0fx); %zu of %zu placed, same room for every request\n",
            rooms, pg_rate, sala_rate, sala_rate / pg_rate, batch_rate, batch_rate / pg_rate,
            placed, n);
        db.exec("DROP TABLE bookings; DROP TABLE rooms");
    } catch (const std::exception& e) {
        std::fprintf(stderr, "sala_pg_bench: %s\n", e.what());
        return 1;
    }
    return 0;
}
