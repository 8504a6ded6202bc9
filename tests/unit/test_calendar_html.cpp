// R17: month / week / day pages and the room timeline.
#include <gtest/gtest.h>

#include <regex>
#include <set>

#include "sala/views/calendar_html.hpp"
#include "seed_fixture.hpp"

using namespace std::chrono_literals;

namespace {

std::size_t count(const std::string& hay, const std::string& needle) {
    std::size_t n = 0;
    for (auto p = hay.find(needle); p != std::string::npos; p = hay.find(needle, p + 1)) ++n;
    return n;
}

std::set<std::uint64_t> box_ids(const std::string& html) {
    std::set<std::uint64_t> out;
    static const std::regex re("<div class=\"webinar [^\"]*\" data-request=\"(\\d+)\"");
    for (std::sregex_iterator it(html.begin(), html.end(), re), end; it != end; ++it)
        out.insert(std::stoull((*it)[1]));
    return out;
}

struct cal_fixture : seed::fixture {
    sala::calendar_options o{"Europe/Madrid", "Symposium"};
    sala::request_id running, future, queued, finished, nyc, june;
    cal_fixture() : seed::fixture(seed::seed_2086_settings()) {
        activate_all();
        finished = p.submit(webinar("Ya terminado", 2021, 5, 3, 10, 0, 60)).id;
        running =
            p.submit(webinar("Foro de debate sobre el cambio climático", 2021, 5, 13, 13, 10, 50))
                .id;
        future = p.submit(webinar("Taller 1 Workshop", 2021, 5, 13, 12, 50, 39)).id;
        queued = p.submit(webinar("International conference room", 2021, 5, 13, 12, 35, 60)).id;
        auto ny = webinar("NYC panel", 2021, 5, 14, 9, 0, 60);
        ny.zone = "America/New_York";
        nyc = p.submit(ny).id;
        june = p.submit(webinar("June one", 2021, 6, 2, 9, 0, 60)).id;
        clock->set(sala::make_utc(2021, 5, 13, 11, 20));  // 13:20 Madrid: 'Foro' runs
    }
};

}  // namespace

TEST(CalendarHtml, R17_MonthPageHasOneBoxPerWebinarWithStatusAndRoom) {
    cal_fixture f;
    ASSERT_EQ(f.p.status(f.running), sala::webinar_status::running);
    ASSERT_EQ(f.p.status(f.queued), sala::webinar_status::unassigned);
    ASSERT_EQ(f.p.status(f.finished), sala::webinar_status::finished);
    const auto html = sala::render_month(f.p, date::year{2021} / 5, f.o);
    // The grid runs whole weeks, Mon 26 Apr to Sun 6 Jun (May 31 is a Monday),
    // so June 2 shows too, greyed as another month's day.
    EXPECT_EQ(box_ids(html),
              (std::set<std::uint64_t>{f.finished.value, f.running.value, f.future.value,
                                       f.queued.value, f.nyc.value, f.june.value}));
    EXPECT_EQ(count(html, "<div class=\"webinar "), 6u);
    EXPECT_NE(html.find("class=\"webinar status-running room-"), std::string::npos);
    EXPECT_NE(html.find("class=\"webinar status-unassigned room-queue\" data-request=\"" +
                        std::to_string(f.queued.value)),
              std::string::npos);
    EXPECT_NE(html.find("status-finished"), std::string::npos);
    EXPECT_NE(html.find("data-day=\"2021-04-26\""), std::string::npos);
    EXPECT_NE(html.find("<td class=\"day other\" data-day=\"2021-06-06\""), std::string::npos);
    EXPECT_EQ(html.find("data-day=\"2021-06-07\""), std::string::npos);
    const auto june = sala::render_month(f.p, date::year{2021} / 6, f.o);
    EXPECT_EQ(box_ids(june), (std::set<std::uint64_t>{f.june.value}));
    // Blocked 13:07-14:06 (seed event 2086 margins, R7) in the event's zone.
    EXPECT_NE(html.find("13:07–14:06 CEST</span><span class=\"title\">Foro de debate"),
              std::string::npos);
}

TEST(CalendarHtml, R17_BoxShowsBlockedIntervalInTheEventsZone) {
    cal_fixture f;
    const auto html = sala::render_month(f.p, date::year{2021} / 5, f.o);
    // 09:00 New York, blocked 08:57-10:06 EDT, although the grid is in Madrid.
    EXPECT_NE(html.find("08:57–10:06 EDT</span><span class=\"title\">NYC panel"),
              std::string::npos);
}

TEST(CalendarHtml, R17_TitleWithScriptIsShownAsText) {
    cal_fixture f;
    f.p.submit(
        seed::fixture::webinar("<script>alert('x')</script> & \"co\"", 2021, 5, 18, 10, 0, 60));
    for (const auto& html : {sala::render_month(f.p, date::year{2021} / 5, f.o),
                             sala::render_week(f.p, date::year{2021} / 5 / 18, f.o),
                             sala::render_day(f.p, date::year{2021} / 5 / 18, f.o)}) {
        EXPECT_EQ(html.find("<script"), std::string::npos);
        EXPECT_NE(html.find("&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt; &amp; &quot;co&quot;"),
                  std::string::npos);
    }
    EXPECT_EQ(sala::html_escape("<a href=\"x\">'&'</a>"),
              "&lt;a href=&quot;x&quot;&gt;&#39;&amp;&#39;&lt;/a&gt;");
}

TEST(CalendarHtml, R17_WeekPageHasBoxesAndTimelineSegments) {
    cal_fixture f;
    const auto html = sala::render_week(f.p, date::year{2021} / 5 / 13, f.o);
    // Week of Mon 10 May: Foro, Taller, International, NYC.
    EXPECT_EQ(box_ids(html), (std::set<std::uint64_t>{f.running.value, f.future.value,
                                                      f.queued.value, f.nyc.value}));
    EXPECT_EQ(count(html, "<g class=\"segment-set\""), 4u);
    // Seed 2086 margins: preparation 3, courtesy 0, post 6: no courtesy segment.
    EXPECT_EQ(count(html, "<rect class=\"prep\""), 4u);
    EXPECT_EQ(count(html, "<rect class=\"webinar webinar-"), 4u);
    EXPECT_EQ(count(html, "<rect class=\"post\""), 4u);
    EXPECT_EQ(count(html, "<rect class=\"courtesy\""), 0u);
    EXPECT_NE(html.find("unassigned queue"), std::string::npos);
    EXPECT_EQ(count(html, "class=\"col\""), 7u);
}

TEST(CalendarHtml, R17_TimelineShowsCourtesyWithDefaultMargins) {
    seed::fixture f;  // preparation 30, courtesy 15, post 6
    f.activate_all();
    f.p.submit(seed::fixture::webinar("Webinar turno mañanas", 2021, 6, 1, 9, 0, 240));
    const auto html = sala::render_day(f.p, date::year{2021} / 6 / 1, {"Europe/Madrid", "S"});
    EXPECT_EQ(count(html, "<rect class=\"courtesy\""), 1u);
    EXPECT_EQ(count(html, "<rect class=\"prep\""), 1u);
    // R7: blocked 08:30-13:21.
    EXPECT_NE(html.find("08:30–13:21 CEST"), std::string::npos);
    // Box height: 291 minutes at 40 px an hour.
    EXPECT_NE(html.find("top:340.00px;height:194.00px"), std::string::npos) << html;
}

TEST(CalendarHtml, R17_PagesAreSelfContained) {
    cal_fixture f;
    for (const auto& html : {sala::render_month(f.p, date::year{2021} / 5, f.o),
                             sala::render_week(f.p, date::year{2021} / 5 / 13, f.o)}) {
        EXPECT_EQ(html.find("<link"), std::string::npos);
        EXPECT_EQ(html.find("src="), std::string::npos);
        EXPECT_EQ(html.find("href="), std::string::npos);
        EXPECT_EQ(html.find("url("), std::string::npos);
        EXPECT_EQ(html.find("<script"), std::string::npos);
    }
}

TEST(CalendarHtml, R17_RejectsBadDatesAndZones) {
    cal_fixture f;
    EXPECT_THROW(sala::render_month(f.p, date::year{2021} / 13, f.o), sala::invalid_argument);
    EXPECT_THROW(sala::render_day(f.p, date::year{2021} / 2 / 30, f.o), sala::invalid_argument);
    EXPECT_THROW(sala::render_week(f.p, date::year{2021} / 2 / 3, {"Nowhere/Land", "x"}),
                 sala::invalid_argument);
}
