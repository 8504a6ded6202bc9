#pragma once
// Webinar requests (R6) and reservations (a request given a room for its blocked interval).

#include <optional>
#include <string>
#include <vector>

#include "sala/enum_names.hpp"
#include "sala/ids.hpp"
#include "sala/settings.hpp"
#include "sala/text.hpp"  // validate_email, check_text
#include "sala/time.hpp"

namespace sala {

// R6: how participants get in.
enum class admission { automatic, manual };

struct organizer {
    std::string name;
    std::string email;
    friend bool operator==(const organizer&, const organizer&) = default;
};

// What an organizer fills in (R6). `start` is wall-clock time in `zone`.
struct request_input {
    std::string title{};
    local_minutes start{};
    std::string zone{};
    minutes duration{0};
    sala::admission admission = admission::automatic;
    std::string event_id{};
    sala::organizer organizer{};
    std::optional<int> expected_attendees{};
    std::vector<std::string> panelists{};  // e-mail addresses
    // How to read `start` if it falls in a DST gap or overlap; unset means "reject".
    std::optional<choose> resolve{};
};

// A validated request: the input plus its id and its blocked window in UTC.
struct request {
    request_id id;
    std::string title;
    local_minutes local_start{};
    std::string zone;
    minutes duration{0};
    sala::admission admission = admission::automatic;
    std::string event_id;
    sala::organizer organizer;
    std::optional<int> expected_attendees;
    std::vector<std::string> panelists;
    blocked_window window{};  // computed with the settings in force when it was made
    friend bool operator==(const request&, const request&) = default;
};

struct reservation {
    request_id request;
    room_id room;
    interval blocked;
    friend bool operator==(const reservation&, const reservation&) = default;
};

// Checks every field of `in` except timing against settings (see platform::submit);
// throws sala::invalid_argument naming the field. Titles are one line of at most
// 200 characters (Zoom's topic limit) without control characters: a title ends
// up in e-mail subjects and calendar pages.
void validate_fields(const request_input& in);

template <>
struct enum_names<admission> {
    static constexpr enum_table<admission, 2> entries{
        {SALA_ENUM_NAME(admission, automatic), SALA_ENUM_NAME(admission, manual)}};
};
inline const char* to_string(admission a) { return enum_name(a); }

}  // namespace sala
