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
// Per bucket, rooms' "entirely free" bits form a bitset (64 rooms a word).
// A second level keeps, per word of 64 rooms and per window of 1, 2, 4 or 8
// consecutive buckets, one bit: "some room of this word is free over the
// whole window". First-fit ANDs those bits for windows covering the buckets
// inside the request (a necessary condition), so the packed low-numbered
// rooms are skipped 64 at a time, then checks the few surviving rooms exactly.
// Pages hold `page_buckets` buckets bucket-minor, so one query's buckets
// share cache lines; a missing page means every room is free there, so memory
// grows with booked time, not with the clock.

#include <algorithm>
#include <bit>
#include <cstdint>
#include <cstring>
#include <limits>
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
                    std::uint64_t* p = pg.get();
                    freew(p, i, k / 64) |= bit(k);
                    for (std::size_t lev = 0; lev < levels_; ++lev) l1w(p, i, k / 4096, lev) |= bit(k / 64);
                    pre(p, i)[k * row] = static_cast<std::uint8_t>(bucket_minutes);
                    suf(p, i)[k * row] = static_cast<std::uint8_t>(bucket_minutes);
                }
    }

    void set_eligible(std::uint32_t k, bool yes) {
        if (yes) elig_[k / 64] |= bit(k);
        else elig_[k / 64] &= ~bit(k);
        if (elig_[k / 64]) elig1_[k / 4096] |= bit(k / 64);
        else elig1_[k / 4096] &= ~bit(k / 64);
    }
    bool eligible(std::uint32_t k) const noexcept { return (elig_[k / 64] & bit(k)) != 0; }

    // Room k was free over [s, e) and is now busy there. Free spans only
    // shrink, so the room's other bookings need not be read.
    void add(std::uint32_t k, std::int64_t s, std::int64_t e) {
        const std::int64_t b0 = floor_div(s, bucket_minutes), b1 = floor_div(e - 1, bucket_minutes);
        std::int64_t lo = b1 + 1, hi = b0 - 1;  // buckets no longer entirely free
        for (std::int64_t b = b0; b <= b1; ++b) {
            const std::int64_t bs = b * bucket_minutes, be = bs + bucket_minutes;
            std::uint64_t* p = page_for_write(b);
            const std::int64_t i = in_page(b);
            const std::uint8_t old_pre = pre(p, i)[k * row];
            if (old_pre == bucket_minutes) lo = std::min(lo, b), hi = std::max(hi, b);
            put(p, i, k, static_cast<std::uint8_t>(std::min<std::int64_t>(old_pre, std::max(s, bs) - bs)),
                static_cast<std::uint8_t>(std::min<std::int64_t>(suf(p, i)[k * row], be - std::min(e, be))));
        }
        if (lo <= hi) summarize_cleared(k, lo, hi);
    }

    // Room k's booking over [s, e) was removed; `slots` are the room's
    // bookings after the change, in start order (they give the edges).
    void remove(std::uint32_t k, std::int64_t s, std::int64_t e, std::span<const slot> slots) {
        const std::int64_t b0 = floor_div(s, bucket_minutes), b1 = floor_div(e - 1, bucket_minutes);
        for (std::int64_t b = b0; b <= b1; ++b) {
            const std::int64_t bs = b * bucket_minutes;
            if (bs >= s && bs + bucket_minutes <= e) put(k, b, full, full);  // bookings never overlap
            else refresh(k, b, slots);
        }
        resummarize(k / 64, b0 - (max_window - 1), b1);
    }

    // Calls fn(k) for each eligible room k free over [s, e) (s < e), in room
    // order, until fn returns true. `exact(k)` answers for the rare interval
    // that lies inside one bucket and only a gap in its middle could hold it.
    template <class Exact, class Fn>
    void for_each_free(std::int64_t s, std::int64_t e, Exact&& exact, Fn&& fn) const {
        const std::int64_t b0 = floor_div(s, bucket_minutes), b1 = floor_div(e - 1, bucket_minutes);
        if (b0 == b1) {
            const std::uint64_t* pg = page_of(b0);
            const std::int64_t i = b0 - floor_div(b0, page_buckets) * page_buckets;
            const std::int64_t need_pre = e - b0 * bucket_minutes, need_suf = (b0 + 1) * bucket_minutes - s;
            for (std::size_t w = 0; w < elig_.size(); ++w)
                for (std::uint64_t c = elig_[w]; c; c &= c - 1) {
                    const auto k = static_cast<std::uint32_t>(w * 64 + std::countr_zero(c));
                    const bool ok = !pg || pre(pg, i)[k * row] >= need_pre || suf(pg, i)[k * row] >= need_suf ||
                                    exact(k);
                    if (ok && fn(k)) return;
                }
            return;
        }
        probe q;
        make_probe(s, e, q);
        const std::uint64_t* const* mid = q.mid();
        for (std::size_t j = 0; j < elig1_.size(); ++j) {
            for (std::uint64_t m = summary(q, j); m; m &= m - 1) {
                const std::size_t w = j * 64 + static_cast<std::size_t>(std::countr_zero(m));
                const std::size_t wo = w * page_buckets;
                std::uint64_t c = elig_[w];
                for (std::size_t t = 0; t < q.n && c; ++t) c &= mid[t][wo];
                for (; c; c &= c - 1) {
                    const auto k = static_cast<std::uint32_t>(w * 64 + std::countr_zero(c));
                    if ((!q.suf0 || q.suf0[k * row] >= q.need_suf) && (!q.pre1 || q.pre1[k * row] >= q.need_pre) &&
                        fn(k))
                        return;
                }
            }
        }
    }

    // Heap bytes held by the index (the benchmark's memory counter).
    std::size_t memory_bytes() const noexcept {
        std::size_t b = (elig_.capacity() + elig1_.capacity()) * 8 + pages_.capacity() * sizeof(void*);
        for (const auto& pg : pages_)
            if (pg) b += page_words() * 8;
        return b;
    }

private:
    // What a query over [s, e) spanning buckets b0 < b1 reads: the edge bytes,
    // the free words of the buckets strictly inside (as bases: free word w of
    // such a bucket is base[w * page_buckets]; missing pages are all free) and
    // the second-level words of windows covering them.
    struct probe {
        static constexpr std::size_t cap = 32;
        std::int64_t need_suf = 0, need_pre = 0;
        const std::uint8_t* suf0 = nullptr;
        const std::uint8_t* pre1 = nullptr;
        const std::uint64_t* small[cap];
        std::vector<const std::uint64_t*> large;
        std::size_t n = 0;
        const std::uint64_t* sums[cap];  // bases like small's, at the chosen level
        std::size_t ns = 0;
        void push(const std::uint64_t* p) {
            if (n < cap) small[n] = p;
            else {
                if (n == cap) large.assign(small, small + cap);
                large.push_back(p);
            }
            ++n;
        }
        const std::uint64_t* const* mid() const noexcept { return n <= cap ? small : large.data(); }
    };

    void make_probe(std::int64_t s, std::int64_t e, probe& q) const {
        const std::int64_t b0 = floor_div(s, bucket_minutes), b1 = floor_div(e - 1, bucket_minutes);
        q.need_suf = (b0 + 1) * bucket_minutes - s;
        q.need_pre = e - b1 * bucket_minutes;
        if (const std::uint64_t* first = page_of(b0)) q.suf0 = suf(first, in_page(b0));
        if (const std::uint64_t* last = page_of(b1)) q.pre1 = pre(last, in_page(b1));
        if (b1 - b0 <= 1 || pages_.empty()) return;
        const std::int64_t lo = b0 + 1, hi = b1 - 1;
        const std::int64_t p_lo = std::max(floor_div(lo, page_buckets), origin_);
        const std::int64_t p_hi =
            std::min(floor_div(hi, page_buckets), origin_ + static_cast<std::int64_t>(pages_.size()) - 1);
        for (std::int64_t p = p_lo; p <= p_hi; ++p) {
            const auto& pg = pages_[static_cast<std::size_t>(p - origin_)];
            if (!pg) continue;
            const std::int64_t i_lo = std::max(lo, p * page_buckets) - p * page_buckets;
            const std::int64_t i_hi = std::min(hi, p * page_buckets + page_buckets - 1) - p * page_buckets;
            for (std::int64_t i = i_lo; i <= i_hi; ++i) q.push(pg.get() + i);
        }
        if (levels_ == 0) return;
        // Windows of L consecutive inside buckets covering them all; a word
        // survives only if, for each window, one of its rooms is free over the
        // whole window (a necessary condition).
        const std::int64_t count = hi - lo + 1;
        std::size_t lev = 0;
        while (lev + 1 < levels_ && (std::int64_t{1} << (lev + 1)) <= count) ++lev;
        const std::int64_t L = std::int64_t{1} << lev;
        const std::size_t off = (words_ + lev * l1_) * page_buckets;
        for (std::int64_t st = lo;; st += L) {
            if (st + L - 1 > hi) st = hi - L + 1;
            if (q.ns == probe::cap) break;  // fewer filters is still correct
            if (const std::uint64_t* pg = page_of(st)) q.sums[q.ns++] = pg + in_page(st) + off;
            if (st + L - 1 >= hi) break;
        }
    }

    // Words of second-level word j that may hold a room free over the probe.
    std::uint64_t summary(const probe& q, std::size_t j) const noexcept {
        std::uint64_t m = levels_ ? elig1_[j] : (elig_[0] ? 1 : 0);  // up to 64 rooms: the one word
        const std::size_t jo = j * page_buckets;
        for (std::size_t t = 0; t < q.ns && m; ++t) m &= q.sums[t][jo];
        return m;
    }

    static constexpr std::uint64_t bit(std::uint32_t k) noexcept { return std::uint64_t{1} << (k % 64); }
    static constexpr std::uint64_t bit(std::size_t k) noexcept { return std::uint64_t{1} << (k % 64); }
    // Distance between a room's consecutive pre (or suf) bytes of one bucket.
    static constexpr std::size_t row = 2 * page_buckets;
    static constexpr std::uint8_t full = static_cast<std::uint8_t>(bucket_minutes);
    static constexpr std::int64_t in_page(std::int64_t b) noexcept {
        return b - floor_div(b, page_buckets) * page_buckets;
    }
    // Window levels of the second level: 1, 2, 4 and 8 buckets.
    static constexpr std::size_t max_levels = 4;
    static constexpr std::int64_t max_window = std::int64_t{1} << (max_levels - 1);

    // Page layout, bucket-minor so one query's buckets share cache lines:
    //   free bits   words_ x page_buckets words   [w][bucket]
    //   2nd level   l1_    x page_buckets words   [j][bucket]
    //   pre, suf    rcap_  x page_buckets x 2 bytes [room][bucket][pre, suf]
    std::size_t page_words() const noexcept {
        return static_cast<std::size_t>(page_buckets) * (words_ + levels_ * l1_) + 16 * std::size_t{rcap_};
    }
    std::uint64_t& freew(std::uint64_t* p, std::int64_t i, std::size_t w) const noexcept {
        return p[w * page_buckets + static_cast<std::size_t>(i)];
    }
    // Second level `lev`: bit w of word j for bucket i is set when some room
    // of word w is (or may be) free over the 2^lev buckets from bucket i on.
    std::uint64_t& l1w(std::uint64_t* p, std::int64_t i, std::size_t j, std::size_t lev = 0) const noexcept {
        return p[(words_ + lev * l1_ + j) * page_buckets + static_cast<std::size_t>(i)];
    }

    // Room bits of word w free over bucket b (a missing page is all free).
    std::uint64_t free_word(std::int64_t b, std::size_t w) const noexcept {
        if (const std::uint64_t* p = page_of(b))
            return p[w * page_buckets + static_cast<std::size_t>(b - floor_div(b, page_buckets) * page_buckets)];
        const std::size_t left = rooms_ > w * 64 ? rooms_ - w * 64 : 0;
        return left >= 64 ? ~std::uint64_t{0} : (std::uint64_t{1} << left) - 1;
    }

    // Room k's free bits were just cleared over buckets [lo, hi]: clears the
    // window bits that this emptied. Compares each window's AND before and
    // after, so summary lines are written only where a bit flips.
    void summarize_cleared(std::uint32_t k, std::int64_t lo, std::int64_t hi) {
        if (levels_ < 2) return;
        const std::size_t w = k / 64;
        const std::int64_t from = lo - (max_window - 1);
        const std::size_t len = static_cast<std::size_t>(hi - from + 1);
        if (len > 64) {  // long bookings: the general path
            resummarize(w, from, hi);
            return;
        }
        std::uint64_t now[64 + max_window], before[64 + max_window];
        for (std::size_t t = 0; t < len + max_window - 1; ++t) {
            const std::int64_t b = from + static_cast<std::int64_t>(t);
            now[t] = free_word(b, w);
            before[t] = now[t] | (b >= lo && b <= hi ? bit(k) : 0);
        }
        std::size_t avail = len + max_window - 1;
        for (std::size_t lev = 1; lev < levels_; ++lev) {
            const std::size_t half = std::size_t{1} << (lev - 1);
            avail -= half;
            for (std::size_t t = 0; t < avail; ++t) {
                now[t] &= now[t + half];
                before[t] &= before[t + half];
            }
            for (std::size_t t = 0; t < len; ++t) {
                if (!before[t] || now[t]) continue;
                const std::int64_t b = from + static_cast<std::int64_t>(t);
                if (const std::uint64_t* pg = page_of(b))
                    l1w(const_cast<std::uint64_t*>(pg), in_page(b), w / 64, lev) &= ~bit(w);
            }
        }
    }

    // Recomputes word w's window bits (levels 1..) for windows starting in [from, to].
    void resummarize(std::size_t w, std::int64_t from, std::int64_t to) {
        if (levels_ < 2) return;
        const std::size_t len = static_cast<std::size_t>(to - from + 1);
        constexpr std::size_t cap = 64;
        std::uint64_t buf[2 * (cap + max_window)];
        std::vector<std::uint64_t> big;
        std::uint64_t* f = buf;
        if (len > cap) {
            big.resize(2 * (len + max_window));
            f = big.data();
        }
        std::uint64_t* g = f + len + max_window;  // window ANDs, level by level
        for (std::size_t t = 0; t < len + max_window - 1; ++t) f[t] = free_word(from + static_cast<std::int64_t>(t), w);
        std::copy(f, f + len + max_window - 1, g);
        std::size_t avail = len + max_window - 1;  // valid entries of g
        for (std::size_t lev = 1; lev < levels_; ++lev) {
            const std::size_t half = std::size_t{1} << (lev - 1);
            avail -= half;
            for (std::size_t t = 0; t < avail; ++t) g[t] &= g[t + half];
            const std::uint64_t* pg = nullptr;
            std::int64_t pg_no = std::numeric_limits<std::int64_t>::min();
            for (std::size_t t = 0; t < len; ++t) {
                const std::int64_t b = from + static_cast<std::int64_t>(t);
                const std::int64_t pn = floor_div(b, page_buckets);
                if (pn != pg_no) pg = page_of(b), pg_no = pn;
                if (!pg) continue;
                std::uint64_t& word = l1w(const_cast<std::uint64_t*>(pg), b - pn * page_buckets, w / 64, lev);
                if (g[t]) word |= bit(w);
                else word &= ~bit(w);
            }
        }
    }
    // pre(p, i)[k * row] is room k's pre in bucket i of the page; suf likewise.
    std::uint8_t* pre(std::uint64_t* p, std::int64_t i) const noexcept {
        return reinterpret_cast<std::uint8_t*>(p + (words_ + levels_ * l1_) * page_buckets) + 2 * i;
    }
    const std::uint8_t* pre(const std::uint64_t* p, std::int64_t i) const noexcept {
        return reinterpret_cast<const std::uint8_t*>(p + (words_ + levels_ * l1_) * page_buckets) + 2 * i;
    }
    std::uint8_t* suf(std::uint64_t* p, std::int64_t i) const noexcept { return pre(p, i) + 1; }
    const std::uint8_t* suf(const std::uint64_t* p, std::int64_t i) const noexcept { return pre(p, i) + 1; }

    const std::uint64_t* page_of(std::int64_t b) const noexcept {
        const std::int64_t p = floor_div(b, page_buckets) - origin_;
        if (p < 0 || p >= static_cast<std::int64_t>(pages_.size())) return nullptr;
        return pages_[static_cast<std::size_t>(p)].get();
    }

    std::uint64_t* page_for_write(std::int64_t b) {
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
        return pg.get();
    }

    // Every existing room free over every bucket of the page.
    std::unique_ptr<std::uint64_t[]> new_page() const {
        auto pg = std::make_unique<std::uint64_t[]>(page_words());  // zeroed
        std::uint64_t* p = pg.get();
        for (std::uint32_t w = 0; w * 64 < rooms_; ++w) {
            const std::uint32_t left = rooms_ - w * 64;
            const std::uint64_t v = left >= 64 ? ~std::uint64_t{0} : (std::uint64_t{1} << left) - 1;
            for (std::int64_t i = 0; i < page_buckets; ++i) {
                freew(p, i, w) = v;
                for (std::size_t lev = 0; lev < levels_; ++lev) l1w(p, i, w / 64, lev) |= bit(w);
            }
        }
        std::memset(pre(p, 0), static_cast<int>(bucket_minutes), rcap_ * row);
        return pg;
    }

    void put(std::uint32_t k, std::int64_t b, std::uint8_t pr, std::uint8_t sf) {
        std::uint64_t* p;
        if (pr == bucket_minutes) {
            p = const_cast<std::uint64_t*>(page_of(b));
            if (!p) return;  // no page: already all free
        } else {
            p = page_for_write(b);
        }
        put(p, in_page(b), k, pr, sf);
    }
    void put(std::uint64_t* p, std::int64_t i, std::uint32_t k, std::uint8_t pr, std::uint8_t sf) {
        pre(p, i)[k * row] = pr;
        suf(p, i)[k * row] = sf;
        const std::uint32_t w = k / 64;
        std::uint64_t& fw = freew(p, i, w);
        const bool had = fw != 0;
        if (pr == bucket_minutes) fw |= bit(k);
        else fw &= ~bit(k);
        // The summary bit is "fw != 0": touch it only when that flips (its line is often cold).
        if (levels_ == 0 || had == (fw != 0)) return;
        if (fw) l1w(p, i, w / 64) |= bit(w);
        else l1w(p, i, w / 64) &= ~bit(w);
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
        const std::uint32_t cap = pages_.empty() ? need : std::max(need, rcap_ + rcap_ / 2);
        const std::size_t words = (cap + 63) / 64, l1 = (words + 63) / 64;
        const std::size_t levels = words > 1 ? max_levels : 0;  // one word needs no summary
        const std::size_t old_words = words_, old_levels = levels_, old_l1 = l1_, old_cap = rcap_;
        const std::size_t pb = static_cast<std::size_t>(page_buckets);
        // Relayout existing pages (rare: rooms added after bookings exist).
        for (auto& pg : pages_) {
            if (!pg) continue;
            auto np = std::make_unique<std::uint64_t[]>(pb * (words + levels * l1) + 16 * std::size_t{cap});
            std::copy(pg.get(), pg.get() + old_words * pb, np.get());
            // Second level: exact for single buckets, "maybe" for windows
            // (the next update of a bucket makes them exact again).
            for (std::size_t w = 0; w < old_words && levels; ++w)
                for (std::size_t i = 0; i < pb; ++i) {
                    const std::uint64_t b = std::uint64_t{1} << (w % 64);
                    if (np[w * pb + i]) np[(words + w / 64) * pb + i] |= b;
                    for (std::size_t lev = 1; lev < levels; ++lev) np[(words + lev * l1 + w / 64) * pb + i] |= b;
                }
            auto* nps = reinterpret_cast<std::uint8_t*>(np.get() + (words + levels * l1) * pb);
            const auto* ops = reinterpret_cast<const std::uint8_t*>(pg.get() + (old_words + old_levels * old_l1) * pb);
            std::memcpy(nps, ops, old_cap * row);
            std::memset(nps + old_cap * row, full, (cap - old_cap) * row);
            pg = std::move(np);
        }
        rcap_ = cap;
        words_ = words;
        l1_ = l1;
        levels_ = levels;
        elig_.resize(words_, 0);
        elig1_.resize(l1_, 0);
    }

    std::uint32_t rooms_ = 0;
    std::uint32_t rcap_ = 0;  // rooms the bucket layout has room for
    std::size_t words_ = 0;   // 64-bit words of a room bitset
    std::size_t l1_ = 0;      // words of the second level
    std::size_t levels_ = 0;  // window sizes kept by the second level (none up to 64 rooms)
    std::vector<std::uint64_t> elig_, elig1_;
    std::int64_t origin_ = 0;  // page number of pages_[0]
    std::vector<std::unique_ptr<std::uint64_t[]>> pages_;
};

}  // namespace sala::detail
