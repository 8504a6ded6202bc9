#include "sala/request.hpp"

#include <string>

#include "sala/error.hpp"
#include "sala/text.hpp"

namespace sala {

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
