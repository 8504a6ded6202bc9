// The lifecycle's store rows (to_records / from_records in sala/lifecycle/lifecycle.hpp):
// every row carries its codec version; rows written before the version field
// existed still load; rows from a newer codec are refused.
#include "sala/lifecycle/lifecycle.hpp"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "test_lifecycle_support.hpp"

using lc::madrid;
using lc::world;
using sala::step_kind;

namespace {

// A state with request, room and notice rows.
sala::lifecycle_state busy_state() {
    world w;
    w.conf.fail_next(lc::method::end_webinar, 4);  // surfaced: an admin notice
    w.book_seed_webinars();
    w.every_minute(madrid(2021, 5, 12, 15, 0), madrid(2021, 5, 12, 16, 0));
    return w.life->state();
}

std::string without_version(const std::string& row) {
    auto j = nlohmann::json::parse(row);
    j.erase("version");
    return j.dump();
}

}  // namespace

TEST(LifecycleCodec, EveryRowCarriesTheCurrentVersion) {
    const auto rows = sala::to_records(busy_state());
    ASSERT_GT(rows.size(), 3u);
    for (const auto& r : rows)
        EXPECT_EQ(nlohmann::json::parse(r.state).at("version"), sala::lifecycle_codec_version)
            << r.key;
}

TEST(LifecycleCodec, RowsWithoutAVersionAreVersionOneAndStillLoad) {
    const auto state = busy_state();
    auto rows = sala::to_records(state);
    for (auto& r : rows) r.state = without_version(r.state);
    EXPECT_EQ(sala::from_records(rows), state);
}

TEST(LifecycleCodec, AVersionOneRowWrittenByHandLoads) {
    // As the first layout wrote it: no version field.
    const std::string step =
        R"({"attempts":1,"done":true,"done_at":26990000,"failures":0,"last_error":"","next_attempt":0,)"
        R"("progress":["join/7/1/a@example.org"],"surfaced":false})";
    const std::string request_row =
        R"({"credentials_requested":null,"generation":1,"previous_room_email":"","recording_stuck":false,)"
        R"("recordings":[],"replaced":[],"report":[],"request":7,"steps":{"mail_join_links":)" +
        step +
        R"(},"title":"Taller","webinar":{"generation":1,"host_user_id":"u09","join_url":"https://j",)"
        R"("passcode":"abc123","password_given":true,"room":1,"room_email":"r@example.org",)"
        R"("start_url":"https://s","webinar_id":"w1"}})";
    const auto s =
        sala::from_records({{"request/7", sala::request_id{7}, request_row},
                            {"room/1", std::nullopt, R"({"room":1,"step":)" + step + "}"}});
    const auto& r = s.webinars.at(sala::request_id{7});
    EXPECT_EQ(r.title, "Taller");
    ASSERT_TRUE(r.webinar);
    EXPECT_EQ(r.webinar->handle.webinar_id, "w1");
    EXPECT_TRUE(r.webinar->password_given);
    const auto& join = r.steps.at(step_kind::mail_join_links);
    EXPECT_TRUE(join.done);
    EXPECT_EQ(join.progress.count("join/7/1/a@example.org"), 1u);
    EXPECT_TRUE(s.room_settings.at(sala::room_id{1}).done);
    // Written again, the same state comes back with the version in it.
    const auto again = sala::to_records(s);
    EXPECT_EQ(sala::from_records(again), s);
}

TEST(LifecycleCodec, ARowFromANewerVersionIsRefusedNamingItsKey) {
    const auto rows = sala::to_records(busy_state());
    for (const auto& row : rows) {
        auto j = nlohmann::json::parse(row.state);
        j["version"] = sala::lifecycle_codec_version + 1;
        try {
            sala::from_records({{row.key, row.request, j.dump()}});
            FAIL() << row.key;
        } catch (const sala::store_error& e) {
            const std::string what = e.what();
            EXPECT_NE(what.find("'" + row.key + "'"), std::string::npos) << what;
            EXPECT_NE(what.find("version " + std::to_string(sala::lifecycle_codec_version + 1)),
                      std::string::npos)
                << what;
        }
    }
    EXPECT_THROW(sala::from_records({{"room/1", std::nullopt, R"({"version":0,"room":1})"}}),
                 sala::store_error);
    EXPECT_THROW(sala::from_records({{"room/1", std::nullopt, R"({"version":"1","room":1})"}}),
                 sala::store_error);
}

TEST(LifecycleSteps, EveryStepHasAKeyAndAName) {
    const sala::request_id id{42};
    for (std::size_t i = 0; i < sala::enum_count<step_kind>(); ++i) {
        const auto k = static_cast<step_kind>(i);
        EXPECT_EQ(sala::parse_step_kind(sala::to_string(k)), k);
        EXPECT_FALSE(sala::lifecycle::key(k, id, 1, "item").empty()) << sala::to_string(k);
    }
    EXPECT_EQ(sala::lifecycle::key(step_kind::apply_room_settings, {}, 0, "3"), "room-settings/3");
    EXPECT_EQ(sala::lifecycle::key(step_kind::mail_join_links, id, 2, "a@b.c"), "join/42/2/a@b.c");
    EXPECT_EQ(sala::lifecycle::key(step_kind::download_recordings, id, 0, "f"), "download/42/f");
    EXPECT_EQ(sala::lifecycle::key(step_kind::admin_mail, id, 0, "problem/1/x/1"), "problem/1/x/1");
}
