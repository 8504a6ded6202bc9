// sala/platform.hpp under hostile callers: listeners that throw or run
// commands, policies that call back, starts at the ends of the calendar, text
// that only looks harmless. A command is whole or nothing whatever they do.
#include <gtest/gtest.h>

#include <memory>
#include <stdexcept>
#include <string>
#include <vector>

#include "sala/error.hpp"
#include "sala/platform.hpp"
#include "seed_fixture.hpp"

using seed::fixture;

namespace {

// Every request is reserved or queued, exactly once (the invariant a broken
// command would violate).
void expect_consistent(const sala::platform& p) {
    const auto& st = p.state();
    for (const auto& [id, rq] : st.requests) {
        const bool reserved = st.reservations.count(id) > 0;
        const auto queued = std::count(st.queue.begin(), st.queue.end(), id);
        EXPECT_EQ(static_cast<int>(reserved) + queued, 1) << sala::to_string(id);
    }
    EXPECT_EQ(st.requests.size(), st.reservations.size() + st.queue.size());
}

}  // namespace

TEST(platform_faults, a_listener_throwing_on_submitted_leaves_a_whole_command) {
    fixture f(seed::seed_2086_settings());
    f.activate_all();
    std::vector<sala::event_kind> heard;
    f.p.subscribe([](const sala::event& e) {
        if (e.kind == sala::event_kind::submitted) throw std::runtime_error("listener bug");
    });
    f.p.subscribe([&](const sala::event& e) { heard.push_back(e.kind); });
    EXPECT_THROW(f.p.submit(fixture::webinar("A", 2021, 5, 12, 15, 5, 50)), std::runtime_error);
    expect_consistent(f.p);
    ASSERT_EQ(f.p.state().requests.size(), 1u);
    EXPECT_EQ(f.p.reservations().size(), 1u);
    // The other listener heard the whole command even though the first one threw.
    EXPECT_EQ(heard, (std::vector{sala::event_kind::submitted, sala::event_kind::assigned}));
}

TEST(platform_faults, a_listener_that_submits_sees_the_first_command_complete) {
    fixture f(seed::seed_2086_settings());
    f.activate_all();
    bool again = true;
    std::size_t reserved_when_heard = 0;
    f.p.subscribe([&](const sala::event& e) {
        if (e.kind != sala::event_kind::submitted || !again) return;
        again = false;
        reserved_when_heard = f.p.reservations().size();
        f.p.submit(fixture::webinar("B", 2021, 5, 12, 15, 5, 50));
    });
    f.p.submit(fixture::webinar("A", 2021, 5, 12, 15, 5, 50));
    EXPECT_EQ(reserved_when_heard, 1u);  // A was already placed when its event came
    expect_consistent(f.p);
    EXPECT_EQ(f.p.state().requests.size(), 2u);
    EXPECT_EQ(f.p.reservations().size(), 2u);  // rooms 09 and 10
}

TEST(platform_faults, a_failed_command_publishes_nothing) {
    fixture f(seed::seed_2086_settings());
    f.activate_all();
    std::vector<sala::event> heard;
    f.p.subscribe([&](const sala::event& e) { heard.push_back(e); });
    auto bad = fixture::webinar("A", 2021, 5, 12, 15, 5, 50);
    bad.organizer.email = "not an address";
    EXPECT_THROW(f.p.submit(bad), sala::invalid_argument);
    EXPECT_TRUE(heard.empty());
}

namespace {

// A policy that calls back into the platform it serves.
struct meddling_policy final : sala::allocation_policy {
    sala::platform* p = nullptr;
    mutable std::string refused;
    std::string name() const override { return "meddling"; }
    std::optional<sala::room_id> choose(const sala::allocation_query& q) const override {
        try {
            p->cancel(sala::request_id{1});
        } catch (const sala::reentrant_command& e) {
            refused = e.what();
        }
        return sala::first_fit{}.choose(q);
    }
};

}  // namespace

TEST(platform_faults, a_policy_cannot_run_commands_while_it_chooses) {
    fixture f(seed::seed_2086_settings());
    f.activate_all();
    const auto first = f.p.submit(fixture::webinar("A", 2021, 5, 12, 15, 5, 50));
    auto pol = std::make_shared<meddling_policy>();
    pol->p = &f.p;
    f.p.set_policy(pol);
    const auto second = f.p.submit(fixture::webinar("B", 2021, 5, 12, 15, 5, 50));
    EXPECT_NE(pol->refused.find("allocation policy 'meddling' is choosing"), std::string::npos)
        << pol->refused;
    EXPECT_NO_THROW(f.p.get_request(first.id));  // the cancel did not happen
    EXPECT_TRUE(second.assignment);
    expect_consistent(f.p);
}

TEST(platform_faults, a_hold_refuses_commands_until_it_ends) {
    fixture f(seed::seed_2086_settings());
    f.activate_all();
    {
        const auto hold = f.p.hold_commands("a test is calling out");
        try {
            f.p.submit(fixture::webinar("A", 2021, 5, 12, 15, 5, 50));
            FAIL() << "accepted";
        } catch (const sala::reentrant_command& e) {
            EXPECT_NE(std::string(e.what()).find("a test is calling out"), std::string::npos);
        }
        EXPECT_TRUE(f.p.state().requests.empty());
        EXPECT_NO_THROW(f.p.rooms());  // queries are fine
    }
    EXPECT_NO_THROW(f.p.submit(fixture::webinar("A", 2021, 5, 12, 15, 5, 50)));
}

TEST(platform_faults, a_block_before_year_one_is_refused_whole) {
    auto clock = std::make_shared<sala::manual_clock>(sala::make_utc(1, 1, 1));
    sala::settings s;
    s.min_days_in_advance = 0;
    sala::platform p(s, clock);
    p.link_account("own", sala::pool_kind::own, seed::symposium_users());
    p.activate(sala::room_id{1});
    p.set_mode(sala::room_id{1}, sala::room_mode::automatic);
    sala::request_input in = fixture::webinar("Year one", 1, 1, 1, 0, 10, 60);
    in.zone = "UTC";
    try {
        p.submit(in);
        FAIL() << "accepted";
    } catch (const sala::invalid_argument& e) {
        EXPECT_EQ(e.field(), "start");
        EXPECT_NE(std::string(e.what()).find("0001-01-02"), std::string::npos);
    }
    EXPECT_TRUE(p.state().requests.empty());
    EXPECT_EQ(p.state().next_request, 1u);
    in.start = sala::make_local(9999, 12, 31, 22, 0);
    EXPECT_THROW(p.submit(in), sala::invalid_argument);  // its block ends in year 10000
    expect_consistent(p);
}

TEST(platform_faults, invisible_or_control_text_is_refused_at_the_door) {
    fixture f(seed::seed_2086_settings());
    f.activate_all();
    const auto field_of = [&](auto mutate) {
        auto in = fixture::webinar("A", 2021, 5, 12, 15, 5, 50);
        mutate(in);
        try {
            f.p.submit(in);
        } catch (const sala::invalid_argument& e) {
            return e.field();
        }
        return std::string("<accepted>");
    };
    EXPECT_EQ(field_of([](auto& in) { in.title = "x\xC2\x85y"; }), "title");
    EXPECT_EQ(field_of([](auto& in) { in.title = "\xE2\x80\x8B"; }), "title");
    EXPECT_EQ(field_of([](auto& in) { in.event_id = "\xC2\xA0"; }), "event_id");
    EXPECT_EQ(field_of([](auto& in) { in.organizer.name = "a\xE2\x80\xA8"; }), "organizer.name");
    EXPECT_EQ(field_of([](auto& in) { in.organizer.email = "jos\xC3\xA9@example.org"; }),
              "organizer.email");
    EXPECT_EQ(field_of([](auto& in) {
                  in.panelists = {"ok@x.org", "b@x\xC2\x9B"};
              }),
              "panelists[1]");
    EXPECT_TRUE(f.p.state().requests.empty());
}

TEST(platform_faults, linked_users_are_checked_field_by_field) {
    sala::platform p;
    const auto field_of = [&](std::string name, sala::account_user u) {
        try {
            p.link_account(name, sala::pool_kind::own, {u});
        } catch (const sala::invalid_argument& e) {
            return e.field();
        }
        return std::string("<accepted>");
    };
    const sala::account_user ok{"u1", "a@x.org", "Sala 1"};
    EXPECT_EQ(field_of("acc\r\n", ok), "name");
    EXPECT_EQ(field_of("\xE2\x80\x8B", ok), "name");
    auto u = ok;
    u.display_name = "\xFF";
    EXPECT_EQ(field_of("acc", u), "users[0].display_name");
    u = ok;
    u.display_name = "Sala\r\nBcc: x";
    EXPECT_EQ(field_of("acc", u), "users[0].display_name");
    u = ok;
    u.user_id = "id\n";
    EXPECT_EQ(field_of("acc", u), "users[0].user_id");
    EXPECT_TRUE(p.rooms().empty());
    EXPECT_TRUE(p.pools().empty());
}
