// durable_platform and the outbox dispatcher on sala::memory_store: what the
// platform writes per command, when listeners hear it, several connections.
// The store contract itself is the conformance suite (tests/conformance).

#include "sala/fakes/memory_store.hpp"

#include <gtest/gtest.h>

#include "../conformance/store_support.hpp"

using namespace std::chrono_literals;
using conformance::webinar;

namespace {

struct spied {
    std::shared_ptr<sala::memory_store> db = std::make_shared<sala::memory_store>();
    std::shared_ptr<conformance::spy_store> spy = std::make_shared<conformance::spy_store>(db);
    sala::durable_platform p{spy, conformance::may_2021()};
};

}  // namespace

// An empty store gets the initial settings, policy and next id, in one write.
TEST(MemoryStore, DurablePlatformInitialisesAnEmptyStore) {
    auto db = std::make_shared<sala::memory_store>();
    sala::settings s;
    s.courtesy = 7min;
    sala::durable_platform p(db, conformance::may_2021(), s);
    EXPECT_EQ(db->version(), 1u);
    EXPECT_EQ(p.version(), 1u);
    EXPECT_EQ(db->load(), p.state());
    EXPECT_EQ(db->load().settings.courtesy, 7min);
    // A second platform on the same data restores it instead.
    sala::durable_platform q(db->connect(), conformance::may_2021());
    EXPECT_EQ(q.state(), p.state());
    EXPECT_EQ(db->version(), 1u);
}

// Granularity: a command writes the rows its events name and the small
// tables that differ, nothing else.
TEST(MemoryStore, CommandWritesOnlyTheRowsItChanged) {
    spied t;
    conformance::seed_rooms(t.p);
    t.spy->written.clear();
    const auto a = t.p.submit(webinar("A", 10, 9, 60));
    ASSERT_EQ(t.spy->written.size(), 1u);
    const auto& c = t.spy->written[0];
    ASSERT_EQ(c.requests.size(), 1u);
    EXPECT_EQ(c.requests[0].id, a.id);
    ASSERT_EQ(c.reservations.size(), 1u);
    EXPECT_EQ(c.next_request, a.id.value + 1);
    EXPECT_TRUE(c.rooms.empty());
    EXPECT_TRUE(c.pools.empty());
    EXPECT_FALSE(c.settings);
    EXPECT_FALSE(c.policy);
    EXPECT_TRUE(c.queue_appended.empty());

    t.p.set_mode(sala::room_id{4}, sala::room_mode::automatic);
    const auto& m = t.spy->written.back();
    ASSERT_EQ(m.rooms.size(), 1u);
    EXPECT_EQ(m.rooms[0].id, sala::room_id{4});
    EXPECT_TRUE(m.requests.empty());

    // A queued request is appended to the queue; cancelling it removes it and erases its rows.
    t.p.set_mode(sala::room_id{4}, sala::room_mode::manual);
    t.p.submit(webinar("B", 10, 9, 60));
    const auto q = t.p.submit(webinar("C", 10, 9, 60));
    EXPECT_EQ(t.spy->written.back().queue_appended, std::vector<sala::request_id>{q.id});
    t.p.cancel(q.id);
    const auto& x = t.spy->written.back();
    EXPECT_EQ(x.queue_removed, std::vector<sala::request_id>{q.id});
    EXPECT_EQ(x.erased_reservations, std::vector<sala::request_id>{q.id});
    EXPECT_FALSE(x.queue_rewrite);
}

// A command that changes nothing writes nothing (the version stays).
TEST(MemoryStore, CommandThatChangesNothingWritesNothing) {
    spied t;
    conformance::seed_rooms(t.p);
    const auto v = t.p.version();
    const auto n = t.spy->written.size();
    EXPECT_EQ(t.p.retry_queue(), 0u);
    t.p.activate(sala::room_id{2});  // already active
    EXPECT_EQ(t.spy->written.size(), n);
    EXPECT_EQ(t.p.version(), v);
}

// Listeners hear a command's events after its commit, never for a failed one.
TEST(MemoryStore, ListenersHearOnlyCommittedCommands) {
    spied t;
    conformance::seed_rooms(t.p);
    std::vector<sala::event_kind> heard;
    t.p.subscribe([&](const sala::event& e) { heard.push_back(e.kind); });
    t.spy->fail_next_write();
    EXPECT_THROW(t.p.submit(webinar("A", 10, 9, 60)), sala::backend_error);
    EXPECT_TRUE(heard.empty());
    t.p.submit(webinar("A", 10, 9, 60));
    EXPECT_EQ(heard, (std::vector<sala::event_kind>{sala::event_kind::submitted,
                                                    sala::event_kind::assigned}));
}

// The memory store's own write hook, like sqlite_store's.
TEST(MemoryStore, FailNextWriteHookLeavesMemoryAsTheStore) {
    auto db = std::make_shared<sala::memory_store>();
    sala::durable_platform p(db, conformance::may_2021());
    conformance::seed_rooms(p);
    const auto before = p.state();
    db->fail_next_write_for_test();
    EXPECT_THROW(p.submit(webinar("A", 10, 9, 60)), sala::backend_error);
    EXPECT_EQ(p.state(), before);
    EXPECT_EQ(db->load(), before);
}

// The writer lock: a second connection waits for it, then gives up (retryable).
TEST(MemoryStore, WriterLockSerialisesConnections) {
    auto db = std::make_shared<sala::memory_store>();
    auto other = std::make_shared<sala::memory_store>(db->shared_database(), 20ms);
    db->begin_write();
    try {
        other->begin_write();
        ADD_FAILURE() << "two writers at once";
    } catch (const sala::backend_error& e) {
        EXPECT_TRUE(e.retryable());
    }
    EXPECT_EQ(other->version(), 0u);  // readers do not wait
    db->commit();
    EXPECT_NO_THROW(other->begin_write());
    other->rollback();
}

// Two platforms on one database: the second sees the first's bookings before it allocates (R1, R9).
TEST(MemoryStore, TwoPlatformsOnOneDatabaseNeverDoubleBook_R1_R9) {
    auto db = std::make_shared<sala::memory_store>();
    sala::durable_platform a(db, conformance::may_2021());
    conformance::seed_rooms(a);
    sala::durable_platform b(db->connect(), conformance::may_2021());
    EXPECT_EQ(a.submit(webinar("A", 10, 9, 60)).assignment.room, sala::room_id{2});
    EXPECT_EQ(b.submit(webinar("B", 10, 9, 60)).assignment.room, sala::room_id{3});
    EXPECT_FALSE(a.submit(webinar("C", 10, 9, 60)).assignment);
    EXPECT_NE(a.state(), b.state());
    b.refresh();
    EXPECT_EQ(a.state(), b.state());
}

// A dispatcher on its own connection sends what the platform committed.
TEST(MemoryStore, DispatcherOnItsOwnConnection) {
    auto clock = conformance::may_2021();
    auto db = std::make_shared<sala::memory_store>();
    sala::durable_platform p(db, clock);
    conformance::seed_rooms(p);
    p.set_effect_planner([](const sala::event& e, const sala::platform&) {
        std::vector<sala::effect> out;
        if (e.kind == sala::event_kind::assigned)
            out.push_back(
                {"create_webinar", "create/" + std::to_string(e.request->value), "{}", e.request});
        return out;
    });
    p.submit(webinar("A", 10, 9, 60));
    std::vector<std::string> sent;
    sala::outbox_dispatcher d(db->connect(), clock);
    d.on("create_webinar", [&](const sala::effect& e) { sent.push_back(e.idempotency_key); });
    EXPECT_EQ(d.dispatch().sent, 1u);
    EXPECT_EQ(sent, std::vector<std::string>{"create/1"});
    EXPECT_EQ(db->outbox()[0].status, sala::effect_status::done);
}
