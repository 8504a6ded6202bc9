#pragma once
// Platform-wide settings (R7, R8, R12, R14) and the blocked window they give a webinar.

#include "sala/enum_names.hpp"
#include "sala/interval.hpp"
#include "sala/time.hpp"

namespace sala {

// R9: which free room an automatic assignment takes (sala/policy.hpp has the
// policies themselves). Saved with the settings.
enum class policy_kind { first_fit, best_fit, smallest_capacity };
template <>
struct enum_names<policy_kind> {
    static constexpr enum_table<policy_kind, 3> entries{
        {SALA_ENUM_NAME(policy_kind, first_fit), SALA_ENUM_NAME(policy_kind, best_fit),
         SALA_ENUM_NAME(policy_kind, smallest_capacity)}};
};
inline const char* to_string(policy_kind k) { return enum_name(k); }

struct settings {
    // R8: how far ahead a request may be made, in days from now (inclusive).
    int min_days_in_advance = 0;
    int max_days_in_advance = 365;
    // R8: allowed webinar durations.
    minutes min_duration{15};
    minutes max_duration{480};
    // R7: margins around the webinar that the room is blocked for.
    minutes preparation{30};
    minutes courtesy{15};
    minutes post_processing{6};
    // R12: credentials are generated this long before the start.
    minutes credentials_lead{30};
    // R14: the end warning goes out this long before the end.
    minutes end_warning_lead{10};

    // Throws sala::invalid_settings naming the first bad field.
    void validate() const;

    friend bool operator==(const settings&, const settings&) = default;
};

// What a webinar occupies (R7): the blocked interval and the moments inside it.
struct blocked_window {
    interval blocked;   // [start - preparation, end + courtesy + post_processing)
    instant start;      // webinar start
    instant end;        // start + duration
    instant grace_end;  // end + courtesy: the platform ends the webinar here (R15)

    friend bool operator==(const blocked_window&, const blocked_window&) = default;
};

constexpr blocked_window make_blocked_window(const settings& s, instant start, minutes duration) {
    const instant end = start + duration;
    const instant grace = end + s.courtesy;
    return {interval{start - s.preparation, grace + s.post_processing}, start, end, grace};
}

}  // namespace sala
