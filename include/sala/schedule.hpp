#pragma once
// Room occupancy: per room, a Boost.ICL interval set of blocked minutes (the
// source of truth for "is this room free") plus its bookings in start order.
// R1: a room holds at most one blocked interval at any instant.

#include <algorithm>
#include <cstdint>
#include <map>
#include <optional>
#include <vector>

#include <boost/icl/interval_set.hpp>
#include <boost/icl/right_open_interval.hpp>

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
using icl_interval = boost::icl::right_open_interval<std::int64_t>;
using icl_set = boost::icl::interval_set<std::int64_t, std::less, icl_interval>;

inline icl_interval to_icl(const interval& i) {
    return icl_interval(i.begin().time_since_epoch().count(), i.end().time_since_epoch().count());
}
}  // namespace detail

class schedule {
public:
    // Adds a room at the end of the fixed order and returns its id (1, 2, ...).
    room_id add_room() {
        rooms_.emplace_back();
        return room_id{static_cast<std::uint32_t>(rooms_.size())};
    }
    std::size_t room_count() const noexcept { return rooms_.size(); }
    // Total bookings over all rooms.
    std::size_t size() const noexcept { return bookings_; }

    // Eligible rooms are the ones automatic allocation may give out (R9, R5).
    void set_eligible(room_id r, bool yes) { at(r).eligible = yes; }
    bool eligible(room_id r) const { return at(r).eligible; }

    bool is_free(room_id r, const interval& i) const {
        if (i.empty()) return true;
        return !boost::icl::intersects(at(r).busy, detail::to_icl(i));
    }

    // Books `i` on room `r`. Callers check is_free first; this is the last line
    // of defence against a double booking and throws rather than overlap.
    void book(room_id r, const interval& i, request_id req) {
        auto& s = at(r);
        if (i.empty()) throw invalid_argument("blocked", "is empty");
        if (!is_free(r, i))
            throw rule_violation("R1", to_string(r) + " is not free over the interval");
        s.busy += detail::to_icl(i);
        s.by_begin.emplace(i.begin(), entry{i.end(), req});
        ++bookings_;
    }

    // Removes the booking that starts at i.begin() on room r.
    void release(room_id r, const interval& i) {
        auto& s = at(r);
        auto it = s.by_begin.find(i.begin());
        if (it == s.by_begin.end() || it->second.end != i.end())
            throw not_found("booking", to_string(r) + " at " + format_utc(i.begin()) + " UTC");
        s.busy -= detail::to_icl(i);
        s.by_begin.erase(it);
        --bookings_;
    }

    // First eligible room, in room order, free over all of `i` (first-fit, R9).
    std::optional<room_id> first_free(const interval& i) const {
        for (std::size_t k = 0; k < rooms_.size(); ++k) {
            const room_id r{static_cast<std::uint32_t>(k + 1)};
            if (rooms_[k].eligible && is_free(r, i)) return r;
        }
        return std::nullopt;
    }

    // Every eligible room free over `i`, in room order.
    std::vector<room_id> free_rooms(const interval& i) const {
        std::vector<room_id> out;
        for (std::size_t k = 0; k < rooms_.size(); ++k) {
            const room_id r{static_cast<std::uint32_t>(k + 1)};
            if (rooms_[k].eligible && is_free(r, i)) out.push_back(r);
        }
        return out;
    }

    // The free run of room r around a free interval i: [end of the booking
    // before, begin of the booking after); open ends are instant::min()/max().
    interval free_run(room_id r, const interval& i) const {
        const auto& s = at(r);
        instant lo = instant::min(), hi = instant::max();
        auto next = s.by_begin.lower_bound(i.begin());
        if (next != s.by_begin.end()) hi = next->first;
        if (next != s.by_begin.begin()) lo = std::prev(next)->second.end;
        return interval{lo, hi};
    }

    // Room r's bookings in start order.
    std::vector<booking> bookings(room_id r) const {
        std::vector<booking> out;
        for (const auto& [b, e] : at(r).by_begin) out.push_back({r, interval{b, e.end}, e.request});
        return out;
    }

    // Bookings of every room that overlap `window`, by room then start.
    std::vector<booking> overlapping(const interval& window) const {
        std::vector<booking> out;
        for (std::size_t k = 0; k < rooms_.size(); ++k) {
            const room_id r{static_cast<std::uint32_t>(k + 1)};
            const auto& m = rooms_[k].by_begin;
            auto it = m.lower_bound(window.begin());
            if (it != m.begin() && std::prev(it)->second.end > window.begin()) --it;
            for (; it != m.end() && it->first < window.end(); ++it)
                out.push_back({r, interval{it->first, it->second.end}, it->second.request});
        }
        return out;
    }

    // Most bookings blocked at the same instant inside `window` (R18).
    std::size_t peak_concurrency(const interval& window) const {
        std::vector<std::pair<instant, int>> edges;
        for (const auto& b : overlapping(window)) {
            const auto part = b.blocked.intersection(window);
            edges.emplace_back(part.begin(), +1);
            edges.emplace_back(part.end(), -1);
        }
        // Ends sort before begins at the same instant: half-open blocks that meet do not overlap.
        std::sort(edges.begin(), edges.end());
        int cur = 0, best = 0;
        for (const auto& e : edges) best = std::max(best, cur += e.second);
        return static_cast<std::size_t>(best);
    }

private:
    struct entry {
        instant end;
        request_id request;
    };
    struct room_state {
        detail::icl_set busy;
        std::map<instant, entry> by_begin;
        bool eligible = false;
    };
    room_state& at(room_id r) {
        if (r.value == 0 || r.value > rooms_.size()) throw not_found("room", std::to_string(r.value));
        return rooms_[r.value - 1];
    }
    const room_state& at(room_id r) const {
        if (r.value == 0 || r.value > rooms_.size()) throw not_found("room", std::to_string(r.value));
        return rooms_[r.value - 1];
    }

    std::vector<room_state> rooms_;
    std::size_t bookings_ = 0;
};

}  // namespace sala
