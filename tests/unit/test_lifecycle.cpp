// sala/lifecycle/lifecycle.hpp: the life of the seed's webinars on a manual clock with the
// recording fakes (R10-R16, R19, R20).
#include "sala/lifecycle/lifecycle.hpp"

#include <gtest/gtest.h>

#include <algorithm>

#include "sala/lifecycle/credentials.hpp"
#include "test_lifecycle_support.hpp"

using namespace std::chrono_literals;
using lc::madrid;
using lc::method;
using lc::world;
using sala::step_kind;

namespace {

const std::string organizer = "support@symposium.events";

std::vector<step_kind> life_order() {
    return {step_kind::create_webinar,  step_kind::set_password,     step_kind::mail_credentials,
            step_kind::mail_join_links, step_kind::mail_end_warning, step_kind::end_webinar,
            step_kind::rotate_password, step_kind::fetch_report,     step_kind::mail_report,
            step_kind::room_free,       step_kind::fetch_recordings, step_kind::download_recordings,
            step_kind::trash_recordings};
}

bool subsequence(const std::vector<step_kind>& all, const std::vector<step_kind>& want) {
    std::size_t i = 0;
    for (auto k : all)
        if (i < want.size() && k == want[i]) ++i;
    return i == want.size();
}

}  // namespace

TEST(Lifecycle, R12_R14_R15_R19_SeedWebinarsMinuteByMinute) {
    auto o = world::options();
    o.recordings_dir = ::testing::TempDir() + "/sala-lc-recordings";
    o.reports_dir = ::testing::TempDir() + "/sala-lc-reports";
    world w(seed::seed_2086_settings(), o);
    const auto [tarde, manana] = w.book_seed_webinars();
    w.at(w.f.clock->now());
    // Created on the backend as soon as a room is assigned, both in room 09.
    ASSERT_EQ(w.conf.count(method::create_webinar), 2u);
    EXPECT_EQ(w.conf.live_webinars_of("u09").size(), 2u);
    // R20: the four active rooms got their settings.
    EXPECT_EQ(w.conf.count(method::apply_room_settings), 4u);
    EXPECT_FALSE(w.conf.settings_of("u09")->waiting_room);
    EXPECT_TRUE(w.conf.settings_of("u09")->auto_save_chat);
    EXPECT_TRUE(w.mail.sent().empty());

    w.every_minute(madrid(2021, 5, 12, 14, 0), madrid(2021, 5, 13, 12, 0));

    // R12: credentials at start - lead (3 min: 15:02), to the organizer, with the
    // password now set on the room user.
    EXPECT_EQ(w.done_at(tarde, step_kind::mail_credentials), madrid(2021, 5, 12, 15, 2));
    const auto creds = w.mail.with_key_prefix("credentials/" + std::to_string(tarde.value) + "/");
    ASSERT_EQ(creds.size(), 1u);
    EXPECT_EQ(creds[0].to.at(0).email, organizer);
    const auto& hist = w.conf.password_history("u09");
    ASSERT_EQ(hist.size(), 4u);  // per webinar: credentials, then rotation at grace end
    EXPECT_NE(creds[0].text_body.find(hist[0]), std::string::npos);
    EXPECT_NE(creds[0].text_body.find("symposiumwebinar09@symposium.events"), std::string::npos);
    EXPECT_NE(creds[0].text_body.find("15:05"), std::string::npos)
        << creds[0].text_body;  // event's zone
    EXPECT_TRUE(sala::meets_room_password_rules(hist[0]));
    EXPECT_NE(hist[0], hist[1]);
    EXPECT_NE(hist[0], hist[2]);
    // Panelists get the attendee join link at the same moment.
    EXPECT_EQ(w.mail.to("panelista@example.org").size(), 1u);
    EXPECT_EQ(w.done_at(tarde, step_kind::mail_join_links), madrid(2021, 5, 12, 15, 2));
    // R14: 10 minutes before the end (15:55 -> 15:45).
    EXPECT_EQ(w.done_at(tarde, step_kind::mail_end_warning), madrid(2021, 5, 12, 15, 45));
    // R15: courtesy 0, so the platform ends it at 15:55, rotates the password, produces the report.
    EXPECT_EQ(w.done_at(tarde, step_kind::end_webinar), madrid(2021, 5, 12, 15, 55));
    EXPECT_EQ(w.done_at(tarde, step_kind::rotate_password), madrid(2021, 5, 12, 15, 55));
    EXPECT_EQ(w.done_at(tarde, step_kind::mail_report), madrid(2021, 5, 12, 15, 55));
    EXPECT_EQ(w.done_at(tarde, step_kind::room_free), madrid(2021, 5, 12, 16, 1));  // blocked end
    const auto report = w.life->report_of(tarde);
    ASSERT_TRUE(report);
    EXPECT_EQ(report->sessions.size(), 4u);
    EXPECT_EQ(report->people(), 3u);
    EXPECT_EQ(w.mail.with_key_prefix("report-ready/" + std::to_string(tarde.value) + "/").size(),
              2u);
    EXPECT_EQ(w.mail.to("admin@symposium.events").size(), 2u);  // one report per webinar
    // R19: the fake's recordings appear 60 min after the end; polled every 30 min.
    EXPECT_EQ(w.done_at(tarde, step_kind::fetch_recordings), madrid(2021, 5, 12, 16, 55));
    EXPECT_EQ(w.conf.downloads().size(), 4u);
    EXPECT_EQ(w.conf.count(method::trash_recordings), 2u);
    // The morning webinar on the 13th at 09:00 followed the same path.
    EXPECT_EQ(w.done_at(manana, step_kind::mail_credentials), madrid(2021, 5, 13, 8, 57));
    EXPECT_EQ(w.done_at(manana, step_kind::end_webinar), madrid(2021, 5, 13, 9, 50));
    for (auto id : {tarde, manana}) {
        EXPECT_TRUE(subsequence(w.done_steps_of(id), life_order()));
        for (auto k : life_order()) EXPECT_EQ(w.times_done(id, k), 1u) << sala::to_string(k);
    }
    EXPECT_TRUE(w.duplicate_mails().empty());
    EXPECT_TRUE(w.duplicate_effects().empty());
    EXPECT_TRUE(w.life->problems().empty());
    EXPECT_FALSE(w.life->next_due());  // nothing left to do
    EXPECT_EQ(w.conf.failures(), 0u);
}

TEST(Lifecycle, R16_NoDoubleMailAcrossManyTicksAtTheSameMinute) {
    world w;
    const auto ids = w.book_seed_webinars();
    const auto t = madrid(2021, 5, 12, 15, 2);
    for (int i = 0; i < 50; ++i) w.at(t);
    EXPECT_EQ(w.mail.with_key_prefix("credentials/").size(), 1u);
    EXPECT_EQ(w.mail.to("panelista@example.org").size(), 1u);
    for (int i = 0; i < 50; ++i) w.at(madrid(2021, 5, 12, 15, 55));
    EXPECT_EQ(w.mail.with_key_prefix("end-warning/").size(), 1u);
    EXPECT_EQ(w.conf.count(method::end_webinar), 1u);
    EXPECT_EQ(w.conf.count(method::create_webinar), 2u);
    EXPECT_TRUE(w.duplicate_mails().empty());
    (void)ids;
}

TEST(Lifecycle, R16_CatchUpAfterOneHourOutage) {
    world w;
    const auto [tarde, manana] = w.book_seed_webinars();
    w.every_minute(madrid(2021, 5, 12, 14, 0), madrid(2021, 5, 12, 15, 0));
    EXPECT_EQ(w.mail.sent().size(), 0u);
    // Down from 15:01 to 16:00: credentials, warning, end, report all missed.
    w.at(madrid(2021, 5, 12, 16, 0));
    std::vector<step_kind> got;
    for (const auto& e : w.steps)
        if (e.request == tarde && e.at == madrid(2021, 5, 12, 16, 0)) got.push_back(e.step);
    const std::vector<step_kind> want{
        step_kind::set_password,     step_kind::mail_credentials, step_kind::mail_join_links,
        step_kind::mail_end_warning, step_kind::end_webinar,      step_kind::rotate_password,
        step_kind::fetch_report,     step_kind::mail_report,      step_kind::fetch_recordings};
    EXPECT_EQ(got, want);
    w.every_minute(madrid(2021, 5, 12, 16, 1), madrid(2021, 5, 13, 0, 0));
    for (auto k : want) EXPECT_EQ(w.times_done(tarde, k), 1u) << sala::to_string(k);
    EXPECT_EQ(w.mail.with_key_prefix("credentials/").size(), 1u);
    EXPECT_EQ(w.mail.with_key_prefix("end-warning/").size(), 1u);
    EXPECT_TRUE(w.duplicate_mails().empty());
    EXPECT_TRUE(w.duplicate_effects().empty());
    EXPECT_FALSE(w.done_at(manana, step_kind::mail_credentials));  // tomorrow's is not due yet
}

TEST(Lifecycle, R16_CatchUpAfterOneDayOutage) {
    world w;
    w.conf.recording_delay = 0min;
    const auto [tarde, manana] = w.book_seed_webinars();
    w.at(madrid(2021, 5, 12, 0, 0));
    ASSERT_EQ(w.conf.count(method::create_webinar), 2u);
    // Down for a day and a half: both webinars' whole lives were missed.
    w.at(madrid(2021, 5, 13, 12, 0));
    for (auto id : {tarde, manana}) {
        const auto got = w.done_steps_of(id);
        EXPECT_TRUE(subsequence(
            got, {step_kind::set_password, step_kind::mail_credentials, step_kind::mail_join_links,
                  step_kind::mail_end_warning, step_kind::end_webinar, step_kind::rotate_password,
                  step_kind::fetch_report, step_kind::mail_report, step_kind::fetch_recordings}));
    }
    // In order across webinars too: all of yesterday's before any of today's.
    std::size_t last_tarde = 0, first_manana = w.steps.size();
    for (std::size_t i = 0; i < w.steps.size(); ++i) {
        if (w.steps[i].request == tarde && w.steps[i].step != step_kind::create_webinar)
            last_tarde = i;
        if (w.steps[i].request == manana && w.steps[i].step != step_kind::create_webinar)
            first_manana = std::min(first_manana, i);
    }
    EXPECT_LT(last_tarde, first_manana);
    // Then many more ticks: nothing again.
    const auto mails = w.mail.sent().size();
    w.every_minute(madrid(2021, 5, 13, 12, 1), madrid(2021, 5, 13, 14, 0));
    EXPECT_EQ(w.mail.sent().size(), mails);
    EXPECT_EQ(w.conf.count(method::create_webinar), 2u);
    EXPECT_EQ(w.conf.count(method::end_webinar), 2u);
    EXPECT_TRUE(w.duplicate_mails().empty());
    EXPECT_TRUE(w.duplicate_effects().empty());
}

TEST(Lifecycle, R16_EveryBackendCallAndMailFailsOnceYetEveryStepHappensOnce) {
    auto o = world::options();
    o.recordings_dir = ::testing::TempDir() + "/sala-lc-fail-once";
    world w(seed::seed_2086_settings(), o);
    w.conf.fail_every_call_once();
    w.mail.fail_every_message_once();
    const auto [tarde, manana] = w.book_seed_webinars();
    w.every_minute(madrid(2021, 5, 12, 14, 0), madrid(2021, 5, 13, 14, 0));
    for (auto id : {tarde, manana})
        for (auto k : life_order()) EXPECT_EQ(w.times_done(id, k), 1u) << sala::to_string(k);
    // Each distinct call failed once, then succeeded once.
    EXPECT_EQ(w.conf.count(method::create_webinar), 2u);
    EXPECT_EQ(w.conf.count(method::end_webinar), 2u);
    EXPECT_EQ(w.conf.count(method::participants_report), 2u);
    EXPECT_EQ(w.conf.count(method::trash_recordings), 2u);
    EXPECT_EQ(w.conf.count(method::download_recording), 4u);
    EXPECT_GT(w.conf.failures(), 10u);
    EXPECT_EQ(w.mail.with_key_prefix("credentials/").size(), 2u);
    EXPECT_EQ(w.mail.with_key_prefix("end-warning/").size(), 2u);
    EXPECT_EQ(w.mail.with_key_prefix("report-ready/").size(), 4u);
    EXPECT_TRUE(w.duplicate_mails().empty());
    EXPECT_TRUE(w.duplicate_effects().empty());
    // The password mailed is the one the room user holds (a retry re-sends the same one).
    const auto creds = w.mail.with_key_prefix("credentials/" + std::to_string(tarde.value) + "/");
    ASSERT_EQ(creds.size(), 1u);
    EXPECT_NE(creds[0].text_body.find(w.conf.password_history("u09").at(0)), std::string::npos);
    EXPECT_TRUE(w.life->problems().empty());  // one failure stays under the threshold
    // A failed step is retried a minute later: credentials still arrive before the start.
    EXPECT_LE(*w.done_at(tarde, step_kind::mail_credentials), madrid(2021, 5, 12, 15, 5));
}

TEST(Lifecycle, R16_EveryStepSurvivesFailuresAtEachBackendMethod) {
    // For each method in turn, the next three calls fail (retryable): every step still happens
    // once.
    for (auto m : {method::create_webinar, method::set_user_password, method::end_webinar,
                   method::participants_report, method::list_recordings, method::download_recording,
                   method::trash_recordings}) {
        auto o = world::options();
        o.recordings_dir = ::testing::TempDir() + "/sala-lc-fail-each";
        world w(seed::seed_2086_settings(), o);
        w.conf.fail_next(m, 3);
        const auto [tarde, manana] = w.book_seed_webinars();
        w.every_minute(madrid(2021, 5, 12, 14, 0), madrid(2021, 5, 13, 14, 0));
        for (auto id : {tarde, manana})
            for (auto k : life_order())
                EXPECT_EQ(w.times_done(id, k), 1u)
                    << sala::to_string(k) << " with " << w.conf.name(m) << " failing";
        EXPECT_TRUE(w.duplicate_mails().empty());
        EXPECT_EQ(w.conf.failures(), 3u);
    }
}

TEST(Lifecycle, R16_RateLimitRetryAfterIsHonoured) {
    world w;
    w.conf.fail_next(method::create_webinar, 1, true, 600);  // 429, Retry-After in 10 minutes
    auto in = seed::fixture::webinar("webinar sesión turno de tarde", 2021, 5, 12, 15, 5, 50);
    const auto id = w.f.p.submit(in).id;
    const auto t0 = madrid(2021, 5, 12, 10, 0);
    w.at(t0);
    EXPECT_EQ(w.conf.count(method::create_webinar, true), 1u);
    w.every_minute(t0 + 1min, t0 + 9min);
    EXPECT_EQ(w.conf.count(method::create_webinar, true), 1u);  // no retry before Retry-After
    w.at(t0 + 10min);
    EXPECT_EQ(w.conf.count(method::create_webinar), 1u);
    EXPECT_EQ(w.done_at(id, step_kind::create_webinar), t0 + 10min);
}

TEST(Lifecycle, R16_ExponentialBackoffBetweenRetries) {
    world w;
    w.conf.fail_next(method::create_webinar, 4);
    w.f.p.submit(seed::fixture::webinar("A", 2021, 5, 12, 15, 5, 50));
    const auto t0 = madrid(2021, 5, 12, 10, 0);
    w.every_minute(t0, t0 + 30min);
    std::vector<sala::instant> tries;
    for (const auto& e : w.steps)
        if (e.step == step_kind::create_webinar) tries.push_back(e.at);
    ASSERT_EQ(tries.size(), 5u);
    EXPECT_EQ(tries[1] - tries[0], 1min);
    EXPECT_EQ(tries[2] - tries[1], 2min);
    EXPECT_EQ(tries[3] - tries[2], 4min);
    EXPECT_EQ(tries[4] - tries[3], 8min);
}

TEST(Lifecycle, R16_RepeatedFailuresAreSurfacedToTheAdminOnceAndStillRetried) {
    world w;
    const auto [tarde, manana] = w.book_seed_webinars();
    w.at(madrid(2021, 5, 12, 15, 0));
    w.conf.fail_next(method::end_webinar, 5);
    w.every_minute(madrid(2021, 5, 12, 15, 50),
                   madrid(2021, 5, 12, 16, 4));  // tries at :55 :56 :58
    auto probs = w.life->problems();
    ASSERT_EQ(probs.size(), 1u);
    EXPECT_EQ(probs[0].step, step_kind::end_webinar);
    EXPECT_EQ(probs[0].request, tarde);
    EXPECT_GE(probs[0].failures, 3);
    EXPECT_EQ(w.mail.with_key_prefix("problem/").size(), 1u);
    EXPECT_EQ(w.mail.with_key_prefix("problem/")[0].to.at(0).email, "admin@symposium.events");
    w.every_minute(madrid(2021, 5, 12, 16, 5), madrid(2021, 5, 12, 17, 0));
    EXPECT_EQ(w.times_done(tarde, step_kind::end_webinar), 1u);
    EXPECT_TRUE(w.life->problems().empty());
    EXPECT_EQ(w.mail.with_key_prefix("problem/").size(), 1u);
    (void)manana;
}

TEST(Lifecycle, R16_NonRetryableErrorIsSurfacedAtOnce) {
    world w;
    w.f.p.submit(seed::fixture::webinar("A", 2021, 5, 12, 15, 5, 50));
    w.conf.fail_next(method::create_webinar, 1, false);
    w.at(madrid(2021, 5, 12, 10, 0));
    ASSERT_EQ(w.life->problems().size(), 1u);
    EXPECT_EQ(w.life->problems()[0].step, step_kind::create_webinar);
    w.at(madrid(2021, 5, 12, 10, 1));
    EXPECT_EQ(w.mail.with_key_prefix("problem/").size(), 1u);
    // Still retried, at the longest backoff.
    w.every_minute(madrid(2021, 5, 12, 10, 2), madrid(2021, 5, 12, 11, 0));
    EXPECT_EQ(w.conf.count(method::create_webinar), 1u);
    EXPECT_TRUE(w.life->problems().empty());
}

TEST(Lifecycle, R11_ReassignmentCreatesOnTheNewRoomBeforeDeletingTheOld) {
    world w;
    const auto [tarde, manana] = w.book_seed_webinars();
    w.at(madrid(2021, 5, 10, 12, 0));
    const auto old_id = w.life->state().webinars.at(tarde).webinar->handle.webinar_id;
    const auto old_join = w.life->state().webinars.at(tarde).webinar->handle.join_url;
    ASSERT_TRUE(w.f.p.reassign(tarde, w.f.r11));
    EXPECT_TRUE(w.life->dirty());
    // Creating on the new room fails first: the old webinar must still be there.
    w.conf.fail_next(method::create_webinar, 1);
    w.conf.fail_next(method::delete_webinar, 1);
    w.at(madrid(2021, 5, 10, 12, 1));
    EXPECT_FALSE(w.conf.find_webinar(old_id)->deleted);
    EXPECT_EQ(w.life->state().webinars.at(tarde).webinar->room, w.f.r09);
    // Then create succeeds and delete fails: both exist, the webinar has a working room.
    w.at(madrid(2021, 5, 10, 12, 2));
    EXPECT_EQ(w.life->state().webinars.at(tarde).webinar->room, w.f.r11);
    EXPECT_FALSE(w.conf.find_webinar(old_id)->deleted);
    EXPECT_EQ(w.conf.live_webinars_of("u11").size(), 1u);
    w.every_minute(madrid(2021, 5, 10, 12, 3), madrid(2021, 5, 10, 12, 10));
    EXPECT_TRUE(w.conf.find_webinar(old_id)->deleted);
    // Create came before delete in the backend's call log.
    std::size_t create_at = 0, delete_at = 0;
    for (std::size_t i = 0; i < w.conf.calls().size(); ++i) {
        const auto& c = w.conf.calls()[i];
        if (c.what == method::create_webinar && !c.failed && c.key.rfind("u11/", 0) == 0)
            create_at = i;
        if (c.what == method::delete_webinar && !c.failed) delete_at = i;
    }
    EXPECT_LT(create_at, delete_at);
    // The organizer is told once to re-invite panelists, with the new link.
    const auto told = w.mail.with_key_prefix("reassigned/");
    ASSERT_EQ(told.size(), 1u);
    EXPECT_NE(told[0].text_body.find("symposiumwebinar11@symposium.events"), std::string::npos);
    EXPECT_EQ(told[0].text_body.find(old_join), std::string::npos);
    EXPECT_NE(told[0].subject.find("panelist"), std::string::npos);
    // Credentials later are for the new room.
    w.every_minute(madrid(2021, 5, 12, 15, 0), madrid(2021, 5, 12, 15, 3));
    const auto creds = w.mail.with_key_prefix("credentials/");
    ASSERT_EQ(creds.size(), 1u);
    EXPECT_NE(creds[0].text_body.find("symposiumwebinar11@symposium.events"), std::string::npos);
    EXPECT_EQ(w.conf.password_history("u11").size(), 1u);
    (void)manana;
}

TEST(Lifecycle, R11_ReassignmentAfterCredentialsRegivesThemAndExpiresTheOldPassword) {
    world w;
    const auto [tarde, manana] = w.book_seed_webinars();
    w.every_minute(madrid(2021, 5, 12, 15, 0), madrid(2021, 5, 12, 15, 3));
    ASSERT_EQ(w.mail.with_key_prefix("credentials/").size(), 1u);
    w.f.clock->set(madrid(2021, 5, 12, 15, 3));
    ASSERT_TRUE(w.f.p.reassign(tarde, w.f.r12));
    w.at(madrid(2021, 5, 12, 15, 3));
    EXPECT_EQ(w.mail.with_key_prefix("credentials/").size(), 2u);  // generation 2: the new room
    EXPECT_EQ(w.mail.with_key_prefix("credentials/1/2").size(), 1u);
    EXPECT_EQ(w.conf.password_history("u09").size(), 2u);  // the old room's password expired
    EXPECT_EQ(w.conf.password_history("u12").size(), 1u);
    EXPECT_EQ(w.mail.to("panelista@example.org").size(), 2u);  // the old link died
    (void)manana;
}

TEST(Lifecycle, CancellationDeletesTheBackendWebinar) {
    world w;
    const auto [tarde, manana] = w.book_seed_webinars();
    w.at(madrid(2021, 5, 10, 12, 0));
    const auto id = w.life->state().webinars.at(manana).webinar->handle.webinar_id;
    w.f.p.cancel(manana);
    w.conf.fail_next(method::delete_webinar, 1);
    w.at(madrid(2021, 5, 10, 12, 1));
    EXPECT_FALSE(w.conf.find_webinar(id)->deleted);
    w.every_minute(madrid(2021, 5, 10, 12, 2), madrid(2021, 5, 10, 12, 5));
    EXPECT_TRUE(w.conf.find_webinar(id)->deleted);
    w.every_minute(madrid(2021, 5, 13, 8, 0), madrid(2021, 5, 13, 10, 0));
    EXPECT_FALSE(w.done_at(manana, step_kind::mail_credentials));
    EXPECT_EQ(w.conf.count(method::delete_webinar), 1u);
    (void)tarde;
}

TEST(Lifecycle, R10_QueuedRequestTellsTheOrganizerOnce) {
    world w;
    w.f.p.set_mode(w.f.r10, sala::room_mode::manual);
    const auto a = w.f.p.submit(seed::fixture::webinar("A", 2021, 5, 12, 15, 5, 50));
    const auto b = w.f.p.submit(seed::fixture::webinar("B <b>", 2021, 5, 12, 15, 30, 50));
    ASSERT_TRUE(a.assignment);
    ASSERT_FALSE(b.assignment);
    for (int i = 0; i < 5; ++i) w.at(madrid(2021, 5, 10, 12, i));
    const auto told = w.mail.with_key_prefix("unassigned/");
    ASSERT_EQ(told.size(), 1u);
    EXPECT_EQ(told[0].to.at(0).email, organizer);
    EXPECT_NE(told[0].html_body.find("B &lt;b&gt;"), std::string::npos);
    EXPECT_EQ(w.conf.count(method::create_webinar), 1u);
    // The admin assigns a manual room: now it is created.
    ASSERT_TRUE(w.f.p.assign(b.id, w.f.r11));
    w.at(madrid(2021, 5, 10, 12, 10));
    EXPECT_EQ(w.conf.count(method::create_webinar), 2u);
    EXPECT_EQ(w.mail.with_key_prefix("unassigned/").size(), 1u);
}

TEST(Lifecycle, R13_AboutToStartAndGenerateCredentialsNow) {
    world w;
    const auto [tarde, manana] = w.book_seed_webinars();
    w.at(madrid(2021, 5, 12, 14, 50));
    EXPECT_TRUE(w.life->about_to_start(madrid(2021, 5, 12, 14, 50)).empty());
    const auto soon = w.life->about_to_start(madrid(2021, 5, 12, 14, 50), 15min);
    ASSERT_EQ(soon.size(), 1u);
    EXPECT_EQ(soon[0].request, tarde);
    EXPECT_EQ(soon[0].status, "pending");
    EXPECT_EQ(soon[0].credentials_due, madrid(2021, 5, 12, 15, 2));
    EXPECT_TRUE(w.life->generate_credentials_now(tarde, madrid(2021, 5, 12, 14, 51)));
    EXPECT_EQ(w.mail.with_key_prefix("credentials/").size(), 1u);
    EXPECT_TRUE(w.life->about_to_start(madrid(2021, 5, 12, 14, 51), 15min).empty());
    const auto c = w.life->credentials_of(tarde);
    ASSERT_TRUE(c);
    EXPECT_EQ(c->user_name, "symposiumwebinar09@symposium.events");
    EXPECT_EQ(c->password, *w.conf.password_of("u09"));
    // The scheduled moment later does not send them again.
    w.every_minute(madrid(2021, 5, 12, 14, 52), madrid(2021, 5, 12, 15, 10));
    EXPECT_EQ(w.mail.with_key_prefix("credentials/").size(), 1u);
    EXPECT_TRUE(w.life->generate_credentials_now(tarde, madrid(2021, 5, 12, 15, 10)));
    EXPECT_EQ(w.mail.with_key_prefix("credentials/").size(), 1u);
    // A failing credentials step shows its error in the list.
    w.at(madrid(2021, 5, 13, 8, 0));
    w.mail.fail_next(1);
    w.at(madrid(2021, 5, 13, 8, 57));
    const auto failing = w.life->about_to_start(madrid(2021, 5, 13, 8, 57));
    ASSERT_EQ(failing.size(), 1u);
    EXPECT_NE(failing[0].status.find("injected"), std::string::npos);
    EXPECT_TRUE(w.life->generate_credentials_now(manana, madrid(2021, 5, 13, 8, 57)));
}

TEST(Lifecycle, R13_GenerateCredentialsNowNeedsARoom) {
    world w;
    w.f.p.set_mode(w.f.r09, sala::room_mode::manual);
    w.f.p.set_mode(w.f.r10, sala::room_mode::manual);
    const auto s = w.f.p.submit(seed::fixture::webinar("A", 2021, 5, 12, 15, 5, 50));
    EXPECT_THROW(w.life->generate_credentials_now(s.id, madrid(2021, 5, 12, 15, 0)),
                 sala::rule_violation);
    EXPECT_THROW(w.life->generate_credentials_now(sala::request_id{99}, madrid(2021, 5, 12, 15, 0)),
                 sala::not_found);
}

TEST(Lifecycle, R19_RecordingStuckAfterSixHoursIsFlaggedOnce) {
    world w;
    w.conf.recording_source = [](const auto&) { return std::vector<sala::recording_file>{}; };
    const auto [tarde, manana] = w.book_seed_webinars();
    w.every_minute(madrid(2021, 5, 12, 15, 0), madrid(2021, 5, 12, 21, 54));
    EXPECT_TRUE(w.mail.with_key_prefix("recording-stuck/").empty());
    w.at(madrid(2021, 5, 12, 21, 55));  // end 15:55 + 6 h
    const auto stuck = w.mail.with_key_prefix("recording-stuck/");
    ASSERT_EQ(stuck.size(), 1u);
    EXPECT_EQ(stuck[0].to.at(0).email, "admin@symposium.events");
    bool listed = false;
    for (const auto& p : w.life->problems())
        listed |= p.step == step_kind::recording_stuck && p.request == tarde;
    EXPECT_TRUE(listed);
    w.every_minute(madrid(2021, 5, 12, 21, 56), madrid(2021, 5, 12, 23, 59));
    EXPECT_EQ(w.mail.with_key_prefix("recording-stuck/").size(), 1u);
    EXPECT_EQ(w.conf.count(method::trash_recordings), 0u);
    (void)manana;
}

TEST(Lifecycle, R19_KeepRecordingsSkipsTheTrash) {
    auto o = world::options();
    o.keep_recordings = true;
    o.recordings_dir = ::testing::TempDir() + "/sala-lc-keep";
    world w(seed::seed_2086_settings(), o);
    w.book_seed_webinars();
    w.every_minute(madrid(2021, 5, 12, 15, 0), madrid(2021, 5, 12, 18, 0));
    EXPECT_EQ(w.conf.count(method::download_recording), 2u);
    EXPECT_EQ(w.conf.count(method::trash_recordings), 0u);
}

TEST(Lifecycle, R1_LinkingReportsAWastedLicenceToTheAdmin) {
    auto clock = std::make_shared<sala::manual_clock>(sala::make_utc(2021, 5, 1));
    sala::platform p({}, clock);
    sala::fake_conferencing conf(seed::symposium_users(), clock);
    sala::fake_mailer mail;
    sala::lifecycle life(p, conf, mail, lc::world::options());
    const auto rep = life.link_account("symposium", sala::pool_kind::own);
    EXPECT_EQ(rep.new_rooms.size(), 4u);
    EXPECT_EQ(conf.count(method::list_users), 1u);
    life.tick(clock->now());
    const auto wasted = mail.with_key_prefix("wasted-licence/");
    ASSERT_EQ(wasted.size(), 1u);
    EXPECT_NE(wasted[0].text_body.find("admin@symposium.events"), std::string::npos);
    // R20: inactive rooms get no settings; activation does.
    EXPECT_EQ(conf.count(method::apply_room_settings), 0u);
    p.activate(sala::room_id{2});
    life.tick(clock->now());
    EXPECT_EQ(conf.count(method::apply_room_settings), 1u);
    EXPECT_TRUE(conf.settings_of("u10"));
    life.link_account("symposium", sala::pool_kind::own);  // linking again: no second mail
    life.tick(clock->now());
    EXPECT_EQ(mail.with_key_prefix("wasted-licence/").size(), 1u);
}

TEST(Lifecycle, R2_LinkingWhenTheBackendFailsChangesNothing) {
    auto clock = std::make_shared<sala::manual_clock>(sala::make_utc(2021, 5, 1));
    sala::platform p({}, clock);
    sala::fake_conferencing conf(seed::symposium_users(), clock);
    sala::fake_mailer mail;
    sala::lifecycle life(p, conf, mail, lc::world::options());
    conf.fail_next(method::list_users, 1, true, 60);
    const auto before = p.state();
    EXPECT_THROW(life.link_account("symposium", sala::pool_kind::own), sala::backend_error);
    EXPECT_EQ(p.state(), before);
    EXPECT_TRUE(life.state().admin_notices.empty());
    EXPECT_EQ(life.link_account("symposium", sala::pool_kind::own).new_rooms.size(), 4u);
}

TEST(Lifecycle, StateRoundTripsAndARestoredLifecycleNeverRepeats) {
    world w;
    const auto [tarde, manana] = w.book_seed_webinars();
    w.every_minute(madrid(2021, 5, 12, 15, 0), madrid(2021, 5, 12, 15, 50));
    const sala::lifecycle_state saved = w.life->state();
    sala::lifecycle_state copy = saved;
    EXPECT_EQ(copy, saved);
    copy.webinars.at(tarde).steps[step_kind::end_webinar].done = true;
    EXPECT_NE(copy, saved);
    const auto mails = w.mail.sent().size();
    w.start(world::options(), saved);  // a restart from the stored state
    EXPECT_EQ(w.life->state(), saved);
    w.every_minute(madrid(2021, 5, 12, 15, 50), madrid(2021, 5, 12, 16, 30));
    EXPECT_TRUE(w.duplicate_mails().empty());
    EXPECT_EQ(w.mail.with_key_prefix("credentials/").size(), 1u);
    EXPECT_GT(w.mail.sent().size(), mails);
    EXPECT_EQ(w.conf.count(method::end_webinar), 1u);
    (void)manana;
}

TEST(Lifecycle, RestoreBetweenPasswordAndMailRegeneratesThePassword) {
    world w;
    const auto [tarde, manana] = w.book_seed_webinars();
    w.mail.fail_next(10);
    w.at(madrid(2021, 5, 12, 15, 2));  // password set, mail failed
    ASSERT_EQ(w.conf.password_history("u09").size(), 1u);
    const auto saved = w.life->state();
    w.mail.fail_next(0);
    w.start(world::options(), saved);  // the in-memory password is gone
    w.every_minute(madrid(2021, 5, 12, 15, 3), madrid(2021, 5, 12, 15, 10));
    const auto creds = w.mail.with_key_prefix("credentials/");
    ASSERT_EQ(creds.size(), 1u);
    ASSERT_EQ(w.conf.password_history("u09").size(), 2u);
    EXPECT_NE(creds[0].text_body.find(w.conf.password_history("u09")[1]), std::string::npos);
    (void)manana;
}

TEST(Lifecycle, OptionsAreValidated) {
    world w;
    auto o = world::options();
    o.failure_threshold = 0;
    try {
        sala::lifecycle l(w.f.p, w.conf, w.mail, o);
        FAIL() << "accepted a zero threshold";
    } catch (const sala::invalid_argument& e) {
        EXPECT_EQ(e.field(), "failure_threshold");
    }
    o = world::options();
    o.admin.email = "not an address";
    EXPECT_THROW(sala::lifecycle(w.f.p, w.conf, w.mail, o), sala::invalid_argument);
}

TEST(Lifecycle, DefaultOptionsAreValid) {
    world w;
    sala::lifecycle l(w.f.p, w.conf, w.mail);
    EXPECT_EQ(l.options().failure_threshold, 3);
    EXPECT_EQ(l.tick(madrid(2021, 5, 1, 12, 0)), 4u);  // the four active rooms' settings (R20)
}

TEST(Lifecycle, R16_AProblemLeftBehindByACancellationIsNoLongerListed) {
    world w;
    w.f.p.submit(seed::fixture::webinar("A", 2021, 5, 12, 15, 5, 50));
    w.conf.fail_next(method::create_webinar, 1, false);
    w.at(madrid(2021, 5, 10, 12, 0));
    ASSERT_EQ(w.life->problems().size(), 1u);
    w.f.p.cancel(sala::request_id{1});
    w.at(madrid(2021, 5, 10, 12, 1));
    EXPECT_TRUE(w.life->problems().empty());
    EXPECT_EQ(w.conf.count(method::create_webinar, true),
              1u);  // not retried for a cancelled request
}

TEST(Lifecycle, EffectsCarryStableIdempotencyKeys) {
    world w;
    const auto [tarde, manana] = w.book_seed_webinars();
    w.every_minute(madrid(2021, 5, 12, 15, 0), madrid(2021, 5, 12, 16, 0));
    std::vector<std::string> keys;
    for (const auto& e : w.life->effects())
        if (e.request == tarde) keys.push_back(e.kind + " " + e.idempotency_key);
    const std::string t = std::to_string(tarde.value);
    for (const std::string& want :
         {"set_user_password password/" + t + "/1", "mail credentials/" + t + "/1",
          "mail join/" + t + "/1/panelista@example.org", "mail end-warning/" + t,
          "end_webinar end/" + t, "set_user_password rotate/" + t, "report report/" + t,
          "mail report-ready/" + t + "/support@symposium.events"})
        EXPECT_NE(std::find(keys.begin(), keys.end(), want), keys.end()) << want;
    for (const auto& m : w.mail.sent()) EXPECT_FALSE(m.idempotency_key.empty());
    EXPECT_EQ(sala::lifecycle::key(step_kind::mail_credentials, tarde, 1),
              "credentials/" + t + "/1");
    (void)manana;
}

TEST(Lifecycle, R16_StateAsStoreRowsRoundTripsExactly) {
    auto o = world::options();
    o.recordings_dir = ::testing::TempDir() + "/sala-lc-rows";
    world w(seed::seed_2086_settings(), o);
    w.conf.fail_next(method::end_webinar, 4);  // surfaced: an admin notice in the state too
    const auto [tarde, manana] = w.book_seed_webinars();
    const auto half = [&] {
        w.every_minute(madrid(2021, 5, 12, 15, 0), madrid(2021, 5, 12, 16, 0));
        return w.life->state();
    }();
    ASSERT_FALSE(half.admin_notices.empty());
    const auto rows = sala::to_records(half);
    EXPECT_EQ(sala::from_records(rows), half);
    bool has_request_row = false;
    for (const auto& r : rows)
        has_request_row |= r.key == "request/" + std::to_string(tarde.value) && r.request == tarde;
    EXPECT_TRUE(has_request_row);
    // A restart from rows continues without repeating anything.
    w.start(o, sala::from_records(rows));
    w.every_minute(madrid(2021, 5, 12, 16, 1), madrid(2021, 5, 13, 12, 0));
    const auto full = w.life->state();
    EXPECT_EQ(sala::from_records(sala::to_records(full)), full);
    EXPECT_TRUE(w.duplicate_mails().empty());
    // Only what changed is written; a vanished row is erased with an empty state.
    const auto diff = sala::changed_records(half, full);
    EXPECT_FALSE(diff.empty());
    EXPECT_LT(diff.size(), sala::to_records(full).size() + 1);
    EXPECT_TRUE(sala::changed_records(full, full).empty());
    auto fewer = full;
    fewer.webinars.erase(manana);
    const auto erase = sala::changed_records(full, fewer);
    ASSERT_EQ(erase.size(), 1u);
    EXPECT_TRUE(erase[0].state.empty());
    // Bad rows are rejected with the key named.
    try {
        sala::from_records({{"request/9", std::nullopt, "{not json"}});
        FAIL();
    } catch (const sala::store_error& e) {
        EXPECT_NE(std::string(e.what()).find("request/9"), std::string::npos);
    }
    EXPECT_EQ(sala::parse_step_kind("set_password"), step_kind::set_password);
    EXPECT_THROW(sala::parse_step_kind("nope"), sala::invalid_argument);
}
