#include "sala/planning/planner.hpp"

#include <algorithm>
#include <map>
#include <numeric>
#include <optional>
#include <queue>
#include <set>
#include <sstream>

#include "sala/error.hpp"
#include "sala/schedule.hpp"

namespace sala {

namespace {

// Is [b, e) free in a room given as begin -> end of its blocks?
bool free_in(const std::map<instant, instant>& room, const interval& i) {
    auto it = room.lower_bound(i.begin());
    if (it != room.end() && it->first < i.end()) return false;
    if (it != room.begin() && std::prev(it)->second > i.begin()) return false;
    return true;
}

// First-fit by trying the rooms in order: items x rooms, kept for blocks the
// schedule cannot hold (longer than 366 days, or spread over more years than
// its 32-bit minutes cover) and for rooms too many for its index's memory.
std::vector<std::size_t> first_fit_by_scan(const std::vector<plan_item>& items) {
    std::vector<std::map<instant, instant>> rooms;
    std::vector<std::size_t> out(items.size(), 0);
    for (std::size_t k = 0; k < items.size(); ++k) {
        const auto& b = items[k].blocked;
        std::size_t j = 0;
        while (j < rooms.size() && !free_in(rooms[j], b)) ++j;
        if (j == rooms.size()) rooms.emplace_back();
        rooms[j].emplace(b.begin(), b.end());
        out[k] = j + 1;
    }
    return out;
}

// b - a in minutes for a <= b, without signed overflow at the ends of instant's range.
std::uint64_t minutes_between(instant a, instant b) {
    return static_cast<std::uint64_t>(b.time_since_epoch().count()) -
           static_cast<std::uint64_t>(a.time_since_epoch().count());
}

// Pages of the free index (64 buckets of 30 minutes each) that some of the
// blocks [b, e), in minutes, fall in.
std::uint64_t index_pages(std::vector<std::pair<std::int64_t, std::int64_t>> blocks) {
    constexpr std::int64_t page =
        detail::free_index::bucket_minutes * detail::free_index::page_buckets;
    std::sort(blocks.begin(), blocks.end());
    std::uint64_t n = 0;
    std::int64_t last = -1;  // pages up to here are counted (blocks come by begin)
    for (const auto& [b, e] : blocks) {
        const std::int64_t from = std::max(b / page, last + 1), to = (e - 1) / page;
        if (to >= from) n += static_cast<std::uint64_t>(to - from + 1), last = to;
    }
    return n;
}

// First-fit through a schedule, whose free index skips busy rooms 64 at a
// time. `rooms` rooms exist from the start: adding them one by one after
// bookings would re-lay the index each time. A batch that finds no free room
// for some item is undone from that item on, the rooms are doubled and the
// rest replayed: with more rooms than it uses, first-fit is the same as over
// an unbounded row. Items are shifted by the earliest begin (overlaps only
// compare instants), so any dates fit as long as the whole span does.
std::optional<std::vector<std::size_t>> first_fit_by_index(const std::vector<plan_item>& items,
                                                           std::size_t rooms) {
    instant first = items.front().blocked.begin(), last = items.front().blocked.end();
    for (const auto& x : items) {
        if (minutes_between(x.blocked.begin(), x.blocked.end()) > detail::max_block_minutes)
            return std::nullopt;
        first = std::min(first, x.blocked.begin());
        last = std::max(last, x.blocked.end());
    }
    if (minutes_between(first, last) > detail::minute_hi) return std::nullopt;
    // The index takes about 160 bytes per room for each page that holds a
    // block: many rooms over a long time (thousands of blocks of months that
    // all overlap) would take gigabytes. Past a budget that grows with the
    // items, the room-by-room scan is slow but small.
    std::vector<std::pair<std::int64_t, std::int64_t>> blocks;
    blocks.reserve(items.size());
    for (const auto& x : items)
        blocks.emplace_back((x.blocked.begin() - first).count(), (x.blocked.end() - first).count());
    const std::uint64_t pages = index_pages(std::move(blocks));
    const std::uint64_t budget =
        std::max<std::uint64_t>(std::uint64_t{64} << 20, 256 * items.size());
    const auto affordable = [&](std::size_t n) { return pages * n * 160 <= budget; };

    schedule s;
    const auto grow_to = [&](std::size_t n) {
        while (s.room_count() < n) s.set_eligible(s.add_room(), true);
    };
    if (!affordable(rooms)) return std::nullopt;
    grow_to(rooms);
    std::vector<std::size_t> out(items.size(), 0);
    // Chunks bound the work undone when the rooms run out, and the copies.
    constexpr std::size_t chunk = std::size_t{1} << 14;
    std::vector<schedule::batch_item> part;
    part.reserve(std::min(chunk, items.size()));
    for (std::size_t at = 0; at < items.size();) {
        part.clear();
        for (std::size_t q = at; q < items.size() && part.size() < chunk; ++q)
            part.push_back({interval{instant{items[q].blocked.begin() - first},
                                     instant{items[q].blocked.end() - first}},
                            items[q].request});
        const auto got = s.book_first_fit(part);
        std::size_t done = 0;
        while (done < got.size() && got[done]) {
            out[at + done] = got[done]->value;
            ++done;
        }
        if (done < got.size()) {
            for (std::size_t q = got.size(); q-- > done + 1;)
                if (got[q]) s.release(*got[q], part[q].blocked);
            if (!affordable(2 * s.room_count())) return std::nullopt;
            grow_to(2 * s.room_count());
        }
        at += done;
    }
    return out;
}

std::vector<std::size_t> replay_first_fit(const std::vector<plan_item>& items,
                                          std::size_t minimum_rooms) {
    if (items.empty()) return {};
    // First-fit needs at least the minimum and, on the benchmark's year of
    // webinars, about 6 % more: an eighth more, in whole words of 64 rooms
    // (which cost the index no more), seldom runs out.
    const std::size_t rooms = (std::max<std::size_t>(minimum_rooms, 1) * 9 / 8 + 63) / 64 * 64;
    return detail::first_fit_replay(items, rooms);
}

}  // namespace

std::vector<std::size_t> detail::first_fit_replay(const std::vector<plan_item>& items,
                                                  std::size_t rooms) {
    if (items.empty()) return {};
    if (auto out = first_fit_by_index(items, std::max<std::size_t>(rooms, 1)))
        return std::move(*out);
    return first_fit_by_scan(items);
}

licence_plan plan_for(std::size_t licences) {
    if (licences <= 9) return licence_plan::pro;
    if (licences <= 99) return licence_plan::business;
    return licence_plan::enterprise;
}

licence_report plan_licences(const std::vector<plan_item>& items) {
    licence_report r;
    r.requests = items.size();
    for (std::size_t k = 0; k < items.size(); ++k)
        if (items[k].blocked.empty())
            throw invalid_argument("items[" + std::to_string(k) + "].blocked", "is empty");

    // Interval partitioning: by begin; a room frees when its block ends (ends
    // at or before the next begin count as free: half-open, R7).
    std::vector<std::size_t> order(items.size());
    std::iota(order.begin(), order.end(), 0);
    std::stable_sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) {
        return items[a].blocked.begin() < items[b].blocked.begin();
    });
    using busy = std::pair<instant, std::size_t>;  // (end, room)
    std::priority_queue<busy, std::vector<busy>, std::greater<>> running;
    std::set<std::size_t> idle;
    std::size_t opened = 0, in_use = 0;
    r.optimal_room.assign(items.size(), 0);
    for (const std::size_t k : order) {
        const auto& b = items[k].blocked;
        while (!running.empty() && running.top().first <= b.begin()) {
            idle.insert(running.top().second);
            running.pop();
            --in_use;
        }
        std::size_t room;
        if (idle.empty()) {
            room = ++opened;
        } else {
            room = *idle.begin();
            idle.erase(idle.begin());
        }
        running.emplace(b.end(), room);
        ++in_use;
        if (in_use > r.minimum_rooms) {
            r.minimum_rooms = in_use;
            r.peak_at = b.begin();
        }
        r.optimal_room[k] = room;
    }

    // First-fit (R9) in submission order over an unbounded row of rooms.
    r.first_fit_room = replay_first_fit(items, r.minimum_rooms);
    if (!items.empty())
        r.first_fit_rooms = *std::max_element(r.first_fit_room.begin(), r.first_fit_room.end());
    r.licences = r.minimum_rooms;
    r.plan = plan_for(r.licences);
    return r;
}

licence_report plan_licences(const platform& p, const interval& window) {
    std::vector<plan_item> items;
    for (const auto& [id, rq] : p.state().requests)
        if (rq.window.blocked.overlaps(window)) items.push_back({id, rq.title, rq.window.blocked});
    return plan_licences(items);
}

std::string describe(const licence_report& r, const std::vector<plan_item>& items) {
    std::ostringstream out;
    out << r.requests << " request(s).\n";
    if (r.requests == 0) {
        out << "Nothing to host: no licence needed.\n";
        return out.str();
    }
    out << "Minimum rooms (peak concurrency of blocked intervals): " << r.minimum_rooms;
    if (r.peak_at) out << ", first reached at " << format_utc(*r.peak_at) << " UTC";
    out << ".\n";
    out << "First-fit in submission order (R9) uses " << r.first_fit_rooms << " room(s)";
    if (r.first_fit_rooms > r.minimum_rooms)
        out << ": " << r.first_fit_rooms - r.minimum_rooms
            << " more than needed; moving webinars between rooms (reassignment) would free them";
    out << ".\n";
    out << "Plan: " << to_string(r.plan) << " with " << r.licences << " licensed host(s)";
    if (r.plan == licence_plan::pro)
        out << " (Pro holds up to 9)";
    else if (r.plan == licence_plan::business)
        out << " (Business holds 10 to 99)";
    else
        out << " (more than 99 hosts: an enterprise agreement with Zoom)";
    out << ".\n";
    out << "Caveat (seed 003): on upgrade Zoom sets the account owner to Licensed, which takes one "
           "of these licences. The owner is never a room (R1): remove its licence and give it to a "
           "host user, or buy "
        << r.licences + 1 << " licences";
    if (plan_for(r.licences + 1) != r.plan)
        out << ", which is a " << to_string(plan_for(r.licences + 1)) << " plan";
    out << ".\n";
    if (r.optimal_room.size() == items.size()) {
        out << "An assignment with " << r.minimum_rooms << " room(s):\n";
        for (std::size_t k = 0; k < items.size(); ++k)
            out << "  room " << r.optimal_room[k] << "  " << format_utc(items[k].blocked.begin())
                << " - " << format_utc(items[k].blocked.end()) << " UTC  "
                << to_string(items[k].request) << "  '" << items[k].title << "'\n";
    }
    return out.str();
}

}  // namespace sala
