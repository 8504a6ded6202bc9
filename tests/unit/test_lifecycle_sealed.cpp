// Credentials at rest (docs/lifecycle.md, "Credentials at rest"): the
// credentials password sealed with lifecycle_options::credentials_key (R12,
// R13, R15, R16), and what the lifecycle gives a step guard (absorb, due_now,
// prepare) for several processes on one store.
#include <gtest/gtest.h>

#include "test_lifecycle_support.hpp"

namespace {

using namespace lc;

const std::string key_a(64, 'a');
const std::string key_b = std::string(62, 'a') + "0b";

sala::lifecycle_options with_key(const std::string& key) {
    auto o = world::options();
    o.credentials_key = key;
    return o;
}

// 15:05 Madrid on 12 May with credentials_lead 3: set and mailed at 15:02.
struct sealed_world : world {
    explicit sealed_world(const std::string& key = key_a)
        : world(seed::seed_2086_settings(), with_key(key)) {}
    sala::request_id id{};
    void book() { id = book_seed_webinars().first; }
    const sala::webinar_record& rec() const { return life->state().webinars.at(id); }
    std::string password_set() const {
        const auto& h = conf.password_history(rec().webinar->host_user_id);
        return h.empty() ? std::string{} : h.back();
    }
};

TEST(SealedCredentials, PasswordIsStoredSealedAndOpensAfterARestart_R12_R16) {
    sealed_world w;
    w.book();
    w.at(madrid(2021, 5, 12, 15, 2));
    const std::string pw = w.password_set();
    ASSERT_FALSE(pw.empty());
    const std::string sealed = w.rec().sealed_password;
    ASSERT_EQ(sealed.rfind("v1:", 0), 0u);
    EXPECT_EQ(sealed.find(pw), std::string::npos);
    for (const auto& r : sala::to_records(w.life->state()))
        EXPECT_EQ(r.state.find(pw), std::string::npos) << r.key;
    // A restarted process (state from the rows) shows the same credentials.
    const auto st = sala::from_records(sala::to_records(w.life->state()));
    w.start(with_key(key_a), st);
    const auto c = w.life->credentials_of(w.id);
    ASSERT_TRUE(c);
    EXPECT_EQ(c->password, pw);
    EXPECT_EQ(c->user_name, w.rec().webinar->room_email);
}

TEST(SealedCredentials, RestartBeforeTheMailSendsTheStoredPassword_R12_R16) {
    sealed_world w;
    w.book();
    w.mail.fail_next(1);  // set_password done, the credentials mail fails
    w.at(madrid(2021, 5, 12, 15, 2));
    const std::string pw = w.password_set();
    ASSERT_FALSE(pw.empty());
    EXPECT_EQ(w.mail.count_key(sala::lifecycle::key(sala::step_kind::mail_credentials, w.id, 1)),
              0u);
    w.start(with_key(key_a), sala::from_records(sala::to_records(w.life->state())));
    w.at(madrid(2021, 5, 12, 15, 4));
    const auto& h = w.conf.password_history(w.rec().webinar->host_user_id);
    EXPECT_EQ(h.size(), 1u);  // no second password drawn
    const auto key = sala::lifecycle::key(sala::step_kind::mail_credentials, w.id, 1);
    ASSERT_EQ(w.mail.count_key(key), 1u);
    for (const auto& m : w.mail.sent())
        if (m.idempotency_key == key) {
            EXPECT_NE(m.text_body.find(pw), std::string::npos);
        }
}

TEST(SealedCredentials, AnotherKeyOrAnAlteredRowDoesNotOpenAndSaysNoSecret) {
    sealed_world w;
    w.book();
    w.at(madrid(2021, 5, 12, 15, 2));
    const std::string pw = w.password_set();
    auto st = w.life->state();
    w.start(with_key(key_b), st);
    try {
        (void)w.life->credentials_of(w.id);
        ADD_FAILURE() << "opened with another key";
    } catch (const sala::store_error& e) {
        const std::string what = e.what();
        EXPECT_NE(what.find("credentials_key"), std::string::npos) << what;
        EXPECT_EQ(what.find(pw), std::string::npos);
        EXPECT_EQ(what.find(key_b), std::string::npos);
        EXPECT_EQ(what.find(st.webinars.at(w.id).sealed_password), std::string::npos);
    }
    // One character changed in the ciphertext: the tag does not match.
    auto& s = st.webinars.at(w.id).sealed_password;
    s[10] = s[10] == 'A' ? 'B' : 'A';
    w.start(with_key(key_a), st);
    EXPECT_THROW((void)w.life->credentials_of(w.id), sala::store_error);
    // Copied into another request's record, it does not open either (bound to its record).
    auto st2 = w.life->state();
    auto moved = st2.webinars.at(w.id);
    moved.request = sala::request_id{99};
    moved.sealed_password = w.rec().sealed_password;
    st2.webinars.erase(w.id);
    st2.webinars[moved.request] = moved;
    w.start(with_key(key_a), st2);
    EXPECT_THROW((void)w.life->credentials_of(sala::request_id{99}), sala::store_error);
}

TEST(SealedCredentials, RotationErasesTheSealedPasswordAndTheViewExpires_R15) {
    sealed_world w;
    w.book();
    w.every_minute(madrid(2021, 5, 12, 15, 0), madrid(2021, 5, 12, 16, 10));
    EXPECT_TRUE(w.rec().steps.at(sala::step_kind::rotate_password).done);
    EXPECT_TRUE(w.rec().sealed_password.empty());
    EXPECT_FALSE(w.life->credentials_of(w.id));
}

TEST(SealedCredentials, KeyIsCheckedWithoutBeingEchoed) {
    for (const std::string& bad :
         {std::string(63, 'a'), std::string(64, 'g'), std::string("k3yZ")}) {
        try {
            world w(seed::seed_2086_settings(), with_key(bad));
            ADD_FAILURE() << "accepted a bad key";
        } catch (const sala::invalid_argument& e) {
            const std::string what = e.what();
            EXPECT_NE(what.find("credentials_key"), std::string::npos) << what;
            EXPECT_EQ(what.find(bad), std::string::npos) << what;
        }
    }
    auto o = with_key(key_a);
    o.claim_ttl = std::chrono::milliseconds{0};
    EXPECT_THROW(world(seed::seed_2086_settings(), o), sala::invalid_argument);
}

TEST(SealedCredentials, WithoutAKeyNothingIsStored) {
    world w;
    const auto id = w.book_seed_webinars().first;
    w.at(madrid(2021, 5, 12, 15, 2));
    EXPECT_TRUE(w.life->state().webinars.at(id).sealed_password.empty());
    EXPECT_TRUE(w.life->credentials_of(id));  // in memory, this process only
    w.start(world::options(), w.life->state());
    EXPECT_FALSE(w.life->credentials_of(id));
}

// What a step guard uses: due_now on the current state, absorb of another
// process's rows, and prepare drawing and sealing the password before the call.
TEST(StepGuardSupport, DueNowAbsorbAndPrepare) {
    sealed_world w;
    w.book();
    w.at(madrid(2021, 5, 12, 9, 0));  // webinar created
    const sala::step_subject set{sala::step_kind::set_password,
                                 "request/" + std::to_string(w.id.value), w.id, std::nullopt};
    EXPECT_FALSE(w.life->due_now(set, madrid(2021, 5, 12, 15, 1)));
    EXPECT_TRUE(w.life->due_now(set, madrid(2021, 5, 12, 15, 2)));
    EXPECT_TRUE(w.rec().sealed_password.empty());
    w.life->prepare(set);
    const std::string sealed = w.rec().sealed_password;
    EXPECT_FALSE(sealed.empty());
    w.life->prepare(set);  // drawn once
    EXPECT_EQ(w.rec().sealed_password, sealed);

    // Another process marked the step done: absorbing its row ends it here too.
    auto other = w.life->state();
    other.webinars.at(w.id).steps[sala::step_kind::set_password].done = true;
    other.webinars.at(w.id).steps[sala::step_kind::mail_credentials].done = true;
    const auto row = sala::record_of(other, set.row);
    w.life->absorb({row});
    EXPECT_FALSE(w.life->due_now(set, madrid(2021, 5, 12, 15, 2)));
    EXPECT_EQ(w.rec(), other.webinars.at(w.id));
    // An erased row is gone.
    w.life->absorb({{set.row, w.id, ""}});
    EXPECT_EQ(w.life->state().webinars.count(w.id), 0u);
    // A cancelled request has no set_password (R12 for requests it still has only).
    w.f.p.cancel(w.id);
    EXPECT_FALSE(w.life->due_now(set, madrid(2021, 5, 12, 15, 2)));
}

}  // namespace
