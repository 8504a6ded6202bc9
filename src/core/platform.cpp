#include "sala/platform.hpp"

#include <algorithm>
#include <exception>
#include <set>
#include <utility>

#include "sala/error.hpp"
#include "sala/text.hpp"

namespace sala {

room_id assignment::value() const {
    if (!room || status != assign_status::assigned) throw room_not_free(reason);
    return *room;
}

platform::platform(sala::settings s, std::shared_ptr<const clock> clk)
    : policy_(std::make_shared<first_fit>()),
      clock_(clk ? std::move(clk) : std::make_shared<system_clock>()) {
    s.validate();
    state_.settings = s;
}

platform platform::restore(platform_state st, std::shared_ptr<const clock> clk) {
    platform p(st.settings, std::move(clk));
    for (std::size_t k = 0; k < st.rooms.size(); ++k) {
        if (st.rooms[k].id.value != k + 1)
            throw invalid_argument("rooms", "room ids must be 1..n in order");
        p.schedule_.add_room();
    }
    // Views look requests and rooms up by id: a state that names one it does
    // not hold (a damaged store) is refused here, not found later.
    for (const auto& [id, res] : st.reservations) {
        if (!st.requests.count(id))
            throw invalid_argument("reservations", "a reservation names " + to_string(id) +
                                                       ", which is not among the requests");
        if (res.room.value == 0 || res.room.value > st.rooms.size())
            throw invalid_argument("reservations", to_string(id) + " is reserved in " +
                                                       to_string(res.room) +
                                                       ", which is not among the rooms");
        p.schedule_.book(res.room, res.blocked, id);  // throws on overlap
    }
    std::set<request_id> queued;
    for (const request_id id : st.queue) {
        if (!st.requests.count(id))
            throw invalid_argument(
                "queue", "the queue names " + to_string(id) + ", which is not among the requests");
        if (!queued.insert(id).second)
            throw invalid_argument("queue", "the queue names " + to_string(id) + " twice");
        if (st.reservations.count(id))
            throw invalid_argument("queue", to_string(id) + " is both queued and reserved in " +
                                                to_string(st.reservations.at(id).room));
    }
    p.state_ = std::move(st);
    p.policy_ = make_policy(p.state_.policy);
    p.refresh_eligibility();
    return p;
}

void platform::replace_state(platform_state st) {
    platform fresh = restore(std::move(st), clock_);
    state_ = std::move(fresh.state_);
    schedule_ = std::move(fresh.schedule_);
    policy_ = std::move(fresh.policy_);
}

void platform::apply_changes(const state_delta& d) {
    auto fail = [](const char* check, const std::string& why) {
        throw invalid_argument(check, why);
    };
    d.settings.validate();
    // Rooms only grow, in id order (link_account appends; nothing deletes one).
    for (const auto& r : d.rooms) {
        if (r.id.value >= 1 && r.id.value <= state_.rooms.size()) {
            state_.rooms[r.id.value - 1] = r;
        } else if (r.id.value == state_.rooms.size() + 1) {
            state_.rooms.push_back(r);
            schedule_.add_room();
        } else {
            fail("rooms", to_string(r.id) + " is not the next room id (" +
                              std::to_string(state_.rooms.size() + 1) + ")");
        }
    }
    state_.settings = d.settings;
    state_.next_request = d.next_request;
    state_.pools = d.pools;
    if (state_.policy != d.policy) {
        policy_ = make_policy(d.policy);
        state_.policy = d.policy;
    }

    // Bookings leave first, so a commit that swaps two rooms books cleanly.
    auto drop_booking = [&](request_id id) {
        if (auto it = state_.reservations.find(id); it != state_.reservations.end()) {
            schedule_.release(it->second.room, it->second.blocked);
            state_.reservations.erase(it);
        }
    };
    for (const request_id id : d.erased) {
        drop_booking(id);
        state_.requests.erase(id);  // put back below if the request still exists
    }
    for (const auto& r : d.reservations) drop_booking(r.request);
    for (const auto& q : d.requests) state_.requests.insert_or_assign(q.id, q);
    for (const auto& r : d.reservations) {
        if (!state_.requests.count(r.request))
            fail("reservations", "a reservation names " + to_string(r.request) +
                                     ", which is not among the requests");
        if (r.room.value == 0 || r.room.value > state_.rooms.size())
            fail("reservations", to_string(r.request) + " is reserved in " + to_string(r.room) +
                                     ", which is not among the rooms");
        try {
            schedule_.book(r.room, r.blocked, r.request);
        } catch (const rule_violation& e) {
            fail("reservations", to_string(r.request) + ": " + e.what());
        }
        state_.reservations.emplace(r.request, r);
    }
    if (d.queue) {
        std::set<request_id> queued;
        for (const request_id id : *d.queue) {
            if (!state_.requests.count(id))
                fail("queue",
                     "the queue names " + to_string(id) + ", which is not among the requests");
            if (!queued.insert(id).second)
                fail("queue", "the queue names " + to_string(id) + " twice");
            if (state_.reservations.count(id))
                fail("queue", to_string(id) + " is both queued and reserved");
        }
        state_.queue = *d.queue;
    }
    refresh_eligibility();
}

void platform::set_settings(const sala::settings& s) {
    command([&] {
        s.validate();
        state_.settings = s;
        emit({event_kind::settings_changed, {}, {}, {}});
    });
}

void platform::set_policy(policy_kind k) {
    command([&] {
        policy_ = make_policy(k);
        state_.policy = k;
    });
}

void platform::set_policy(std::shared_ptr<allocation_policy> p) {
    if (!p) throw invalid_argument("policy", "is null");
    policy_ = std::move(p);
}

// ---- rooms and pools ----------------------------------------------------------

link_report platform::link_account(const std::string& name, pool_kind kind,
                                   const std::vector<account_user>& users) {
    return command([&]() -> link_report {
        check_text(name, "name", 200, true);
        std::set<std::string> ids;
        for (std::size_t i = 0; i < users.size(); ++i) {
            const auto& u = users[i];
            const std::string f = "users[" + std::to_string(i) + "]";
            check_text(u.user_id, f + ".user_id", 128, true);
            check_text(u.display_name, f + ".display_name", 200, false);
            if (!ids.insert(u.user_id).second)
                throw invalid_argument(f + ".user_id", "'" + u.user_id + "' is listed twice");
            validate_email(u.email, f + ".email");
            if (u.capacity < 0) throw invalid_argument(f + ".capacity", "must be 0 or more");
        }
        auto pit = std::find_if(state_.pools.begin(), state_.pools.end(),
                                [&](const pool& p) { return p.name == name; });
        if (pit != state_.pools.end() && pit->kind != kind)
            throw invalid_argument(
                "kind", "account '" + name + "' is already linked as " + to_string(pit->kind));

        link_report rep;
        platform_state next = state_;
        if (pit == state_.pools.end()) {
            next.pools.push_back(
                {pool_id{static_cast<std::uint32_t>(next.pools.size() + 1)}, name, kind});
            rep.pool = next.pools.back().id;
        } else {
            rep.pool = pit->id;
        }
        for (const auto& u : users) {
            if (u.owner) {
                // R1: the owner is never a room; a licence on it is wasted.
                if (u.licensed) rep.wasted_licences.push_back(u);
                continue;
            }
            if (!u.licensed) {
                rep.unlicensed.push_back(u);
                continue;
            }
            const bool known = std::any_of(
                next.rooms.begin(), next.rooms.end(),
                [&](const room& r) { return r.pool == rep.pool && r.user_id == u.user_id; });
            if (known) continue;
            room r;
            r.id = room_id{static_cast<std::uint32_t>(next.rooms.size() + 1)};
            r.pool = rep.pool;
            r.user_id = u.user_id;
            r.email = u.email;
            r.display_name = u.display_name;
            r.capacity = u.capacity;
            next.rooms.push_back(r);
            rep.new_rooms.push_back(r.id);
        }
        for (std::size_t k = 0; k < rep.new_rooms.size(); ++k) schedule_.add_room();
        state_ = std::move(next);
        refresh_eligibility();  // R5: an own account takes over new requests
        emit({event_kind::linked, {}, {}, {}});
        return rep;
    });
}

bool platform::takes_new_requests(pool_id p) const {
    const bool any_own = std::any_of(state_.pools.begin(), state_.pools.end(),
                                     [](const pool& x) { return x.kind == pool_kind::own; });
    for (const auto& x : state_.pools)
        if (x.id == p) return !any_own || x.kind == pool_kind::own;
    throw not_found("pool", std::to_string(p.value));
}

void platform::activate(room_id r) {
    command([&] {
        room& rm = room_ref(r);
        if (rm.active) return;
        rm.active = true;
        rm.mode = room_mode::manual;  // R2
        refresh_eligibility();
        emit({event_kind::room_changed, {}, r, {}});
    });
}

void platform::deactivate(room_id r) {
    command([&] {
        room& rm = room_ref(r);
        if (!rm.active) return;
        if (unfinished_on(r))
            throw rule_violation("R4", to_string(r) + " (" + rm.email +
                                           ") has scheduled webinars; move or cancel them first");
        rm.active = false;
        refresh_eligibility();
        emit({event_kind::room_changed, {}, r, {}});
    });
}

void platform::set_mode(room_id r, room_mode m) {
    command([&] {
        room& rm = room_ref(r);
        if (!rm.active)
            throw rule_violation(
                "R2", to_string(r) + " (" + rm.email + ") is inactive; activate it first");
        if (rm.mode == m) return;
        if (m == room_mode::manual && unfinished_on(r))
            throw rule_violation("R3", to_string(r) + " (" + rm.email +
                                           ") holds reservations; it can go back to manual only "
                                           "when it holds none");
        rm.mode = m;
        refresh_eligibility();
        emit({event_kind::room_changed, {}, r, {}});
    });
}

// ---- requests and allocation ------------------------------------------------------

submission platform::submit(const request_input& in) {
    return command([&]() -> submission {
        validate_fields(in);
        const auto& s = state_.settings;
        if (in.duration < s.min_duration || in.duration > s.max_duration)
            throw invalid_argument(
                "duration", "must be between " + std::to_string(s.min_duration.count()) + " and " +
                                std::to_string(s.max_duration.count()) + " min, got " +
                                std::to_string(in.duration.count()));
        const instant start =
            in.resolve ? to_instant(in.start, in.zone, *in.resolve) : to_instant(in.start, in.zone);
        const instant now = clock_->now();
        if (start < now)
            throw invalid_argument("start", format(start, in.zone) + " " + in.zone +
                                                " is in the past (now " + format(now, in.zone) +
                                                ")");
        // Days in advance count calendar days in the event's zone, as organizers read them.
        const auto days_ahead = (std::chrono::floor<date::days>(to_local(start, in.zone)) -
                                 std::chrono::floor<date::days>(to_local(now, in.zone)))
                                    .count();
        if (days_ahead < s.min_days_in_advance)
            throw invalid_argument("start", format(start, in.zone) + " " + in.zone +
                                                " is too soon: requests must be made at least " +
                                                std::to_string(s.min_days_in_advance) +
                                                " day(s) ahead (today is " +
                                                format(now, in.zone).substr(0, 10) + ")");
        if (days_ahead > s.max_days_in_advance)
            throw invalid_argument(
                "start", format(start, in.zone) + " " + in.zone + " is too far ahead: at most " +
                             std::to_string(s.max_days_in_advance) + " days ahead (today is " +
                             format(now, in.zone).substr(0, 10) + ")");

        request rq;
        rq.id = request_id{state_.next_request};
        rq.title = in.title;
        rq.local_start = in.start;
        rq.zone = in.zone;
        rq.duration = in.duration;
        rq.admission = in.admission;
        rq.event_id = in.event_id;
        rq.organizer = in.organizer;
        rq.expected_attendees = in.expected_attendees;
        rq.panelists = in.panelists;
        rq.window = make_blocked_window(s, start, in.duration);
        // Every view (ISO dates, iCalendar, Python's datetime) has four-digit years.
        static const interval representable{make_utc(1, 1, 1) + std::chrono::hours{24},
                                            make_utc(9999, 12, 31)};
        if (rq.window.blocked.begin() < representable.begin() ||
            rq.window.blocked.end() > representable.end())
            throw invalid_argument("start",
                                   "the webinar's blocked time must lie between 0001-01-02 "
                                   "and 9999-12-31 UTC");

        const auto choice = choose_room(rq);
        if (choice &&
            (!schedule_.eligible(*choice) || !schedule_.is_free(*choice, rq.window.blocked)))
            throw error("policy '" + policy_->name() + "' chose " + to_string(*choice) +
                        ", which is not eligible and free");
        // Everything that can throw (formatting included) happens before the
        // state changes, so a request is either stored with a room or queued, or
        // not stored at all.
        const std::string queued_reason =
            choice
                ? std::string()
                : "no automatic room is free from " + format(rq.window.blocked.begin(), rq.zone) +
                      " to " + format(rq.window.blocked.end(), rq.zone) + " " + rq.zone +
                      "; the request waits in the unassigned queue";
        state_.requests.emplace(rq.id, rq);
        try {
            if (choice)
                place(rq.id, *choice);
            else
                state_.queue.push_back(rq.id);
        } catch (...) {
            state_.requests.erase(rq.id);
            throw;
        }
        ++state_.next_request;
        emit({event_kind::submitted, rq.id, {}, {}});
        if (choice) {
            emit({event_kind::assigned, rq.id, *choice, {}});
            return {rq.id, {assign_status::assigned, *choice, {}}};
        }
        emit({event_kind::queued, rq.id, {}, {}});
        return {rq.id, {assign_status::no_room_free, std::nullopt, queued_reason}};
    });
}

assignment platform::retry(request_id id) {
    return command([&]() -> assignment {
        const request& rq = request_ref(id);
        if (state_.reservations.count(id))
            throw rule_violation("R10", to_string(id) + " already has a room; use reassign");
        const auto choice = choose_room(rq);
        if (!choice)
            return {assign_status::no_room_free, std::nullopt,
                    "still no automatic room free from " +
                        format(rq.window.blocked.begin(), rq.zone) + " to " +
                        format(rq.window.blocked.end(), rq.zone) + " " + rq.zone};
        unqueue(id);
        place(id, *choice);
        emit({event_kind::assigned, id, *choice, {}});
        return {assign_status::assigned, *choice, {}};
    });
}

std::size_t platform::retry_queue() {
    return command([&]() -> std::size_t {
        std::size_t n = 0;
        const auto waiting = state_.queue;
        for (const request_id id : waiting)
            if (retry(id)) ++n;
        return n;
    });
}

void platform::check_assignable(room_id r) const {
    const room& rm = room_ref(r);
    if (!rm.active)
        throw rule_violation("R10", to_string(r) + " (" + rm.email +
                                        ") is inactive; only active rooms can be assigned");
    if (!takes_new_requests(rm.pool))
        throw rule_violation("R5", to_string(r) + " (" + rm.email +
                                       ") belongs to a lent pool; since an own account is linked "
                                       "new bookings go to its rooms only");
}

assignment platform::try_room(const request& rq, room_id r) const {
    if (schedule_.is_free(r, rq.window.blocked)) return {assign_status::assigned, r, {}};
    std::string who;
    for (const auto& b : schedule_.overlapping(rq.window.blocked))
        if (b.room == r) {
            const auto& other = state_.requests.at(b.request);
            who = "'" + other.title + "' blocks it from " + format(b.blocked.begin(), rq.zone) +
                  " to " + format(b.blocked.end(), rq.zone);
            break;
        }
    return {assign_status::room_not_free, std::nullopt,
            to_string(r) + " (" + room_ref(r).email + ") is not free from " +
                format(rq.window.blocked.begin(), rq.zone) + " to " +
                format(rq.window.blocked.end(), rq.zone) + " " + rq.zone + ": " + who};
}

assignment platform::assign(request_id id, room_id r) {
    return command([&]() -> assignment {
        if (state_.reservations.count(id)) return reassign(id, r);
        const request& rq = request_ref(id);
        check_assignable(r);
        auto a = try_room(rq, r);
        if (!a) return a;
        unqueue(id);
        place(id, r);
        emit({event_kind::assigned, id, r, {}});
        return a;
    });
}

assignment platform::reassign(request_id id, room_id r) {
    return command([&]() -> assignment {
        const request& rq = request_ref(id);
        auto it = state_.reservations.find(id);
        if (it == state_.reservations.end())
            throw rule_violation("R11", to_string(id) + " has no room yet; use assign");
        const room_id old = it->second.room;
        if (old == r) throw rule_violation("R11", to_string(id) + " is already in " + to_string(r));
        if (clock_->now() >= rq.window.start)
            throw rule_violation(
                "R11", "'" + rq.title + "' has started; a running webinar cannot be moved");
        check_assignable(r);
        auto a = try_room(rq, r);
        if (!a) return a;
        schedule_.book(r, rq.window.blocked, id);  // book first: nothing to undo if it throws
        schedule_.release(old, rq.window.blocked);
        it->second.room = r;
        emit({event_kind::reassigned, id, r, old});
        return a;
    });
}

void platform::cancel(request_id id) {
    command([&] {
        const request& rq = request_ref(id);
        if (clock_->now() >= rq.window.start)
            throw rule_violation(
                "R15", "'" + rq.title + "' has started; it ends by itself at the grace end");
        std::optional<room_id> old;
        if (auto it = state_.reservations.find(id); it != state_.reservations.end()) {
            old = it->second.room;
            schedule_.release(*old, it->second.blocked);
            state_.reservations.erase(it);
        } else {
            unqueue(id);
        }
        state_.requests.erase(id);
        emit({event_kind::cancelled, id, {}, old});
    });
}

// ---- queries ------------------------------------------------------------------------

room platform::get_room(room_id r) const { return room_ref(r); }

request platform::get_request(request_id id) const { return request_ref(id); }

std::optional<reservation> platform::reservation_of(request_id id) const {
    request_ref(id);
    auto it = state_.reservations.find(id);
    if (it == state_.reservations.end()) return std::nullopt;
    return it->second;
}

std::vector<reservation> platform::reservations() const {
    std::vector<reservation> out;
    out.reserve(state_.reservations.size());
    for (const auto& [id, r] : state_.reservations) out.push_back(r);
    return out;
}

webinar_status platform::status(request_id id) const {
    const request& rq = request_ref(id);
    const instant now = clock_->now();
    if (now >= rq.window.grace_end) return webinar_status::finished;
    if (!state_.reservations.count(id)) return webinar_status::unassigned;
    return now >= rq.window.start ? webinar_status::running : webinar_status::future;
}

std::vector<calendar_entry> platform::room_webinars(room_id r) const {
    room_ref(r);
    std::vector<calendar_entry> out;
    for (const auto& b : schedule_.bookings(r))
        out.push_back({state_.requests.at(b.request), r, status(b.request)});
    return out;
}

std::vector<calendar_entry> platform::calendar(const interval& window) const {
    std::vector<calendar_entry> out;
    for (const auto& b : schedule_.overlapping(window))
        out.push_back({state_.requests.at(b.request), b.room, status(b.request)});
    for (const request_id id : state_.queue) {
        const auto& rq = state_.requests.at(id);
        if (rq.window.blocked.overlaps(window)) out.push_back({rq, std::nullopt, status(id)});
    }
    std::stable_sort(out.begin(), out.end(), [](const calendar_entry& a, const calendar_entry& b) {
        if (a.request.window.start != b.request.window.start)
            return a.request.window.start < b.request.window.start;
        return a.room.value_or(room_id{UINT32_MAX}) < b.room.value_or(room_id{UINT32_MAX});
    });
    return out;
}

std::vector<request> platform::queue() const {
    std::vector<request> out;
    for (const request_id id : state_.queue) out.push_back(state_.requests.at(id));
    return out;
}

void platform::subscribe(std::function<void(const event&)> listener) {
    listeners_.push_back(std::move(listener));
}

// ---- internals ------------------------------------------------------------------------

room& platform::room_ref(room_id r) {
    if (r.value == 0 || r.value > state_.rooms.size())
        throw not_found("room", std::to_string(r.value));
    return state_.rooms[r.value - 1];
}
const room& platform::room_ref(room_id r) const {
    if (r.value == 0 || r.value > state_.rooms.size())
        throw not_found("room", std::to_string(r.value));
    return state_.rooms[r.value - 1];
}

const request& platform::request_ref(request_id id) const {
    auto it = state_.requests.find(id);
    if (it == state_.requests.end()) throw not_found("request", std::to_string(id.value));
    return it->second;
}

void platform::refresh_eligibility() {
    for (const auto& r : state_.rooms)
        schedule_.set_eligible(
            r.id, r.active && r.mode == room_mode::automatic && takes_new_requests(r.pool));
}

bool platform::unfinished_on(room_id r) const {
    const instant now = clock_->now();
    const auto list = schedule_.bookings(r);
    return std::any_of(list.begin(), list.end(),
                       [&](const booking& b) { return b.blocked.end() > now; });
}

void platform::place(request_id id, room_id r) {
    const request& rq = request_ref(id);
    schedule_.book(r, rq.window.blocked, id);
    state_.reservations.emplace(id, reservation{id, r, rq.window.blocked});
}

void platform::unqueue(request_id id) {
    auto& q = state_.queue;
    q.erase(std::remove(q.begin(), q.end(), id), q.end());
}

std::optional<room_id> platform::choose_room(const request& rq) {
    struct choosing {
        const allocation_policy*& slot;
        ~choosing() { slot = nullptr; }
    } hold{choosing_ = policy_.get()};
    return policy_->choose({schedule_, state_.rooms, rq, rq.window.blocked});
}

void platform::emit(const event& e) { pending_.push_back(e); }

void platform::publish() {
    if (depth_ != 0 || pending_.empty()) return;
    // Taken out first: a listener may run another command, which publishes its own.
    const auto events = std::exchange(pending_, {});
    const auto listeners = listeners_;  // a listener may subscribe another
    std::exception_ptr first;
    for (const auto& e : events)
        for (const auto& l : listeners) try {
                l(e);
            } catch (...) {
                if (!first) first = std::current_exception();
            }
    if (first) std::rethrow_exception(first);
}

}  // namespace sala
