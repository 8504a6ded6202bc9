// sala/lifecycle/templates.hpp: every mail the seeds name, Spanish and English, text + HTML,
// escaped, one-line subjects, times in the event's zone (R10-R15, R19).
#include "sala/lifecycle/templates.hpp"

#include <gtest/gtest.h>

#include "sala/error.hpp"

namespace {

sala::mail_context seed_context(sala::language l) {
    sala::mail_context c;
    c.language = l;
    c.platform_name = "Symposium";
    c.recipient_name = "Soporte Técnico";
    c.title = "webinar sesión turno de tarde";
    c.event_id = "2086";
    c.zone = "Europe/Madrid";
    c.start = sala::make_utc(2021, 5, 12, 13, 5);  // 15:05 CEST
    c.end = sala::make_utc(2021, 5, 12, 13, 55);
    c.grace_end = c.end;
    c.blocked_begin = sala::make_utc(2021, 5, 12, 13, 2);
    c.blocked_end = sala::make_utc(2021, 5, 12, 14, 1);
    c.room_email = "symposiumwebinar09@symposium.events";
    c.password = "Qx7!Mp2#Wz9-";
    c.join_url = "https://zoom.example/w/1?pwd=a&b=c";
    c.start_url = "https://zoom.example/s/1";
    c.participants = 4;
    c.people = 3;
    c.detail = "end_webinar: HTTP 500";
    return c;
}

const sala::mail_kind all_kinds[] = {
    sala::mail_kind::credentials,     sala::mail_kind::join_link,
    sala::mail_kind::end_warning,     sala::mail_kind::request_unassigned,
    sala::mail_kind::reassigned,      sala::mail_kind::report_ready,
    sala::mail_kind::recording_stuck, sala::mail_kind::backend_problem,
    sala::mail_kind::wasted_licence};

}  // namespace

TEST(Templates, R12_CredentialsInSpanishShowEverythingInTheEventsZone) {
    const auto m =
        sala::render_mail(sala::mail_kind::credentials, seed_context(sala::language::es));
    EXPECT_EQ(m.subject, "Credenciales de la sala: webinar sesión turno de tarde");
    EXPECT_NE(m.text.find("2021-05-12 15:05 (Europe/Madrid)"), std::string::npos) << m.text;
    EXPECT_NE(m.text.find("Usuario: symposiumwebinar09@symposium.events"), std::string::npos);
    EXPECT_NE(m.text.find("Contraseña: Qx7!Mp2#Wz9-"), std::string::npos);
    EXPECT_NE(m.text.find("válidas sólo para este webinar"), std::string::npos);
    EXPECT_NE(m.html.find("<a href=\"https://zoom.example/w/1?pwd=a&amp;b=c\">"), std::string::npos)
        << m.html;
    EXPECT_NE(m.html.find("lang=\"es\""), std::string::npos);
}

TEST(Templates, R14_EndWarningInEnglish) {
    auto c = seed_context(sala::language::en);
    c.grace_end = c.end + std::chrono::minutes{15};
    const auto m = sala::render_mail(sala::mail_kind::end_warning, c);
    EXPECT_EQ(m.subject, "Your webinar ends soon: webinar sesión turno de tarde");
    EXPECT_NE(m.text.find("ends at 15:55"), std::string::npos) << m.text;
    EXPECT_NE(m.text.find("at 16:10"), std::string::npos) << m.text;
}

TEST(Templates, EveryKindInBothLanguagesHasASubjectTextAndHtml) {
    for (auto l : {sala::language::es, sala::language::en})
        for (auto k : all_kinds) {
            const auto m = sala::render_mail(k, seed_context(l));
            EXPECT_FALSE(m.subject.empty()) << sala::to_string(k);
            EXPECT_GT(m.text.size(), 40u) << sala::to_string(k);
            EXPECT_NE(m.html.find("</html>"), std::string::npos);
            EXPECT_EQ(m.subject.find_first_of("\r\n"), std::string::npos);
        }
    // Spanish and English differ.
    EXPECT_NE(
        sala::render_mail(sala::mail_kind::report_ready, seed_context(sala::language::es)).text,
        sala::render_mail(sala::mail_kind::report_ready, seed_context(sala::language::en)).text);
}

TEST(Templates, UserValuesAreEscapedInHtmlAndSubjectsAreOneLine) {
    for (auto l : {sala::language::es, sala::language::en})
        for (auto k : all_kinds) {
            auto c = seed_context(l);
            c.title = "<script>alert(1)</script>\r\nBcc: evil@example.org";
            c.recipient_name = "Ana \"<b>\" & Co";
            c.detail = "<img src=x onerror=alert(1)>";
            c.join_url = "https://x.example/\"><script>";
            const auto m = sala::render_mail(k, c);
            EXPECT_EQ(m.html.find("<script>"), std::string::npos) << sala::to_string(k) << m.html;
            EXPECT_EQ(m.html.find("<img"), std::string::npos) << sala::to_string(k);
            EXPECT_EQ(m.html.find("<b>"), std::string::npos) << sala::to_string(k);
            EXPECT_EQ(m.subject.find_first_of("\r\n"), std::string::npos);
        }
    auto c = seed_context(sala::language::en);
    c.title = "<script>alert(1)</script>\r\nBcc: evil@example.org";
    const auto m = sala::render_mail(sala::mail_kind::credentials, c);
    EXPECT_NE(m.html.find("&lt;script&gt;alert(1)&lt;/script&gt;"), std::string::npos);
    EXPECT_EQ(m.subject, "Room credentials: <script>alert(1)</script> Bcc: evil@example.org");
    EXPECT_NE(m.text.find("<script>"), std::string::npos);  // plain text shows it as typed
}

TEST(Templates, R11_ReassignmentTellsToReinvitePanelists) {
    auto c = seed_context(sala::language::es);
    c.previous_room_email = "symposiumwebinar12@symposium.events";
    const auto m = sala::render_mail(sala::mail_kind::reassigned, c);
    EXPECT_NE(m.text.find("invitarles otra vez"), std::string::npos);
    EXPECT_NE(m.text.find("symposiumwebinar12@symposium.events"), std::string::npos);
}

TEST(Templates, R10_UnassignedShowsTheBlockedIntervalInTheZone) {
    const auto m =
        sala::render_mail(sala::mail_kind::request_unassigned, seed_context(sala::language::es));
    EXPECT_NE(m.text.find("de 15:02 a 16:01"), std::string::npos) << m.text;
}

TEST(Templates, HelpersAndLanguageParsing) {
    EXPECT_EQ(sala::one_line("a\r\n\r\nb\tc"), "a b c");
    EXPECT_EQ(sala::parse_language("en"), sala::language::en);
    try {
        sala::parse_language("fr");
        FAIL();
    } catch (const sala::invalid_argument& e) {
        EXPECT_EQ(e.field(), "language");
    }
}
