#pragma once
// R18: how many licensed hosts (rooms) a set of webinars needs.
//
// The minimum is the peak concurrency of the blocked intervals (R7, half-open:
// blocks that only meet do not overlap); interval partitioning (earliest start
// first, lowest free room) reaches it, so the planner returns such an
// assignment. It also replays first-fit (R9) in submission order over an
// unbounded row of rooms, which is what the platform's default would use.

#include <optional>
#include <string>
#include <vector>

#include "sala/enum_names.hpp"
#include "sala/ids.hpp"
#include "sala/interval.hpp"
#include "sala/platform.hpp"

namespace sala {

// Zoom plans by concurrent licensed hosts (seed 003): Pro up to 9, Business 10-99.
enum class licence_plan { pro, business, enterprise };
template <>
struct enum_names<licence_plan> {
    static constexpr enum_table<licence_plan, 3> entries{
        {{licence_plan::pro, "Pro"},
         {licence_plan::business, "Business"},
         {licence_plan::enterprise, "Enterprise"}}};
};
inline const char* to_string(licence_plan v) { return enum_name(v); }

struct plan_item {
    request_id request;
    std::string title;
    interval blocked;
};

struct licence_report {
    std::size_t requests = 0;
    std::size_t minimum_rooms = 0;   // peak concurrency
    std::optional<instant> peak_at;  // first instant the peak is reached
    // Room number (1..minimum_rooms) per request, in input order: an assignment
    // that needs no more rooms than the minimum.
    std::vector<std::size_t> optimal_room;
    std::size_t first_fit_rooms = 0;          // rooms first-fit in submission order used
    std::vector<std::size_t> first_fit_room;  // its room per request, in input order
    licence_plan plan = licence_plan::pro;
    // Licences to buy: minimum_rooms (never fewer than 1 when there are requests).
    std::size_t licences = 0;
};

// Items in submission order (first-fit replays that order). Empty blocks are rejected.
licence_report plan_licences(const std::vector<plan_item>& items);
// Every request the platform knows whose block overlaps `window`, in id order.
licence_report plan_licences(const platform& p, const interval& window);

namespace detail {
// First-fit's room (1, 2, ...) per item in submission order, as plan_licences
// gives it, starting from `rooms` rooms and adding more when they run out: the
// answer is the same whatever `rooms` is (the tests check that).
std::vector<std::size_t> first_fit_replay(const std::vector<plan_item>& items, std::size_t rooms);
}  // namespace detail

// Pro up to 9, Business 10-99, enterprise beyond (seed 003).
licence_plan plan_for(std::size_t licences);

// The report in words for an admin, with the owner-licence caveat of seed 003
// (Zoom licenses the owner on upgrade; the owner is never a room, R1).
std::string describe(const licence_report& r, const std::vector<plan_item>& items);

}  // namespace sala
