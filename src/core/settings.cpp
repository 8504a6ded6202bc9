#include "sala/settings.hpp"

#include <string>

#include "sala/error.hpp"

namespace sala {

namespace {

void require(bool ok, const char* field, const std::string& reason) {
    if (!ok) throw invalid_settings(field, reason);
}

std::string mins(minutes m) { return std::to_string(m.count()) + " min"; }

}  // namespace

void settings::validate() const {
    constexpr int max_days = 5 * 366;
    constexpr minutes max_margin{24 * 60};
    require(min_days_in_advance >= 0, "min_days_in_advance",
            "must be 0 or more, got " + std::to_string(min_days_in_advance));
    require(max_days_in_advance >= min_days_in_advance, "max_days_in_advance",
            "must be at least min_days_in_advance (" + std::to_string(min_days_in_advance) +
                "), got " + std::to_string(max_days_in_advance));
    require(max_days_in_advance <= max_days, "max_days_in_advance",
            "must be at most " + std::to_string(max_days) + " days, got " +
                std::to_string(max_days_in_advance));
    require(min_duration > minutes{0}, "min_duration",
            "must be positive, got " + mins(min_duration));
    require(
        max_duration >= min_duration, "max_duration",
        "must be at least min_duration (" + mins(min_duration) + "), got " + mins(max_duration));
    require(max_duration <= minutes{7 * 24 * 60}, "max_duration",
            "must be at most one week, got " + mins(max_duration));
    require(preparation >= minutes{0} && preparation <= max_margin, "preparation",
            "must be between 0 and 1440 min, got " + mins(preparation));
    require(courtesy >= minutes{0} && courtesy <= max_margin, "courtesy",
            "must be between 0 and 1440 min, got " + mins(courtesy));
    require(post_processing >= minutes{0} && post_processing <= max_margin, "post_processing",
            "must be between 0 and 1440 min, got " + mins(post_processing));
    require(credentials_lead >= minutes{0} && credentials_lead <= preparation, "credentials_lead",
            "must be between 0 and preparation (" + mins(preparation) +
                ") so credentials are made while the room is already blocked, got " +
                mins(credentials_lead));
    require(end_warning_lead >= minutes{0} && end_warning_lead < min_duration, "end_warning_lead",
            "must be 0 or more and shorter than min_duration (" + mins(min_duration) + "), got " +
                mins(end_warning_lead));
}

}  // namespace sala
