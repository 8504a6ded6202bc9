// sala/request.hpp: field validation of requests (R6) with the ugly inputs.
#include "sala/request.hpp"

#include <gtest/gtest.h>

#include "sala/error.hpp"
#include "seed_fixture.hpp"

namespace {
std::string rejected_field(const sala::request_input& in) {
    try {
        sala::validate_fields(in);
    } catch (const sala::invalid_argument& e) {
        return e.field();
    }
    return "<accepted>";
}
sala::request_input good() { return seed::fixture::webinar("Taller 1", 2021, 5, 13, 9, 0, 60); }
}  // namespace

TEST(Request, R6_AGoodRequestPasses) { EXPECT_EQ(rejected_field(good()), "<accepted>"); }

TEST(Request, R6_TitleWithCrLfIsRejected) {
    // A title ends up in mail subjects: a line break would inject a header.
    auto in = good();
    in.title = "Hola\r\nBcc: victim@example.org";
    EXPECT_EQ(rejected_field(in), "title");
    in.title = "line\nbreak";
    EXPECT_EQ(rejected_field(in), "title");
    in.title = "tab\there";
    EXPECT_EQ(rejected_field(in), "title");
}

TEST(Request, R6_HtmlAndUnicodeTitlesAreAccepted) {
    // Escaping is the renderers' job; the title itself is legitimate text.
    auto in = good();
    in.title = "<script>alert('x')</script> & sesión 🎓";
    EXPECT_EQ(rejected_field(in), "<accepted>");
}

TEST(Request, R6_EmptyLongAndMalformedTitles) {
    auto in = good();
    in.title = "";
    EXPECT_EQ(rejected_field(in), "title");
    in.title = "   ";
    EXPECT_EQ(rejected_field(in), "title");
    in.title = std::string(201, 'x');
    EXPECT_EQ(rejected_field(in), "title");
    in.title = std::string(200, 'x');
    EXPECT_EQ(rejected_field(in), "<accepted>");
    in.title = "bad \xC3\x28 utf8";
    EXPECT_EQ(rejected_field(in), "title");
    in.title = "overlong \xC0\xAF";
    EXPECT_EQ(rejected_field(in), "title");
    // 200 characters of two bytes each are still 200 characters.
    std::string accents;
    for (int i = 0; i < 200; ++i) accents += "\xC3\xB3";
    in.title = accents;
    EXPECT_EQ(rejected_field(in), "<accepted>");
}

TEST(Request, R6_ZeroAndNegativeDurations) {
    auto in = good();
    in.duration = sala::minutes{0};
    EXPECT_EQ(rejected_field(in), "duration");
    in.duration = sala::minutes{-30};
    EXPECT_EQ(rejected_field(in), "duration");
}

TEST(Request, R6_OrganizerPanelistsEventAndZone) {
    auto in = good();
    in.organizer.email = "not-an-address";
    EXPECT_EQ(rejected_field(in), "organizer.email");
    in = good();
    in.organizer.email = "a@b.c\r\nBcc: x@y.z";
    EXPECT_EQ(rejected_field(in), "organizer.email");
    in = good();
    in.panelists = {"p1@example.org", "two@@example.org"};
    EXPECT_EQ(rejected_field(in), "panelists[1]");
    in = good();
    in.event_id = "";
    EXPECT_EQ(rejected_field(in), "event_id");
    in = good();
    in.zone = "Mars/Olympus";
    EXPECT_EQ(rejected_field(in), "zone");
    in = good();
    in.expected_attendees = -1;
    EXPECT_EQ(rejected_field(in), "expected_attendees");
}
