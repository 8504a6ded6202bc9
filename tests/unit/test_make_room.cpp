// R10/R11 "make room": fewest moves of other webinars that free a room for a
// queued request, checked against brute force over the real platform commands.
#include <gtest/gtest.h>

#include <random>
#include <set>

#include "sala/planning/make_room.hpp"
#include "seed_fixture.hpp"

using namespace std::chrono_literals;

namespace {

std::vector<sala::room_id> assignable(const sala::platform& p) {
    std::vector<sala::room_id> out;
    for (const auto& r : p.rooms())
        if (r.active && p.takes_new_requests(r.pool)) out.push_back(r.id);
    return out;
}

bool some_room_free(const sala::platform& p, const sala::request& t) {
    for (const auto r : assignable(p))
        if (p.occupancy().is_free(r, t.window.blocked)) return true;
    return false;
}

// The platform holds non-copyable indexes: rebuild it from its state.
sala::platform clone(const sala::platform& p, std::shared_ptr<const sala::clock> clk) {
    return sala::platform::restore(p.state(), std::move(clk));
}

// Fewest moves (<= 2) found by trying every sequence of real reassignments; -1 if none.
int brute_force(const sala::platform& p, std::shared_ptr<const sala::clock> clk,
                sala::request_id target, const std::set<std::uint64_t>& locked) {
    const auto t = p.get_request(target);
    if (some_room_free(p, t)) return 0;
    const auto movable = [&](const sala::platform& q) {
        std::vector<sala::request_id> out;
        for (const auto& res : q.reservations())
            if (!locked.count(res.request.value) &&
                q.now() < q.get_request(res.request).window.start)
                out.push_back(res.request);
        return out;
    };
    int best = -1;
    for (const auto m1 : movable(p))
        for (const auto d1 : assignable(p)) {
            sala::platform q1 = clone(p, clk);
            if (q1.reservation_of(m1)->room == d1 || !q1.reassign(m1, d1)) continue;
            if (some_room_free(q1, t)) return 1;
            for (const auto m2 : movable(q1))
                for (const auto d2 : assignable(q1)) {
                    sala::platform q2 = clone(q1, clk);
                    if (q2.reservation_of(m2)->room == d2 || !q2.reassign(m2, d2)) continue;
                    if (some_room_free(q2, t)) best = 2;
                }
        }
    return best;
}

}  // namespace

TEST(MakeRoom, R10_MovesTallerToFreeARoomAndExplainsIt) {
    seed::fixture f(seed::seed_2086_settings());  // margins 3 / 0 / 6 (event 2086)
    f.activate_all();                             // 9, 10 automatic; 11, 12 manual
    const auto big = f.p.submit(seed::fixture::webinar("Big", 2021, 5, 13, 12, 0, 200)).id;
    const auto foro = f.p.submit(seed::fixture::webinar("Foro", 2021, 5, 13, 12, 40, 60)).id;
    ASSERT_EQ(f.p.reservation_of(big)->room, f.r09);
    ASSERT_EQ(f.p.reservation_of(foro)->room, f.r10);
    // Taller 1 blocks 12:47-13:35 in room 11; Mesa blocks 13:37-14:46 in room 12 (by hand, R10).
    const auto taller = f.p.submit(seed::fixture::webinar("Taller 1", 2021, 5, 13, 12, 50, 39)).id;
    ASSERT_TRUE(f.p.assign(taller, f.r11));
    const auto mesa = f.p.submit(seed::fixture::webinar("Mesa", 2021, 5, 13, 13, 40, 60)).id;
    ASSERT_TRUE(f.p.assign(mesa, f.r12));
    // Plenario blocks 12:27-13:46: every room clashes (R10 queue).
    const auto queued = f.p.submit(seed::fixture::webinar("Plenario", 2021, 5, 13, 12, 30, 76)).id;
    ASSERT_FALSE(f.p.reservation_of(queued));
    const auto plan = sala::find_make_room(f.p, queued);
    ASSERT_TRUE(plan);
    ASSERT_EQ(plan->moves.size(), 1u);
    EXPECT_EQ(plan->moves[0].request, taller);
    EXPECT_EQ(plan->moves[0].from, f.r11);
    EXPECT_EQ(plan->moves[0].to, f.r12);
    EXPECT_EQ(plan->room, f.r11);
    EXPECT_EQ(plan->explanation,
              "move 'Taller 1' (request 3) from room 3 to room 4, then room 3 is free "
              "2021-05-13 12:27-13:52 Europe/Madrid for 'Plenario'");
    EXPECT_NE(plan->moves[0].cost.find("join link of 'Taller 1' changes"), std::string::npos);
    const auto before = f.p.state();
    const auto a = sala::apply_make_room(f.p, *plan);
    ASSERT_TRUE(a) << a.reason;
    EXPECT_EQ(f.p.reservation_of(queued)->room, f.r11);
    EXPECT_EQ(f.p.reservation_of(taller)->room, f.r12);
    EXPECT_EQ(f.p.reservation_of(mesa)->room, f.r12);
    EXPECT_TRUE(f.p.queue().empty());
    EXPECT_NE(f.p.state(), before);
}

TEST(MakeRoom, R11_LockedAndRunningWebinarsNeverMove) {
    seed::fixture f(seed::seed_2086_settings());
    f.activate_all();
    const auto a =
        f.p.submit(seed::fixture::webinar("A", 2021, 5, 13, 10, 0, 60)).id;  // room 9, 09:57-11:06
    const auto b =
        f.p.submit(seed::fixture::webinar("B", 2021, 5, 13, 11, 30, 60)).id;  // room 9, 11:27-12:36
    const auto c = f.p.submit(seed::fixture::webinar("C", 2021, 5, 13, 10, 30, 60))
                       .id;  // room 10, 10:27-11:36
    ASSERT_TRUE(
        f.p.assign(f.p.submit(seed::fixture::webinar("D", 2021, 5, 13, 11, 10, 20)).id, f.r11));
    f.p.deactivate(f.r12);
    const auto q =
        f.p.submit(seed::fixture::webinar("Q", 2021, 5, 13, 11, 0, 20)).id;  // 10:57-11:26
    ASSERT_FALSE(f.p.reservation_of(q));
    ASSERT_EQ(f.p.reservation_of(b)->room, f.r09);
    // A fits in room 11 before D; then room 9 is free for Q until B.
    auto plan = sala::find_make_room(f.p, q);
    ASSERT_TRUE(plan);
    ASSERT_EQ(plan->moves.size(), 1u);
    EXPECT_EQ(plan->moves[0].request, a);
    EXPECT_EQ(plan->room, f.r09);
    // With A locked (credentials sent, R12) nothing else works.
    sala::make_room_options o;
    o.locked = [&](sala::request_id id) { return id == a; };
    EXPECT_FALSE(sala::find_make_room(f.p, q, o));
    // Once A runs it never moves, whatever the lock says.
    o.locked = {};
    f.clock->set(sala::make_utc(2021, 5, 13, 8, 1));  // 10:01 Madrid: A runs, Q has not started
    EXPECT_FALSE(sala::find_make_room(f.p, q, o));
    EXPECT_THROW(sala::find_make_room(f.p, c), sala::rule_violation);  // not queued
}

TEST(MakeRoom, R11_ApplyIsAllOrNothing) {
    seed::fixture f(seed::seed_2086_settings());
    f.activate_all();
    const auto a = f.p.submit(seed::fixture::webinar("A", 2021, 5, 13, 10, 0, 60)).id;  // room 9
    const auto c = f.p.submit(seed::fixture::webinar("C", 2021, 5, 13, 10, 0, 60)).id;  // room 10
    const auto d = f.p.submit(seed::fixture::webinar("D", 2021, 5, 13, 10, 0, 60)).id;
    ASSERT_TRUE(f.p.assign(d, f.r11));
    const auto q = f.p.submit(seed::fixture::webinar("Q", 2021, 5, 13, 9, 30, 40)).id;
    ASSERT_FALSE(f.p.reservation_of(q));
    // Room 12 is free: no move needed.
    auto plan = sala::find_make_room(f.p, q);
    ASSERT_TRUE(plan);
    EXPECT_TRUE(plan->moves.empty());
    EXPECT_EQ(plan->room, f.r12);
    EXPECT_NE(plan->explanation.find("already free"), std::string::npos);
    // Fill room 12 with something that fits nowhere else, then plan again.
    const auto e = f.p.submit(seed::fixture::webinar("E", 2021, 5, 13, 9, 0, 30)).id;
    ASSERT_TRUE(f.p.assign(e, f.r12));
    // A, C and D have their credentials (R12): only E may move.
    sala::make_room_options o;
    o.locked = [&](sala::request_id id) { return id == a || id == c || id == d; };
    plan = sala::find_make_room(f.p, q, o);
    ASSERT_TRUE(plan);
    ASSERT_FALSE(plan->moves.empty());
    ASSERT_EQ(plan->moves.size(), 1u);
    EXPECT_EQ(plan->moves[0].request, e);
    EXPECT_EQ(plan->room, f.r12);
    (void)a;
    (void)c;
    // A step that throws (a stale plan repeating a move): undone, rethrown.
    {
        const auto before_state = f.p.state();
        sala::make_room_plan stale = *plan;
        stale.moves.push_back(stale.moves[0]);
        EXPECT_THROW(sala::apply_make_room(f.p, stale), sala::rule_violation);
        EXPECT_EQ(f.p.state(), before_state);
    }
    // The world changes before the admin applies it: Z takes the end of Q's
    // slot in room 12, so the final assign is refused and the move is undone.
    const auto z = f.p.submit(seed::fixture::webinar("Z", 2021, 5, 13, 10, 10, 30)).id;
    ASSERT_TRUE(f.p.assign(z, f.r12));
    const auto before_state = f.p.state();
    const auto r = sala::apply_make_room(f.p, *plan);
    EXPECT_FALSE(r);
    EXPECT_EQ(r.status, sala::assign_status::room_not_free);
    EXPECT_NE(r.reason.find("make room undid its 1 move(s)"), std::string::npos) << r.reason;
    EXPECT_EQ(f.p.state(), before_state);
    EXPECT_EQ(f.p.reservation_of(e)->room, f.r12);
}

TEST(MakeRoom, R10_MatchesBruteForceOnRandomCases) {
    std::mt19937 rng(1305);
    int solved = 0, with_moves = 0;
    int by_bf[4] = {0, 0, 0, 0};  // none, 0, 1, 2 moves
    for (int c = 0; c < 400; ++c) {
        seed::fixture f(seed::seed_2086_settings());
        f.activate_all();
        if (rng() % 2) f.p.set_mode(f.r11, sala::room_mode::automatic);
        if (rng() % 3 == 0) f.p.deactivate(f.r12);
        std::vector<sala::request_id> queued;
        const int n = 8 + static_cast<int>(rng() % 7);
        for (int i = 0; i < n; ++i) {
            const unsigned h = 9 + rng() % 5, mi = 15 * (rng() % 4);
            const int len = 30 + 15 * static_cast<int>(rng() % 6);
            const auto s = f.p.submit(
                seed::fixture::webinar("w" + std::to_string(i), 2021, 5, 13, h, mi, len));
            if (!s.assignment) {
                // Mostly an admin puts it in some free room by hand (R10).
                bool placed = false;
                const std::uint32_t first = rng() % 4;
                for (std::uint32_t k = 0; k < 4 && !placed && rng() % 10 < 7; ++k) {
                    const sala::room_id r{1 + (first + k) % 4};
                    placed = f.p.get_room(r).active && f.p.assign(s.id, r);
                }
                if (!placed) queued.push_back(s.id);
            }
        }
        std::set<std::uint64_t> locked;
        for (const auto& res : f.p.reservations())
            if (rng() % 5 == 0) locked.insert(res.request.value);
        if (rng() % 4 == 0)
            f.clock->set(sala::make_utc(2021, 5, 13, 8, 0));  // 10:00 Madrid: some run
        sala::make_room_options o;
        o.max_moves = 3;
        o.locked = [&](sala::request_id id) { return locked.count(id.value) > 0; };
        for (const auto id : queued) {
            if (f.p.now() >= f.p.get_request(id).window.start) continue;
            const int bf = brute_force(f.p, f.clock, id, locked);
            ++by_bf[bf + 1];
            const auto plan = sala::find_make_room(f.p, id, o);
            if (bf >= 0) {
                ASSERT_TRUE(plan) << "case " << c << ": brute force found " << bf << " move(s)";
                ASSERT_EQ(plan->moves.size(), static_cast<std::size_t>(bf)) << "case " << c;
            } else if (plan) {
                ASSERT_GT(plan->moves.size(), 2u) << "case " << c;
            }
            if (!plan) continue;
            ++solved;
            if (!plan->moves.empty()) ++with_moves;
            for (const auto& m : plan->moves) {
                EXPECT_FALSE(locked.count(m.request.value));
                EXPECT_LT(f.p.now(), f.p.get_request(m.request).window.start);
            }
            // The plan really works through the platform's own commands.
            sala::platform copy = clone(f.p, f.clock);
            const auto a = sala::apply_make_room(copy, *plan);
            ASSERT_TRUE(a) << "case " << c << ": " << a.reason << " / " << plan->explanation;
        }
    }
    // The random cases must exercise real moves, not only trivial answers.
    EXPECT_GT(by_bf[2], 10) << "1-move cases";
    EXPECT_GT(by_bf[3], 2) << "2-move cases";
    EXPECT_GT(with_moves, 30) << solved;
    std::printf("make room random cases: none %d, 0 moves %d, 1 move %d, 2 moves %d\n", by_bf[0],
                by_bf[1], by_bf[2], by_bf[3]);
}
