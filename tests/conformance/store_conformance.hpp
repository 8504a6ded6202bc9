#pragma once
// The store conformance suite: every guarantee of docs/deployment.md ("What
// every store guarantees", the transactional outbox, the lifecycle on a
// store) as one typed test, instantiated once per backend (memory, SQLite,
// PostgreSQL: conformance_<backend>.cpp). Backends are described in
// store_support.hpp.

#include <gtest/gtest.h>

#include "sala/durable/durable_lifecycle.hpp"
#include "sala/fakes/fake_conferencing.hpp"
#include "sala/fakes/fake_mailer.hpp"
#include "store_support.hpp"

using namespace std::chrono_literals;

template <class Backend>
class StoreConformance : public ::testing::Test {
  protected:
    void SetUp() override {
        if (const std::string why = backend.unavailable(); !why.empty()) GTEST_SKIP() << why;
    }
    Backend backend;
};

TYPED_TEST_SUITE_P(StoreConformance);

// A new store is empty, at version 0 and the current schema.
TYPED_TEST_P(StoreConformance, NewStoreIsEmptyAtVersionZero) {
    auto db = this->backend.open();
    EXPECT_EQ(db->version(), 0u);
    EXPECT_EQ(db->schema_version(), 3);
    EXPECT_EQ(db->load(), sala::platform_state{});
    EXPECT_TRUE(db->lifecycle().empty());
    EXPECT_TRUE(db->outbox().empty());
    EXPECT_TRUE(db->reports().empty());
    EXPECT_FALSE(db->location().empty());
}

// Reopening restores exactly every entity: settings, policy, pools, rooms
// (order, active, mode), requests with every field, reservations, queue order,
// next id, lifecycle step state, outbox entries and reports (R1-R11, R17).
TYPED_TEST_P(StoreConformance, RoundTripOfEveryEntity_R1_R11) {
    auto clock = conformance::may_2021();
    sala::platform_state saved;
    {
        sala::durable_platform p(this->backend.open(), clock);
        conformance::seed_rooms(p);
        sala::settings s;
        s.preparation = 20min;
        s.post_processing = 10min;
        s.credentials_lead = 15min;
        p.set_settings(s);
        EXPECT_TRUE(p.submit(conformance::webinar("A", 10, 9, 60)).assignment);
        EXPECT_TRUE(p.submit(conformance::webinar("B", 10, 9, 60)).assignment);
        const auto c = p.submit(conformance::webinar("C", 10, 9, 90));
        const auto d = p.submit(conformance::webinar("D", 10, 9, 30));
        EXPECT_FALSE(c.assignment);
        const auto e = p.submit(conformance::webinar("E", 11, 12, 45));
        EXPECT_TRUE(p.reassign(e.id, sala::room_id{4}));  // R11
        EXPECT_TRUE(p.assign(d.id, sala::room_id{5}));
        EXPECT_FALSE(p.submit(conformance::webinar("F", 10, 9, 20)).assignment);
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
    auto db = this->backend.open();
    EXPECT_EQ(db->load(), saved);
    sala::durable_platform again(db, clock);
    EXPECT_EQ(again.state(), saved);
    EXPECT_EQ(again.view().policy().name(), "best_fit");
    EXPECT_EQ(db->lifecycle(), (std::vector<sala::lifecycle_record>{
                                   {"request/1", sala::request_id{1}, R"({"credentials":true})"}}));
    ASSERT_EQ(db->outbox().size(), 1u);
    EXPECT_EQ(db->outbox()[0].effect,
              (sala::effect{"mail", "credentials/1", R"({"to":"support@symposium.events"})",
                            sala::request_id{1}}));
    EXPECT_EQ(db->outbox()[0].status, sala::effect_status::pending);
    EXPECT_EQ(db->reports(),
              (std::vector<sala::report_record>{{"attendance/1", sala::request_id{1}, "attendance",
                                                 "name,email\n", clock->now()}}));
    // The restored platform goes on where it left off: next id and queue.
    EXPECT_EQ(again.submit(conformance::webinar("G", 12, 9, 30)).id.value, saved.next_request);
}

// One command = one transaction: each command bumps the version by exactly
// one, retry_queue included, and another connection sees it committed; a
// command that changed nothing writes nothing.
TYPED_TEST_P(StoreConformance, EveryCommandIsOneTransaction) {
    auto other = this->backend.open();
    sala::durable_platform p(this->backend.open(), conformance::may_2021());
    std::uint64_t v = other->version();
    auto one_more = [&](const char* what) {
        EXPECT_EQ(other->version(), v + 1) << what;
        EXPECT_EQ(p.version(), v + 1) << what;
        v = other->version();
    };
    p.link_account("symposium", sala::pool_kind::own, seed::symposium_users());
    one_more("link_account");
    p.activate(sala::room_id{2});
    one_more("activate");
    p.set_mode(sala::room_id{2}, sala::room_mode::automatic);
    one_more("set_mode");
    p.activate(sala::room_id{3});
    one_more("activate");
    sala::settings s;
    s.courtesy = 5min;
    p.set_settings(s);
    one_more("set_settings");
    p.set_policy(sala::policy_kind::best_fit);
    one_more("set_policy");
    const auto a = p.submit(conformance::webinar("A", 10, 9, 60));
    one_more("submit");
    const auto b = p.submit(conformance::webinar("B", 10, 9, 60));
    one_more("submit (queued)");
    const auto c = p.submit(conformance::webinar("C", 10, 9, 60));
    one_more("submit (queued)");
    EXPECT_FALSE(p.retry(b.id));  // changed nothing, so wrote nothing
    EXPECT_EQ(other->version(), v);
    EXPECT_TRUE(p.assign(b.id, sala::room_id{3}));
    one_more("assign");
    p.cancel(a.id);
    one_more("cancel");
    EXPECT_EQ(p.retry_queue(), 1u);
    one_more("retry_queue");
    p.cancel(c.id);
    one_more("cancel");
    EXPECT_EQ(other->load(), p.state());
}

// A command that throws (a rule, bad input) writes nothing (R3, R8).
TYPED_TEST_P(StoreConformance, RejectedCommandWritesNothing_R3_R8) {
    auto db = this->backend.open();
    sala::durable_platform p(db, conformance::may_2021());
    conformance::seed_rooms(p);
    p.set_effect_planner([](const sala::event& e, const sala::platform&) {
        return std::vector<sala::effect>{
            {"mail", "k/" + std::string(sala::to_string(e.kind)), "{}", e.request}};
    });
    p.submit(conformance::webinar("A", 10, 9, 60));
    const auto v = db->version();
    const auto outbox = db->outbox();
    EXPECT_THROW(p.submit(conformance::webinar("too long", 10, 9, 600)), sala::invalid_argument);
    EXPECT_THROW(p.set_mode(sala::room_id{2}, sala::room_mode::manual), sala::rule_violation);
    EXPECT_THROW(p.cancel(sala::request_id{99}), sala::error);
    EXPECT_EQ(db->version(), v);
    EXPECT_EQ(db->load(), p.state());
    EXPECT_EQ(db->outbox(), outbox);
}

// A failed write (disk full, database down) reloads memory from the store and
// rethrows: memory and store never disagree; the command's effects are not
// committed; the next command works normally (R9).
TYPED_TEST_P(StoreConformance, FailedWriteReloadsMemory_R9) {
    auto db = std::make_shared<conformance::spy_store>(this->backend.open());
    sala::durable_platform p(db, conformance::may_2021());
    conformance::seed_rooms(p);
    p.set_effect_planner([](const sala::event& e, const sala::platform&) {
        return std::vector<sala::effect>{{"mail",
                                          "k/" + std::to_string(e.request ? e.request->value : 0) +
                                              "/" + sala::to_string(e.kind),
                                          "{}", e.request}};
    });
    p.submit(conformance::webinar("A", 10, 9, 60));
    const auto before = p.state();
    const auto version = p.version();
    const auto outbox = db->outbox();
    db->fail_next_write();
    EXPECT_THROW(p.submit(conformance::webinar("B", 10, 9, 60)), sala::backend_error);
    EXPECT_EQ(p.state(), before);
    EXPECT_EQ(p.version(), version);
    EXPECT_EQ(db->load(), before);
    EXPECT_EQ(db->outbox(), outbox);
    EXPECT_EQ(p.submit(conformance::webinar("B", 10, 9, 60)).assignment.room, sala::room_id{3});
    EXPECT_EQ(this->backend.open()->load(), p.state());
}

// rollback() discards everything written since begin_write().
TYPED_TEST_P(StoreConformance, RollbackDiscardsTheTransaction) {
    auto db = this->backend.open();
    sala::durable_platform p(db, conformance::may_2021());
    conformance::seed_rooms(p);
    const auto before = db->load();
    const auto v = db->version();
    EXPECT_EQ(db->begin_write(), v);
    sala::change_set c;
    c.policy = sala::policy_kind::best_fit;
    c.next_request = 40;
    c.lifecycle = {{"room/2", std::nullopt, "{}"}};
    c.effects = {{"mail", "never/1", "{}", std::nullopt}};
    c.reports = {{"r/1", std::nullopt, "attendance", "x", sala::make_utc(2021, 5, 1)}};
    EXPECT_EQ(db->write(c), v + 1);
    EXPECT_EQ(db->load().next_request, 40u);  // the transaction sees its own writes
    db->rollback();
    EXPECT_EQ(db->version(), v);
    EXPECT_EQ(db->load(), before);
    EXPECT_TRUE(db->lifecycle().empty());
    EXPECT_TRUE(db->outbox().empty());
    EXPECT_TRUE(db->reports().empty());
    EXPECT_THROW(db->write(c), sala::error);  // no transaction open
}

// Version bumps, and changes_since carrying another writer's commits: two
// store objects on one store are two processes; each command takes in what
// the other committed first (rows, not a reload), so first-fit never
// double-books (R1, R9).
TYPED_TEST_P(StoreConformance, ChangesSinceCarriesAnotherWritersCommits_R1_R9) {
    auto clock = conformance::may_2021();
    auto db_a = this->backend.open();
    auto db_b = this->backend.open();
    sala::durable_platform a(db_a, clock);
    conformance::seed_rooms(a);
    sala::durable_platform b(db_b, clock);
    EXPECT_EQ(b.state(), a.state());
    const auto base = a.state();
    const auto since = a.version();
    const auto none = db_a->changes_since(since);  // nothing new
    EXPECT_EQ(none.version, since);
    EXPECT_TRUE(none.requests.empty() && none.reservations.empty() && none.erased.empty() &&
                none.rooms.empty() && !none.queue);
    EXPECT_EQ(a.submit(conformance::webinar("A", 10, 9, 60)).assignment.room, sala::room_id{2});
    EXPECT_EQ(b.submit(conformance::webinar("B", 10, 9, 60)).assignment.room, sala::room_id{3});
    EXPECT_FALSE(a.submit(conformance::webinar("C", 10, 9, 60)).assignment);
    b.cancel(sala::request_id{1});  // a tombstone for a to see
    EXPECT_EQ(a.retry(sala::request_id{3}).room, sala::room_id{2});
    b.reassign(sala::request_id{2}, sala::room_id{4});
    b.set_mode(sala::room_id{5}, sala::room_mode::automatic);
    const auto d = db_a->changes_since(since);
    EXPECT_EQ(d.version, db_b->version());
    EXPECT_EQ(d.version, since + 7);
    EXPECT_EQ(d.rooms.size(), 1u);  // only room 5 was written
    auto applied = sala::platform::restore(base, clock);
    applied.apply_changes(d);
    EXPECT_EQ(applied.state(), db_b->load());
    const std::size_t reloads = a.reloads();
    b.refresh();
    a.refresh();
    EXPECT_EQ(a.reloads(), reloads);  // taken in row by row
    EXPECT_GT(a.syncs(), 0u);
    EXPECT_EQ(a.state(), b.state());
    EXPECT_EQ(this->backend.open()->load(), a.state());
}

// The queue keeps its order through removals, appends and a rewrite (R10).
TYPED_TEST_P(StoreConformance, QueueKeepsItsOrder_R10) {
    auto db = this->backend.open();
    sala::durable_platform p(db, conformance::may_2021());
    p.link_account("symposium", sala::pool_kind::own, seed::symposium_users());
    std::vector<sala::request_id> ids;
    for (int k = 0; k < 5; ++k) ids.push_back(p.submit(conformance::webinar("Q", 10, 9, 60)).id);
    EXPECT_EQ(db->load().queue, ids);  // no automatic room: all queued, oldest first
    p.cancel(ids[1]);
    ids.erase(ids.begin() + 1);
    ids.push_back(p.submit(conformance::webinar("R", 11, 9, 60)).id);
    EXPECT_EQ(db->load().queue, ids);
    sala::change_set c;
    c.queue_rewrite = std::vector<sala::request_id>{ids[3], ids[0], ids[4], ids[2], ids[1]};
    db->begin_write();
    db->write(c);
    db->commit();
    EXPECT_EQ(db->load().queue, *c.queue_rewrite);
    sala::change_set d;
    d.queue_removed = {ids[0]};
    d.queue_appended = {ids[0]};
    db->begin_write();
    db->write(d);
    db->commit();
    EXPECT_EQ(db->load().queue,
              (std::vector<sala::request_id>{ids[3], ids[4], ids[2], ids[1], ids[0]}));
}

// Transactional outbox: effects planned from a command's events commit with
// it, in commit order; a key already in the outbox keeps the first (R16).
TYPED_TEST_P(StoreConformance, OutboxEnqueueIsIdempotentByKey_R10_R16) {
    auto db = this->backend.open();
    sala::durable_platform p(db, conformance::may_2021());
    conformance::seed_rooms(p);
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
    p.submit(conformance::webinar("A", 10, 9, 60));
    p.submit(conformance::webinar("B", 10, 9, 60));
    p.submit(conformance::webinar("C", 10, 9, 60));  // queued
    p.commit_step({}, {{"mail", "queued/3", "{\"again\":true}", sala::request_id{3}},
                       {"mail", "new/1", "{}", std::nullopt}});
    const auto out = db->outbox();
    ASSERT_EQ(out.size(), 4u);
    std::vector<std::string> keys;
    for (std::size_t k = 0; k < out.size(); ++k) {
        keys.push_back(out[k].effect.idempotency_key);
        if (k > 0) {
            EXPECT_LT(out[k - 1].id, out[k].id);
        }
        EXPECT_EQ(out[k].status, sala::effect_status::pending);
        EXPECT_EQ(out[k].attempts, 0);
    }
    EXPECT_EQ(keys, (std::vector<std::string>{"create/1", "create/2", "queued/3", "new/1"}));
    EXPECT_EQ(out[2].effect.payload, "{\"to\":\"support@symposium.events\"}");
    // An effect needs a key and a kind.
    EXPECT_THROW(p.commit_step({}, {{"mail", "", "{}", std::nullopt}}), sala::invalid_argument);
    EXPECT_THROW(p.commit_step({}, {{"", "k/9", "{}", std::nullopt}}), sala::invalid_argument);
    EXPECT_EQ(db->outbox(), out);
}

// due_effects gives pending effects due at `now`, oldest first, at most
// `limit`; mark_done and mark_failed (retry later, or give up and keep it).
TYPED_TEST_P(StoreConformance, DueEffectsMarkDoneAndMarkFailed) {
    auto clock = conformance::may_2021();
    const auto t0 = clock->now();
    auto db = this->backend.open();
    sala::durable_platform p(db, clock);
    p.commit_step({}, {{"mail", "a", "{}", std::nullopt},
                       {"mail", "b", "{}", std::nullopt},
                       {"zoom", "c", "{}", sala::request_id{7}}});
    auto due = db->due_effects(t0, 2);
    ASSERT_EQ(due.size(), 2u);
    EXPECT_EQ(due[0].effect.idempotency_key, "a");
    EXPECT_EQ(due[1].effect.idempotency_key, "b");
    db->mark_done(due[0].id);
    db->mark_failed(due[1].id, "503 try later", t0 + 5min);
    const auto c = db->due_effects(t0, 10);
    ASSERT_EQ(c.size(), 1u);
    EXPECT_EQ(c[0].effect.idempotency_key, "c");
    db->mark_failed(c[0].id, "404 gone", std::nullopt);
    EXPECT_TRUE(db->due_effects(t0 + 4min, 10).empty());
    ASSERT_EQ(db->due_effects(t0 + 5min, 10).size(), 1u);
    const auto all = db->outbox();
    ASSERT_EQ(all.size(), 3u);
    EXPECT_EQ(all[0].status, sala::effect_status::done);
    EXPECT_EQ(all[0].attempts, 1);
    EXPECT_EQ(all[1].status, sala::effect_status::pending);
    EXPECT_EQ(all[1].attempts, 1);
    EXPECT_EQ(all[1].last_error, "503 try later");
    EXPECT_EQ(all[1].not_before, t0 + 5min);
    EXPECT_EQ(all[2].status, sala::effect_status::failed);  // kept for the admin
    EXPECT_EQ(all[2].last_error, "404 gone");
    // Marking is not a command: the version does not move.
    EXPECT_EQ(db->version(), p.version());
}

// The dispatcher sends each effect once, retries retryable failures with
// backoff, gives up on permanent ones and unknown kinds.
TYPED_TEST_P(StoreConformance, DispatcherSendsOnceRetriesAndGivesUp) {
    auto clock = conformance::may_2021();
    auto db = this->backend.open();
    sala::durable_platform p(db, clock);
    p.commit_step({}, {{"mail", "m/1", "{}", std::nullopt},
                       {"create_webinar", "c/1", "{}", std::nullopt},
                       {"create_webinar", "c/2", "{}", std::nullopt},
                       {"teleport", "t/1", "{}", std::nullopt}});
    std::vector<std::string> sent;
    int transient = 1;
    sala::outbox_dispatcher d(db, clock);
    d.on("mail", [&](const sala::effect& e) { sent.push_back(e.idempotency_key); });
    d.on("create_webinar", [&](const sala::effect& e) {
        if (e.idempotency_key == "c/2") throw sala::backend_error("400 bad request", false);
        if (transient-- > 0) throw sala::backend_error("zoom: 503", true);
        sent.push_back(e.idempotency_key);
    });
    auto r = d.dispatch();
    EXPECT_EQ(r.sent, 1u);
    EXPECT_EQ(r.retrying, 1u);
    EXPECT_EQ(r.failed, 2u);
    EXPECT_EQ(d.dispatch().sent, 0u);  // c/1 waits for its backoff
    clock->advance(2min);
    EXPECT_EQ(d.dispatch().sent, 1u);
    EXPECT_EQ(d.dispatch().sent, 0u);
    EXPECT_EQ(sent, (std::vector<std::string>{"m/1", "c/1"}));
    const auto all = db->outbox();
    EXPECT_EQ(all[3].status, sala::effect_status::failed);
    EXPECT_NE(all[3].last_error.find("teleport"), std::string::npos);
}

// Only one dispatcher at a time where the store says so (PostgreSQL's
// advisory lock, the memory store); SQLite's lock is this process's own.
TYPED_TEST_P(StoreConformance, OneDispatcherAtATime) {
    auto a = this->backend.open();
    auto b = this->backend.open();
    ASSERT_TRUE(a->try_lock_dispatcher());
    EXPECT_EQ(b->try_lock_dispatcher(), !TypeParam::exclusive_dispatcher);
    if (!TypeParam::exclusive_dispatcher) b->unlock_dispatcher();
    a->unlock_dispatcher();
    EXPECT_TRUE(b->try_lock_dispatcher());
    b->unlock_dispatcher();
}

// Lifecycle rows: set, replaced, and erased by an empty state.
TYPED_TEST_P(StoreConformance, LifecycleRowsAreSetReplacedAndErased) {
    auto db = this->backend.open();
    sala::durable_platform p(db, conformance::may_2021());
    p.commit_step({{"request/1", sala::request_id{1}, R"({"a":1})"},
                   {"room/3", std::nullopt, "{}"},
                   {"notice/x", std::nullopt, R"({"m":"é"})"}},
                  {});
    p.commit_step({{"request/1", sala::request_id{1}, R"({"a":2})"}, {"room/3", std::nullopt, ""}},
                  {});
    EXPECT_EQ(
        this->backend.open()->lifecycle(),
        (std::vector<sala::lifecycle_record>{{"notice/x", std::nullopt, R"({"m":"é"})"},
                                             {"request/1", sala::request_id{1}, R"({"a":2})"}}));
}

// Several processes on one lifecycle: another connection takes in exactly the
// rows written after its version, erasures included (docs/lifecycle.md).
TYPED_TEST_P(StoreConformance, LifecycleChangesSinceAVersion) {
    sala::durable_platform p(this->backend.open(), conformance::may_2021());
    auto other = this->backend.open();
    p.commit_step({{"request/1", sala::request_id{1}, R"({"a":1})"},
                   {"room/2", std::nullopt, R"({"b":1})"},
                   {"room/3", std::nullopt, R"({"c":1})"}},
                  {});
    std::uint64_t at = 0;
    EXPECT_EQ(other->lifecycle_changes(0, &at).size(), 3u);
    EXPECT_EQ(at, p.version());
    const std::uint64_t seen = at;
    p.commit_step({{"request/1", sala::request_id{1}, R"({"a":2})"}}, {});
    p.commit_step({{"room/2", std::nullopt, ""}}, {});
    EXPECT_EQ(other->lifecycle_changes(seen, &at),
              (std::vector<sala::lifecycle_record>{{"request/1", sala::request_id{1}, R"({"a":2})"},
                                                   {"room/2", std::nullopt, ""}}));
    EXPECT_EQ(at, p.version());
    EXPECT_TRUE(other->lifecycle_changes(at).empty());
    EXPECT_EQ(other->lifecycle().size(), 2u);  // the erased row is no row
    // A row written again after its erasure is back.
    p.commit_step({{"room/2", std::nullopt, R"({"b":2})"}}, {});
    EXPECT_EQ(other->lifecycle_changes(at),
              (std::vector<sala::lifecycle_record>{{"room/2", std::nullopt, R"({"b":2})"}}));
    EXPECT_EQ(other->lifecycle().size(), 3u);
}

// Leases (the ticker's, a step's claim): one holder until it expires or gives
// it up; taken inside a write transaction they go with its rollback; they do
// not bump the version.
TYPED_TEST_P(StoreConformance, LeasesAreExclusiveUntilTheyExpire) {
    using std::chrono::milliseconds;
    auto a = this->backend.open();
    auto b = this->backend.open();
    const sala::lease_time t0{milliseconds{1'620'000'000'000}};
    const std::uint64_t v = a->version();
    EXPECT_TRUE(a->take_lease("ticker", "A", t0, 10s));
    EXPECT_FALSE(b->take_lease("ticker", "B", t0 + 1s, 10s));
    EXPECT_EQ(b->lease_holder("ticker", t0 + 1s), std::optional<std::string>("A"));
    EXPECT_TRUE(a->take_lease("ticker", "A", t0 + 5s, 10s));  // renewed until t0 + 15 s
    EXPECT_FALSE(b->take_lease("ticker", "B", t0 + 12s, 10s));
    EXPECT_EQ(b->lease_holder("ticker", t0 + 15s), std::nullopt);
    EXPECT_TRUE(b->take_lease("ticker", "B", t0 + 15s, 10s));  // A died: taken over
    EXPECT_FALSE(a->take_lease("ticker", "A", t0 + 16s, 10s));
    a->release_lease("ticker", "A");  // not A's any more: nothing happens
    EXPECT_EQ(a->lease_holder("ticker", t0 + 16s), std::optional<std::string>("B"));
    b->release_lease("ticker", "B");
    EXPECT_EQ(a->lease_holder("ticker", t0 + 16s), std::nullopt);
    EXPECT_TRUE(a->take_lease("ticker", "A", t0 + 16s, 10s));
    EXPECT_TRUE(b->take_lease("other", "B", t0 + 16s, 10s));  // leases are independent

    a->begin_write();
    EXPECT_TRUE(a->take_lease("claim/request/1", "A", t0, 10s));
    EXPECT_EQ(a->lease_holder("claim/request/1", t0), std::optional<std::string>("A"));
    a->rollback();
    EXPECT_EQ(b->lease_holder("claim/request/1", t0), std::nullopt);
    EXPECT_EQ(a->version(), v);

    EXPECT_THROW(a->take_lease("", "A", t0, 10s), sala::invalid_argument);
    EXPECT_THROW(a->take_lease("x", "", t0, 10s), sala::invalid_argument);
    EXPECT_THROW(a->take_lease("x", "A", t0, milliseconds{0}), sala::invalid_argument);
    EXPECT_EQ(a->lease_holder("x", t0), std::nullopt);
}

// Saving a report key again replaces it.
TYPED_TEST_P(StoreConformance, ReportsAreReplacedByKey) {
    auto db = this->backend.open();
    const auto t = sala::make_utc(2021, 5, 12, 14, 0);
    sala::durable_platform p(db, conformance::may_2021());
    p.commit_step({}, {},
                  {{"attendance/1", sala::request_id{1}, "attendance", "v1", t},
                   {"recordings/1", sala::request_id{1}, "recordings", "[]", t}});
    p.commit_step({}, {}, {{"attendance/1", std::nullopt, "attendance", "v2", t + 1min}});
    EXPECT_EQ(this->backend.open()->reports(),
              (std::vector<sala::report_record>{
                  {"attendance/1", std::nullopt, "attendance", "v2", t + 1min},
                  {"recordings/1", sala::request_id{1}, "recordings", "[]", t}}));
}

// Another application's data is refused with store_error and left untouched.
TYPED_TEST_P(StoreConformance, ForeignStoreIsRefusedUntouched) {
    this->backend.make_foreign();
    const auto before = this->backend.fingerprint();
    try {
        auto db = this->backend.open();
        ADD_FAILURE() << "opened another application's store";
    } catch (const sala::store_error& e) {
        EXPECT_NE(std::string(e.what()).find("another application"), std::string::npos) << e.what();
        EXPECT_NE(std::string(e.what()).find("untouched"), std::string::npos) << e.what();
    }
    EXPECT_EQ(this->backend.fingerprint(), before);
}

// A schema newer than this sala is refused with store_error and left untouched.
TYPED_TEST_P(StoreConformance, NewerSchemaIsRefusedUntouched) {
    this->backend.make_newer();
    const auto before = this->backend.fingerprint();
    try {
        auto db = this->backend.open();
        ADD_FAILURE() << "opened a newer schema";
    } catch (const sala::store_error& e) {
        EXPECT_NE(std::string(e.what()).find("newer than this sala"), std::string::npos)
            << e.what();
    }
    EXPECT_EQ(this->backend.fingerprint(), before);
}

// Versioned schema: a version 1 store is migrated forward on open; version 2's
// and 3's tables work.
TYPED_TEST_P(StoreConformance, MigratesFromVersion1) {
    this->backend.make_at_version(1);
    auto db = this->backend.open();
    EXPECT_EQ(db->schema_version(), 3);
    sala::durable_platform p(db, conformance::may_2021());
    conformance::seed_rooms(p);
    p.commit_step({{"room/2", std::nullopt, "{}"}}, {{"mail", "k/1", "{}", std::nullopt}});
    EXPECT_EQ(db->outbox().size(), 1u);
    EXPECT_EQ(db->lifecycle().size(), 1u);
    EXPECT_EQ(db->lifecycle_changes(0).size(), 1u);
    EXPECT_EQ(this->backend.open()->load(), p.state());
    const auto a = p.submit(conformance::webinar("A", 10, 9, 60));
    p.cancel(a.id);
    EXPECT_TRUE(p.history_of(a.id));
}

// Overlaps are refused by the store itself, even from a buggy writer (R1).
TYPED_TEST_P(StoreConformance, StoreRefusesOverlappingReservations_R1) {
    auto db = this->backend.open();
    sala::durable_platform p(db, conformance::may_2021());
    conformance::seed_rooms(p);
    const auto a = p.submit(conformance::webinar("A", 10, 9, 60));
    const auto b = p.submit(conformance::webinar("B", 10, 9, 30));
    sala::change_set c;
    c.reservations.push_back({b.id, *a.assignment.room, p.state().reservations.at(b.id).blocked});
    db->begin_write();
    try {
        db->write(c);
        ADD_FAILURE() << "overlap accepted";
    } catch (const sala::backend_error& e) {
        EXPECT_FALSE(e.retryable()) << e.what();
    }
    db->rollback();
    EXPECT_EQ(db->load(), p.state());
    // Back to back is no overlap (half-open intervals).
    const auto& blocked = p.state().reservations.at(a.id).blocked;
    sala::change_set touching;
    touching.reservations.push_back(
        {b.id, *a.assignment.room, sala::interval{blocked.end(), blocked.end() + 30min}});
    db->begin_write();
    EXPECT_NO_THROW(db->write(touching));
    db->rollback();
}

// The lifecycle on a store: its step state is saved after every tick; a
// restarted host gets it back and catches up each missed step once (R16).
TYPED_TEST_P(StoreConformance, LifecycleCatchesUpOnceAfterARestart_R16) {
    auto clock = conformance::may_2021();
    sala::fake_conferencing conf(seed::symposium_users(), clock);
    sala::fake_mailer mail;
    sala::lifecycle_options o;
    o.from = {"Symposium", "no-reply@symposium.events"};
    o.admin = {"Admin", "admin@symposium.events"};
    auto madrid = [](unsigned h, unsigned mi) {
        return sala::to_instant(sala::make_local(2021, 5, 12, h, mi), "Europe/Madrid");
    };
    sala::lifecycle_state saved;
    {
        sala::durable_platform p(this->backend.open(), clock);
        sala::durable_lifecycle life(p, conf, mail, o);
        p.link_account("symposium", sala::pool_kind::own, conf.list_users());
        for (std::uint32_t r = 1; r <= 4; ++r) p.activate(sala::room_id{r});
        p.set_mode(sala::room_id{1}, sala::room_mode::automatic);
        p.submit(seed::fixture::webinar("webinar de tarde", 2021, 5, 12, 15, 5, 50));
        life.tick(clock->now());
        clock->set(madrid(15, 0));  // inside the credentials window (R12)
        life.tick(clock->now());
        ASSERT_EQ(mail.with_key_prefix("credentials/").size(), 1u);
        saved = life.engine().state();
    }
    sala::durable_platform p(this->backend.open(), clock);
    sala::durable_lifecycle life(p, conf, mail, o);
    EXPECT_EQ(life.engine().state(), saved);
    life.tick(clock->now());
    EXPECT_EQ(conf.count(sala::fake_conferencing::method::create_webinar), 1u);
    EXPECT_EQ(mail.with_key_prefix("credentials/").size(), 1u);
    clock->set(madrid(18, 0));  // a long outage: end and report, each once
    life.tick(clock->now());
    life.tick(clock->now());
    EXPECT_EQ(conf.count(sala::fake_conferencing::method::end_webinar), 1u);
    EXPECT_EQ(sala::from_records(this->backend.open()->lifecycle()), life.engine().state());
}

#include "store_conformance_group.hpp"    // group commit
#include "store_conformance_history.hpp"  // several processes: sync, history, retention

REGISTER_TYPED_TEST_SUITE_P(
    StoreConformance, NewStoreIsEmptyAtVersionZero, RoundTripOfEveryEntity_R1_R11,
    EveryCommandIsOneTransaction, RejectedCommandWritesNothing_R3_R8, FailedWriteReloadsMemory_R9,
    RollbackDiscardsTheTransaction, ChangesSinceCarriesAnotherWritersCommits_R1_R9,
    QueueKeepsItsOrder_R10, OutboxEnqueueIsIdempotentByKey_R10_R16, DueEffectsMarkDoneAndMarkFailed,
    DispatcherSendsOnceRetriesAndGivesUp, OneDispatcherAtATime,
    LifecycleRowsAreSetReplacedAndErased, LifecycleChangesSinceAVersion,
    LeasesAreExclusiveUntilTheyExpire, ReportsAreReplacedByKey, ForeignStoreIsRefusedUntouched,
    NewerSchemaIsRefusedUntouched, MigratesFromVersion1, StoreRefusesOverlappingReservations_R1,
    LifecycleCatchesUpOnceAfterARestart_R16, InconsistentChangesReloadInFullAndSayWhy_R1,
    CancelledRequestsStayAsHistory_R17, FinishedWebinarsLeaveMemoryAfterRetention_R15_R17,
    SettingsOverAnExistingStoreAreAppliedOrRefused, LifecycleArchivesOnlyWhatIsDone_R15_R19,
    GroupCommitsSeveralCommandsInOneTransaction_R1_R9, FailedWriteInAGroupUndoesTheWholeGroup_R9,
    RolledBackGroupLeavesNothing, StepEffectsStagedInAGroupAreCommittedWithIt_R16);
