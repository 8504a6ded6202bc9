// The lifecycle's step state in a SQLite file (with the lifecycle): a
// restarted host gets it back and sends nothing twice (R12, R14, R16).
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>

#include "../unit/seed_fixture.hpp"
#include "sala/adapters/sqlite_store.hpp"
#include "sala/durable/durable_lifecycle.hpp"
#include "sala/fakes/fake_conferencing.hpp"
#include "sala/fakes/fake_mailer.hpp"

namespace fs = std::filesystem;
using namespace std::chrono_literals;

namespace {

sala::instant madrid(int y, unsigned mo, unsigned d, unsigned h, unsigned mi) {
    return sala::to_instant(sala::make_local(y, mo, d, h, mi), "Europe/Madrid");
}

struct host {
    std::shared_ptr<sala::sqlite_store> db;
    sala::durable_platform p;
    sala::durable_lifecycle life;
    host(const std::string& path, std::shared_ptr<sala::manual_clock> clock,
         sala::conferencing& conf, sala::mailer& mail)
        : db(sala::sqlite_store::open(path)), p(db, clock), life(p, conf, mail, options()) {}
    static sala::lifecycle_options options() {
        sala::lifecycle_options o;
        o.from = {"Symposium", "no-reply@symposium.events"};
        o.admin = {"Admin", "admin@symposium.events"};
        return o;
    }
};

}  // namespace

TEST(SqliteLifecycle, R16_StepStateSurvivesARestartAndNothingIsSentTwice) {
    std::string t = (fs::temp_directory_path() / "sala-lc-XXXXXX").string();
    const std::string dir = ::mkdtemp(t.data());
    const std::string path = dir + "/sala.db";
    auto clock = std::make_shared<sala::manual_clock>(sala::make_utc(2021, 5, 1));
    sala::fake_conferencing conf(seed::symposium_users(), clock);
    sala::fake_mailer mail;
    sala::lifecycle_state saved;
    sala::request_id id;
    {
        host h(path, clock, conf, mail);
        h.p.link_account("symposium", sala::pool_kind::own, conf.list_users());
        for (std::uint32_t r = 1; r <= 4; ++r) h.p.activate(sala::room_id{r});
        h.p.set_mode(sala::room_id{1}, sala::room_mode::automatic);
        auto in = seed::fixture::webinar("webinar sesión turno de tarde", 2021, 5, 12, 15, 5, 50);
        in.panelists = {"panelista@example.org"};
        id = h.p.submit(in).id;
        h.life.tick(clock->now());
        ASSERT_EQ(conf.count(sala::fake_conferencing::method::create_webinar), 1u);
        clock->set(madrid(2021, 5, 12, 15, 0));  // inside the credentials window (R12)
        h.life.tick(clock->now());
        ASSERT_EQ(mail.with_key_prefix("credentials/").size(), 1u);
        saved = h.life.engine().state();
        ASSERT_FALSE(saved.webinars.empty());
    }
    // The host restarts: same file, same backends.
    host h(path, clock, conf, mail);
    EXPECT_EQ(h.life.engine().state(), saved);
    h.life.tick(clock->now());
    EXPECT_EQ(conf.count(sala::fake_conferencing::method::create_webinar), 1u);
    EXPECT_EQ(mail.with_key_prefix("credentials/").size(), 1u);
    // Catch-up after a long outage (R16): end warning, end, report, each once.
    clock->set(madrid(2021, 5, 12, 18, 0));
    h.life.tick(clock->now());
    h.life.tick(clock->now());
    EXPECT_EQ(conf.count(sala::fake_conferencing::method::end_webinar), 1u);
    const auto warning = sala::lifecycle::key(sala::step_kind::mail_end_warning, id);
    EXPECT_LE(mail.with_key_prefix(warning).size(), 1u);
    // And the saved state matches memory again after the catch-up.
    EXPECT_EQ(sala::from_records(h.db->lifecycle()), h.life.engine().state());
    fs::remove_all(dir);
}

// Every part of a lifecycle state survives the SQLite file (the lifecycle's
// row mapping through the store), and an emptied record erases its row.
TEST(SqliteLifecycle, LifecycleRecordsRoundTripThroughTheFile) {
    std::string t = (fs::temp_directory_path() / "sala-lc-XXXXXX").string();
    const std::string dir = ::mkdtemp(t.data());
    sala::lifecycle_state st;
    sala::webinar_record w;
    w.request = sala::request_id{7};
    w.title = "Título \"con\" comillas";
    w.webinar = sala::backend_webinar{sala::room_id{2},
                                      "u10",
                                      "r@example.org",
                                      {"9001", "https://j", "https://s"},
                                      "a1b2",
                                      2,
                                      true};
    w.replaced.push_back(*w.webinar);
    w.generation = 2;
    w.credentials_requested = sala::make_utc(2021, 5, 12, 13, 0);
    sala::step_record s;
    s.done = true;
    s.attempts = 3;
    s.failures = 1;
    s.last_error = "503";
    s.done_at = sala::make_utc(2021, 5, 12, 13, 2);
    s.progress = {"a@example.org", "b@example.org"};
    w.steps[sala::step_kind::mail_credentials] = s;
    w.report.push_back({"Ana", "ana@example.org", sala::make_utc(2021, 5, 12, 13, 5),
                        sala::make_utc(2021, 5, 12, 13, 50), 2700});
    w.recordings.push_back({"f1", "MP4", "https://d", 12345});
    w.recording_stuck = true;
    st.webinars[w.request] = w;
    st.room_settings[sala::room_id{3}] = s;
    sala::admin_notice n;
    n.message = {{"sala", "no-reply@x.org"},
                 {{"Admin", "admin@x.org"}},
                 "Subject",
                 "text",
                 "<p>html</p>",
                 "wasted/1"};
    n.queued = sala::make_utc(2021, 5, 1);
    st.admin_notices.push_back(n);

    const std::string path = dir + "/sala.db";
    {
        sala::durable_platform p(sala::sqlite_store::open(path),
                                 std::make_shared<sala::manual_clock>());
        p.commit_step(sala::changed_records({}, st), {});
    }
    auto db = sala::sqlite_store::open(path);
    EXPECT_EQ(sala::from_records(db->lifecycle()), st);

    sala::lifecycle_state fewer = st;
    fewer.webinars.clear();
    {
        sala::durable_platform p(db, std::make_shared<sala::manual_clock>());
        p.commit_step(sala::changed_records(st, fewer), {});
    }
    EXPECT_EQ(sala::from_records(sala::sqlite_store::open(path)->lifecycle()), fewer);
    fs::remove_all(dir);
}
