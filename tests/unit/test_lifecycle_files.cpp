// The lifecycle's reports (R15) and recordings (R19) through the file sink
// port (lifecycle_options::report_sink / recording_sink).
#include "sala/lifecycle/lifecycle.hpp"

#include <gtest/gtest.h>

#include <filesystem>

#include "sala/fakes/memory_files.hpp"
#include "test_lifecycle_support.hpp"

using lc::madrid;
using lc::method;
using lc::world;
using sala::step_kind;

namespace {

struct sinks {
    std::shared_ptr<sala::memory_files> reports = std::make_shared<sala::memory_files>();
    std::shared_ptr<sala::memory_files> recordings = std::make_shared<sala::memory_files>();
    sala::lifecycle_options options() const {
        auto o = world::options();
        o.report_sink = reports;
        o.recording_sink = recordings;
        return o;
    }
};

}  // namespace

TEST(LifecycleFiles, R15_R19_ReportsAndRecordingsGoToTheSinks) {
    sinks s;
    world w(seed::seed_2086_settings(), s.options());
    const auto [tarde, manana] = w.book_seed_webinars();
    w.every_minute(madrid(2021, 5, 12, 14, 0), madrid(2021, 5, 12, 17, 30));
    const std::string t = std::to_string(tarde.value);

    // R15: the CSV, in the event's zone, and the mails say where it is.
    const auto csv = s.reports->read("attendance-" + t + ".csv");
    ASSERT_TRUE(csv);
    EXPECT_EQ(*csv, w.life->report_of(tarde)->csv(seed::madrid));
    const auto ready = w.mail.with_key_prefix("report-ready/" + t + "/");
    ASSERT_EQ(ready.size(), 2u);
    EXPECT_NE(ready[0].text_body.find("memory:attendance-" + t + ".csv"), std::string::npos)
        << ready[0].text_body;

    // R19: each file streamed by the backend into request-<id>/, then trashed.
    const auto& files = w.life->state().webinars.at(tarde).recordings;
    ASSERT_EQ(files.size(), 2u);
    for (const auto& f : files) {
        const std::string rel =
            "request-" + t + "/" + f.id + (f.file_type == "MP4" ? ".mp4" : ".txt");
        const auto bytes = s.recordings->read(rel);
        ASSERT_TRUE(bytes) << rel;
        EXPECT_NE(bytes->find(f.id), std::string::npos);
    }
    EXPECT_EQ(w.conf.count(method::trash_recordings), 1u);
    EXPECT_TRUE(s.reports->log().size() == 1u && s.recordings->written().empty());
    EXPECT_TRUE(w.life->problems().empty());
    (void)manana;
}

TEST(LifecycleFiles, R16_AFailedReportWriteIsRetriedAndWrittenOnce) {
    sinks s;
    world w(seed::seed_2086_settings(), s.options());
    const auto [tarde, manana] = w.book_seed_webinars();
    s.reports->fail_next(1);
    w.every_minute(madrid(2021, 5, 12, 15, 0), madrid(2021, 5, 12, 16, 10));
    EXPECT_EQ(w.times_done(tarde, step_kind::fetch_report), 1u);
    EXPECT_EQ(w.conf.count(method::participants_report), 2u);  // fetched again on the retry
    EXPECT_EQ(s.reports->log().size(), 1u);
    EXPECT_EQ(w.mail.with_key_prefix("report-ready/" + std::to_string(tarde.value) + "/").size(),
              2u);
    (void)manana;
}

TEST(LifecycleFiles, R19_WithoutARecordingSinkNothingIsDownloadedOrTrashed) {
    world w;  // no sink, no recordings_dir
    const auto [tarde, manana] = w.book_seed_webinars();
    w.every_minute(madrid(2021, 5, 12, 15, 0), madrid(2021, 5, 12, 17, 30));
    EXPECT_EQ(w.times_done(tarde, step_kind::fetch_recordings), 1u);
    EXPECT_EQ(w.conf.count(method::download_recording), 0u);
    EXPECT_EQ(w.conf.count(method::trash_recordings), 0u);
    (void)manana;
}

TEST(LifecycleFiles, AGivenSinkWinsOverTheFolderOption) {
    sinks s;
    auto o = s.options();
    const auto dir = std::filesystem::path(::testing::TempDir()) / "sala-lc-unused-reports";
    std::filesystem::remove_all(dir);
    o.reports_dir = dir.string();
    world w(seed::seed_2086_settings(), o);
    w.book_seed_webinars();
    w.every_minute(madrid(2021, 5, 12, 15, 50), madrid(2021, 5, 12, 16, 0));
    EXPECT_EQ(s.reports->written().size(), 1u);
    EXPECT_FALSE(std::filesystem::exists(dir));
}
