#include "sala/planning/make_room.hpp"

#include <algorithm>
#include <map>
#include <set>
#include <tuple>

#include "sala/error.hpp"

namespace sala {

namespace {

// A scratch copy of who holds which room, to try moves without touching the platform.
struct occupancy {
    std::map<std::uint32_t, std::vector<std::pair<interval, request_id>>> rooms;
    std::map<request_id, room_id> where;

    std::vector<request_id> conflicts(room_id r, const interval& i, request_id except) const {
        std::vector<request_id> out;
        auto it = rooms.find(r.value);
        if (it == rooms.end()) return out;
        for (const auto& [b, id] : it->second)
            if (id != except && b.overlaps(i)) out.push_back(id);
        return out;
    }
    void move(request_id id, const interval& b, room_id to) {
        auto& from = rooms[where.at(id).value];
        from.erase(std::find(from.begin(), from.end(), std::pair{b, id}));
        rooms[to.value].emplace_back(b, id);
        where[id] = to;
    }
};

struct search {
    const platform& p;
    const request& target;
    const std::vector<room_id>& candidates;
    std::function<bool(request_id)> movable;
    occupancy occ;
    std::size_t limit = 0;
    room_id goal{};
    std::vector<room_move> seq;
    std::set<request_id> moved;
    std::optional<std::tuple<std::size_t, std::size_t, std::uint32_t, std::vector<room_move>>> best;

    room_move make_move(request_id id, room_id from, room_id to) const {
        const request rq = p.get_request(id);
        room_move m{id, rq.title, from, to, rq.window.blocked, rq.panelists.size(), {}};
        const std::string who = rq.organizer.name.empty()
                                    ? rq.organizer.email
                                    : rq.organizer.name + " <" + rq.organizer.email + ">";
        m.cost = "the join link of '" + rq.title + "' changes (delete + create, R11): " + who +
                 " must send it again" +
                 (rq.panelists.empty()
                      ? std::string()
                      : " and re-invite " + std::to_string(rq.panelists.size()) + " panelist(s)");
        return m;
    }

    void record() {
        if (!occ.conflicts(goal, target.window.blocked, target.id).empty()) return;
        std::size_t pan = 0;
        for (const auto& m : seq) pan += m.panelists;
        auto key = std::tuple{seq.size(), pan, goal.value, seq};
        if (!best || std::tie(std::get<0>(key), std::get<1>(key), std::get<2>(key)) <
                         std::tie(std::get<0>(*best), std::get<1>(*best), std::get<2>(*best)))
            best = std::move(key);
    }

    // Moves that must happen once the webinars they displace have left:
    // (w, d) = w goes to d, innermost last.
    std::vector<std::pair<request_id, room_id>> forced_;

    // Relocates every request in `pending` (front first) within the move
    // budget; the front that is the innermost forced w goes to its room only.
    void solve_forced(std::vector<request_id> pending) {
        if (seq.size() + pending.size() > limit) return;
        if (pending.empty()) return record();
        if (!forced_.empty() && pending.front() == forced_.back().first) {
            const auto [w, d] = forced_.back();
            const request& rq = p.state().requests.at(w);
            const interval b = rq.window.blocked;
            if (!occ.conflicts(d, b, w).empty()) return;
            const room_id at = occ.where.at(w);
            const std::vector<request_id> rest(pending.begin() + 1, pending.end());
            seq.push_back(make_move(w, at, d));
            moved.insert(w);
            occ.move(w, b, d);
            const auto saved = forced_.back();
            forced_.pop_back();
            solve_forced(rest);
            forced_.push_back(saved);
            occ.move(w, b, at);
            moved.erase(w);
            seq.pop_back();
            return;
        }
        solve_front(std::move(pending));
    }

    // Tries every room for the front; a room held by movable others first
    // relocates them, then takes the front (a chain).
    void solve_front(std::vector<request_id> pending) {
        const request_id w = pending.front();
        const request& rq = p.state().requests.at(w);
        const interval b = rq.window.blocked;
        const room_id at = occ.where.at(w);
        for (const room_id d : candidates) {
            if (d == at) continue;
            if (d == goal && b.overlaps(target.window.blocked)) continue;
            const auto x = occ.conflicts(d, b, w);
            if (x.empty()) {
                const std::vector<request_id> rest(pending.begin() + 1, pending.end());
                seq.push_back(make_move(w, at, d));
                moved.insert(w);
                occ.move(w, b, d);
                solve_forced(rest);
                occ.move(w, b, at);
                moved.erase(w);
                seq.pop_back();
                continue;
            }
            bool ok = seq.size() + pending.size() + x.size() <= limit;
            for (const auto id : x)
                ok = ok && movable(id) && !moved.count(id) &&
                     std::find(pending.begin(), pending.end(), id) == pending.end();
            if (!ok) continue;
            std::vector<request_id> next(x.begin(), x.end());
            next.insert(next.end(), pending.begin(), pending.end());
            forced_.push_back({w, d});
            solve_forced(std::move(next));
            forced_.pop_back();
        }
    }
};

std::string span_text(const interval& i, const std::string& zone) {
    const std::string a = format(i.begin(), zone), b = format(i.end(), zone);
    // Same day: "2021-05-13 12:30-13:40"; otherwise both dates.
    return a.substr(0, 10) == b.substr(0, 10) ? a + "-" + b.substr(11) : a + " - " + b;
}

}  // namespace

std::optional<make_room_plan> find_make_room(const platform& p, request_id id,
                                             const make_room_options& o) {
    const request target = p.get_request(id);
    if (p.reservation_of(id))
        throw rule_violation(
            "R10", to_string(id) + " already has a room; make room is for queued requests");
    const instant now = p.now();
    if (now >= target.window.start)
        throw rule_violation("R10",
                             "'" + target.title + "' has started; it can no longer get a room");

    std::vector<room_id> candidates;
    for (const auto& r : p.rooms())
        if (r.active && p.takes_new_requests(r.pool)) candidates.push_back(r.id);

    search s{p, target, candidates, {}, {}, 0, {}, {}, {}, {}, {}};
    s.movable = [&](request_id r) {
        const auto& rq = p.state().requests.at(r);
        if (now >= rq.window.start) return false;  // running or over: never moves
        return !(o.locked && o.locked(r));
    };
    for (const auto& res : p.reservations()) {
        s.occ.rooms[res.room.value].emplace_back(res.blocked, res.request);
        s.occ.where[res.request] = res.room;
    }
    for (std::size_t limit = 0; limit <= o.max_moves; ++limit) {
        s.limit = limit;
        for (const room_id t : candidates) {
            const auto c = s.occ.conflicts(t, target.window.blocked, id);
            if (c.size() > limit) continue;
            if (!std::all_of(c.begin(), c.end(), s.movable)) continue;
            s.goal = t;
            s.solve_forced(c);
        }
        if (s.best) break;
    }
    if (!s.best) return std::nullopt;

    make_room_plan plan{id, room_id{std::get<2>(*s.best)}, std::get<3>(*s.best), {}};
    const std::string free = span_text(target.window.blocked, target.zone) + " " + target.zone;
    std::string text;
    for (std::size_t k = 0; k < plan.moves.size(); ++k) {
        const auto& m = plan.moves[k];
        text += (k ? ", then move '" : "move '") + m.title + "' (" + to_string(m.request) +
                ") from " + to_string(m.from) + " to " + to_string(m.to);
    }
    if (plan.moves.empty())
        text = to_string(plan.room) + " (" + p.get_room(plan.room).email + ") is already free " +
               free + ": assign it by hand";
    else
        text +=
            ", then " + to_string(plan.room) + " is free " + free + " for '" + target.title + "'";
    plan.explanation = text;
    return plan;
}

bool credentials_window_open(const platform& p, request_id id) {
    const auto rq = p.get_request(id);
    return p.now() >= rq.window.start - p.get_settings().credentials_lead;
}

assignment apply_make_room(platform& p, const make_room_plan& plan) {
    std::vector<const room_move*> done;
    const auto undo = [&] {
        for (auto it = done.rbegin(); it != done.rend(); ++it)
            p.reassign((*it)->request, (*it)->from);
    };
    try {
        for (const auto& m : plan.moves) {
            auto a = p.reassign(m.request, m.to);
            if (!a) {
                undo();
                a.reason = "make room stopped at moving '" + m.title + "' and undid " +
                           std::to_string(done.size()) + " move(s): " + a.reason;
                return a;
            }
            done.push_back(&m);
        }
        auto a = p.assign(plan.request, plan.room);
        if (!a) {
            undo();
            a.reason =
                "make room undid its " + std::to_string(done.size()) + " move(s): " + a.reason;
        }
        return a;
    } catch (...) {
        undo();
        throw;
    }
}

}  // namespace sala
