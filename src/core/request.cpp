#include "sala/request.hpp"

#include <string>

#include "sala/detail/utf8.hpp"
#include "sala/error.hpp"

namespace sala {

namespace {

std::size_t utf8_length(const std::string& s) {
    std::size_t n = 0;
    for (const char ch : s)
        if ((static_cast<unsigned char>(ch) & 0xC0) != 0x80) ++n;
    return n;
}

bool has_control(const std::string& s) {
    for (const char ch : s) {
        const auto c = static_cast<unsigned char>(ch);
        if (c < 0x20 || c == 0x7F) return true;
    }
    return false;
}

void check_text(const std::string& value, const std::string& field, std::size_t max_chars,
                bool required) {
    if (!detail::valid_utf8(value)) throw invalid_argument(field, "is not valid UTF-8");
    if (has_control(value))
        throw invalid_argument(field, "contains a line break or control character");
    if (required && value.find_first_not_of(' ') == std::string::npos)
        throw invalid_argument(field, "is empty");
    if (utf8_length(value) > max_chars)
        throw invalid_argument(field,
                               "is longer than " + std::to_string(max_chars) + " characters");
}

}  // namespace

void validate_email(const std::string& address, const std::string& field) {
    check_text(address, field, 254, true);
    const auto at = address.find('@');
    if (at == std::string::npos || at == 0 || at + 1 >= address.size() ||
        address.find('@', at + 1) != std::string::npos)
        throw invalid_argument(field, "'" + address + "' is not an e-mail address (name@domain)");
    if (address.find_first_of(" <>,;:\"()[]\\") != std::string::npos)
        throw invalid_argument(field,
                               "'" + address + "' contains characters not allowed in an address");
}

void validate_fields(const request_input& in) {
    check_text(in.title, "title", 200, true);
    check_text(in.event_id, "event_id", 64, true);
    check_text(in.organizer.name, "organizer.name", 200, false);
    validate_email(in.organizer.email, "organizer.email");
    if (in.duration <= minutes{0})
        throw invalid_argument(
            "duration", "must be positive, got " + std::to_string(in.duration.count()) + " min");
    if (in.expected_attendees && *in.expected_attendees < 0)
        throw invalid_argument("expected_attendees",
                               "must be 0 or more, got " + std::to_string(*in.expected_attendees));
    for (std::size_t i = 0; i < in.panelists.size(); ++i)
        validate_email(in.panelists[i], "panelists[" + std::to_string(i) + "]");
    check_zone(in.zone);
}

}  // namespace sala
