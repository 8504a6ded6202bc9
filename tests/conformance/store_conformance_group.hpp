#pragma once
// The store conformance suite, continued (included by store_conformance.hpp
// before the suite is registered): group commit, several commands in one
// store transaction (durable_platform::begin_group / commit_group).

#include <gtest/gtest.h>

#include <vector>

#include "sala/durable/durable_platform.hpp"
#include "store_support.hpp"

// A group is one transaction: another connection sees none of it before the
// commit and all of it after; each command decided on the ones before it
// (first-fit fills rooms 2 then 3, then queues), a refused one changed nothing
// and the others still commit; listeners hear the events only after the commit
// (R1, R3, R8, R9).
TYPED_TEST_P(StoreConformance, GroupCommitsSeveralCommandsInOneTransaction_R1_R9) {
    auto other = this->backend.open();
    auto clock = conformance::may_2021();
    sala::durable_platform p(this->backend.open(), clock);
    conformance::seed_rooms(p);
    std::vector<sala::event_kind> heard;
    p.subscribe([&](const sala::event& e) { heard.push_back(e.kind); });
    const auto v = other->version();
    p.begin_group();
    EXPECT_TRUE(p.in_group());
    const auto a = p.submit(conformance::webinar("A", 10, 9, 60));
    const auto b = p.submit(conformance::webinar("B", 10, 9, 60));
    EXPECT_THROW(p.submit(conformance::webinar("too long", 10, 9, 600)), sala::invalid_argument);
    const auto c = p.submit(conformance::webinar("C", 10, 9, 60));
    EXPECT_EQ(a.assignment.room, sala::room_id{2});
    EXPECT_EQ(b.assignment.room, sala::room_id{3});
    EXPECT_FALSE(c.assignment);
    EXPECT_TRUE(heard.empty());
    EXPECT_EQ(this->backend.open()->version(), v);  // nothing visible yet
    p.commit_group();
    EXPECT_FALSE(p.in_group());
    EXPECT_FALSE(heard.empty());
    EXPECT_GT(other->version(), v);
    EXPECT_EQ(other->load(), p.state());
    EXPECT_EQ(p.version(), other->version());
    // Another process takes the group in as one set of changes.
    sala::durable_platform q(this->backend.open(), clock);
    EXPECT_EQ(q.state(), p.state());
}

// A failed write inside a group spoils all of it: later commands of the group
// throw at once, commit_group() rethrows, nothing of the group is in the store
// or in memory, and the next command works (R9).
TYPED_TEST_P(StoreConformance, FailedWriteInAGroupUndoesTheWholeGroup_R9) {
    auto db = std::make_shared<conformance::spy_store>(this->backend.open());
    sala::durable_platform p(db, conformance::may_2021());
    conformance::seed_rooms(p);
    const auto before = p.state();
    const auto version = p.version();
    std::size_t heard = 0;
    p.subscribe([&](const sala::event&) { ++heard; });
    p.begin_group();
    p.submit(conformance::webinar("A", 10, 9, 60));
    db->fail_next_write();
    EXPECT_THROW(p.submit(conformance::webinar("B", 10, 9, 60)), sala::backend_error);
    EXPECT_THROW(p.submit(conformance::webinar("C", 11, 9, 60)), sala::backend_error);
    EXPECT_THROW(p.commit_group(), sala::backend_error);
    EXPECT_FALSE(p.in_group());
    EXPECT_EQ(heard, 0u);
    EXPECT_EQ(p.state(), before);
    EXPECT_EQ(p.version(), version);
    EXPECT_EQ(db->load(), before);
    EXPECT_EQ(p.submit(conformance::webinar("B", 10, 9, 60)).assignment.room, sala::room_id{2});
    EXPECT_EQ(this->backend.open()->load(), p.state());
}

// A lifecycle step's decision may stage effects inside a group as it may alone;
// they are committed with the group (R16).
TYPED_TEST_P(StoreConformance, StepEffectsStagedInAGroupAreCommittedWithIt_R16) {
    auto db = this->backend.open();
    sala::durable_platform p(db, conformance::may_2021());
    conformance::seed_rooms(p);
    const auto outbox = db->outbox().size();
    p.begin_group();
    p.commit_step_with([&](sala::platform&) {
        p.stage_effects({{"mail", "group/step/1", "{}", std::nullopt}});
        return std::vector<sala::lifecycle_record>{};
    });
    EXPECT_EQ(this->backend.open()->outbox().size(), outbox);
    p.commit_group();
    ASSERT_EQ(db->outbox().size(), outbox + 1);
    EXPECT_EQ(db->outbox().back().effect.idempotency_key, "group/step/1");
    EXPECT_THROW(p.stage_effects({}), sala::error);  // outside a command
}

// rollback_group() drops the group; misuse is refused by name.
TYPED_TEST_P(StoreConformance, RolledBackGroupLeavesNothing) {
    auto db = this->backend.open();
    sala::durable_platform p(db, conformance::may_2021());
    conformance::seed_rooms(p);
    const auto before = p.state();
    EXPECT_THROW(p.commit_group(), sala::error);
    p.begin_group();
    EXPECT_THROW(p.begin_group(), sala::error);
    p.submit(conformance::webinar("A", 10, 9, 60));
    p.rollback_group();
    p.rollback_group();  // no group: nothing to do
    EXPECT_EQ(p.state(), before);
    EXPECT_EQ(db->load(), before);
    EXPECT_EQ(p.submit(conformance::webinar("A", 10, 9, 60)).assignment.room, sala::room_id{2});
}
