// sala/platform.hpp: one test (or more) per rule R1-R11 and R17, with the seed's examples.
#include "sala/platform.hpp"

#include <gtest/gtest.h>

#include "sala/error.hpp"
#include "seed_fixture.hpp"

using namespace std::chrono_literals;
using sala::room_mode;
using seed::fixture;

namespace {

template <class F>
std::string violated_rule(F&& f) {
    try {
        f();
    } catch (const sala::rule_violation& e) {
        return e.rule();
    }
    return "<allowed>";
}

template <class F>
std::string rejected_field(F&& f) {
    try {
        f();
    } catch (const sala::invalid_argument& e) {
        return e.field();
    }
    return "<accepted>";
}

std::string local(sala::instant t) { return sala::format(t, seed::madrid); }

}  // namespace

// ---- R1 ------------------------------------------------------------------------

TEST(Rules, R1_OwnerIsNeverARoomAndItsLicenceIsReportedWasted) {
    auto clock = std::make_shared<sala::manual_clock>(sala::make_utc(2021, 5, 1));
    sala::platform p({}, clock);
    auto users = seed::symposium_users();
    users.push_back({"u13", "nolicence@symposium.events", "Sin licencia", false, false, 100});
    const auto rep = p.link_account("symposium", sala::pool_kind::own, users);
    ASSERT_EQ(rep.new_rooms.size(), 4u);
    ASSERT_EQ(rep.wasted_licences.size(), 1u);
    EXPECT_EQ(rep.wasted_licences[0].email, "admin@symposium.events");
    ASSERT_EQ(rep.unlicensed.size(), 1u);
    EXPECT_EQ(rep.unlicensed[0].email, "nolicence@symposium.events");
    for (const auto& r : p.rooms()) EXPECT_NE(r.email, "admin@symposium.events");
    EXPECT_EQ(p.get_room(sala::room_id{1}).email, "symposiumwebinar09@symposium.events");
    EXPECT_EQ(p.get_room(sala::room_id{4}).capacity, 500);
}

TEST(Rules, R1_UnlicensedOwnerIsNotAWaste) {
    sala::platform p({}, std::make_shared<sala::manual_clock>());
    const auto rep = p.link_account(
        "x", sala::pool_kind::own,
        {{"o", "owner@x.org", "Owner", true, false, 0}, {"a", "a@x.org", "A", false, true, 100}});
    EXPECT_TRUE(rep.wasted_licences.empty());
    EXPECT_EQ(rep.new_rooms.size(), 1u);
}

TEST(Rules, R1_ARoomHoldsOneBlockAtATime) {
    fixture f(seed::seed_2086_settings());
    f.activate_all();
    const auto a = f.p.submit(fixture::webinar("A", 2021, 5, 12, 15, 5, 50));
    ASSERT_TRUE(a.assignment);
    EXPECT_EQ(*a.assignment.room, f.r09);
    const auto b = f.p.submit(fixture::webinar("B", 2021, 5, 12, 15, 30, 50));
    EXPECT_EQ(*b.assignment.room, f.r10);  // 09 is busy, first-fit moves on
    // Forcing B onto 09 by hand fails and changes nothing.
    const auto before = f.p.state();
    const auto res = f.p.assign(b.id, f.r09);
    EXPECT_EQ(res.status, sala::assign_status::room_not_free);
    EXPECT_NE(res.reason.find("'A' blocks it"), std::string::npos) << res.reason;
    EXPECT_EQ(f.p.state(), before);
    EXPECT_THROW(res.value(), sala::room_not_free);
}

TEST(Rules, R1_LinkRejectsBadUserListsWhole) {
    sala::platform p({}, std::make_shared<sala::manual_clock>());
    const auto before = p.state();
    EXPECT_EQ(rejected_field([&] {
                  p.link_account("x", sala::pool_kind::own,
                                 {{"a", "a@x.org", "A"}, {"a", "b@x.org", "B"}});
              }),
              "users[1].user_id");
    EXPECT_EQ(rejected_field([&] {
                  p.link_account("x", sala::pool_kind::own, {{"a", "a\r\n@x.org", "A"}});
              }),
              "users[0].email");
    EXPECT_EQ(p.state(), before);
}

// ---- R2 ------------------------------------------------------------------------

TEST(Rules, R2_LinkedUsersStartInactiveAndActivationMakesThemManual) {
    fixture f;
    for (const auto& r : f.p.rooms()) {
        EXPECT_FALSE(r.active);
        EXPECT_EQ(r.mode, room_mode::manual);
    }
    // Nothing active: a request is queued.
    const auto s = f.p.submit(fixture::webinar("X", 2021, 5, 12, 15, 5, 50));
    EXPECT_EQ(s.assignment.status, sala::assign_status::no_room_free);
    f.p.activate(f.r10);
    EXPECT_TRUE(f.p.get_room(f.r10).active);
    EXPECT_EQ(f.p.get_room(f.r10).mode, room_mode::manual);
    // Manual rooms are not given out automatically (R9).
    EXPECT_FALSE(f.p.retry(s.id));
}

TEST(Rules, R2_RelinkingAddsNewLicencesAndKeepsRooms) {
    fixture f;
    f.activate_all();
    auto users = seed::symposium_users();
    users.push_back({"u13", "symposiumwebinar13@symposium.events", "New licence"});
    const auto rep = f.p.link_account("symposium", sala::pool_kind::own, users);
    ASSERT_EQ(rep.new_rooms.size(), 1u);
    EXPECT_EQ(rep.new_rooms[0], sala::room_id{5});
    EXPECT_FALSE(f.p.get_room(sala::room_id{5}).active);
    EXPECT_TRUE(f.p.get_room(f.r09).active);  // unchanged
    EXPECT_EQ(f.p.get_room(f.r09).mode, room_mode::automatic);
    EXPECT_EQ(f.p.pools().size(), 1u);
}

TEST(Rules, R2_UnknownRoomIsNotFound) {
    fixture f;
    EXPECT_THROW(f.p.activate(sala::room_id{99}), sala::not_found);
    EXPECT_THROW(f.p.activate(sala::room_id{0}), sala::not_found);
    EXPECT_THROW(f.p.set_mode(sala::room_id{5}, room_mode::automatic), sala::not_found);
}

// ---- R3 ------------------------------------------------------------------------

TEST(Rules, R3_ManualToAutomaticAlwaysAutomaticToManualOnlyWithoutReservations) {
    fixture f(seed::seed_2086_settings());
    f.activate_all();
    const auto s = f.p.submit(fixture::webinar("A", 2021, 5, 12, 15, 5, 50));
    ASSERT_EQ(*s.assignment.room, f.r09);
    const auto before = f.p.state();
    EXPECT_EQ(violated_rule([&] { f.p.set_mode(f.r09, room_mode::manual); }), "R3");
    EXPECT_EQ(f.p.state(), before);
    EXPECT_EQ(violated_rule([&] { f.p.set_mode(f.r10, room_mode::manual); }), "<allowed>");
    EXPECT_EQ(violated_rule([&] { f.p.set_mode(f.r10, room_mode::automatic); }), "<allowed>");
    // Once the webinar is over the room holds no reservation any more.
    f.clock->set(sala::make_utc(2021, 5, 12, 14, 2));
    EXPECT_EQ(violated_rule([&] { f.p.set_mode(f.r09, room_mode::manual); }), "<allowed>");
}

TEST(Rules, R3_InactiveRoomHasNoMode) {
    fixture f;
    EXPECT_EQ(violated_rule([&] { f.p.set_mode(f.r09, room_mode::automatic); }), "R2");
}

// ---- R4 ------------------------------------------------------------------------

TEST(Rules, R4_RoomWithScheduledWebinarsCannotBeDeactivated) {
    fixture f(seed::seed_2086_settings());
    f.activate_all();
    const auto s =
        f.p.submit(fixture::webinar("webinar sesión turno de tarde", 2021, 5, 12, 15, 5, 50));
    ASSERT_EQ(*s.assignment.room, f.r09);
    const auto before = f.p.state();
    EXPECT_EQ(violated_rule([&] { f.p.deactivate(f.r09); }), "R4");
    EXPECT_EQ(f.p.state(), before);
    // Still scheduled during post-processing (blocked until 16:01 Madrid = 14:01 UTC).
    f.clock->set(sala::make_utc(2021, 5, 12, 14, 0));
    EXPECT_EQ(violated_rule([&] { f.p.deactivate(f.r09); }), "R4");
    f.clock->set(sala::make_utc(2021, 5, 12, 14, 1));
    EXPECT_EQ(violated_rule([&] { f.p.deactivate(f.r09); }), "<allowed>");
    // Deactivated: still listed under the account, can come back (as manual).
    EXPECT_FALSE(f.p.get_room(f.r09).active);
    EXPECT_EQ(f.p.rooms().size(), 4u);
    f.p.activate(f.r09);
    EXPECT_TRUE(f.p.get_room(f.r09).active);
    EXPECT_EQ(f.p.get_room(f.r09).mode, room_mode::manual);
}

TEST(Rules, R4_DeactivatedRoomTakesNoRequests) {
    fixture f(seed::seed_2086_settings());
    f.activate_all();
    f.p.deactivate(f.r09);
    const auto s = f.p.submit(fixture::webinar("A", 2021, 5, 12, 15, 5, 50));
    EXPECT_EQ(*s.assignment.room, f.r10);
    const auto before = f.p.state();
    EXPECT_EQ(violated_rule([&] { f.p.assign(s.id, f.r09); }), "R10");  // inactive: not assignable
    EXPECT_EQ(f.p.state(), before);
}

// ---- R5 ------------------------------------------------------------------------

TEST(Rules, R5_OwnAccountTakesNewRequestsLentBookingsStay) {
    auto clock = std::make_shared<sala::manual_clock>(sala::make_utc(2021, 5, 1));
    sala::platform p(seed::seed_2086_settings(), clock);
    const auto lent = p.link_account("symposium-lent", sala::pool_kind::lent,
                                     {{"l1", "lent1@symposium.org", "Lent 1"}});
    p.activate(lent.new_rooms[0]);
    p.set_mode(lent.new_rooms[0], room_mode::automatic);
    const auto early = p.submit(fixture::webinar("Before linking", 2021, 5, 12, 15, 5, 50));
    ASSERT_EQ(*early.assignment.room, lent.new_rooms[0]);
    EXPECT_TRUE(p.takes_new_requests(lent.pool));

    const auto own = p.link_account("institution", sala::pool_kind::own, seed::symposium_users());
    EXPECT_FALSE(p.takes_new_requests(lent.pool));
    EXPECT_TRUE(p.takes_new_requests(own.pool));
    // Booked webinars keep the lent room.
    EXPECT_EQ(p.reservation_of(early.id)->room, lent.new_rooms[0]);
    // New requests do not go to the lent room even though it is free and automatic.
    const auto later = p.submit(fixture::webinar("After linking", 2021, 5, 13, 9, 0, 50));
    EXPECT_EQ(later.assignment.status, sala::assign_status::no_room_free);
    EXPECT_EQ(violated_rule([&] { p.assign(later.id, lent.new_rooms[0]); }), "R5");
    p.activate(own.new_rooms[0]);
    p.set_mode(own.new_rooms[0], room_mode::automatic);
    EXPECT_EQ(p.retry(later.id).room, own.new_rooms[0]);
    EXPECT_THROW(p.link_account("symposium-lent", sala::pool_kind::own, {}),
                 sala::invalid_argument);
}

// ---- R6 / R8 --------------------------------------------------------------------------

TEST(Rules, R6_RequestKeepsWhatTheOrganizerGave) {
    fixture f(seed::seed_2086_settings());
    f.activate_all();
    auto in = fixture::webinar("webinar sesión turno de tarde", 2021, 5, 12, 15, 5, 50);
    in.admission = sala::admission::manual;
    in.expected_attendees = 80;
    in.panelists = {"panel@example.org"};
    const auto s = f.p.submit(in);
    const auto rq = f.p.get_request(s.id);
    EXPECT_EQ(rq.title, in.title);
    EXPECT_EQ(rq.local_start, in.start);
    EXPECT_EQ(rq.zone, "Europe/Madrid");
    EXPECT_EQ(rq.duration, 50min);
    EXPECT_EQ(rq.admission, sala::admission::manual);
    EXPECT_EQ(rq.event_id, "2086");
    EXPECT_EQ(rq.organizer.email, "support@symposium.events");
    EXPECT_EQ(rq.expected_attendees, 80);
    EXPECT_EQ(rq.panelists, in.panelists);
    EXPECT_EQ(rq.window.start, sala::make_utc(2021, 5, 12, 13, 5));
}

TEST(Rules, R8_DaysInAdvanceAndDurationLimits) {
    sala::settings s;
    s.min_days_in_advance = 2;
    s.max_days_in_advance = 30;
    s.min_duration = 30min;
    s.max_duration = 240min;
    fixture f(s);  // now: 2021-05-01 00:00 UTC
    f.activate_all();
    const auto before = f.p.state();
    EXPECT_EQ(rejected_field([&] { f.p.submit(fixture::webinar("soon", 2021, 5, 2, 9, 0, 60)); }),
              "start");
    EXPECT_EQ(rejected_field([&] { f.p.submit(fixture::webinar("far", 2021, 6, 5, 9, 0, 60)); }),
              "start");
    EXPECT_EQ(rejected_field([&] { f.p.submit(fixture::webinar("short", 2021, 5, 10, 9, 0, 29)); }),
              "duration");
    EXPECT_EQ(rejected_field([&] { f.p.submit(fixture::webinar("long", 2021, 5, 10, 9, 0, 241)); }),
              "duration");
    EXPECT_EQ(rejected_field([&] { f.p.submit(fixture::webinar("zero", 2021, 5, 10, 9, 0, 0)); }),
              "duration");
    EXPECT_EQ(rejected_field([&] { f.p.submit(fixture::webinar("neg", 2021, 5, 10, 9, 0, -60)); }),
              "duration");
    EXPECT_EQ(rejected_field([&] { f.p.submit(fixture::webinar("past", 2021, 4, 20, 9, 0, 60)); }),
              "start");
    EXPECT_EQ(f.p.state(), before);  // rejected requests leave no trace, not even an id
    EXPECT_EQ(rejected_field([&] { f.p.submit(fixture::webinar("ok", 2021, 5, 3, 9, 0, 30)); }),
              "<accepted>");
    EXPECT_EQ(rejected_field([&] { f.p.submit(fixture::webinar("ok", 2021, 5, 31, 9, 0, 240)); }),
              "<accepted>");
    EXPECT_THROW(f.p.set_settings([] {
        sala::settings b;
        b.courtesy = -1min;
        return b;
    }()),
                 sala::invalid_settings);
}

TEST(Rules, R8_DstGapAndOverlapNeedAChoice) {
    fixture f;
    f.activate_all();
    auto gap = fixture::webinar("gap", 2021, 3, 28, 2, 30, 60);
    f.clock->set(sala::make_utc(2021, 3, 1));
    const auto before = f.p.state();
    EXPECT_THROW(f.p.submit(gap), sala::nonexistent_local_time);
    auto twice = fixture::webinar("twice", 2021, 10, 31, 2, 30, 60);
    EXPECT_THROW(f.p.submit(twice), sala::ambiguous_local_time);
    EXPECT_EQ(f.p.state(), before);
    twice.resolve = sala::choose::latest;
    const auto s = f.p.submit(twice);
    EXPECT_EQ(f.p.get_request(s.id).window.start, sala::make_utc(2021, 10, 31, 1, 30));
    gap.resolve = sala::choose::earliest;
    EXPECT_EQ(f.p.get_request(f.p.submit(gap).id).window.start, sala::make_utc(2021, 3, 28, 1, 0));
}

// ---- R7 / R9 --------------------------------------------------------------------------

TEST(Rules, R7_SeedBlockedIntervalsOfEvent2086) {
    fixture f(seed::seed_2086_settings());
    f.activate_all();
    const auto a =
        f.p.submit(fixture::webinar("webinar sesión turno de tarde", 2021, 5, 12, 15, 5, 50));
    const auto b =
        f.p.submit(fixture::webinar("webinar sesión turno de mañana", 2021, 5, 13, 9, 0, 50));
    const auto wa = f.p.get_request(a.id).window, wb = f.p.get_request(b.id).window;
    EXPECT_EQ(local(wa.blocked.begin()), "2021-05-12 15:02");
    EXPECT_EQ(local(wa.blocked.end()), "2021-05-12 16:01");
    EXPECT_EQ(local(wb.blocked.begin()), "2021-05-13 08:57");
    EXPECT_EQ(local(wb.blocked.end()), "2021-05-13 09:56");
    // Both in room 09, as the seed's listing shows.
    EXPECT_EQ(*a.assignment.room, f.r09);
    EXPECT_EQ(*b.assignment.room, f.r09);
}

TEST(Rules, R7_BackToBackBlocksShareARoom) {
    auto s = seed::seed_2086_settings();
    s.preparation = s.courtesy = s.post_processing = s.credentials_lead = 0min;
    fixture f(s);
    f.activate_all();
    const auto a = f.p.submit(fixture::webinar("A", 2021, 5, 12, 9, 0, 60));
    const auto b = f.p.submit(fixture::webinar("B", 2021, 5, 12, 10, 0, 60));
    EXPECT_EQ(*a.assignment.room, f.r09);
    EXPECT_EQ(*b.assignment.room, f.r09);  // 10:00 end meets 10:00 start: no conflict
    const auto c = f.p.submit(fixture::webinar("C", 2021, 5, 12, 10, 59, 60));
    EXPECT_EQ(*c.assignment.room, f.r10);  // one minute of overlap is a conflict
}

TEST(Rules, R9_FirstFitWalksActiveAutomaticRoomsInOrder) {
    fixture f(seed::seed_2086_settings());
    f.activate_all();                           // 09, 10 automatic; 11, 12 manual
    f.p.set_mode(f.r12, room_mode::automatic);  // 09, 10, 12 automatic
    std::vector<sala::room_id> got;
    for (int i = 0; i < 4; ++i)
        got.push_back(f.p.submit(fixture::webinar("same slot", 2021, 5, 12, 15, 5, 50))
                          .assignment.room.value_or(sala::room_id{0}));
    EXPECT_EQ(got, (std::vector<sala::room_id>{f.r09, f.r10, f.r12, sala::room_id{0}}));
    EXPECT_EQ(f.p.queue().size(), 1u);
}

TEST(Rules, R9_PoliciesAreOptionsNotTheDefault) {
    fixture f(seed::seed_2086_settings());
    EXPECT_EQ(f.p.policy().name(), "first_fit");
    f.activate_all();
    f.p.set_mode(f.r12, room_mode::automatic);
    // Smallest sufficient capacity: 120 attendees do not fit rooms of 100.
    f.p.set_policy(sala::policy_kind::smallest_capacity);
    auto in = fixture::webinar("big", 2021, 5, 12, 15, 5, 50);
    in.expected_attendees = 120;
    EXPECT_EQ(*f.p.submit(in).assignment.room, f.r12);
    in.expected_attendees = 600;
    EXPECT_EQ(f.p.submit(in).assignment.status, sala::assign_status::no_room_free);
    // Best fit: the room whose free run is tightest around the block.
    f.p.set_policy(sala::policy_kind::best_fit);
    // room 09 is free; room 10 gets a booking ending right where the next block starts.
    f.p.set_policy(sala::policy_kind::first_fit);
    const auto a = f.p.submit(fixture::webinar("a", 2021, 5, 14, 9, 0, 50));  // 09: 08:57-09:56
    f.p.set_policy(sala::policy_kind::best_fit);
    // 10:00 block (09:57-10:56) on 09 leaves a 1-minute gap before, on 10 an open run.
    const auto b = f.p.submit(fixture::webinar("b", 2021, 5, 14, 10, 0, 50));
    EXPECT_EQ(*a.assignment.room, f.r09);
    EXPECT_EQ(*b.assignment.room, f.r09);
    EXPECT_EQ(f.p.state().policy, sala::policy_kind::best_fit);
}

// ---- R10 -------------------------------------------------------------------------------

TEST(Rules, R10_Event2090WaitsInTheQueueAndAnAdminAssignsRoom12) {
    fixture f;  // prep 30, courtesy 15, post 6
    f.activate_all();
    f.p.set_mode(f.r09, room_mode::manual);
    f.p.set_mode(f.r10, room_mode::manual);  // no automatic rooms at all
    std::vector<sala::event> events;
    f.p.subscribe([&](const sala::event& e) { events.push_back(e); });
    const auto s =
        f.p.submit(fixture::webinar("Webinar turno mañanas", 2021, 6, 1, 9, 0, 240, "2090"));
    EXPECT_EQ(s.assignment.status, sala::assign_status::no_room_free);
    EXPECT_NE(s.assignment.reason.find("unassigned queue"), std::string::npos);
    ASSERT_EQ(f.p.queue().size(), 1u);
    const auto q = f.p.queue()[0];
    EXPECT_EQ(local(q.window.blocked.begin()), "2021-06-01 08:30");
    EXPECT_EQ(local(q.window.blocked.end()), "2021-06-01 13:21");
    EXPECT_EQ(local(q.window.grace_end), "2021-06-01 13:15");
    EXPECT_EQ(f.p.status(s.id), sala::webinar_status::unassigned);
    EXPECT_FALSE(f.p.retry(s.id));           // still nothing automatic
    const auto a = f.p.assign(s.id, f.r12);  // manual room, by hand
    ASSERT_TRUE(a);
    EXPECT_TRUE(f.p.queue().empty());
    EXPECT_EQ(f.p.reservation_of(s.id)->room, f.r12);
    ASSERT_GE(events.size(), 3u);
    EXPECT_EQ(events[1].kind, sala::event_kind::queued);
    EXPECT_EQ(events.back().kind, sala::event_kind::assigned);
    EXPECT_EQ(events.back().room, f.r12);
}

TEST(Rules, R10_RetryQueueAssignsInArrivalOrder) {
    fixture f(seed::seed_2086_settings());
    f.p.activate(f.r09);
    const auto a = f.p.submit(fixture::webinar("first", 2021, 5, 12, 15, 5, 50));
    const auto b = f.p.submit(fixture::webinar("second", 2021, 5, 12, 15, 5, 50));
    EXPECT_EQ(f.p.queue().size(), 2u);
    f.p.set_mode(f.r09, room_mode::automatic);
    EXPECT_EQ(f.p.retry_queue(), 1u);
    EXPECT_EQ(f.p.reservation_of(a.id)->room, f.r09);
    EXPECT_FALSE(f.p.reservation_of(b.id));
    EXPECT_EQ(f.p.queue().at(0).id, b.id);
    EXPECT_EQ(violated_rule([&] { f.p.retry(a.id); }), "R10");
}

TEST(Rules, R10_StaleIdsAreNotFound) {
    fixture f(seed::seed_2086_settings());
    f.activate_all();
    EXPECT_THROW(f.p.retry(sala::request_id{42}), sala::not_found);
    EXPECT_THROW(f.p.assign(sala::request_id{42}, f.r09), sala::not_found);
    const auto s = f.p.submit(fixture::webinar("A", 2021, 5, 12, 15, 5, 50));
    f.p.cancel(s.id);
    EXPECT_THROW(f.p.cancel(s.id), sala::not_found);
    EXPECT_THROW(f.p.get_request(s.id), sala::not_found);
    EXPECT_THROW(f.p.assign(s.id, sala::room_id{77}), sala::not_found);
}

// ---- R11 --------------------------------------------------------------------------------

TEST(Rules, R11_ReassignToAManualRoomAndBack) {
    fixture f;
    f.activate_all();
    const auto s =
        f.p.submit(fixture::webinar("Webinar turno mañanas", 2021, 6, 1, 9, 0, 240, "2090"));
    ASSERT_EQ(*s.assignment.room, f.r09);
    std::vector<sala::event> events;
    f.p.subscribe([&](const sala::event& e) { events.push_back(e); });
    ASSERT_TRUE(f.p.reassign(s.id, f.r12));  // 12 is manual: allowed for an admin
    EXPECT_EQ(f.p.reservation_of(s.id)->room, f.r12);
    ASSERT_EQ(events.size(), 1u);
    EXPECT_EQ(events[0].kind, sala::event_kind::reassigned);
    EXPECT_EQ(events[0].room, f.r12);
    EXPECT_EQ(events[0].previous_room, f.r09);
    EXPECT_TRUE(f.p.room_webinars(f.r09).empty());
    // assign() on an assigned request is a reassignment too.
    ASSERT_TRUE(f.p.assign(s.id, f.r11));
    EXPECT_EQ(f.p.reservation_of(s.id)->room, f.r11);
    EXPECT_EQ(violated_rule([&] { f.p.reassign(s.id, f.r11); }), "R11");
}

TEST(Rules, R11_ReassignToABusyRoomChangesNothing) {
    fixture f;
    f.activate_all();
    const auto a = f.p.submit(fixture::webinar("A", 2021, 6, 1, 9, 0, 60));
    const auto b = f.p.submit(fixture::webinar("B", 2021, 6, 1, 9, 30, 60));
    ASSERT_EQ(*b.assignment.room, f.r10);
    const auto before = f.p.state();
    const auto r = f.p.reassign(b.id, f.r09);
    EXPECT_EQ(r.status, sala::assign_status::room_not_free);
    EXPECT_FALSE(r.room);
    EXPECT_EQ(f.p.state(), before);
    EXPECT_EQ(violated_rule([&] { f.p.reassign(a.id, sala::room_id{3}); }), "<allowed>");
}

TEST(Rules, R11_QueuedRequestCannotBeReassignedAndRunningOnesCannotMove) {
    fixture f;
    f.p.activate(f.r09);
    const auto q = f.p.submit(fixture::webinar("queued", 2021, 6, 1, 9, 0, 60));
    EXPECT_EQ(violated_rule([&] { f.p.reassign(q.id, f.r09); }), "R11");
    f.p.set_mode(f.r09, room_mode::automatic);
    ASSERT_TRUE(f.p.retry(q.id));
    f.p.activate(f.r10);
    f.clock->set(sala::to_instant(sala::make_local(2021, 6, 1, 9, 0), seed::madrid));
    EXPECT_EQ(violated_rule([&] { f.p.reassign(q.id, f.r10); }), "R11");
    EXPECT_EQ(violated_rule([&] { f.p.cancel(q.id); }), "R15");
}

TEST(Rules, R11_CancelFreesTheRoom) {
    fixture f(seed::seed_2086_settings());
    f.activate_all();
    const auto a = f.p.submit(fixture::webinar("A", 2021, 5, 12, 15, 5, 50));
    f.p.cancel(a.id);
    EXPECT_TRUE(f.p.reservations().empty());
    EXPECT_EQ(*f.p.submit(fixture::webinar("B", 2021, 5, 12, 15, 5, 50)).assignment.room, f.r09);
    const auto q = f.p.submit(fixture::webinar("C", 2021, 5, 12, 15, 5, 50));
    ASSERT_EQ(*q.assignment.room, f.r10);
    const auto q2 = f.p.submit(fixture::webinar("D", 2021, 5, 12, 15, 5, 50));
    ASSERT_EQ(f.p.queue().size(), 1u);
    f.p.cancel(q2.id);
    EXPECT_TRUE(f.p.queue().empty());
}

// ---- R17 --------------------------------------------------------------------------------

TEST(Rules, R17_RoomListInStartOrderWithLocalTimes) {
    fixture f(seed::seed_2086_settings());
    f.activate_all();
    // Booked out of order; listed in start order, as the seed's room page shows.
    f.p.submit(fixture::webinar("webinar sesión turno de mañana", 2021, 5, 13, 9, 0, 50));
    f.p.submit(fixture::webinar("webinar sesión turno de tarde", 2021, 5, 12, 15, 5, 50));
    const auto list = f.p.room_webinars(f.r09);
    ASSERT_EQ(list.size(), 2u);
    EXPECT_EQ(list[0].request.title, "webinar sesión turno de tarde");
    EXPECT_EQ(sala::format_local(list[0].request.local_start) + " " + list[0].request.zone,
              "2021-05-12 15:05 Europe/Madrid");
    EXPECT_EQ(list[0].request.event_id, "2086");
    EXPECT_EQ(local(list[0].blocked().begin()) + " " + local(list[0].blocked().end()),
              "2021-05-12 15:02 2021-05-12 16:01");
    EXPECT_EQ(local(list[1].blocked().begin()) + " " + local(list[1].blocked().end()),
              "2021-05-13 08:57 2021-05-13 09:56");
    EXPECT_TRUE(f.p.room_webinars(f.r12).empty());
}

TEST(Rules, R17_CalendarWindowShowsPendingRunningFuture) {
    fixture f(seed::seed_2086_settings());
    f.activate_all();
    const auto done =
        f.p.submit(fixture::webinar("Herramientas en el entorno", 2021, 5, 13, 9, 0, 50));
    const auto foro = f.p.submit(fixture::webinar("Foro de debate", 2021, 5, 13, 13, 10, 50));
    const auto conf =
        f.p.submit(fixture::webinar("International conference", 2021, 5, 13, 13, 10, 50));
    const auto waiting = f.p.submit(fixture::webinar("titulo muy largo", 2021, 5, 13, 13, 10, 50));
    const auto taller = f.p.submit(fixture::webinar("Taller 1 Workshop", 2021, 5, 13, 16, 0, 50));
    const auto tomorrow = f.p.submit(fixture::webinar("Mañana", 2021, 5, 14, 9, 0, 50));
    f.clock->set(sala::to_instant(sala::make_local(2021, 5, 13, 13, 30), seed::madrid));

    const auto day =
        sala::interval{sala::to_instant(sala::make_local(2021, 5, 13, 0, 0), seed::madrid),
                       sala::to_instant(sala::make_local(2021, 5, 14, 0, 0), seed::madrid)};
    const auto cal = f.p.calendar(day);
    std::vector<std::pair<std::string, sala::webinar_status>> got;
    for (const auto& e : cal) got.emplace_back(e.request.title, e.status);
    using st = sala::webinar_status;
    const std::vector<std::pair<std::string, st>> want = {
        {"Herramientas en el entorno", st::finished},
        {"Foro de debate", st::running},
        {"International conference", st::running},
        {"titulo muy largo", st::unassigned},
        {"Taller 1 Workshop", st::future},
    };
    EXPECT_EQ(got, want);
    EXPECT_EQ(cal[1].room, f.r09);
    EXPECT_EQ(cal[2].room, f.r10);
    EXPECT_FALSE(cal[3].room);
    EXPECT_EQ(f.p.status(tomorrow.id), st::future);
    EXPECT_EQ(f.p.status(done.id), st::finished);
    EXPECT_EQ(f.p.status(foro.id), st::running);
    EXPECT_EQ(f.p.status(conf.id), st::running);
    EXPECT_EQ(f.p.status(waiting.id), st::unassigned);
    EXPECT_EQ(f.p.status(taller.id), st::future);
    // R18: two rooms blocked at once at the peak of the day.
    EXPECT_EQ(f.p.peak_concurrency(day), 2u);
}

TEST(Platform, RestoreRebuildsTheSameState) {
    fixture f(seed::seed_2086_settings());
    f.activate_all();
    f.p.set_policy(sala::policy_kind::best_fit);
    for (int i = 0; i < 3; ++i) f.p.submit(fixture::webinar("slot", 2021, 5, 12, 15, 5, 50));
    auto copy = sala::platform::restore(f.p.state(), f.clock);
    EXPECT_EQ(copy.state(), f.p.state());
    EXPECT_EQ(copy.policy().name(), "best_fit");
    // The derived schedule works: the next request finds the same room in both.
    const auto in = fixture::webinar("next", 2021, 5, 12, 17, 0, 50);
    EXPECT_EQ(copy.submit(in).assignment, f.p.submit(in).assignment);
    // A state with overlapping reservations is refused.
    auto bad = f.p.state();
    auto it = bad.reservations.begin();
    auto r = it->second;
    ++it;
    it->second.room = r.room;
    EXPECT_THROW(sala::platform::restore(bad, f.clock), sala::error);
}

namespace {

// What a store would carry from `from` to `to`: every row of `to` (a superset
// of what changed, which apply_changes must also take), and the ids gone.
sala::state_delta delta_between(const sala::platform_state& from, const sala::platform_state& to) {
    sala::state_delta d;
    d.settings = to.settings;
    d.policy = to.policy;
    d.next_request = to.next_request;
    d.pools = to.pools;
    d.rooms = to.rooms;
    d.queue = to.queue;
    for (const auto& [id, rq] : from.requests)
        if (!to.requests.count(id)) d.erased.push_back(id);
    for (const auto& [id, r] : from.reservations)
        if (!to.reservations.count(id)) d.erased.push_back(id);
    for (const auto& [id, rq] : to.requests) d.requests.push_back(rq);
    for (const auto& [id, r] : to.reservations) d.reservations.push_back(r);
    return d;
}

}  // namespace

// Another writer's rows taken in: the state and the schedule end up as a
// restore of the new state would, with exactly those bookings moved (R1, R9-R11).
TEST(Platform, ApplyChangesTakesInAnotherWritersRows_R1_R11) {
    fixture f(seed::seed_2086_settings());
    f.activate_all();
    const auto a = f.p.submit(fixture::webinar("A", 2021, 5, 12, 15, 5, 50));
    const auto b = f.p.submit(fixture::webinar("B", 2021, 5, 12, 15, 5, 50));
    auto other = sala::platform::restore(f.p.state(), f.clock);
    const auto before = f.p.state();
    // The other writer's commands: a swap of rooms, a cancel, a queued one, a new room.
    f.p.reassign(a.id, f.r11);
    f.p.reassign(b.id, f.r09);
    f.p.cancel(a.id);
    f.p.set_mode(f.r11, room_mode::automatic);
    const auto q1 = f.p.submit(fixture::webinar("C", 2021, 5, 12, 15, 5, 50));
    const auto q2 = f.p.submit(fixture::webinar("D", 2021, 5, 12, 15, 5, 50));
    const auto q3 = f.p.submit(fixture::webinar("E", 2021, 5, 12, 15, 5, 50));
    EXPECT_TRUE(q1.assignment && q2.assignment);
    EXPECT_FALSE(q3.assignment);
    auto users = seed::symposium_users();
    users.push_back({"u13", "symposiumwebinar13@symposium.events", "New", false, true, 100});
    f.p.link_account("symposium", sala::pool_kind::own, users);
    other.apply_changes(delta_between(before, f.p.state()));
    EXPECT_EQ(other.state(), f.p.state());
    EXPECT_EQ(other.occupancy().size(), f.p.occupancy().size());
    EXPECT_EQ(other.occupancy().room_count(), f.p.occupancy().room_count());
    // The derived schedule agrees: the next request gets the same answer.
    f.clock->advance(1min);
    const auto in = fixture::webinar("next", 2021, 5, 12, 15, 5, 50);
    EXPECT_EQ(other.submit(in).assignment, f.p.submit(in).assignment);
}

// A delta that contradicts the state names the check that failed.
TEST(Platform, ApplyChangesNamesTheFailedCheck) {
    fixture f(seed::seed_2086_settings());
    f.activate_all();
    const auto a = f.p.submit(fixture::webinar("A", 2021, 5, 12, 15, 5, 50));
    const auto none = delta_between(f.p.state(), f.p.state());
    auto fresh = [&] { return sala::platform::restore(f.p.state(), f.clock); };

    auto unknown = none;
    unknown.requests.clear();
    unknown.reservations = {{sala::request_id{42}, f.r09, f.p.get_request(a.id).window.blocked}};
    auto p1 = fresh();
    EXPECT_EQ(rejected_field([&] { p1.apply_changes(unknown); }), "reservations");

    auto overlap = none;  // a second request booked over A in the same room (R1)
    auto twin = f.p.get_request(a.id);
    twin.id = sala::request_id{9};
    overlap.requests.push_back(twin);
    overlap.reservations.push_back(
        {twin.id, f.p.state().reservations.at(a.id).room, twin.window.blocked});
    auto p2 = fresh();
    EXPECT_EQ(rejected_field([&] { p2.apply_changes(overlap); }), "reservations");

    auto queued_and_reserved = none;
    queued_and_reserved.queue = std::vector{a.id};
    auto p3 = fresh();
    EXPECT_EQ(rejected_field([&] { p3.apply_changes(queued_and_reserved); }), "queue");

    auto gap = none;
    gap.rooms = {f.p.rooms().back()};
    gap.rooms.back().id = sala::room_id{9};
    auto p4 = fresh();
    EXPECT_EQ(rejected_field([&] { p4.apply_changes(gap); }), "rooms");

    auto bad_settings = none;
    bad_settings.settings.min_duration = sala::minutes{0};
    auto p5 = fresh();
    EXPECT_THROW(p5.apply_changes(bad_settings), sala::invalid_settings);
}
