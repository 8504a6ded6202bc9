#pragma once
// Private to src/core and src/views: a time zone read from its TZif file
// (RFC 8536), including the POSIX rule in the file's footer that governs
// every time after the last listed transition. date's OS-database reader
// ignores that footer, which makes it wrong from 2038 on for zones with
// daylight saving time, and wrong today on "slim" tz files (zic -b slim),
// which list no transitions the footer can describe.

#include <date/tz.h>

#include <memory>

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace sala::detail {

class zone_rules {
  public:
    // The zone named `name` (an IANA name) from $TZDIR, else
    // /usr/share/zoneinfo; nullptr when there is no such zone. Loaded once
    // per process and kept.
    static const zone_rules* find(std::string_view name);

    // Parses a TZif file's bytes; throws std::runtime_error when they are not one.
    explicit zone_rules(std::string_view tzif);

    date::sys_info get_info(date::sys_seconds t) const;
    date::local_info get_info(date::local_seconds t) const;
    // Local time to UTC as date::time_zone::to_sys does with a choose:
    // a nonexistent time maps to the transition, an ambiguous one as asked.
    date::sys_seconds to_sys(date::local_seconds t, date::choose how) const;

  private:
    struct type {
        std::int32_t offset;  // seconds east of UTC
        bool dst;
        std::string abbrev;
    };
    date::sys_info listed(std::size_t type_index, std::int64_t begin, std::int64_t end) const;

    std::vector<std::int64_t> transitions_;  // seconds since the epoch, ascending
    std::vector<std::uint8_t> transition_types_;
    std::vector<type> types_;
    // The footer's rule (a date/ptz.h Posix::time_zone), for times after the
    // last transition; null when the file has none. Kept out of this header:
    // ptz.h does not compile as C++20 with g++ 12 (an ambiguous hh_mm_ss), so
    // zone.cpp alone includes it and is compiled as C++17.
    struct footer_rule;
    std::shared_ptr<const footer_rule> footer_;
};

// A zone by name for the rest of sala: the TZif reader above, or date's own
// database for a file it cannot read (only when $TZDIR is not set, so a
// chosen zone folder is never mixed with the system's).
class zone_view {
  public:
    // Throws sala::invalid_argument("zone") for an empty or unknown name.
    static zone_view find(std::string_view name);

    date::sys_info get_info(date::sys_seconds t) const {
        return rules_ ? rules_->get_info(t) : tz_->get_info(t);
    }
    date::local_info get_info(date::local_seconds t) const {
        return rules_ ? rules_->get_info(t) : tz_->get_info(t);
    }
    date::sys_seconds to_sys(date::local_seconds t, date::choose how) const {
        return rules_ ? rules_->to_sys(t, how) : tz_->to_sys(t, how);
    }

  private:
    const zone_rules* rules_ = nullptr;
    const date::time_zone* tz_ = nullptr;
};

}  // namespace sala::detail
