// sala/durable/webhooks.hpp: one "webhook" effect per event a host platform
// hears about, committed with the command or step that caused it (R10, R11,
// R12, R15, R16), never doubled by later ticks, never carrying a password.
#include "sala/durable/webhooks.hpp"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include <map>
#include <set>
#include <string>
#include <vector>

#include "sala/fakes/fake_conferencing.hpp"
#include "sala/fakes/fake_mailer.hpp"
#include "sala/fakes/memory_store.hpp"
#include "seed_fixture.hpp"

using namespace std::chrono_literals;
using json = nlohmann::json;
using method = sala::fake_conferencing::method;

namespace {

struct host {
    std::shared_ptr<sala::manual_clock> clock =
        std::make_shared<sala::manual_clock>(sala::make_utc(2021, 5, 1));
    std::shared_ptr<sala::memory_store> db = std::make_shared<sala::memory_store>();
    sala::fake_conferencing conf{seed::symposium_users(), clock};
    sala::fake_mailer mail;
    sala::durable_platform p{db, clock};
    sala::durable_lifecycle life{p, conf, mail};
    host() {
        sala::enable_webhooks(p);
        sala::enable_webhooks(life);
        p.link_account("symposium", sala::pool_kind::own, conf.list_users());
        p.activate(sala::room_id{1});
        p.activate(sala::room_id{2});
        p.set_mode(sala::room_id{1}, sala::room_mode::automatic);
    }
    std::vector<sala::outbox_entry> hooks() {
        std::vector<sala::outbox_entry> out;
        for (auto& e : db->outbox())
            if (e.effect.kind == sala::webhook_effect_kind) out.push_back(e);
        return out;
    }
    std::vector<std::string> types() {
        std::vector<std::string> t;
        for (const auto& e : hooks()) t.push_back(json::parse(e.effect.payload).at("type"));
        return t;
    }
    void run_until(sala::instant until) {
        while (clock->now() < until) {
            life.tick(clock->now());
            clock->advance(1min);
        }
        life.tick(clock->now());
    }
};

json payload_of(host& h, const std::string& type, std::size_t nth = 0) {
    for (const auto& e : h.hooks()) {
        auto j = json::parse(e.effect.payload);
        if (j.at("type") == type && nth-- == 0) return j;
    }
    ADD_FAILURE() << "no " << type;
    return {};
}

}  // namespace

TEST(webhooks, R10_R11_commands_emit_assigned_queued_reassigned_cancelled_in_their_transaction) {
    host h;
    EXPECT_TRUE(h.hooks().empty());  // linking and activating tell the host nothing
    const auto in = seed::fixture::webinar("Taller 1", 2021, 5, 13, 9, 0, 60);
    const auto a = h.p.submit(in);
    const auto b = h.p.submit(in);  // the only automatic room is taken: queued (R10)
    h.p.reassign(a.id, sala::room_id{2});
    h.p.cancel(b.id);
    EXPECT_EQ(h.types(), (std::vector<std::string>{"request.assigned", "request.queued",
                                                   "request.reassigned", "request.cancelled"}));

    const auto assigned = payload_of(h, "request.assigned");
    EXPECT_EQ(assigned.at("timestamp"), "2021-05-01T00:00:00Z");
    const auto& d = assigned.at("data");
    EXPECT_EQ(d.at("request_id"), a.id.value);
    EXPECT_EQ(d.at("event_id"), "2086");
    EXPECT_EQ(d.at("title"), "Taller 1");
    EXPECT_EQ(d.at("organizer").at("email"), "support@symposium.events");
    EXPECT_EQ(d.at("start"), "2021-05-13T07:00:00Z");  // 09:00 in Madrid, summer time
    EXPECT_EQ(d.at("end"), "2021-05-13T08:00:00Z");
    EXPECT_EQ(d.at("zone"), "Europe/Madrid");
    EXPECT_EQ(d.at("room").at("id"), 1);
    EXPECT_EQ(d.at("room").at("email"), "symposiumwebinar09@symposium.events");

    EXPECT_TRUE(payload_of(h, "request.queued").at("data").at("room").is_null());
    const auto moved = payload_of(h, "request.reassigned").at("data");
    EXPECT_EQ(moved.at("room").at("id"), 2);
    EXPECT_EQ(moved.at("previous_room").at("id"), 1);
    // A cancelled request has left the live state; the payload still describes it.
    const auto gone = payload_of(h, "request.cancelled").at("data");
    EXPECT_EQ(gone.at("request_id"), b.id.value);
    EXPECT_EQ(gone.at("title"), "Taller 1");
    EXPECT_TRUE(gone.at("room").is_null());

    std::set<std::string> keys;
    for (const auto& e : h.hooks()) {
        EXPECT_EQ(e.effect.idempotency_key.rfind("webhook/", 0), 0U);
        keys.insert(e.effect.idempotency_key);
    }
    EXPECT_EQ(keys.size(), 4U);  // one id per delivery (the webhook-id)
}

TEST(webhooks, a_refused_command_emits_nothing) {
    host h;
    const auto in = seed::fixture::webinar("Taller 1", 2021, 5, 13, 9, 0, 60);
    const auto a = h.p.submit(in);
    const auto b = h.p.submit(in);
    const auto before = h.hooks().size();
    EXPECT_EQ(h.p.assign(b.id, sala::room_id{1}).status,
              sala::assign_status::room_not_free);  // room 1 is taken: nothing changes
    EXPECT_THROW(h.p.cancel(sala::request_id{999}), sala::not_found);
    EXPECT_EQ(h.hooks().size(), before);
    (void)a;
}

TEST(webhooks, R12_R15_R16_steps_emit_credentials_issued_report_ready_and_problems_once) {
    host h;
    h.conf.fail_next(method::create_webinar, 3);  // surfaced at the third failure
    const auto a = h.p.submit(seed::fixture::webinar("Taller 2", 2021, 5, 1, 12, 0, 60));
    h.run_until(h.clock->now() + 30min);
    const auto opened = payload_of(h, "problem.opened").at("data");
    EXPECT_EQ(opened.at("request_id"), a.id.value);
    EXPECT_EQ(opened.at("problem").at("step"), "create_webinar");
    EXPECT_EQ(opened.at("problem").at("failures"), 3);
    EXPECT_EQ(payload_of(h, "problem.closed").at("data").at("problem").at("step"),
              "create_webinar");

    // Into the credentials window (R12): start 10:00 UTC, lead 30 minutes.
    h.run_until(sala::make_utc(2021, 5, 1, 9, 45));
    const auto cred = payload_of(h, "credentials.issued").at("data");
    EXPECT_EQ(cred.at("request_id"), a.id.value);
    EXPECT_TRUE(cred.contains("join_url"));
    EXPECT_EQ(cred.dump().find("password"), std::string::npos);  // never the password
    const auto pw = h.life.engine().credentials_of(a.id);
    ASSERT_TRUE(pw.has_value());
    ASSERT_FALSE(pw->password.empty());

    // Past the end and the grace end (R15): the report is fetched.
    h.run_until(sala::make_utc(2021, 5, 1, 11, 30));
    const auto rep = payload_of(h, "report.ready").at("data");
    EXPECT_EQ(rep.at("request_id"), a.id.value);
    EXPECT_TRUE(rep.at("report").contains("sessions"));
    for (const auto& e : h.hooks())
        EXPECT_EQ(e.effect.payload.find(pw->password), std::string::npos) << e.effect.payload;

    // Later ticks and a catch-up (R16) add nothing: each type exactly once.
    const auto all = h.types();
    h.clock->set(sala::make_utc(2021, 5, 2, 12, 0));
    h.run_until(sala::make_utc(2021, 5, 2, 12, 5));
    EXPECT_EQ(h.types(), all);
    std::map<std::string, int> n;
    for (const auto& t : all) ++n[t];
    EXPECT_EQ(n["request.assigned"], 1);
    EXPECT_EQ(n["problem.opened"], 1);
    EXPECT_EQ(n["problem.closed"], 1);
    EXPECT_EQ(n["credentials.issued"], 1);
    EXPECT_EQ(n["report.ready"], 1);
}

TEST(webhooks, every_type_is_listed_once) {
    const auto t = sala::webhook_types();
    EXPECT_EQ(t.size(), 8U);
    EXPECT_EQ(std::set<std::string>(t.begin(), t.end()).size(), 8U);
}

TEST(webhooks, without_enable_webhooks_nothing_is_emitted) {
    auto clock = std::make_shared<sala::manual_clock>(sala::make_utc(2021, 5, 1));
    auto db = std::make_shared<sala::memory_store>();
    sala::durable_platform p(db, clock);
    p.link_account("symposium", sala::pool_kind::own, seed::symposium_users());
    p.activate(sala::room_id{1});
    p.set_mode(sala::room_id{1}, sala::room_mode::automatic);
    p.submit(seed::fixture::webinar("Taller 1", 2021, 5, 13, 9, 0, 60));
    for (const auto& e : db->outbox()) EXPECT_NE(e.effect.kind, sala::webhook_effect_kind);
}
