// SQLite store: round trip of every entity, migrations from version
// 1, foreign and corrupted files refused untouched, atomic commands + outbox.

#include <gtest/gtest.h>
#include <sqlite3.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <iterator>

#include "../conformance/store_support.hpp"
#include "../support/sqlite_exec.hpp"
#include "sala/adapters/sqlite_store.hpp"
#include "sala/durable/durable_platform.hpp"

namespace fs = std::filesystem;
using namespace std::chrono_literals;

namespace {

struct temp_dir {
    fs::path path;
    temp_dir() {
        std::string t = (fs::temp_directory_path() / "sala-sqlite-XXXXXX").string();
        path = ::mkdtemp(t.data());
    }
    ~temp_dir() { fs::remove_all(path); }
    std::string file(const std::string& name) const { return (path / name).string(); }
};

std::string bytes_of(const std::string& p) {
    std::ifstream in(p, std::ios::binary);
    return {std::istreambuf_iterator<char>(in), {}};
}

using conformance::may_2021;
using conformance::seed_rooms;  // rooms 2, 3 automatic; 4, 5 manual; lent room 1 inactive
using conformance::webinar;
using test_support::raw_exec;

}  // namespace

// Every entity survives a reopen exactly: settings, policy, pools, rooms (order,
// active, mode), requests with all fields, reservations, queue order, next id,
// lifecycle step state, outbox entries and reports (R1-R11, R17).
TEST(Sqlite, RoundTripOfEveryEntity_R1_R11) {
    temp_dir dir;
    const auto path = dir.file("sala.db");
    auto clock = may_2021();
    sala::platform_state saved;
    {
        auto db = sala::sqlite_store::open(path);
        sala::durable_platform p(db, clock);
        seed_rooms(p);
        sala::settings s;
        s.preparation = 20min;
        s.post_processing = 10min;
        s.credentials_lead = 15min;
        p.set_settings(s);
        // Two automatic rooms: a third overlapping webinar is queued, then a fourth.
        EXPECT_TRUE(p.submit(webinar("A", 10, 9, 60)).assignment);
        EXPECT_TRUE(p.submit(webinar("B", 10, 9, 60)).assignment);
        const auto c = p.submit(webinar("C", 10, 9, 90));
        const auto d = p.submit(webinar("D", 10, 9, 30));
        EXPECT_FALSE(c.assignment);
        EXPECT_FALSE(d.assignment);
        const auto e = p.submit(webinar("E", 11, 12, 45));
        // R11: E moved to manual room 4; D given manual room 5 by hand; C cancelled.
        EXPECT_TRUE(p.reassign(e.id, sala::room_id{4}));
        EXPECT_TRUE(p.assign(d.id, sala::room_id{5}));
        const auto f = p.submit(webinar("F", 10, 9, 20));
        EXPECT_FALSE(f.assignment);
        p.cancel(c.id);
        p.set_policy(sala::policy_kind::best_fit);
        p.commit_step(
            {{"request/1", sala::request_id{1}, R"({"credentials":true})"}},
            {{"mail", "credentials/1", R"({"to":"support@symposium.events"})",
              sala::request_id{1}}},
            {{"attendance/1", sala::request_id{1}, "attendance", "name,email\n", clock->now()}});
        saved = p.state();
        ASSERT_EQ(saved.queue.size(), 1u);
        ASSERT_EQ(saved.reservations.size(), 4u);
    }
    auto db = sala::sqlite_store::open(path);
    EXPECT_EQ(db->schema_version(), sala::sqlite_store::current_schema);
    EXPECT_EQ(db->load(), saved);
    sala::durable_platform again(db, clock);
    EXPECT_EQ(again.state(), saved);
    EXPECT_EQ(again.view().policy().name(), "best_fit");
    ASSERT_EQ(db->lifecycle().size(), 1u);
    EXPECT_EQ(db->lifecycle()[0].state, R"({"credentials":true})");
    ASSERT_EQ(db->outbox().size(), 1u);
    EXPECT_EQ(db->outbox()[0].effect.idempotency_key, "credentials/1");
    EXPECT_EQ(db->outbox()[0].effect.request, sala::request_id{1});
    ASSERT_EQ(db->reports().size(), 1u);
    EXPECT_EQ(db->reports()[0].body, "name,email\n");
    // The restored platform keeps working where it left off: next id and queue.
    const auto g = again.submit(webinar("G", 12, 9, 30));
    EXPECT_EQ(g.id.value, saved.next_request);
}

// Versioned schema: a file written at version 1 (state only) opens, is migrated
// to the current version and keeps its data; the new tables work.
TEST(Sqlite, MigratesFromVersion1) {
    temp_dir dir;
    const auto path = dir.file("v1.db");
    sala::sqlite_store::create_at_version(path, 1);
    raw_exec(path, R"sql(
        UPDATE head SET version = 3, next_request = 3, policy = 'first_fit';
        INSERT INTO settings VALUES (1, 0, 365, 15, 480, 30, 15, 6, 30, 10);
        INSERT INTO pools VALUES (1, 'symposium', 'own');
        INSERT INTO rooms VALUES (1, 1, 'u09', 'symposiumwebinar09@symposium.events', 'W09', 100, 1, 'automatic');
        INSERT INTO rooms VALUES (2, 1, 'u10', 'symposiumwebinar10@symposium.events', 'W10', 100, 0, 'manual');
        INSERT INTO requests VALUES (1, 'Seed', 26320860, 'Europe/Madrid', 240, 'automatic', '2086',
            'Org', 'org@example.org', NULL, '[]', 26316870, 26317161, 26316900, 26317140, 26317155, 2);
        INSERT INTO requests VALUES (2, 'Queued', 26320860, 'Europe/Madrid', 240, 'automatic', '2086',
            'Org', 'org@example.org', 50, '["p@example.org"]', 26316870, 26317161, 26316900, 26317140, 26317155, 3);
        INSERT INTO reservations VALUES (1, 1, 26316870, 26317161, 2);
        INSERT INTO queue VALUES (2, 1);
    )sql");
    auto db = sala::sqlite_store::open(path);
    EXPECT_EQ(db->schema_version(), sala::sqlite_store::current_schema);
    const auto st = db->load();
    ASSERT_EQ(st.rooms.size(), 2u);
    EXPECT_EQ(st.rooms[0].mode, sala::room_mode::automatic);
    EXPECT_FALSE(st.rooms[1].active);
    ASSERT_EQ(st.requests.size(), 2u);
    EXPECT_EQ(st.requests.at(sala::request_id{2}).panelists,
              std::vector<std::string>{"p@example.org"});
    EXPECT_EQ(st.requests.at(sala::request_id{2}).expected_attendees, 50);
    EXPECT_EQ(st.reservations.at(sala::request_id{1}).room, sala::room_id{1});
    EXPECT_EQ(st.queue, std::vector<sala::request_id>{sala::request_id{2}});
    EXPECT_EQ(st.next_request, 3u);
    // Version 2's outbox works on the migrated file.
    sala::durable_platform p(db, may_2021());
    p.commit_step({}, {{"mail", "queued/2", "{}", sala::request_id{2}}});
    EXPECT_EQ(db->outbox().size(), 1u);
}

// A file that is not a sala store, a newer schema or a damaged file gives a
// clear store_error and is not modified (bytes compared).
TEST(Sqlite, ForeignOrCorruptedFileIsRefusedAndLeftUntouched) {
    temp_dir dir;
    struct case_t {
        std::string name;
        std::string path;
        std::string expect;
    };
    std::vector<case_t> cases;

    const auto text = dir.file("notes.txt");
    std::ofstream(text) << "These are someone's notes, not a database.\n" << std::string(5000, 'x');
    cases.push_back({"text file", text, "not a SQLite database"});

    const auto other = dir.file("other.db");
    raw_exec(other,
             "CREATE TABLE invoices(id INTEGER PRIMARY KEY, total REAL);"
             "INSERT INTO invoices VALUES (1, 9.5);");
    cases.push_back({"another application's database", other, "another application"});

    const auto newer = dir.file("newer.db");
    { sala::sqlite_store::open(newer); }
    raw_exec(newer, "PRAGMA user_version = 99;");
    cases.push_back({"newer schema", newer, "newer than this sala"});

    const auto damaged = dir.file("damaged.db");
    {
        auto db = sala::sqlite_store::open(damaged);
        sala::durable_platform p(db, may_2021());
        seed_rooms(p);
        for (unsigned d = 3; d < 28; ++d) p.submit(webinar(std::string(190, 'T'), d, 9, 60));
    }
    raw_exec(damaged, "PRAGMA wal_checkpoint(TRUNCATE);");
    {
        std::string b = bytes_of(damaged);
        ASSERT_GT(b.size(), 8192u);
        for (std::size_t k = 4096 + 100; k < b.size(); k += 7) b[k] = static_cast<char>(0xA5);
        std::ofstream(damaged, std::ios::binary | std::ios::trunc) << b;
    }
    cases.push_back({"damaged sala store", damaged, "corrupted"});

    for (const auto& c : cases) {
        SCOPED_TRACE(c.name);
        const std::string before = bytes_of(c.path);
        try {
            auto db = sala::sqlite_store::open(c.path);
            sala::durable_platform p(db, may_2021());
            ADD_FAILURE() << "opened " << c.name;
        } catch (const sala::store_error& e) {
            EXPECT_NE(std::string(e.what()).find(c.expect), std::string::npos) << e.what();
            EXPECT_NE(std::string(e.what()).find(c.path), std::string::npos) << e.what();
            EXPECT_NE(std::string(e.what()).find("untouched"), std::string::npos) << e.what();
        }
        EXPECT_TRUE(bytes_of(c.path) == before) << c.name << " was modified";
    }
}

TEST(Sqlite, MissingFileWithoutCreateIsAnError) {
    temp_dir dir;
    sala::sqlite_store::options o;
    o.create = false;
    EXPECT_THROW(sala::sqlite_store::open(dir.file("absent.db"), o), sala::store_error);
    EXPECT_FALSE(fs::exists(dir.file("absent.db")));
}

// A command whose store write fails leaves memory as it was (and as the disk is).
TEST(Sqlite, FailedWriteRollsBackTheInMemoryPlatform_R9) {
    temp_dir dir;
    const auto path = dir.file("sala.db");
    auto db = sala::sqlite_store::open(path);
    sala::durable_platform p(db, may_2021());
    seed_rooms(p);
    p.submit(webinar("A", 10, 9, 60));
    const auto before = p.state();
    const auto version = p.version();
    db->fail_next_write_for_test();
    EXPECT_THROW(p.submit(webinar("B", 10, 9, 60)), sala::backend_error);
    EXPECT_EQ(p.state(), before);
    EXPECT_EQ(p.version(), version);
    EXPECT_EQ(db->load(), before);
    // And it goes on normally: B gets room 3, the next free one in order (R9);
    // a component subscribed to the inner platform (the lifecycle) still hears it.
    std::vector<sala::event_kind> heard;
    p.inner().subscribe([&](const sala::event& e) { heard.push_back(e.kind); });
    db->fail_next_write_for_test();
    EXPECT_THROW(p.submit(webinar("B", 10, 9, 60)), sala::backend_error);
    const auto b = p.submit(webinar("B", 10, 9, 60));
    EXPECT_EQ(b.assignment.room, sala::room_id{3});
    EXPECT_EQ(heard.size(), 4u);  // submitted+assigned of the failed try, then of the real one
    EXPECT_EQ(&p.inner(), &p.view());
    EXPECT_EQ(sala::sqlite_store::open(path)->load(), p.state());
}

// A rejected command (rule violation, bad input) writes nothing.
TEST(Sqlite, RejectedCommandWritesNothing_R3_R8) {
    temp_dir dir;
    auto db = sala::sqlite_store::open(dir.file("sala.db"));
    sala::durable_platform p(db, may_2021());
    seed_rooms(p);
    p.submit(webinar("A", 10, 9, 60));
    const auto v = db->version();
    auto bad = webinar("too long", 10, 9, 600);
    EXPECT_THROW(p.submit(bad), sala::invalid_argument);
    EXPECT_THROW(p.set_mode(sala::room_id{2}, sala::room_mode::manual), sala::rule_violation);
    EXPECT_EQ(db->version(), v);
    EXPECT_EQ(db->load(), p.state());
}

// Transactional outbox: effects planned from a command's events commit with
// it; the dispatcher sends each once, retries retryable failures later, gives
// up on permanent ones; enqueuing a key twice keeps one (R10, R16).
TEST(Sqlite, OutboxCommitsEffectsWithTheCommandAndSendsThemOnce_R10_R16) {
    temp_dir dir;
    auto clock = may_2021();
    auto db = sala::sqlite_store::open(dir.file("sala.db"));
    sala::durable_platform p(db, clock);
    seed_rooms(p);
    p.set_effect_planner([](const sala::event& e, const sala::platform& pf) {
        std::vector<sala::effect> out;
        if (e.kind == sala::event_kind::queued)  // R10: the organizer is told
            out.push_back({"mail", "queued/" + std::to_string(e.request->value),
                           "{\"to\":\"" + pf.get_request(*e.request).organizer.email + "\"}",
                           e.request});
        if (e.kind == sala::event_kind::assigned)
            out.push_back(
                {"create_webinar", "create/" + std::to_string(e.request->value), "{}", e.request});
        return out;
    });
    p.submit(webinar("A", 10, 9, 60));
    p.submit(webinar("B", 10, 9, 60));
    p.submit(webinar("C", 10, 9, 60));  // queued
    ASSERT_EQ(db->outbox().size(), 3u);
    // A failed command commits no effect.
    db->fail_next_write_for_test();
    EXPECT_THROW(p.submit(webinar("D", 10, 9, 60)), sala::backend_error);
    EXPECT_EQ(db->outbox().size(), 3u);
    // Same key again (a lifecycle catching up, R16): kept once.
    p.commit_step({}, {{"mail", "queued/3", "{\"again\":true}", sala::request_id{3}}});
    ASSERT_EQ(db->outbox().size(), 3u);
    EXPECT_EQ(db->outbox()[2].effect.payload, "{\"to\":\"support@symposium.events\"}");

    std::vector<std::string> mails, creates;
    int create_failures = 1;
    sala::outbox_dispatcher d(db, clock);
    d.on("mail", [&](const sala::effect& e) { mails.push_back(e.idempotency_key); });
    d.on("create_webinar", [&](const sala::effect& e) {
        if (create_failures-- > 0) throw sala::backend_error("zoom: 503", true);
        creates.push_back(e.idempotency_key);
    });
    auto r = d.dispatch();
    EXPECT_EQ(r.sent, 2u);
    EXPECT_EQ(r.retrying, 1u);
    EXPECT_EQ(mails, std::vector<std::string>{"queued/3"});
    EXPECT_EQ(d.dispatch().sent, 0u);  // the failed one waits for its backoff
    clock->advance(2min);
    EXPECT_EQ(d.dispatch().sent, 1u);
    EXPECT_EQ(creates, (std::vector<std::string>{"create/2", "create/1"}));
    EXPECT_EQ(d.dispatch().sent, 0u);
    for (const auto& e : db->outbox())
        EXPECT_EQ(e.status, sala::effect_status::done) << e.effect.idempotency_key;

    p.commit_step({}, {{"teleport", "x/1", "{}", std::nullopt}});
    r = d.dispatch();
    EXPECT_EQ(r.failed, 1u);
    EXPECT_EQ(db->outbox().back().status, sala::effect_status::failed);
    EXPECT_NE(db->outbox().back().last_error.find("teleport"), std::string::npos);
}

// Two connections on one file (two processes): each sees the other's
// bookings before it allocates, so first-fit never double-books (R1, R9).
TEST(Sqlite, TwoConnectionsSeeEachOthersBookings_R1_R9) {
    temp_dir dir;
    const auto path = dir.file("sala.db");
    auto clock = may_2021();
    sala::durable_platform a(sala::sqlite_store::open(path), clock);
    seed_rooms(a);
    sala::durable_platform b(sala::sqlite_store::open(path), clock);
    EXPECT_EQ(a.submit(webinar("A", 10, 9, 60)).assignment.room, sala::room_id{2});
    EXPECT_EQ(b.submit(webinar("B", 10, 9, 60)).assignment.room, sala::room_id{3});
    EXPECT_FALSE(a.submit(webinar("C", 10, 9, 60)).assignment);
    b.cancel(sala::request_id{1});
    EXPECT_EQ(a.retry(sala::request_id{3}).room, sala::room_id{2});
    b.refresh();
    EXPECT_EQ(a.state(), b.state());
    EXPECT_EQ(sala::sqlite_store::open(path)->load(), a.state());
}

// The file is in WAL mode and carries sala's application id.
TEST(Sqlite, FileIsWalModeWithSalaApplicationId) {
    temp_dir dir;
    const auto path = dir.file("sala.db");
    { sala::durable_platform p(sala::sqlite_store::open(path), may_2021()); }
    sqlite3* db = nullptr;
    ASSERT_EQ(sqlite3_open(path.c_str(), &db), SQLITE_OK);
    auto one = [&](const char* sql) {
        sqlite3_stmt* s = nullptr;
        sqlite3_prepare_v2(db, sql, -1, &s, nullptr);
        std::string v = sqlite3_step(s) == SQLITE_ROW
                            ? reinterpret_cast<const char*>(sqlite3_column_text(s, 0))
                            : "";
        sqlite3_finalize(s);
        return v;
    };
    EXPECT_EQ(one("PRAGMA journal_mode"), "wal");
    EXPECT_EQ(one("PRAGMA application_id"), std::to_string(sala::sqlite_store::application_id));
    EXPECT_EQ(one("PRAGMA user_version"), std::to_string(sala::sqlite_store::current_schema));
    sqlite3_close(db);
}

// The database refuses an overlapping reservation even if a buggy writer tries (R1).
TEST(Sqlite, DatabaseRefusesOverlappingReservations_R1) {
    temp_dir dir;
    const auto path = dir.file("sala.db");
    auto db = sala::sqlite_store::open(path);
    sala::durable_platform p(db, may_2021());
    seed_rooms(p);
    const auto a = p.submit(webinar("A", 10, 9, 60));
    const auto b = p.submit(webinar("B", 10, 9, 60));
    sala::change_set c;
    c.reservations.push_back({b.id, *a.assignment.room, p.state().reservations.at(b.id).blocked});
    db->begin_write();
    EXPECT_THROW(db->write(c), sala::backend_error);
    db->rollback();
    EXPECT_EQ(db->load(), p.state());
}

// ":memory:" gives a store without a file (demos with --state none, tests).
TEST(Sqlite, InMemoryDatabaseWorksWithoutAFile) {
    auto db = sala::sqlite_store::open(":memory:");
    sala::durable_platform p(db, may_2021());
    seed_rooms(p);
    EXPECT_TRUE(p.submit(webinar("A", 10, 9, 60)).assignment);
    EXPECT_EQ(db->load(), p.state());
    EXPECT_FALSE(fs::exists(":memory:"));
}

// A store file deleted or replaced under an open platform: the next command
// fails instead of being acknowledged into an unlinked file and lost.
TEST(Sqlite, ReplacedOrDeletedFileFailsTheNextCommand) {
    for (const bool replace : {true, false}) {
        temp_dir dir;
        const auto path = dir.file("sala.db");
        auto db = sala::sqlite_store::open(path);
        sala::durable_platform p(db, may_2021());
        seed_rooms(p);
        ASSERT_TRUE(p.submit(webinar("A", 10, 9, 60)).assignment);
        if (replace) {
            const auto other = dir.file("other.db");
            sala::durable_platform q(sala::sqlite_store::open(other), may_2021());
            fs::rename(other, path);
        } else {
            fs::remove(path);
        }
        try {
            p.submit(webinar("B", 10, 11, 60));
            FAIL() << "acknowledged";
        } catch (const sala::store_error& e) {
            EXPECT_NE(std::string(e.what()).find(replace ? "replaced" : "deleted"),
                      std::string::npos)
                << e.what();
        }
        EXPECT_EQ(p.state().requests.size(), 1u);  // memory as the (old) disk had it
    }
}

// Not a store: refused, named, and the file left exactly as it was.
TEST(Sqlite, EmptyFilesDirectoriesAndDevicesAreRefused) {
    temp_dir dir;
    sala::sqlite_store::options no_create;
    no_create.create = false;
    const auto empty = dir.file("empty.db");
    { std::ofstream touch(empty); }
    const auto reason = [](auto open) {
        try {
            open();
        } catch (const sala::store_error& e) {
            return std::string(e.what());
        }
        return std::string("<opened>");
    };
    EXPECT_NE(reason([&] { sala::sqlite_store::open(empty, no_create); }).find("empty file"),
              std::string::npos);
    EXPECT_EQ(fs::file_size(empty), 0u);
    EXPECT_NE(reason([&] { sala::sqlite_store::open(dir.path.string()); }).find("directory"),
              std::string::npos);
    EXPECT_NE(reason([&] { sala::sqlite_store::open("/dev/zero"); }).find("not a regular file"),
              std::string::npos);
    EXPECT_FALSE(fs::exists("/dev/zero-journal"));
    // Asked to create one, an empty file (mkstemp's) becomes a store.
    EXPECT_NO_THROW(sala::sqlite_store::open(empty));
}

// The checkpoint interval and the page cache are options: refused when out of
// range (named, nothing created), and a store with tiny ones still round-trips
// every command.
TEST(Sqlite, CheckpointPagesAndCacheAreCheckedAndHonoured) {
    temp_dir dir;
    sala::sqlite_store::options o;
    o.checkpoint_pages = 0;
    try {
        sala::sqlite_store::open(dir.file("a.db"), o);
        ADD_FAILURE() << "opened with checkpoint_pages = 0";
    } catch (const sala::invalid_argument& e) {
        EXPECT_NE(std::string(e.what()).find("options.checkpoint_pages"), std::string::npos)
            << e.what();
    }
    EXPECT_FALSE(fs::exists(dir.file("a.db")));
    o.checkpoint_pages = 1;
    o.cache_mib = 0;
    EXPECT_THROW(sala::sqlite_store::open(dir.file("a.db"), o), sala::invalid_argument);
    EXPECT_FALSE(fs::exists(dir.file("a.db")));
    o.cache_mib = 1;  // a checkpoint after every commit
    sala::platform_state saved;
    {
        sala::durable_platform p(sala::sqlite_store::open(dir.file("a.db"), o),
                                 conformance::may_2021());
        conformance::seed_rooms(p);
        for (unsigned h = 9; h < 15; ++h) p.submit(conformance::webinar("W", 12, h, 30));
        saved = p.state();
    }
    // With a checkpoint per commit the log holds no committed frame beyond the file.
    EXPECT_EQ(sala::sqlite_store::open(dir.file("a.db"))->load(), saved);
}
