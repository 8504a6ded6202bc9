#pragma once
// Room occupancy: per room, a Boost.ICL interval set of blocked minutes (the
// source of truth for "is this room free") plus its bookings in start order,
// and a cross-room index (detail::free_index) that answers first-fit without
// testing every room. R1: a room holds at most one blocked interval
// at any instant.
//
// Inside, instants are 32-bit minute offsets from the Unix epoch: bookings
// must lie between years 1 and 6000 and last at most 366 days.

#include <algorithm>
#include <cstdint>
#include <iterator>
#include <limits>
#include <optional>
#include <span>
#include <string>
#include <tuple>
#include <utility>
#include <vector>

#include "sala/detail/free_index.hpp"
#include "sala/detail/icl_set.hpp"
#include "sala/error.hpp"
#include "sala/ids.hpp"
#include "sala/interval.hpp"

namespace sala {

struct booking {
    room_id room;
    interval blocked;
    request_id request;
    friend bool operator==(const booking&, const booking&) = default;
};

namespace detail {

inline constexpr std::int64_t minute_lo = -1035593280;  // 0001-01-01T00:00Z
inline constexpr std::int64_t minute_hi = std::numeric_limits<std::int32_t>::max();
inline constexpr std::int64_t max_block_minutes = 366LL * 24 * 60;

inline std::int64_t to_minute(instant t) noexcept { return t.time_since_epoch().count(); }
inline instant from_minute(std::int64_t m) noexcept { return instant{minutes{m}}; }
// [s, e) cut to the representable range (nothing can be booked outside it).
inline std::pair<std::int64_t, std::int64_t> clamp_minutes(const interval& i) noexcept {
    return {std::clamp(to_minute(i.begin()), minute_lo, minute_hi),
            std::clamp(to_minute(i.end()), minute_lo, minute_hi)};
}
}  // namespace detail

class schedule {
  public:
    // Adds a room at the end of the fixed order and returns its id (1, 2, ...).
    room_id add_room() {
        rooms_.emplace_back();
        index_.add_room();
        return room_id{static_cast<std::uint32_t>(rooms_.size())};
    }
    std::size_t room_count() const noexcept { return rooms_.size(); }
    // Total bookings over all rooms.
    std::size_t size() const noexcept { return bookings_; }

    // Eligible rooms are the ones automatic allocation may give out (R9, R5).
    void set_eligible(room_id r, bool yes) {
        at(r);
        index_.set_eligible(r.value - 1, yes);
    }
    bool eligible(room_id r) const {
        at(r);
        return index_.eligible(r.value - 1);
    }

    bool is_free(room_id r, const interval& i) const {
        const auto& s = at(r);
        if (i.empty()) return true;
        const auto [b, e] = detail::clamp_minutes(i);
        if (b >= e) return true;
        return !boost::icl::intersects(s.busy, icl(b, e));
    }

    // Books `i` on room `r`. Callers check is_free first; this is the last line
    // of defence against a double booking and throws rather than overlap.
    void book(room_id r, const interval& i, request_id req) {
        auto& s = at(r);
        const auto [b, e] = bookable_minutes(i, [] { return std::string("blocked"); });
        auto& v = s.by_begin;
        const auto pos =
            std::lower_bound(v.begin(), v.end(), b,
                             [](const detail::slot& x, std::int64_t t) { return x.begin < t; });
        // The neighbours in start order tell whether the room is free (R1); the
        // ICL set holds the same minutes.
        if ((pos != v.begin() && std::prev(pos)->end > b) || (pos != v.end() && pos->begin < e))
            throw rule_violation("R1", to_string(r) + " is not free over the interval");
        const auto at_index = pos - v.begin();
        make_room_for(v, 1);
        v.insert(v.begin() + at_index, detail::slot{static_cast<std::int32_t>(b),
                                                    static_cast<std::int32_t>(e), req.value});
        s.busy += icl(b, e);
        index_.add(r.value - 1, b, e);
        ++bookings_;
    }

    // One request of a batch: its blocked interval (R7) and its id.
    struct batch_item {
        interval blocked;
        request_id request;
    };

    // Books each item on the first eligible room free over it, in order, each
    // seeing the ones before it booked: the same rooms first_free + book give
    // one at a time (R9). Returns each item's room, or nullopt where none was
    // free. An invalid item throws before anything is booked.
    //
    // Why a batch is faster than the loop: the index alone answers every
    // request, and the rooms' own structures (bookings, ICL sets), cold in
    // cache at thousands of rooms, are brought up to date at the end, room by
    // room, with the ICL tree walks of many rooms interleaved.
    std::vector<std::optional<room_id>> book_first_fit(std::span<const batch_item> items) {
        std::vector<std::pair<std::int64_t, std::int64_t>> mins;
        mins.reserve(items.size());
        for (std::size_t j = 0; j < items.size(); ++j)
            mins.push_back(bookable_minutes(
                items[j].blocked, [j] { return "items[" + std::to_string(j) + "].blocked"; }));
        std::vector<std::optional<room_id>> out(items.size());
        if (rooms_.size() <= 256) {  // small pools stay in cache: the plain loop is quicker
            for (std::size_t j = 0; j < items.size(); ++j)
                if ((out[j] = first_free(items[j].blocked)))
                    book(*out[j], items[j].blocked, items[j].request);
            return out;
        }
        std::vector<pending> todo;
        todo.reserve(items.size());
        std::vector<std::tuple<std::uint32_t, std::int64_t, std::int64_t>>
            spans;  // summaries to redo
        spans.reserve(items.size());
        try {
            for (std::size_t j = 0; j < items.size(); ++j) {
                const auto [b, e] = mins[j];
                if (detail::free_index::inside_one_bucket(b, e)) {
                    // Inside one bucket the index may ask the ICL sets: bring them up to date
                    // first.
                    apply(todo);
                    if (const auto r = first_free(items[j].blocked)) {
                        book(*r, items[j].blocked, items[j].request);
                        out[j] = r;
                    }
                    continue;
                }
                std::optional<std::uint32_t> k;
                index_.for_each_free(
                    b, e,
                    [](std::uint32_t) { return false; },  // not called: [b, e) spans two buckets
                    [&](std::uint32_t x) {
                        k = x;
                        return true;
                    });
                if (!k) continue;
                // Listed first (no allocation: reserved), so a throw inside add is unwound too.
                todo.push_back(
                    {*k, detail::slot{static_cast<std::int32_t>(b), static_cast<std::int32_t>(e),
                                      items[j].request.value}});
                ++bookings_;
                index_.add(*k, b, e, false);  // summaries once, at the end
                spans.emplace_back(*k, b, e);
                out[j] = room_id{*k + 1};
            }
            apply(todo);
        } catch (...) {
            unwind(todo);  // bookings the index holds but the rooms do not yet
            throw;
        }
        index_.summarize(spans);
        return out;
    }

    // Removes the booking that starts at i.begin() on room r.
    void release(room_id r, const interval& i) {
        auto& s = at(r);
        const std::int64_t b = detail::to_minute(i.begin()), e = detail::to_minute(i.end());
        auto& v = s.by_begin;
        const auto it =
            std::lower_bound(v.begin(), v.end(), b,
                             [](const detail::slot& x, std::int64_t t) { return x.begin < t; });
        if (it == v.end() || it->begin != b || it->end != e)
            throw not_found("booking", to_string(r) + " at " + format_utc(i.begin()) + " UTC");
        v.erase(it);
        s.busy -= icl(b, e);
        index_.remove(r.value - 1, b, e, v);
        --bookings_;
    }

    // First eligible room, in room order, free over all of `i` (first-fit, R9).
    std::optional<room_id> first_free(const interval& i) const {
        std::optional<room_id> out;
        for_each_free(i, [&](std::uint32_t k) {
            out = room_id{k + 1};
            return true;
        });
        return out;
    }

    // Every eligible room free over `i`, in room order.
    std::vector<room_id> free_rooms(const interval& i) const {
        std::vector<room_id> out;
        for_each_free(i, [&](std::uint32_t k) {
            out.push_back(room_id{k + 1});
            return false;
        });
        return out;
    }

    // Calls fn(k) for each eligible room, as 0-based index k, free over `i`, in
    // room order, until fn returns true. What first_free and free_rooms use.
    template <class Fn>
    void for_each_free(const interval& i, Fn&& fn) const {
        const auto be = detail::clamp_minutes(i);
        const std::int64_t b = be.first, e = be.second;
        if (i.empty() || b >= e) {
            for (std::uint32_t k = 0; k < rooms_.size(); ++k)
                if (index_.eligible(k) && fn(k)) return;
            return;
        }
        index_.for_each_free(
            b, e,
            [&](std::uint32_t k) { return !boost::icl::intersects(rooms_[k].busy, icl(b, e)); },
            std::forward<Fn>(fn));
    }

    // The free run of room r around a free interval i: [end of the booking
    // before, begin of the booking after); open ends are instant::min()/max().
    interval free_run(room_id r, const interval& i) const {
        const auto& v = at(r).by_begin;
        const std::int64_t b = detail::to_minute(i.begin());
        instant lo = instant::min(), hi = instant::max();
        auto next =
            std::lower_bound(v.begin(), v.end(), b,
                             [](const detail::slot& x, std::int64_t t) { return x.begin < t; });
        if (next != v.end()) hi = detail::from_minute(next->begin);
        if (next != v.begin()) lo = detail::from_minute(std::prev(next)->end);
        return interval{lo, hi};
    }

    // Room r's bookings in start order.
    std::vector<booking> bookings(room_id r) const {
        std::vector<booking> out;
        const auto& v = at(r).by_begin;
        out.reserve(v.size());
        for (const auto& x : v) out.push_back(to_booking(r, x));
        return out;
    }

    // Bookings of every room that overlap `window`, by room then start.
    std::vector<booking> overlapping(const interval& window) const {
        std::vector<booking> out;
        for_each_overlapping(window, [&](std::uint32_t k, const detail::slot& x) {
            out.push_back(to_booking(room_id{k + 1}, x));
        });
        return out;
    }

    // Calls fn(k, slot) for each booking overlapping `window`, by room (0-based
    // index k) then start, without building booking objects.
    template <class Fn>
    void for_each_overlapping(const interval& window, Fn&& fn) const {
        if (window.empty()) return;
        const auto w = detail::clamp_minutes(window);
        const std::int64_t wb = w.first, we = w.second;
        for (std::uint32_t k = 0; k < rooms_.size(); ++k) {
            const auto& v = rooms_[k].by_begin;
            // First booking ending after the window's begin (ends are sorted too).
            auto it =
                std::lower_bound(v.begin(), v.end(), wb,
                                 [](const detail::slot& x, std::int64_t t) { return x.end <= t; });
            for (; it != v.end() && it->begin < we; ++it) fn(k, *it);
        }
    }

    // Most bookings blocked at the same instant inside `window` (R18).
    std::size_t peak_concurrency(const interval& window) const {
        if (window.empty()) return 0;
        const auto w = detail::clamp_minutes(window);
        const std::int64_t wb = w.first, we = w.second;
        if (wb >= we) return 0;
        // Up to a year: one counter per minute, O(bookings + minutes), no sort.
        if (we - wb <= 366LL * 24 * 60) {
            std::vector<std::int32_t> delta(static_cast<std::size_t>(we - wb) + 1, 0);
            for_each_overlapping(window, [&](std::uint32_t, const detail::slot& x) {
                ++delta[static_cast<std::size_t>(std::max<std::int64_t>(x.begin, wb) - wb)];
                --delta[static_cast<std::size_t>(std::min<std::int64_t>(x.end, we) - wb)];
            });
            std::int64_t cur = 0, best = 0;
            for (const auto d : delta) best = std::max(best, cur += d);
            return static_cast<std::size_t>(best);
        }
        std::vector<std::pair<std::int64_t, int>> edges;
        for_each_overlapping(window, [&](std::uint32_t, const detail::slot& x) {
            edges.emplace_back(std::max<std::int64_t>(x.begin, wb), +1);
            edges.emplace_back(std::min<std::int64_t>(x.end, we), -1);
        });
        // Ends sort before begins at the same instant: half-open blocks that meet do not overlap.
        std::sort(edges.begin(), edges.end());
        int cur = 0, best = 0;
        for (const auto& e : edges) best = std::max(best, cur += e.second);
        return static_cast<std::size_t>(best);
    }

    // Heap bytes held by the cross-room index alone.
    std::size_t index_memory_bytes() const noexcept { return index_.memory_bytes(); }

  private:
    struct pending {
        std::uint32_t room;  // 0-based
        detail::slot booking;
    };

    // [b, e) in minutes, or invalid_argument naming field() (only built then).
    template <class Field>
    static std::pair<std::int64_t, std::int64_t> bookable_minutes(const interval& i,
                                                                  Field&& field) {
        if (i.empty()) throw invalid_argument(field(), "is empty");
        const std::int64_t b = detail::to_minute(i.begin()), e = detail::to_minute(i.end());
        if (b < detail::minute_lo || e > detail::minute_hi)
            throw invalid_argument(field(), "lies outside years 1 to 6000");
        if (e - b > detail::max_block_minutes)
            throw invalid_argument(field(), "is longer than 366 days");
        return {b, e};
    }

    // Adds bookings the index already holds to the rooms' sorted vectors and
    // ICL sets, room by room; empties `todo`.
    //
    // Everything that allocates before the bookings lists change is done
    // first: if it throws, the rooms are as they were and book_first_fit
    // unwinds the index. A bad_alloc while filling the ICL sets leaves them
    // short of some bookings; R1 still holds (book checks the bookings lists).
    void apply(std::vector<pending>& todo) {
        if (todo.empty()) return;
        const auto by_begin = [](const pending& x, const pending& y) {
            return x.booking.begin < y.booking.begin;
        };
        if (todo.size() * 8 <
            rooms_.size()) {  // few: a comparison sort beats a pass over every room
            std::sort(todo.begin(), todo.end(), [&](const pending& x, const pending& y) {
                return x.room != y.room ? x.room < y.room : by_begin(x, y);
            });
        } else {  // by room (a counting sort), then by begin within each room
            std::vector<std::uint32_t> start(rooms_.size() + 1, 0);
            for (const auto& t : todo) ++start[t.room + 1];
            for (std::size_t r = 0; r < rooms_.size(); ++r) start[r + 1] += start[r];
            std::vector<pending> sorted(todo.size());
            for (const auto& t : todo) sorted[start[t.room]++] = t;
            todo.swap(sorted);
            for_each_room_run(todo, [&](std::size_t a, std::size_t z) {
                std::sort(todo.begin() + static_cast<std::ptrdiff_t>(a),
                          todo.begin() + static_cast<std::ptrdiff_t>(z), by_begin);
            });
        }
        for_each_room_run(todo, [&](std::size_t a, std::size_t z) {
            make_room_for(rooms_[todo[a].room].by_begin, z - a);
        });
        // From here on nothing allocates until the ICL sets.
        for_each_room_run(todo, [&](std::size_t a, std::size_t z) {
            auto& v = rooms_[todo[a].room].by_begin;
            const std::size_t old = v.size(), add = z - a;
            v.resize(old + add);
            // Merge from the back, in place.
            std::size_t x = old, y = add, o = old + add;
            while (y > 0) {
                if (x > 0 && v[x - 1].begin > todo[a + y - 1].booking.begin)
                    v[--o] = v[--x];
                else
                    v[--o] = todo[a + --y].booking;
            }
        });
        std::vector<pending> done;
        done.swap(todo);  // the caller has nothing left to unwind
        detail::add_all(
            done.size(),
            [&](std::size_t j) -> detail::icl_set& { return rooms_[done[j].room].busy; },
            [&](std::size_t j) { return icl(done[j].booking.begin, done[j].booking.end); });
    }

    // Calls fn(a, z) for each run todo[a, z) of one room (todo is sorted by room).
    template <class Fn>
    static void for_each_room_run(const std::vector<pending>& todo, Fn&& fn) {
        for (std::size_t a = 0; a < todo.size();) {
            std::size_t z = a + 1;
            while (z < todo.size() && todo[z].room == todo[a].room) ++z;
            fn(a, z);
            a = z;
        }
    }

    // Capacity for `add` more bookings, with little slack (grown by 1/8, not
    // doubled: the memory target in docs/performance.md).
    static void make_room_for(std::vector<detail::slot>& v, std::size_t add) {
        if (v.size() + add > v.capacity())
            v.reserve(std::max(v.size() + add, v.size() + v.size() / 8 + 4));
    }

    // Takes bookings back out of the index that never reached the rooms.
    void unwind(std::vector<pending>& todo) noexcept {
        for (auto it = todo.rbegin(); it != todo.rend(); ++it) {
            try {
                index_.remove(it->room, it->booking.begin, it->booking.end,
                              rooms_[it->room].by_begin);
            } catch (...) {  // only a huge booking's summary buffer can fail here; its summaries
                             // stay permissive
            }
            --bookings_;
        }
        todo.clear();
    }

    struct room_state {
        detail::icl_set busy;
        std::vector<detail::slot> by_begin;
    };
    static detail::icl_interval icl(std::int64_t b, std::int64_t e) noexcept {
        return detail::icl_interval(static_cast<std::int32_t>(b), static_cast<std::int32_t>(e));
    }
    static booking to_booking(room_id r, const detail::slot& x) {
        return {r, interval{detail::from_minute(x.begin), detail::from_minute(x.end)},
                request_id{x.request}};
    }
    room_state& at(room_id r) {
        if (r.value == 0 || r.value > rooms_.size())
            throw not_found("room", std::to_string(r.value));
        return rooms_[r.value - 1];
    }
    const room_state& at(room_id r) const {
        if (r.value == 0 || r.value > rooms_.size())
            throw not_found("room", std::to_string(r.value));
        return rooms_[r.value - 1];
    }

    std::vector<room_state> rooms_;
    detail::free_index index_;
    std::size_t bookings_ = 0;
};

}  // namespace sala
