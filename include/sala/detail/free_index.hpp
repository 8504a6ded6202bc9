#pragma once
// Cross-room free-time index behind sala::schedule (issue 7).
//
// Time is cut into buckets of `bucket_minutes`. For every bucket and room the
// index keeps two bytes: `pre`, the free minutes from the bucket's start up to
// the room's first busy minute in it, and `suf`, the free minutes from the
// room's last busy minute to the bucket's end (both == bucket_minutes when the
// room is free over the whole bucket). A room is free over [s, e) spanning
// buckets b0 < b1 exactly when suf[b0] >= end(b0) - s, pre[b1] >= e - start(b1)
// and the room is entirely free in every bucket in between, so answers come
// from the index alone, without touching the rooms' own bookings.
//
// Per bucket, rooms' "entirely free" bits form a bitset (64 rooms a word) and
// a second-level bitset marks the words with any such room, so first-fit ANDs
// a few words per 4096 rooms and skips the packed low-numbered rooms 64 at a
// time. Buckets live in pages of `page_buckets`; a missing page means every
// room is free there, so memory grows with booked time, not with the clock.

#include <algorithm>
#include <bit>
#include <cstdint>
#include <cstring>
#include <memory>
#include <span>
#include <vector>

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

class free_index {
public:
    static constexpr std::int64_t bucket_minutes = 30;
    static constexpr std::int64_t page_buckets = 64;
    static_assert(bucket_minutes <= 255, "pre/suf are bytes");

    std::uint32_t rooms() const noexcept { return rooms_; }

    void add_room() {
        if (rooms_ == rcap_) grow(rooms_ + 1);
        const std::uint32_t k = rooms_++;
        for (auto& pg : pages_)
            if (pg)
                for (std::int64_t i = 0; i < page_buckets; ++i) {
                    std::uint64_t* base = pg.get() + i * stride_;
                    base[k / 64] |= bit(k);
                    lvl1(base)[k / 4096] |= bit(k / 64);
                    pre(base)[k] = static_cast<std::uint8_t>(bucket_minutes);
                    suf(base)[k] = static_cast<std::uint8_t>(bucket_minutes);
                }
    }

    void set_eligible(std::uint32_t k, bool yes) {
        if (yes) elig_[k / 64] |= bit(k);
        else elig_[k / 64] &= ~bit(k);
        if (elig_[k / 64]) elig1_[k / 4096] |= bit(k / 64);
        else elig1_[k / 4096] &= ~bit(k / 64);
    }
    bool eligible(std::uint32_t k) const noexcept { return (elig_[k / 64] & bit(k)) != 0; }

    // Room k's bookings changed over [s, e) (one booking added or removed);
    // `slots` are the room's bookings after the change, in start order.
    // `busy` tells which: the buckets wholly inside [s, e) are then wholly busy
    // (added) or wholly free (removed, since bookings never overlap).
    void update(std::uint32_t k, std::int64_t s, std::int64_t e, std::span<const slot> slots, bool busy) {
        const std::int64_t b0 = floor_div(s, bucket_minutes), b1 = floor_div(e - 1, bucket_minutes);
        for (std::int64_t b = b0; b <= b1; ++b) {
            const std::int64_t bs = b * bucket_minutes;
            if (bs >= s && bs + bucket_minutes <= e) {
                const std::uint8_t v = busy ? 0 : static_cast<std::uint8_t>(bucket_minutes);
                put(k, b, v, v);
            } else {
                refresh(k, b, slots);
            }
        }
    }

    // Calls fn(k) for each eligible room k free over [s, e) (s < e), in room
    // order, until fn returns true. `exact(k)` answers for the rare interval
    // that lies inside one bucket and only a gap in its middle could hold it.
    template <class Exact, class Fn>
    void for_each_free(std::int64_t s, std::int64_t e, Exact&& exact, Fn&& fn) const {
        const std::int64_t b0 = floor_div(s, bucket_minutes), b1 = floor_div(e - 1, bucket_minutes);
        if (b0 == b1) {
            const std::uint64_t* base = bucket(b0);
            const std::int64_t need_pre = e - b0 * bucket_minutes, need_suf = (b0 + 1) * bucket_minutes - s;
            for (std::size_t w = 0; w < elig_.size(); ++w)
                for (std::uint64_t c = elig_[w]; c; c &= c - 1) {
                    const auto k = static_cast<std::uint32_t>(w * 64 + std::countr_zero(c));
                    const bool ok = !base || pre(base)[k] >= need_pre || suf(base)[k] >= need_suf ||
                                    exact(k);
                    if (ok && fn(k)) return;
                }
            return;
        }
        const std::int64_t need_suf = (b0 + 1) * bucket_minutes - s, need_pre = e - b1 * bucket_minutes;
        const std::uint64_t* first = bucket(b0);
        const std::uint64_t* last = bucket(b1);
        const std::uint8_t* suf0 = first ? suf(first) : nullptr;
        const std::uint8_t* pre1 = last ? pre(last) : nullptr;

        // Buckets strictly inside: only those on existing pages matter.
        constexpr std::size_t inline_cap = 32;
        const std::uint64_t* small[inline_cap];
        std::vector<const std::uint64_t*> large;
        std::size_t n = 0;
        auto push = [&](const std::uint64_t* p) {
            if (n < inline_cap) small[n] = p;
            else {
                if (n == inline_cap) large.assign(small, small + inline_cap);
                large.push_back(p);
            }
            ++n;
        };
        if (b1 - b0 > 1 && !pages_.empty()) {
            const std::int64_t lo = b0 + 1, hi = b1 - 1;
            const std::int64_t p_lo = std::max(floor_div(lo, page_buckets), origin_);
            const std::int64_t p_hi = std::min(floor_div(hi, page_buckets),
                                               origin_ + static_cast<std::int64_t>(pages_.size()) - 1);
            for (std::int64_t p = p_lo; p <= p_hi; ++p) {
                const auto& pg = pages_[static_cast<std::size_t>(p - origin_)];
                if (!pg) continue;
                const std::int64_t i_lo = std::max(lo, p * page_buckets) - p * page_buckets;
                const std::int64_t i_hi = std::min(hi, p * page_buckets + page_buckets - 1) - p * page_buckets;
                for (std::int64_t i = i_lo; i <= i_hi; ++i) push(pg.get() + i * stride_);
            }
        }
        const std::uint64_t* const* mid = n <= inline_cap ? small : large.data();

        for (std::size_t j = 0; j < elig1_.size(); ++j) {
            std::uint64_t m = elig1_[j];
            for (std::size_t t = 0; t < n && m; ++t) m &= lvl1(mid[t])[j];
            for (; m; m &= m - 1) {
                const std::size_t w = j * 64 + static_cast<std::size_t>(std::countr_zero(m));
                std::uint64_t c = elig_[w];
                for (std::size_t t = 0; t < n && c; ++t) c &= mid[t][w];
                for (; c; c &= c - 1) {
                    const auto k = static_cast<std::uint32_t>(w * 64 + std::countr_zero(c));
                    if ((!suf0 || suf0[k] >= need_suf) && (!pre1 || pre1[k] >= need_pre) && fn(k)) return;
                }
            }
        }
    }

    // Heap bytes held by the index (the benchmark's memory counter).
    std::size_t memory_bytes() const noexcept {
        std::size_t b = (elig_.capacity() + elig1_.capacity()) * 8 + pages_.capacity() * sizeof(void*);
        for (const auto& pg : pages_)
            if (pg) b += static_cast<std::size_t>(stride_ * page_buckets) * 8;
        return b;
    }

private:
    static constexpr std::uint64_t bit(std::uint32_t k) noexcept { return std::uint64_t{1} << (k % 64); }
    static constexpr std::uint64_t bit(std::size_t k) noexcept { return std::uint64_t{1} << (k % 64); }

    // Bucket layout, in 64-bit words: [words_ free bits][l1_ second level][pre bytes rcap_][suf bytes rcap_].
    std::uint64_t* lvl1(std::uint64_t* base) const noexcept { return base + words_; }
    const std::uint64_t* lvl1(const std::uint64_t* base) const noexcept { return base + words_; }
    std::uint8_t* pre(std::uint64_t* base) const noexcept {
        return reinterpret_cast<std::uint8_t*>(base + words_ + l1_);
    }
    const std::uint8_t* pre(const std::uint64_t* base) const noexcept {
        return reinterpret_cast<const std::uint8_t*>(base + words_ + l1_);
    }
    std::uint8_t* suf(std::uint64_t* base) const noexcept { return pre(base) + rcap_; }
    const std::uint8_t* suf(const std::uint64_t* base) const noexcept { return pre(base) + rcap_; }

    const std::uint64_t* bucket(std::int64_t b) const noexcept {
        const std::int64_t p = floor_div(b, page_buckets) - origin_;
        if (p < 0 || p >= static_cast<std::int64_t>(pages_.size())) return nullptr;
        const auto& pg = pages_[static_cast<std::size_t>(p)];
        return pg ? pg.get() + (b - (p + origin_) * page_buckets) * stride_ : nullptr;
    }

    std::uint64_t* bucket_for_write(std::int64_t b) {
        const std::int64_t p = floor_div(b, page_buckets);
        if (pages_.empty()) {
            origin_ = p;
            pages_.resize(1);
        } else if (p < origin_) {
            std::vector<std::unique_ptr<std::uint64_t[]>> grown(static_cast<std::size_t>(origin_ - p));
            for (auto& pg : pages_) grown.push_back(std::move(pg));
            pages_ = std::move(grown);
            origin_ = p;
        } else if (p - origin_ >= static_cast<std::int64_t>(pages_.size())) {
            pages_.resize(static_cast<std::size_t>(p - origin_ + 1));
        }
        auto& pg = pages_[static_cast<std::size_t>(p - origin_)];
        if (!pg) pg = new_page();
        return pg.get() + (b - p * page_buckets) * stride_;
    }

    std::unique_ptr<std::uint64_t[]> new_page() const {
        auto pg = std::make_unique<std::uint64_t[]>(static_cast<std::size_t>(stride_ * page_buckets));
        for (std::int64_t i = 0; i < page_buckets; ++i) init_bucket(pg.get() + i * stride_);
        return pg;
    }

    // Every existing room free over the whole bucket.
    void init_bucket(std::uint64_t* base) const {
        std::fill(base, base + words_ + l1_, std::uint64_t{0});
        for (std::uint32_t w = 0; w * 64 < rooms_; ++w) {
            const std::uint32_t left = rooms_ - w * 64;
            base[w] = left >= 64 ? ~std::uint64_t{0} : (std::uint64_t{1} << left) - 1;
            lvl1(base)[w / 64] |= bit(w);
        }
        std::memset(pre(base), static_cast<int>(bucket_minutes), rcap_ * 2);
    }

    void put(std::uint32_t k, std::int64_t b, std::uint8_t p, std::uint8_t s) {
        std::uint64_t* base;
        if (p == bucket_minutes) {
            base = const_cast<std::uint64_t*>(bucket(b));
            if (!base) return;  // no page: already all free
        } else {
            base = bucket_for_write(b);
        }
        pre(base)[k] = p;
        suf(base)[k] = s;
        const std::uint32_t w = k / 64;
        if (p == bucket_minutes) base[w] |= bit(k);
        else base[w] &= ~bit(k);
        if (base[w]) lvl1(base)[w / 64] |= bit(w);
        else lvl1(base)[w / 64] &= ~bit(w);
    }

    // Recomputes room k's pre/suf in bucket b from its bookings.
    void refresh(std::uint32_t k, std::int64_t b, std::span<const slot> slots) {
        const std::int64_t bs = b * bucket_minutes, be = bs + bucket_minutes;
        // Bookings never overlap, so ordering by begin also orders by end.
        auto it = std::lower_bound(slots.begin(), slots.end(), bs,
                                   [](const slot& x, std::int64_t t) { return x.end <= t; });
        if (it == slots.end() || it->begin >= be) {
            put(k, b, static_cast<std::uint8_t>(bucket_minutes), static_cast<std::uint8_t>(bucket_minutes));
            return;
        }
        const auto p = static_cast<std::uint8_t>(std::max<std::int64_t>(0, it->begin - bs));
        auto last = std::lower_bound(it, slots.end(), be, [](const slot& x, std::int64_t t) { return x.begin < t; });
        --last;
        const auto s = static_cast<std::uint8_t>(std::max<std::int64_t>(0, be - last->end));
        put(k, b, p, s);
    }

    void grow(std::uint32_t need) {
        std::uint32_t cap = pages_.empty() ? need : std::max(need, rcap_ + rcap_ / 2);
        cap = (cap + 7) / 8 * 8;
        const std::size_t words = (cap + 63) / 64, l1 = (words + 63) / 64;
        const std::int64_t stride = static_cast<std::int64_t>(words + l1 + cap / 4);
        // Relayout existing pages (rare: rooms added after bookings exist).
        for (auto& pg : pages_) {
            if (!pg) continue;
            auto np = std::make_unique<std::uint64_t[]>(static_cast<std::size_t>(stride * page_buckets));
            for (std::int64_t i = 0; i < page_buckets; ++i) {
                const std::uint64_t* ob = pg.get() + i * stride_;
                std::uint64_t* nb = np.get() + i * stride;
                std::copy(ob, ob + words_, nb);
                for (std::size_t w = 0; w < words; ++w)
                    if (nb[w]) nb[words + w / 64] |= std::uint64_t{1} << (w % 64);
                auto* npre = reinterpret_cast<std::uint8_t*>(nb + words + l1);
                std::memset(npre, static_cast<int>(bucket_minutes), cap * 2);
                std::memcpy(npre, pre(ob), rcap_);
                std::memcpy(npre + cap, suf(ob), rcap_);
            }
            pg = std::move(np);
        }
        rcap_ = cap;
        words_ = words;
        l1_ = l1;
        stride_ = stride;
        elig_.resize(words_, 0);
        elig1_.resize(l1_, 0);
    }

    std::uint32_t rooms_ = 0;
    std::uint32_t rcap_ = 0;  // rooms the bucket layout has room for (multiple of 8)
    std::size_t words_ = 0;   // 64-bit words of a room bitset
    std::size_t l1_ = 0;      // words of the second level
    std::int64_t stride_ = 0; // words per bucket
    std::vector<std::uint64_t> elig_, elig1_;
    std::int64_t origin_ = 0;  // page number of pages_[0]
    std::vector<std::unique_ptr<std::uint64_t[]>> pages_;
};

}  // namespace sala::detail
