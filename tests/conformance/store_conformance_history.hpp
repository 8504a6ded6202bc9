#pragma once
// The store conformance suite, continued (included by store_conformance.hpp
// before the suite is registered): consistency of taking in others' commits,
// history, retention and settings over an existing store.

#include <gtest/gtest.h>

#include "sala/durable/durable_lifecycle.hpp"
#include "sala/fakes/fake_conferencing.hpp"
#include "sala/fakes/fake_mailer.hpp"
#include "store_support.hpp"

// Changes that contradict what this process holds (here: its memory went
// behind the store's back) are not applied half: the process reloads in full,
// says which check failed, and ends up exactly as the store (R1).
TYPED_TEST_P(StoreConformance, InconsistentChangesReloadInFullAndSayWhy_R1) {
    auto clock = conformance::may_2021();
    sala::durable_platform a(this->backend.open(), clock);
    conformance::seed_rooms(a);
    sala::durable_platform b(this->backend.open(), clock);
    // Not saved: inner() is not for commands. Room 2 now looks busy to a only.
    ASSERT_TRUE(a.inner().submit(conformance::webinar("ghost 1", 12, 9, 60)).assignment);
    ASSERT_EQ(a.inner().submit(conformance::webinar("ghost 2", 10, 9, 60)).assignment.room,
              sala::room_id{2});
    ASSERT_EQ(b.submit(conformance::webinar("real", 10, 9, 60)).assignment.room, sala::room_id{2});
    const std::size_t reloads = a.reloads();
    a.refresh();
    EXPECT_EQ(a.reloads(), reloads + 1);
    EXPECT_NE(a.last_reload_reason().find("consistency check"), std::string::npos)
        << a.last_reload_reason();
    EXPECT_NE(a.last_reload_reason().find("reservations"), std::string::npos)
        << a.last_reload_reason();
    EXPECT_EQ(a.state(), this->backend.open()->load());
}

// A cancelled request keeps its record, as history: status, when, by which
// command, the room it held, its blocked interval; queryable per room, per
// window and per event without loading it.
TYPED_TEST_P(StoreConformance, CancelledRequestsStayAsHistory_R17) {
    auto clock = conformance::may_2021();
    sala::durable_platform p(this->backend.open(), clock);
    conformance::seed_rooms(p);
    auto in = conformance::webinar("A", 10, 9, 60);
    in.event_id = "congress";
    const auto a = p.submit(in);
    const auto b = p.submit(conformance::webinar("B", 12, 9, 60));
    ASSERT_TRUE(a.assignment && b.assignment);
    const auto held = a.assignment.room;
    const auto blocked = p.view().get_request(a.id).window.blocked;
    clock->advance(30min);
    p.cancel(a.id);
    EXPECT_FALSE(p.state().requests.count(a.id));
    const auto h = p.history_of(a.id);
    ASSERT_TRUE(h);
    EXPECT_EQ(h->status, sala::history_status::cancelled);
    EXPECT_EQ(h->command, "cancel");
    EXPECT_EQ(h->at, clock->now());
    EXPECT_EQ(h->room, held);
    EXPECT_EQ(h->request.window.blocked, blocked);
    EXPECT_EQ(h->request.title, "A");
    EXPECT_EQ(p.get_request(a.id).title, "A");  // not "not found"
    EXPECT_THROW(p.get_request(sala::request_id{99}), sala::not_found);
    // Queries: by room, window, event.
    EXPECT_EQ(p.history({held, std::nullopt, std::nullopt}).size(), 1u);
    EXPECT_TRUE(p.history({sala::room_id{6}, std::nullopt, std::nullopt}).empty());
    EXPECT_EQ(p.history({std::nullopt, blocked, std::nullopt}).size(), 1u);
    const sala::interval later{blocked.end() + 24h, blocked.end() + 48h};
    EXPECT_TRUE(p.history({std::nullopt, later, std::nullopt}).empty());
    EXPECT_EQ(p.history({std::nullopt, std::nullopt, std::string("congress")}).size(), 1u);
    EXPECT_TRUE(p.history({std::nullopt, std::nullopt, std::string("other")}).empty());
    // Another process sees it too, and never loads it into its state.
    sala::durable_platform q(this->backend.open(), clock);
    EXPECT_FALSE(q.state().requests.count(a.id));
    EXPECT_EQ(q.history_of(a.id), p.history_of(a.id));
}

// Bounded hot state: finished webinars leave memory after the retention
// window and stay in the store as history (status finished, with the room and
// report); others' processes drop them at their next command; a rejected
// retention changes nothing.
TYPED_TEST_P(StoreConformance, FinishedWebinarsLeaveMemoryAfterRetention_R15_R17) {
    auto clock = conformance::may_2021();
    auto db = this->backend.open();
    sala::durable_platform p(db, clock);
    conformance::seed_rooms(p);
    const auto a = p.submit(conformance::webinar("A", 10, 9, 60));
    const auto b = p.submit(conformance::webinar("B", 20, 9, 60));
    auto late = p.submit(conformance::webinar("C", 10, 9, 60));
    late = p.submit(conformance::webinar("D", 10, 9, 60));  // queued: both automatic rooms busy
    ASSERT_FALSE(late.assignment);
    p.commit_step({}, {},
                  {{"attendance/1", a.id, "attendance", "name,email\nAna,ana@x\n", clock->now()}});
    sala::durable_platform other(this->backend.open(), clock);
    EXPECT_EQ(p.archive_finished(), 0u);  // nothing finished yet
    EXPECT_THROW(p.archive_finished(-1min), sala::invalid_argument);
    clock->set(sala::make_utc(2021, 5, 12, 12, 0));  // two days after A, C and D
    EXPECT_EQ(p.archive_finished(), 0u);             // inside the 7-day window
    EXPECT_EQ(p.archive_finished(24h, [&](sala::request_id id) { return id == late.id; }), 2u);
    EXPECT_FALSE(p.state().requests.count(a.id));
    EXPECT_TRUE(p.state().requests.count(late.id));  // kept back by the predicate
    EXPECT_TRUE(p.state().requests.count(b.id));     // not finished
    const auto h = p.history_of(a.id);
    ASSERT_TRUE(h);
    EXPECT_EQ(h->status, sala::history_status::finished);
    EXPECT_EQ(h->command, "archive");
    EXPECT_EQ(h->room, sala::room_id{2});
    EXPECT_EQ(h->report, "name,email\nAna,ana@x\n");
    EXPECT_EQ(p.archive_finished(24h), 1u);  // D, queued and never held a room
    EXPECT_EQ(p.history_of(late.id)->room, std::nullopt);
    EXPECT_TRUE(p.state().queue.empty());
    // The other process drops them at its next command, row by row.
    other.submit(conformance::webinar("E", 21, 9, 60));
    p.refresh();
    EXPECT_EQ(other.state(), p.state());
    EXPECT_EQ(this->backend.open()->load(), p.state());
    EXPECT_EQ(p.history({}).size(), 3u);
}

// Settings given to a durable platform over a store that holds others are
// applied as a command, or refused with the field named; never ignored.
TYPED_TEST_P(StoreConformance, SettingsOverAnExistingStoreAreAppliedOrRefused) {
    auto clock = conformance::may_2021();
    auto db = this->backend.open();
    { sala::durable_platform p(db, clock); }
    sala::settings s;
    s.preparation = 40min;
    {
        sala::durable_platform p(this->backend.open(), clock, s);
        EXPECT_EQ(p.view().get_settings().preparation, 40min);
    }
    EXPECT_EQ(this->backend.open()->load().settings.preparation, 40min);
    sala::durable_platform kept(this->backend.open(), clock);  // none given: the store's
    EXPECT_EQ(kept.view().get_settings().preparation, 40min);
    sala::settings bad;
    bad.min_duration = 0min;
    const auto before = this->backend.open()->load();
    EXPECT_THROW(sala::durable_platform(this->backend.open(), clock, bad), sala::invalid_settings);
    EXPECT_EQ(this->backend.open()->load(), before);
}

// Bounded hot state with a lifecycle: a webinar leaves memory only after the
// retention window and once its lifecycle has nothing left (busy_requests:
// recordings still polled hold it back, R19), its step record with it in one
// transaction, and the lifecycle never takes the archived webinar for a
// cancelled one (no delete on the backend) (R15, R19).
TYPED_TEST_P(StoreConformance, LifecycleArchivesOnlyWhatIsDone_R15_R19) {
    auto clock = conformance::may_2021();
    sala::fake_conferencing conf(seed::symposium_users(), clock);
    sala::fake_mailer mail;
    sala::lifecycle_options o;
    o.retention = std::chrono::hours{24};
    sala::durable_platform p(this->backend.open(), clock);
    sala::durable_lifecycle life(p, conf, mail, o);
    p.link_account("symposium", sala::pool_kind::own, conf.list_users());
    for (std::uint32_t r = 1; r <= 4; ++r) p.activate(sala::room_id{r});
    p.set_mode(sala::room_id{1}, sala::room_mode::automatic);
    const auto a = p.submit(seed::fixture::webinar("webinar de tarde", 2021, 5, 12, 15, 5, 50));
    const auto later = p.submit(seed::fixture::webinar("más tarde", 2021, 6, 20, 15, 5, 50));
    for (auto t = clock->now(); t < sala::make_utc(2021, 5, 13); t += std::chrono::minutes{30}) {
        clock->set(t);
        life.tick(t);
    }
    EXPECT_EQ(conf.count(sala::fake_conferencing::method::end_webinar), 1u);
    // Ended, but inside the retention window: still live.
    EXPECT_TRUE(p.state().requests.count(a.id));
    EXPECT_TRUE(life.engine().state().webinars.count(a.id));
    const auto deletes = conf.count(sala::fake_conferencing::method::delete_webinar);
    // Once nothing is left to do and the window has passed, it leaves memory.
    for (auto t = clock->now(); t < sala::make_utc(2021, 5, 22); t += std::chrono::hours{1}) {
        clock->set(t);
        life.tick(t);
    }
    EXPECT_FALSE(life.engine().busy_requests().count(a.id));
    EXPECT_FALSE(p.state().requests.count(a.id));
    EXPECT_FALSE(life.engine().state().webinars.count(a.id));
    EXPECT_TRUE(p.state().requests.count(later.id));
    const auto h = p.history_of(a.id);
    ASSERT_TRUE(h);
    EXPECT_EQ(h->status, sala::history_status::finished);
    for (int k = 0; k < 3; ++k) life.tick(clock->now() + std::chrono::hours{k});
    EXPECT_EQ(conf.count(sala::fake_conferencing::method::delete_webinar), deletes);
    EXPECT_EQ(sala::from_records(this->backend.open()->lifecycle()), life.engine().state());
    // A second process opens with the live set only.
    sala::durable_platform q(this->backend.open(), clock);
    EXPECT_EQ(q.state(), p.state());
}
