#pragma once
// The seeded benchmark workload (docs/performance.md): R rooms, a 90-day
// horizon, ~500 requests per room of 30-240 minutes plus the default margins
// (R7), allocated first-fit (R9) in arrival order so the low rooms are packed.

#include <cstdint>
#include <random>
#include <vector>

#include "sala/schedule.hpp"
#include "sala/settings.hpp"
#include "sala/time.hpp"

namespace sala::bench {

inline constexpr int horizon_days = 90;
inline constexpr int requests_per_room = 500;

// A request's blocked interval in minutes since the Unix epoch.
struct block {
    std::int64_t begin;
    std::int64_t end;
};

inline std::int64_t origin_minute() {
    return make_utc(2026, 1, 5).time_since_epoch().count();  // a Monday
}

// Starts on a 5-minute grid anywhere in the horizon, durations 30-240 minutes
// in 5-minute steps, blocked with the default margins (R7).
inline std::vector<block> make_requests(std::size_t n, std::uint64_t seed) {
    std::mt19937_64 rng(seed);
    const settings st;
    const std::int64_t slots = horizon_days * 24 * 12;
    std::uniform_int_distribution<std::int64_t> start(0, slots - 1), dur(6, 48);
    const std::int64_t o = origin_minute();
    std::vector<block> out;
    out.reserve(n);
    for (std::size_t i = 0; i < n; ++i) {
        const instant s{minutes{o + start(rng) * 5}};
        const auto w = make_blocked_window(st, s, minutes{dur(rng) * 5});
        out.push_back({w.blocked.begin().time_since_epoch().count(),
                       w.blocked.end().time_since_epoch().count()});
    }
    return out;
}

inline interval to_interval(const block& b) {
    return {instant{minutes{b.begin}}, instant{minutes{b.end}}};
}

// The state as it arises in use: every room eligible, the request stream
// allocated first-fit; requests that find no room are dropped.
inline void build_state(schedule& s, std::size_t rooms, std::uint64_t seed) {
    for (std::size_t k = 0; k < rooms; ++k) s.set_eligible(s.add_room(), true);
    const auto reqs = make_requests(rooms * requests_per_room, seed);
    std::uint64_t id = 0;
    for (const auto& r : reqs) {
        const auto iv = to_interval(r);
        if (const auto room = s.first_free(iv)) s.book(*room, iv, request_id{++id});
    }
}

// Seeds: the state, the queries and the batch are independent streams.
inline constexpr std::uint64_t state_seed = 20260105;
inline constexpr std::uint64_t query_seed = 7;
inline constexpr std::uint64_t batch_seed = 100000;

}  // namespace sala::bench
