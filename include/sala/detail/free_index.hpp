#pragma once
// Cross-room free-time index behind sala::schedule.
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
// Above 64 rooms a second level keeps, per word of 64 rooms and per window of
// 1, 2, 4 or 8 consecutive buckets, one bit: "some room of this word is free
// over the whole window"; for windows of 1 and 2 buckets also a widened bit:
// "... and over the half bucket before and after it" (from per-bucket
// "suf >= 15" and "pre >= 15" bitsets), which short requests need. First-fit
// ANDs those bits for windows covering the buckets inside the request (a
// necessary condition), so the packed low-numbered rooms are skipped 64 at a
// time, then checks the few surviving rooms exactly. Summary bits may say
// "maybe" where the truth is "no", never the reverse: answers stay exact
// while they lag (schedule::book_first_fit updates them once at its end).
// Pages hold `page_buckets` buckets bucket-minor, so one query's buckets
// share cache lines; a missing page means every room is free there, so memory
// grows with booked time, not with the clock.

#include <algorithm>
#include <bit>
#include <cstdint>
#include <cstring>
#include <limits>
#include <memory>
#include <optional>
#include <span>
#include <tuple>
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

    // [s, e) lies inside one bucket: only then may for_each_free call `exact`.
    static constexpr bool inside_one_bucket(std::int64_t s, std::int64_t e) noexcept {
        return floor_div(s, bucket_minutes) == floor_div(e - 1, bucket_minutes);
    }

    void add_room() {
        if (rooms_ == rcap_) grow(rooms_ + 1);
        const std::uint32_t k = rooms_++;
        for (auto& pg : pages_)
            if (pg)
                for (std::int64_t i = 0; i < page_buckets; ++i) {
                    std::uint64_t* p = pg.get();
                    set_free_bits(p, i, k, true, true, true);
                    for (std::size_t lev = 0; lev < levels_; ++lev)
                        l1w(p, i, k / 4096, lev) |= bit(k / 64);
                    for (std::size_t lev = 0; lev < wide_levels(); ++lev)
                        hw(p, i, k / 4096, lev) |= bit(k / 64);
                    pre(p, i)[k * row] = static_cast<std::uint8_t>(bucket_minutes);
                    suf(p, i)[k * row] = static_cast<std::uint8_t>(bucket_minutes);
                }
    }

    void set_eligible(std::uint32_t k, bool yes) {
        if (yes)
            elig_[k / 64] |= bit(k);
        else
            elig_[k / 64] &= ~bit(k);
        if (elig_[k / 64])
            elig1_[k / 4096] |= bit(k / 64);
        else
            elig1_[k / 4096] &= ~bit(k / 64);
    }
    bool eligible(std::uint32_t k) const noexcept { return (elig_[k / 64] & bit(k)) != 0; }

    // Room k was free over [s, e) and is now busy there. Free spans only
    // shrink, so the room's other bookings need not be read. With `summarize`
    // false the window summaries are left as they were: still correct, as
    // they only claim "may be free", but weaker until summarize() runs.
    void add(std::uint32_t k, std::int64_t s, std::int64_t e, bool summarize = true) {
        const std::int64_t b0 = floor_div(s, bucket_minutes), b1 = floor_div(e - 1, bucket_minutes);
        std::int64_t lo = b1 + 1, hi = b0 - 1;  // buckets where one of room k's bits changed
        constexpr std::size_t inline_cap = 64;
        std::uint8_t small[inline_cap];
        std::vector<std::uint8_t> large;
        std::uint8_t* old_bits = small;  // room k's bits before, per bucket from b0
        if (b1 - b0 + 1 > static_cast<std::int64_t>(inline_cap)) {
            large.resize(static_cast<std::size_t>(b1 - b0 + 1));
            old_bits = large.data();
        }
        for (std::int64_t b = b0; b <= b1; ++b) {
            const std::int64_t bs = b * bucket_minutes, be = bs + bucket_minutes;
            std::uint64_t* p = page_for_write(b);
            const std::int64_t i = in_page(b);
            const std::uint8_t op = pre(p, i)[k * row], os = suf(p, i)[k * row];
            old_bits[b - b0] = bits_of(op, os);
            if (put(p, i, k,
                    static_cast<std::uint8_t>(std::min<std::int64_t>(op, std::max(s, bs) - bs)),
                    static_cast<std::uint8_t>(std::min<std::int64_t>(os, be - std::min(e, be)))))
                lo = std::min(lo, b), hi = std::max(hi, b);
        }
        if (summarize && lo <= hi)
            resummarize(k / 64, lo - max_window, hi + 1, cleared{k, b0, b1 - b0 + 1, old_bits});
    }

    // Brings the window summaries up to date after add(..., false) calls;
    // `spans` holds (room, begin, end) of those bookings, in any order.
    // Overlapping spans of one word are summarized once.
    void summarize(std::vector<std::tuple<std::uint32_t, std::int64_t, std::int64_t>>& spans) {
        if (levels_ == 0 || spans.empty() || pages_.empty()) return;
        // (word, first window) packed in one key, with the last window: quicker to sort than
        // tuples.
        const std::int64_t base = (origin_ - 1) * page_buckets;
        constexpr std::uint64_t low = (std::uint64_t{1} << 40) - 1;
        std::vector<std::pair<std::uint64_t, std::int64_t>> keys;
        keys.reserve(spans.size());
        for (const auto& [k, s, e] : spans) {
            const std::int64_t b0 = floor_div(s, bucket_minutes),
                               b1 = floor_div(e - 1, bucket_minutes);
            const auto first = static_cast<std::uint64_t>(b0 - max_window - base);
            keys.emplace_back((std::uint64_t{k / 64} << 40) | first, b1 + 1);
        }
        std::sort(keys.begin(), keys.end());
        for (std::size_t a = 0; a < keys.size();) {
            const std::uint64_t w = keys[a].first >> 40;
            const std::int64_t from = static_cast<std::int64_t>(keys[a].first & low) + base;
            std::int64_t to = keys[a].second;
            std::size_t z = a + 1;
            for (; z < keys.size() && (keys[z].first >> 40) == w; ++z) {
                if (static_cast<std::int64_t>(keys[z].first & low) + base > to + 1) break;
                to = std::max(to, keys[z].second);
            }
            resummarize(static_cast<std::size_t>(w), from, to);
            a = z;
        }
    }

    // Room k's booking over [s, e) was removed; `slots` are the room's
    // bookings after the change, in start order (they give the edges).
    void remove(std::uint32_t k, std::int64_t s, std::int64_t e, std::span<const slot> slots) {
        const std::int64_t b0 = floor_div(s, bucket_minutes), b1 = floor_div(e - 1, bucket_minutes);
        for (std::int64_t b = b0; b <= b1; ++b) {
            const std::int64_t bs = b * bucket_minutes;
            if (bs >= s && bs + bucket_minutes <= e)
                put(k, b, full, full);  // bookings never overlap
            else
                refresh(k, b, slots);
        }
        resummarize(k / 64, b0 - max_window, b1 + 1);
    }

    // Calls fn(k) for each eligible room k free over [s, e) (s < e), in room
    // order, until fn returns true. `exact(k)` answers for the rare interval
    // that lies inside one bucket and only a gap in its middle could hold it.
    template <class Exact, class Fn>
    void for_each_free(std::int64_t s, std::int64_t e, Exact&& exact, Fn&& fn) const {
        const std::int64_t b0 = floor_div(s, bucket_minutes), b1 = floor_div(e - 1, bucket_minutes);
        if (b0 == b1) {
            const std::uint64_t* pg = page_of(b0);
            const std::int64_t i = in_page(b0);
            const std::int64_t need_pre = e - b0 * bucket_minutes,
                               need_suf = (b0 + 1) * bucket_minutes - s;
            for (std::size_t w = 0; w < elig_.size(); ++w)
                for (std::uint64_t c = elig_[w]; c; c &= c - 1) {
                    const auto k = static_cast<std::uint32_t>(w * 64 + std::countr_zero(c));
                    const bool ok = !pg || pre(pg, i)[k * row] >= need_pre ||
                                    suf(pg, i)[k * row] >= need_suf || exact(k);
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
                    if ((!q.suf0 || q.suf0[k * row] >= q.need_suf) &&
                        (!q.pre1 || q.pre1[k * row] >= q.need_pre) && fn(k))
                        return;
                }
            }
        }
    }

    // Heap bytes held by the index (the benchmark's memory counter).
    std::size_t memory_bytes() const noexcept {
        std::size_t b =
            (elig_.capacity() + elig1_.capacity()) * 8 + pages_.capacity() * sizeof(void*);
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
            if (n < cap)
                small[n] = p;
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
        const std::int64_t p_hi = std::min(floor_div(hi, page_buckets),
                                           origin_ + static_cast<std::int64_t>(pages_.size()) - 1);
        for (std::int64_t p = p_lo; p <= p_hi; ++p) {
            const auto& pg = pages_[static_cast<std::size_t>(p - origin_)];
            if (!pg) continue;
            const std::int64_t i_lo = std::max(lo, p * page_buckets) - p * page_buckets;
            const std::int64_t i_hi =
                std::min(hi, p * page_buckets + page_buckets - 1) - p * page_buckets;
            for (std::int64_t i = i_lo; i <= i_hi; ++i) q.push(pg.get() + i);
        }
        if (levels_ == 0) return;
        // Windows of L consecutive inside buckets covering them all; a word
        // survives only if, for each window, one of its rooms is free over the
        // whole window (a necessary condition). Where the request also covers
        // half a bucket on each side of a window, the stronger "free over the
        // window and half a bucket either side" summary is used.
        const std::int64_t count = hi - lo + 1;
        std::size_t lev = 0;
        while (lev + 1 < levels_ && (std::int64_t{1} << (lev + 1)) <= count) ++lev;
        const std::int64_t L = std::int64_t{1} << lev;
        const std::size_t plain = summary_offset(lev, false), halves = summary_offset(lev, true);
        for (std::int64_t st = lo;; st += L) {
            if (st + L - 1 > hi) st = hi - L + 1;
            if (q.ns == probe::cap) break;  // fewer filters is still correct
            const bool wide = lev < wide_levels() && (st > lo || q.need_suf >= half) &&
                              (st + L - 1 < hi || q.need_pre >= half);
            if (const std::uint64_t* pg = page_of(st))
                q.sums[q.ns++] = pg + in_page(st) + (wide ? halves : plain);
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

    static constexpr std::uint64_t bit(std::uint32_t k) noexcept {
        return std::uint64_t{1} << (k % 64);
    }
    static constexpr std::uint64_t bit(std::size_t k) noexcept {
        return std::uint64_t{1} << (k % 64);
    }
    // Distance between a room's consecutive pre (or suf) bytes of one bucket.
    static constexpr std::size_t row = 2 * page_buckets;
    static constexpr std::uint8_t full = static_cast<std::uint8_t>(bucket_minutes);
    static constexpr std::int64_t half = bucket_minutes / 2;
    static constexpr std::int64_t in_page(std::int64_t b) noexcept {
        return b - floor_div(b, page_buckets) * page_buckets;
    }
    // Window levels of the second level: 1, 2, 4 and 8 buckets.
    static constexpr std::size_t max_levels = 4;
    static constexpr std::int64_t max_window = std::int64_t{1} << (max_levels - 1);

    // Page layout, bucket-minor so one query's buckets share cache lines:
    //   free bits      words_ x page_buckets words                 [w][bucket]
    //   suf >= half    words_ x page_buckets words (with levels)   [w][bucket]
    //   pre >= half    words_ x page_buckets words (with levels)   [w][bucket]
    //   2nd level      levels_ x l1_ x page_buckets words          [lev][j][bucket]
    //   ... widened    2 x l1_ x page_buckets words (with levels)  [lev][j][bucket]
    //   pre, suf       rcap_ x page_buckets x 2 bytes              [room][bucket][pre, suf]
    std::size_t bit_words() const noexcept { return words_ * (levels_ ? 3 : 1); }
    std::size_t summary_offset(std::size_t lev, bool widened) const noexcept {
        return (bit_words() + ((widened ? levels_ : 0) + lev) * l1_) * page_buckets;
    }
    // Widened summaries are kept for windows of 1 and 2 buckets: short
    // requests, where the plain ones let most words through.
    std::size_t wide_levels() const noexcept { return std::min<std::size_t>(levels_, 2); }
    std::size_t byte_offset() const noexcept {
        return (bit_words() + (levels_ + wide_levels()) * l1_) * page_buckets;
    }
    std::size_t page_words() const noexcept { return byte_offset() + 16 * std::size_t{rcap_}; }
    std::uint64_t& freew(std::uint64_t* p, std::int64_t i, std::size_t w) const noexcept {
        return p[w * page_buckets + static_cast<std::size_t>(i)];
    }
    // Rooms with at least `half` free minutes at the bucket's end (suf) or start (pre).
    std::uint64_t& sufw(std::uint64_t* p, std::int64_t i, std::size_t w) const noexcept {
        return p[(words_ + w) * page_buckets + static_cast<std::size_t>(i)];
    }
    std::uint64_t& prew(std::uint64_t* p, std::int64_t i, std::size_t w) const noexcept {
        return p[(2 * words_ + w) * page_buckets + static_cast<std::size_t>(i)];
    }
    // Second level `lev`: bit w of word j for bucket i is set when some room
    // of word w is (or may be) free over the 2^lev buckets from bucket i on.
    std::uint64_t& l1w(std::uint64_t* p, std::int64_t i, std::size_t j,
                       std::size_t lev = 0) const noexcept {
        return p[summary_offset(lev, false) + j * page_buckets + static_cast<std::size_t>(i)];
    }
    // Widened: ... and also over the last `half` minutes before and the first after them.
    std::uint64_t& hw(std::uint64_t* p, std::int64_t i, std::size_t j,
                      std::size_t lev) const noexcept {
        return p[summary_offset(lev, true) + j * page_buckets + static_cast<std::size_t>(i)];
    }
    void set_free_bits(std::uint64_t* p, std::int64_t i, std::uint32_t k, bool free, bool suf_half,
                       bool pre_half) {
        auto set = [&](std::uint64_t& word, bool on) {
            if (on)
                word |= bit(k);
            else
                word &= ~bit(k);
        };
        set(freew(p, i, k / 64), free);
        if (levels_ == 0) return;
        set(sufw(p, i, k / 64), suf_half);
        set(prew(p, i, k / 64), pre_half);
    }

    // Room k's bits per bucket: 1 free, 2 suf >= half, 4 pre >= half.
    static std::uint8_t bits_of(std::uint8_t pr, std::uint8_t sf) noexcept {
        return static_cast<std::uint8_t>((pr == full ? 1 : 0) | (sf >= half ? 2 : 0) |
                                         (pr >= half ? 4 : 0));
    }
    // What an add() cleared: room k's bits before, per bucket from b0.
    struct cleared {
        std::uint32_t k;
        std::int64_t b0, n;
        const std::uint8_t* old_bits;
    };

    // Recomputes word w's window summaries for windows starting in [from, to]
    // (plain from 2 buckets on: one bucket's is kept by put; widened from 1).
    // Without `was`, compares with the stored bits and writes those that
    // differ. With it (bits were only cleared), rebuilds the words as they
    // were and clears just the summaries that went from some room to none,
    // so summary lines that do not change are not even read.
    void resummarize(std::size_t w, std::int64_t from, std::int64_t to,
                     std::optional<cleared> was = std::nullopt) {
        if (levels_ == 0) return;
        const std::size_t len = static_cast<std::size_t>(to - from + 1);
        // Index x of each array is bucket from - 1 + x, for x in [0, span):
        // f, sf, pf the free, suf >= half, pre >= half words now; g the ANDs
        // of f over the current level's window from x; then the same four as
        // they were before the add (only with `was`).
        const std::size_t span = len + static_cast<std::size_t>(max_window) + 1;
        const std::size_t arrays = was ? 8 : 4;
        constexpr std::size_t cap = 96;
        std::uint64_t buf[8 * cap];
        std::vector<std::uint64_t> big;
        std::uint64_t* f = buf;
        if (span > cap) {
            big.resize(arrays * span);
            f = big.data();
        }
        std::uint64_t* const sf = f + span;
        std::uint64_t* const pf = sf + span;
        std::uint64_t* const g = pf + span;
        std::uint64_t* const fb = was ? g + span : nullptr;
        std::uint64_t* const sfb = was ? fb + span : nullptr;
        std::uint64_t* const pfb = was ? sfb + span : nullptr;
        std::uint64_t* const gb = was ? pfb + span : nullptr;
        const std::uint64_t* pg = nullptr;
        std::int64_t pg_no = std::numeric_limits<std::int64_t>::min();
        auto page = [&](std::int64_t b) {  // the page of bucket b, looked up once per page
            const std::int64_t pn = floor_div(b, page_buckets);
            if (pn != pg_no) pg = page_of(b), pg_no = pn;
            return pg;
        };
        const std::size_t left = rooms_ > w * 64 ? rooms_ - w * 64 : 0;
        const std::uint64_t all = left >= 64 ? ~std::uint64_t{0} : (std::uint64_t{1} << left) - 1;
        for (std::size_t x = 0; x < span; ++x) {
            const std::int64_t b = from - 1 + static_cast<std::int64_t>(x);
            if (const std::uint64_t* p = page(b)) {
                const std::size_t o = w * page_buckets + static_cast<std::size_t>(in_page(b));
                f[x] = g[x] = p[o];
                sf[x] = p[o + words_ * page_buckets];
                pf[x] = p[o + 2 * words_ * page_buckets];
            } else {
                f[x] = g[x] = sf[x] = pf[x] = all;  // a missing page is all free
            }
        }
        if (was) {
            std::copy(f, g + span, fb);  // f, sf, pf, g
            // Put room k's old bits back where add() changed them.
            const std::int64_t x0 = std::max<std::int64_t>(0, was->b0 - (from - 1));
            const std::int64_t x1 = std::min<std::int64_t>(static_cast<std::int64_t>(span),
                                                           was->b0 + was->n - (from - 1));
            for (std::int64_t x = x0; x < x1; ++x) {
                const std::uint8_t o = was->old_bits[x + from - 1 - was->b0];
                const auto ux = static_cast<std::size_t>(x);
                if (o & 1) fb[ux] |= bit(was->k), gb[ux] |= bit(was->k);
                if (o & 2) sfb[ux] |= bit(was->k);
                if (o & 4) pfb[ux] |= bit(was->k);
            }
        }
        std::size_t avail = span;  // valid entries of g
        for (std::size_t lev = 0; lev < levels_; ++lev) {
            const std::size_t L = std::size_t{1} << lev;
            const bool wide = lev < wide_levels();
            if (lev > 0) {
                const std::size_t h = L / 2;
                avail -= h;
                for (std::size_t x = 0; x < avail; ++x) g[x] &= g[x + h];
                if (gb)
                    for (std::size_t x = 0; x < avail; ++x) gb[x] &= gb[x + h];
            }
            for (std::size_t t = 0; t < len; ++t) {
                // The windows from bucket from + t, now.
                const std::uint64_t now = g[t + 1], now_wide = now & sf[t] & pf[t + 1 + L];
                bool clear_plain = false, clear_wide = false;
                if (gb) {
                    clear_plain = lev > 0 && gb[t + 1] && !now;
                    clear_wide = wide && (gb[t + 1] & sfb[t] & pfb[t + 1 + L]) && !now_wide;
                    if (!clear_plain && !clear_wide) continue;
                }
                const std::int64_t b = from + static_cast<std::int64_t>(t);
                auto* p = const_cast<std::uint64_t*>(page(b));
                if (!p) continue;
                const std::int64_t i = in_page(b);
                auto store = [&](std::uint64_t& word, bool on) {
                    if (((word >> (w % 64)) & 1) != static_cast<std::uint64_t>(on)) word ^= bit(w);
                };
                if (gb) {
                    if (clear_plain) l1w(p, i, w / 64, lev) &= ~bit(w);
                    if (clear_wide) hw(p, i, w / 64, lev) &= ~bit(w);
                    continue;
                }
                if (lev > 0) store(l1w(p, i, w / 64, lev), now != 0);
                if (wide) store(hw(p, i, w / 64, lev), now_wide != 0);
            }
        }
    }

    // pre(p, i)[k * row] is room k's pre in bucket i of the page; suf likewise.
    std::uint8_t* pre(std::uint64_t* p, std::int64_t i) const noexcept {
        return reinterpret_cast<std::uint8_t*>(p + byte_offset()) + 2 * i;
    }
    const std::uint8_t* pre(const std::uint64_t* p, std::int64_t i) const noexcept {
        return reinterpret_cast<const std::uint8_t*>(p + byte_offset()) + 2 * i;
    }
    std::uint8_t* suf(std::uint64_t* p, std::int64_t i) const noexcept { return pre(p, i) + 1; }
    const std::uint8_t* suf(const std::uint64_t* p, std::int64_t i) const noexcept {
        return pre(p, i) + 1;
    }

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
            std::vector<std::unique_ptr<std::uint64_t[]>> grown(
                static_cast<std::size_t>(origin_ - p));
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
                if (levels_ == 0) continue;
                sufw(p, i, w) = prew(p, i, w) = v;
                for (std::size_t lev = 0; lev < levels_; ++lev) l1w(p, i, w / 64, lev) |= bit(w);
                for (std::size_t lev = 0; lev < wide_levels(); ++lev)
                    hw(p, i, w / 64, lev) |= bit(w);
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
    // Sets room k's pre/suf in bucket i of page p; true when one of its bits changed.
    bool put(std::uint64_t* p, std::int64_t i, std::uint32_t k, std::uint8_t pr, std::uint8_t sf) {
        const std::uint8_t old_pr = pre(p, i)[k * row], old_sf = suf(p, i)[k * row];
        pre(p, i)[k * row] = pr;
        suf(p, i)[k * row] = sf;
        const bool was_free = old_pr == full, free = pr == full;
        const bool changed = was_free != free || (old_pr >= half) != (pr >= half) ||
                             (old_sf >= half) != (sf >= half);
        if (!changed) return false;
        const std::uint32_t w = k / 64;
        const bool had = freew(p, i, w) != 0;
        set_free_bits(p, i, k, free, sf >= half, pr >= half);
        // The summary bit is "free word != 0": touch it only when that flips (its line is often
        // cold).
        const bool has = freew(p, i, w) != 0;
        if (levels_ > 0 && had != has) {
            if (has)
                l1w(p, i, w / 64) |= bit(w);
            else
                l1w(p, i, w / 64) &= ~bit(w);
        }
        return true;
    }

    // Recomputes room k's pre/suf in bucket b from its bookings.
    void refresh(std::uint32_t k, std::int64_t b, std::span<const slot> slots) {
        const std::int64_t bs = b * bucket_minutes, be = bs + bucket_minutes;
        // Bookings never overlap, so ordering by begin also orders by end.
        auto it = std::lower_bound(slots.begin(), slots.end(), bs,
                                   [](const slot& x, std::int64_t t) { return x.end <= t; });
        if (it == slots.end() || it->begin >= be) {
            put(k, b, static_cast<std::uint8_t>(bucket_minutes),
                static_cast<std::uint8_t>(bucket_minutes));
            return;
        }
        const auto p = static_cast<std::uint8_t>(std::max<std::int64_t>(0, it->begin - bs));
        auto last = std::lower_bound(it, slots.end(), be,
                                     [](const slot& x, std::int64_t t) { return x.begin < t; });
        --last;
        const auto s = static_cast<std::uint8_t>(std::max<std::int64_t>(0, be - last->end));
        put(k, b, p, s);
    }

    void grow(std::uint32_t need) {
        const std::uint32_t cap = pages_.empty() ? need : std::max(need, rcap_ + rcap_ / 2);
        const std::size_t words = (cap + 63) / 64, l1 = (words + 63) / 64;
        const std::size_t levels = words > 1 ? max_levels : 0;  // one word needs no summary
        // Relayout existing pages (rare: rooms added after bookings exist):
        // into an index of the new shape, room by room, then summarized
        // afresh; swapped in only when all of it is built (so a bad_alloc
        // leaves this index as it was).
        free_index to;
        to.rooms_ = rooms_;
        to.rcap_ = cap;
        to.words_ = words;
        to.l1_ = l1;
        to.levels_ = levels;
        to.origin_ = origin_;
        to.pages_.resize(pages_.size());
        for (std::size_t n = 0; n < pages_.size(); ++n) {
            if (!pages_[n]) continue;
            to.pages_[n] = to.new_page();
            for (std::int64_t i = 0; i < page_buckets; ++i)
                for (std::uint32_t k = 0; k < rooms_; ++k)
                    to.put(to.pages_[n].get(), i, k, pre(pages_[n].get(), i)[k * row],
                           suf(pages_[n].get(), i)[k * row]);
        }
        for (std::size_t n = 0; n < pages_.size(); ++n)
            if (pages_[n])
                for (std::size_t w = 0; w < words && levels; ++w) {
                    const std::int64_t first =
                        (origin_ + static_cast<std::int64_t>(n)) * page_buckets;
                    to.resummarize(w, first, first + page_buckets - 1);
                }
        auto elig = elig_, elig1 = elig1_;
        elig.resize(words, 0);
        elig1.resize(l1, 0);
        pages_.swap(to.pages_);
        elig_.swap(elig);
        elig1_.swap(elig1);
        rcap_ = cap;
        words_ = words;
        l1_ = l1;
        levels_ = levels;
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
