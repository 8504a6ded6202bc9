#pragma once
// The booking record sala::schedule and its index share, and the floor
// division both use for bucket and page numbers.

#include <cstdint>

namespace sala::detail {

// A booking as the schedule stores it: minutes since the Unix epoch (32 bits
// cover years 1 to 6000) and the request it belongs to. 16 bytes.
struct slot {
    std::int32_t begin;
    std::int32_t end;
    std::uint64_t request;
};

inline constexpr std::int64_t floor_div(std::int64_t a, std::int64_t b) noexcept {
    const std::int64_t q = a / b;
    return (a % b != 0 && ((a < 0) != (b < 0))) ? q - 1 : q;
}

}  // namespace sala::detail
