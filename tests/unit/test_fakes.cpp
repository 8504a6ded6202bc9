// sala/fakes: the recording fakes fail exactly as told and remember every call.
#include <gtest/gtest.h>

#include "sala/fakes/fake_conferencing.hpp"
#include "sala/fakes/fake_mailer.hpp"

using method = sala::fake_conferencing::method;

namespace {
sala::webinar_spec spec_of(const std::string& user) {
    sala::webinar_spec s;
    s.host_user_id = user;
    s.topic = "T";
    s.start = sala::make_utc(2021, 5, 12, 13, 5);
    s.duration = std::chrono::minutes{50};
    s.zone = "Europe/Madrid";
    return s;
}
}  // namespace

TEST(Fakes, ConferencingFailsTheNextNCallsOfOneMethod) {
    sala::fake_conferencing conf;
    conf.fail_next(method::end_webinar, 2, false, 30);
    const auto h = conf.create_webinar(spec_of("u1"));
    for (int i = 0; i < 2; ++i) {
        try {
            conf.end_webinar(h.webinar_id);
            FAIL() << "did not fail";
        } catch (const sala::backend_error& e) {
            EXPECT_FALSE(e.retryable());
            EXPECT_EQ(e.retry_after_seconds(), 30);
        }
    }
    conf.end_webinar(h.webinar_id);
    EXPECT_TRUE(conf.find_webinar(h.webinar_id)->ended);
    EXPECT_EQ(conf.count(method::end_webinar), 1u);
    EXPECT_EQ(conf.count(method::end_webinar, true), 3u);
    EXPECT_EQ(conf.failures(), 2u);
}

TEST(Fakes, ConferencingFailsEveryDistinctCallOnce) {
    sala::fake_conferencing conf;
    conf.fail_every_call_once();
    EXPECT_THROW(conf.set_user_password("u1", "a"), sala::backend_error);
    conf.set_user_password("u1", "a");
    conf.set_user_password("u1", "b");
    EXPECT_THROW(conf.set_user_password("u2", "a"), sala::backend_error);
    EXPECT_EQ(conf.password_history("u1"), (std::vector<std::string>{"a", "b"}));
    EXPECT_EQ(*conf.password_of("u1"), "b");
}

TEST(Fakes, ConferencingRecordingsArriveAfterTheDelay) {
    auto clock = std::make_shared<sala::manual_clock>(sala::make_utc(2021, 5, 12, 14, 0));
    sala::fake_conferencing conf({}, clock);
    const auto h = conf.create_webinar(spec_of("u1"));
    EXPECT_TRUE(conf.list_recordings(h.webinar_id).empty());  // not ended
    conf.end_webinar(h.webinar_id);
    clock->advance(std::chrono::minutes{59});
    EXPECT_TRUE(conf.list_recordings(h.webinar_id).empty());
    clock->advance(std::chrono::minutes{1});
    EXPECT_EQ(conf.list_recordings(h.webinar_id).size(), 2u);
    conf.trash_recordings(h.webinar_id);
    EXPECT_TRUE(conf.list_recordings(h.webinar_id).empty());
    conf.delete_webinar(h.webinar_id);
    EXPECT_TRUE(conf.live_webinars_of("u1").empty());
    EXPECT_THROW(conf.participants_report("nope"), sala::backend_error);
}

TEST(Fakes, MailerRecordsAndFailsOnDemand) {
    sala::fake_mailer m;
    sala::mail_message msg{{"S", "s@x.org"}, {{"A", "a@x.org"}}, "Hi", "text", "", "k/1"};
    m.fail_next(1, false);
    try {
        m.send(msg);
        FAIL();
    } catch (const sala::backend_error& e) {
        EXPECT_FALSE(e.retryable());
    }
    m.send(msg);
    m.fail_every_message_once();
    msg.idempotency_key = "k/2";
    EXPECT_THROW(m.send(msg), sala::backend_error);
    m.send(msg);
    EXPECT_EQ(m.sent().size(), 2u);
    EXPECT_EQ(m.attempts(), 4u);
    EXPECT_EQ(m.count_key("k/1"), 1u);
    EXPECT_EQ(m.with_key_prefix("k/").size(), 2u);
    EXPECT_EQ(m.to("a@x.org").size(), 2u);
}
