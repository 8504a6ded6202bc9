#pragma once
// E-mail templates for every message the lifecycle sends (R10-R15, R18, R19),
// in Spanish and English (chosen per platform), as plain text + HTML.
// Every value that comes from users (titles, names, URLs) is HTML-escaped in
// the HTML part; subjects are one line (no CR/LF, no control characters).
// Times are shown in the event's zone, with the zone's name.

#include <cstddef>
#include <string>
#include <string_view>

#include "sala/enum_names.hpp"
#include "sala/time.hpp"

namespace sala {

enum class language { es, en };
template <>
struct enum_names<language> {
    static constexpr enum_table<language, 2> entries{
        {SALA_ENUM_NAME(language, es), SALA_ENUM_NAME(language, en)}};
};
inline const char* to_string(language v) { return enum_name(v); }

enum class mail_kind {
    credentials,         // R12: host credentials to the organizer
    join_link,           // R12: join link to a registered attendee or panelist
    end_warning,         // R14: the webinar ends soon
    request_unassigned,  // R10: no room free, the request waits
    reassigned,          // R11: new room, panelists must be invited again
    report_ready,        // R15: the attendance report is available
    recording_stuck,     // R19: no recording 6 hours after the end (admin)
    backend_problem,     // a step keeps failing (admin)
    wasted_licence,      // R1/R18: the account owner holds a licence (admin)
};
template <>
struct enum_names<mail_kind> {
    static constexpr enum_table<mail_kind, 9> entries{
        {SALA_ENUM_NAME(mail_kind, credentials), SALA_ENUM_NAME(mail_kind, join_link),
         SALA_ENUM_NAME(mail_kind, end_warning), SALA_ENUM_NAME(mail_kind, request_unassigned),
         SALA_ENUM_NAME(mail_kind, reassigned), SALA_ENUM_NAME(mail_kind, report_ready),
         SALA_ENUM_NAME(mail_kind, recording_stuck), SALA_ENUM_NAME(mail_kind, backend_problem),
         SALA_ENUM_NAME(mail_kind, wasted_licence)}};
};
inline const char* to_string(mail_kind v) { return enum_name(v); }

// The values a template may use; each template reads the ones it needs.
struct mail_context {
    sala::language language = language::es;
    std::string platform_name = "sala";
    std::string recipient_name;
    std::string title;  // webinar title
    std::string event_id;
    std::string zone;  // the event's IANA zone
    instant start{};
    instant end{};
    instant grace_end{};
    instant blocked_begin{};
    instant blocked_end{};
    std::string room_email;  // the room user: the login name in credentials
    std::string previous_room_email;
    std::string password;
    std::string join_url;
    std::string start_url;
    std::size_t participants = 0;  // report_ready: sessions in the report
    std::size_t people = 0;        // report_ready: distinct people
    std::string report_location;   // where the report can be found
    std::string detail;            // backend_problem: step + error; wasted_licence: user
};

struct rendered_mail {
    std::string subject;  // one line
    std::string text;
    std::string html;
    friend bool operator==(const rendered_mail&, const rendered_mail&) = default;
};

rendered_mail render_mail(mail_kind kind, const mail_context& c);

// CR, LF and other control characters become spaces, runs collapse: safe in a header.
std::string one_line(std::string_view s);

// "es" / "en"; throws sala::invalid_argument("language") otherwise.
language parse_language(std::string_view s);

}  // namespace sala
