// PostgreSQL store, against a real cluster started by
// tests/support/pg_cluster.py (SALA_PG_CONNINFO). Several processes, each with
// its own connection, book thousands of overlapping requests into the same
// rooms at once.

#include <gtest/gtest.h>
#include <libpq-fe.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <random>
#include <string>

#include "../conformance/store_support.hpp"
#include "sala/adapters/postgres_store.hpp"
#include "sala/durable/durable_platform.hpp"

using namespace std::chrono_literals;

namespace {

std::string conninfo() {
    const char* c = std::getenv("SALA_PG_CONNINFO");
    return c ? c : "";
}

using conformance::may_2021;

// A scalar from plain SQL, outside sala.
long long sql(const std::string& q) {
    PGconn* c = PQconnectdb(conninfo().c_str());
    PGresult* r = PQexec(c, q.c_str());
    long long v = -1;
    if (PQresultStatus(r) == PGRES_TUPLES_OK && PQntuples(r) > 0)
        v = std::atoll(PQgetvalue(r, 0, 0));
    else
        ADD_FAILURE() << q << ": " << PQerrorMessage(c);
    PQclear(r);
    PQfinish(c);
    return v;
}

void sql_exec(const std::string& q) {
    PGconn* c = PQconnectdb(conninfo().c_str());
    PGresult* r = PQexec(c, q.c_str());
    EXPECT_TRUE(PQresultStatus(r) == PGRES_COMMAND_OK || PQresultStatus(r) == PGRES_TUPLES_OK)
        << q << ": " << PQerrorMessage(c);
    PQclear(r);
    PQfinish(c);
}

sala::postgres_store::options in_schema(const std::string& s) {
    sala::postgres_store::options o;
    o.schema = s;
    return o;
}

sala::request_input webinar(const std::string& title, unsigned day, unsigned hour, unsigned minute,
                            int minutes) {
    sala::request_input in;
    in.title = title;
    in.start = sala::make_local(2021, 6, day, hour, minute);
    in.zone = "Europe/Madrid";
    in.duration = sala::minutes{minutes};
    in.event_id = "pg";
    in.organizer = {"Org", "org@example.org"};
    in.panelists = {"p@example.org"};
    in.expected_attendees = 40;
    return in;
}

void seed_rooms(sala::durable_platform& p, int automatic, int manual) {
    std::vector<sala::account_user> users;
    for (int k = 1; k <= automatic + manual; ++k)
        users.push_back({"u" + std::to_string(k), "room" + std::to_string(k) + "@example.org",
                         "Room " + std::to_string(k), false, true, 100});
    p.link_account("shared", sala::pool_kind::own, users);
    for (int k = 1; k <= automatic + manual; ++k)
        p.activate(sala::room_id{static_cast<std::uint32_t>(k)});
    for (int k = 1; k <= automatic; ++k)
        p.set_mode(sala::room_id{static_cast<std::uint32_t>(k)}, sala::room_mode::automatic);
}

class Postgres : public ::testing::Test {
  protected:
    void SetUp() override {
        if (conninfo().empty())
            GTEST_SKIP() << "run through tests/support/pg_cluster.py (SALA_PG_CONNINFO unset)";
    }
};

}  // namespace

// Every entity survives a reconnect exactly (R1-R11).
TEST_F(Postgres, RoundTripOfEveryEntity_R1_R11) {
    const auto o = in_schema("roundtrip");
    auto clock = may_2021();
    sala::platform_state saved;
    {
        sala::durable_platform p(sala::postgres_store::open(conninfo(), o), clock);
        seed_rooms(p, 2, 2);
        sala::settings s;
        s.courtesy = 5min;
        p.set_settings(s);
        p.submit(webinar("A", 3, 9, 0, 60));
        p.submit(webinar("B", 3, 9, 0, 60));
        const auto c = p.submit(webinar("C", 3, 9, 0, 60));
        const auto d = p.submit(webinar("D", 3, 9, 30, 60));
        EXPECT_FALSE(c.assignment);
        EXPECT_TRUE(p.assign(c.id, sala::room_id{3}));
        EXPECT_TRUE(p.reassign(sala::request_id{1}, sala::room_id{4}));
        p.cancel(sala::request_id{2});
        EXPECT_FALSE(d.assignment.room == sala::room_id{2});
        p.set_policy(sala::policy_kind::smallest_capacity);
        p.commit_step({{"request/1", sala::request_id{1}, "{\"s\":1}"}},
                      {{"mail", "credentials/1", "{}", sala::request_id{1}}},
                      {{"attendance/1", sala::request_id{1}, "attendance", "csv", clock->now()}});
        saved = p.state();
    }
    auto db = sala::postgres_store::open(conninfo(), o);
    EXPECT_EQ(db->schema_version(), sala::postgres_store::current_schema);
    EXPECT_EQ(db->load(), saved);
    EXPECT_EQ(db->lifecycle().size(), 1u);
    EXPECT_EQ(db->outbox().size(), 1u);
    EXPECT_EQ(db->reports().size(), 1u);
    sala::durable_platform again(db, clock);
    EXPECT_EQ(again.state(), saved);
}

TEST_F(Postgres, MigratesFromVersion1) {
    const auto o = in_schema("from_v1");
    sala::postgres_store::create_at_version(conninfo(), o, 1);
    EXPECT_EQ(sql("SELECT count(*) FROM information_schema.tables WHERE table_schema = 'from_v1' "
                  "AND table_name = 'outbox'"),
              0);
    auto db = sala::postgres_store::open(conninfo(), o);
    EXPECT_EQ(db->schema_version(), sala::postgres_store::current_schema);
    sala::durable_platform p(db, may_2021());
    seed_rooms(p, 1, 0);
    p.commit_step({}, {{"mail", "k/1", "{}", std::nullopt}});
    EXPECT_EQ(db->outbox().size(), 1u);
}

// Another application's tables, or a newer schema, are refused and left as they were.
TEST_F(Postgres, ForeignOrNewerSchemaIsRefusedAndLeftUntouched) {
    sql_exec(
        "CREATE SCHEMA billing; CREATE TABLE billing.invoices(id int primary key, total numeric);"
        "INSERT INTO billing.invoices VALUES (1, 9.5)");
    try {
        sala::postgres_store::open(conninfo(), in_schema("billing"));
        ADD_FAILURE() << "opened another application's schema";
    } catch (const sala::store_error& e) {
        EXPECT_NE(std::string(e.what()).find("another application"), std::string::npos) << e.what();
    }
    EXPECT_EQ(sql("SELECT count(*) FROM information_schema.tables WHERE table_schema = 'billing'"),
              1);
    EXPECT_EQ(sql("SELECT count(*) FROM billing.invoices"), 1);

    { sala::postgres_store::open(conninfo(), in_schema("future")); }
    sql_exec("UPDATE future.sala_meta SET value = '7' WHERE key = 'schema_version'");
    EXPECT_THROW(sala::postgres_store::open(conninfo(), in_schema("future")), sala::store_error);
    EXPECT_EQ(sql("SELECT value::int FROM future.sala_meta WHERE key = 'schema_version'"), 7);
}

// R1: the exclusion constraint refuses an overlapping reservation even from a buggy writer.
TEST_F(Postgres, ExclusionConstraintRefusesOverlap_R1) {
    auto db = sala::postgres_store::open(conninfo(), in_schema("exclusion"));
    sala::durable_platform p(db, may_2021());
    seed_rooms(p, 2, 0);
    const auto a = p.submit(webinar("A", 3, 9, 0, 60));
    const auto b = p.submit(webinar("B", 3, 9, 30, 60));
    sala::change_set c;
    c.reservations.push_back({b.id, *a.assignment.room, p.state().reservations.at(b.id).blocked});
    db->begin_write();
    try {
        db->write(c);
        ADD_FAILURE() << "overlap accepted";
    } catch (const sala::backend_error& e) {
        EXPECT_NE(std::string(e.what()).find("exclusion constraint"), std::string::npos)
            << e.what();
        EXPECT_FALSE(e.retryable());
    }
    db->rollback();
    EXPECT_EQ(db->load(), p.state());
}

// R1, R9, R10 under concurrency: 4 processes, each with its own connection,
// submit overlapping requests into the same rooms at the same time.
TEST_F(Postgres, FourProcessesBookThousandsOfOverlappingRequests_R1_R9_R10) {
    const int processes = 4;
    const int per_process =
        std::getenv("SALA_PG_REQUESTS") ? std::atoi(std::getenv("SALA_PG_REQUESTS")) : 600;
    const int automatic_rooms = 6;
    const auto o = in_schema("shared_pool");
    {
        sala::durable_platform p(sala::postgres_store::open(conninfo(), o), may_2021());
        seed_rooms(p, automatic_rooms, 1);
    }
    int go[2], done[2], verify[2];
    ASSERT_EQ(::pipe(go), 0);
    ASSERT_EQ(::pipe(done), 0);
    ASSERT_EQ(::pipe(verify), 0);
    std::vector<pid_t> kids;
    for (int w = 0; w < processes; ++w) {
        const pid_t pid = ::fork();
        ASSERT_GE(pid, 0);
        if (pid == 0) {
            ::close(go[1]);
            ::close(done[0]);
            ::close(verify[1]);
            int status = 0;
            try {
                sala::durable_platform p(sala::postgres_store::open(conninfo(), o), may_2021());
                char c;
                if (::read(go[0], &c, 1) != 0) std::_Exit(9);  // wait for the start (EOF)
                std::mt19937 rng(static_cast<unsigned>(1000 + w));
                for (int k = 0; k < per_process; ++k) {
                    // Four weeks, office hours: heavy overlap, many conflicts and a long queue.
                    const auto day = 1 + static_cast<unsigned>(rng() % 28);
                    const auto hour = 8 + static_cast<unsigned>(rng() % 10);
                    const auto minute = 5 * static_cast<unsigned>(rng() % 12);
                    const int dur = 15 + 15 * static_cast<int>(rng() % 16);
                    p.submit(webinar("w" + std::to_string(w) + "-" + std::to_string(k), day, hour,
                                     minute, dur));
                }
                // Once every process is done, this process's refreshed view is
                // exactly what the database holds: it sees the others' bookings.
                if (::write(done[1], "x", 1) != 1) std::_Exit(8);
                if (::read(verify[0], &c, 1) != 0) std::_Exit(9);
                p.refresh();
                if (!(p.state() == sala::postgres_store::open(conninfo(), o)->load())) status = 2;
            } catch (const std::exception& e) {
                std::fprintf(stderr, "worker %d: %s\n", w, e.what());
                status = 1;
            }
            std::_Exit(status);
        }
        kids.push_back(pid);
    }
    ::close(go[0]);
    ::close(done[1]);
    ::close(verify[0]);
    const auto start = std::chrono::steady_clock::now();
    ::close(go[1]);  // start all workers at once
    char sink[8];
    for (int w = 0; w < processes; ++w)
        if (::read(done[0], sink, 1) != 1) break;
    const double secs =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    ::close(verify[1]);  // let them compare their views with the database
    for (const pid_t k : kids) {
        int status = 0;
        ::waitpid(k, &status, 0);
        EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0) << "worker status " << status;
    }
    const long long total = processes * per_process;

    const std::string s = "shared_pool.";
    // Every request is there, and either assigned or queued, never both (R10).
    EXPECT_EQ(sql("SELECT count(*) FROM " + s + "requests"), total);
    EXPECT_EQ(sql("SELECT count(*) FROM " + s + "requests q WHERE (SELECT count(*) FROM " + s +
                  "reservations r WHERE r.request_id = q.id) + (SELECT count(*) FROM " + s +
                  "queue u WHERE u.request_id = q.id) <> 1"),
              0);
    // Zero overlapping reservations (R1).
    EXPECT_EQ(
        sql("SELECT count(*) FROM " + s + "reservations a JOIN " + s +
            "reservations b "
            "ON a.room_id = b.room_id AND a.request_id < b.request_id AND a.blocked && b.blocked"),
        0);
    // First-fit (R9) relative to what was committed before: every automatic
    // room before the chosen one was blocked by a reservation committed earlier.
    EXPECT_EQ(sql("SELECT count(*) FROM " + s + "reservations r JOIN " + s +
                  "rooms k "
                  "ON k.id < r.room_id AND k.active AND k.mode = 'automatic' "
                  "WHERE NOT EXISTS (SELECT 1 FROM " +
                  s +
                  "reservations x WHERE x.room_id = k.id "
                  "AND x.row_version < r.row_version AND x.blocked && r.blocked)"),
              0);
    // Nothing went to the manual room (R3).
    EXPECT_EQ(sql("SELECT count(*) FROM " + s + "reservations r JOIN " + s +
                  "rooms k ON k.id = r.room_id "
                  "WHERE k.mode <> 'automatic'"),
              0);
    // A queued request found every automatic room blocked at its commit (R10).
    EXPECT_EQ(sql("SELECT count(*) FROM " + s + "queue u JOIN " + s +
                  "requests q ON q.id = u.request_id "
                  "JOIN " +
                  s +
                  "rooms k ON k.active AND k.mode = 'automatic' "
                  "WHERE NOT EXISTS (SELECT 1 FROM " +
                  s +
                  "reservations x WHERE x.room_id = k.id "
                  "AND x.row_version < q.row_version AND x.blocked && "
                  "tstzrange(to_timestamp(q.blocked_begin * 60), to_timestamp(q.blocked_end * 60), "
                  "'[)'))"),
              0);
    const long long assigned = sql("SELECT count(*) FROM " + s + "reservations");
    const long long queued = sql("SELECT count(*) FROM " + s + "queue");
    // The workload must really contend: both outcomes occur in bulk.
    EXPECT_GT(assigned, total / 10);
    EXPECT_GT(queued, total / 10);
    // Commits from the processes interleave (they ran at the same time).
    EXPECT_GT(sql("SELECT count(*) FROM (SELECT id, split_part(title, '-', 1) AS w, "
                  "lag(split_part(title, '-', 1)) OVER (ORDER BY row_version) AS prev FROM " +
                  s + "requests) t WHERE w <> prev"),
              processes * 4);
    std::printf(
        "postgres: %d processes booked %lld requests in %.2f s = %.0f allocations/s "
        "(%lld assigned, %lld queued, 0 overlaps)\n",
        processes, total, secs, total / secs, assigned, queued);
}

// Taking in others' commits is one pipelined batch: a statement that fails in
// it (a table gone) throws a backend_error naming it, the batch is drained and
// the connection leaves pipeline mode, so the next command works (issue 13).
TEST_F(Postgres, FailedSyncBatchLeavesTheConnectionUsable) {
    const auto o = in_schema("batchfail");
    auto clock = may_2021();
    sala::durable_platform a(sala::postgres_store::open(conninfo(), o), clock);
    seed_rooms(a, 2, 0);
    auto db_b = sala::postgres_store::open(conninfo(), o);
    sala::durable_platform b(db_b, clock);
    EXPECT_TRUE(a.submit(webinar("A", 3, 9, 0, 60)).assignment);
    sql_exec("ALTER TABLE batchfail.tombstones RENAME TO tombstones_away");
    try {
        db_b->changes_since(0);
        ADD_FAILURE() << "changes_since read a missing table";
    } catch (const sala::backend_error& e) {
        EXPECT_NE(std::string(e.what()).find("tombstones"), std::string::npos) << e.what();
    }
    sql_exec("ALTER TABLE batchfail.tombstones_away RENAME TO tombstones");
    const auto d = db_b->changes_since(0);
    EXPECT_EQ(d.requests.size(), 1u);
    EXPECT_EQ(d.reservations.size(), 1u);
    const auto s = b.submit(webinar("B", 3, 9, 0, 60));  // takes in A's booking first
    ASSERT_TRUE(s.assignment);
    EXPECT_NE(s.assignment.room, a.state().reservations.at(sala::request_id{1}).room);
}
