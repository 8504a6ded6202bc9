#pragma once
// Bit-sliced edge minutes for free_index: for 64 rooms (one word) and one
// bucket, the free minutes at the bucket's end (`suf`) and start (`pre`),
// each 0-30, stored as five bit planes, so "which of these 64 rooms have at
// least n free minutes here" is a handful of word operations instead of 64
// byte reads on 64 cache lines. Layout of one group: suf bits 0-4, then pre
// bits 0-4, ten consecutive words.

#include <cstdint>

namespace sala::detail::edge_planes {

inline constexpr int bits = 5;  // values 0-31
inline constexpr int words = 2 * bits;
inline constexpr int suf_at = 0, pre_at = bits;

// Lanes whose value (planes[0..4], bit 0 first) is at least n.
inline std::uint64_t at_least(const std::uint64_t* planes, std::int64_t n) noexcept {
    if (n <= 0) return ~std::uint64_t{0};
    if (n > 31) return 0;
    std::uint64_t gt = 0, eq = ~std::uint64_t{0};
    for (int j = bits - 1; j >= 0; --j) {
        const std::uint64_t x = planes[j];
        if ((n >> j) & 1) {
            eq &= x;
        } else {
            gt |= eq & x;
            eq &= ~x;
        }
    }
    return gt | eq;
}

inline std::uint8_t get(const std::uint64_t* planes, unsigned lane) noexcept {
    unsigned v = 0;
    for (int j = 0; j < bits; ++j) v |= static_cast<unsigned>((planes[j] >> lane) & 1) << j;
    return static_cast<std::uint8_t>(v);
}

inline void set(std::uint64_t* planes, unsigned lane, std::uint8_t v) noexcept {
    const std::uint64_t m = std::uint64_t{1} << lane;
    for (int j = 0; j < bits; ++j) {
        if ((v >> j) & 1)
            planes[j] |= m;
        else
            planes[j] &= ~m;
    }
}

// Every lane in `lanes` set to v.
inline void fill(std::uint64_t* planes, std::uint64_t lanes, std::uint8_t v) noexcept {
    for (int j = 0; j < bits; ++j) {
        if ((v >> j) & 1)
            planes[j] |= lanes;
        else
            planes[j] &= ~lanes;
    }
}

}  // namespace sala::detail::edge_planes
