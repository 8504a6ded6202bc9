#pragma once
// The facade a host talks to: rooms and pools (R1-R5), requests (R6-R8),
// allocation (R9-R11) and the views (R17). No I/O: "now" comes from a Clock.
//
// Every command either happens whole or throws/returns without changing
// anything. Expected outcomes (no room free, the chosen room is busy) are
// return values; misuse (unknown ids, rule violations, bad input) throws a
// sala::error.

#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <type_traits>
#include <vector>

#include "sala/error.hpp"
#include "sala/ids.hpp"
#include "sala/policy.hpp"
#include "sala/ports/clock.hpp"
#include "sala/request.hpp"
#include "sala/room.hpp"
#include "sala/schedule.hpp"
#include "sala/settings.hpp"
#include "sala/state.hpp"

namespace sala {

enum class assign_status {
    assigned,      // the request holds a room now
    no_room_free,  // automatic: no eligible room free; the request is (still) queued (R10)
    room_not_free  // manual: the chosen room is busy over the blocked interval; nothing changed
};
template <>
struct enum_names<assign_status> {
    static constexpr enum_table<assign_status, 3> entries{
        {SALA_ENUM_NAME(assign_status, assigned), SALA_ENUM_NAME(assign_status, no_room_free),
         SALA_ENUM_NAME(assign_status, room_not_free)}};
};

struct assignment {
    assign_status status = assign_status::no_room_free;
    std::optional<room_id> room;  // set when assigned
    std::string reason;           // why not, in words an admin can act on
    explicit operator bool() const noexcept { return status == assign_status::assigned; }
    // The room, or throws sala::room_not_free with the reason.
    room_id value() const;
    friend bool operator==(const assignment&, const assignment&) = default;
};

struct submission {
    request_id id;
    sala::assignment assignment;
};

// What linking (or re-linking) an account did (R1, R2).
struct link_report {
    pool_id pool;
    std::vector<room_id> new_rooms;             // candidates added, inactive
    std::vector<account_user> wasted_licences;  // owner holding a licence (R1, seed 003)
    std::vector<account_user> unlicensed;       // users without a licence: not rooms
};

// R17: pending (unassigned), running, future; finished ones are history.
enum class webinar_status { unassigned, future, running, finished };
template <>
struct enum_names<webinar_status> {
    static constexpr enum_table<webinar_status, 4> entries{
        {SALA_ENUM_NAME(webinar_status, unassigned), SALA_ENUM_NAME(webinar_status, future),
         SALA_ENUM_NAME(webinar_status, running), SALA_ENUM_NAME(webinar_status, finished)}};
};

struct calendar_entry {
    sala::request request;
    std::optional<room_id> room;
    webinar_status status = webinar_status::unassigned;
    interval blocked() const { return request.window.blocked; }
};

class platform {
  public:
    // Settings are validated (throws sala::invalid_settings). Without a clock
    // the platform reads the system clock.
    explicit platform(sala::settings s = {}, std::shared_ptr<const clock> clk = nullptr);
    // Rebuilds a platform from a saved state (a store, a snapshot); validates it.
    static platform restore(platform_state st, std::shared_ptr<const clock> clk = nullptr);
    // Replaces everything this platform knows with `st` (a store's newer
    // state), validated like restore(); subscribers and the clock stay, the
    // policy becomes st.policy. No events are emitted. Throws and changes
    // nothing when `st` is invalid.
    void replace_state(platform_state st);
    // Takes in another writer's commits (a store's state_delta): only the rows
    // named change, and the schedule loses and gains exactly those bookings,
    // so the cost tracks the change, not the history. No events are emitted.
    // Checks what restore() checks for the rows it touches; a failed check
    // throws sala::invalid_argument naming it, and the platform must then be
    // replaced whole (replace_state) before it is used again.
    void apply_changes(const state_delta& d);

    // ---- settings and policy -------------------------------------------------
    const sala::settings& get_settings() const noexcept { return state_.settings; }
    // Applies to requests made from now on; booked ones keep their windows.
    void set_settings(const sala::settings& s);
    // R9: first-fit unless told otherwise.
    void set_policy(policy_kind k);
    // A custom policy (not saved in the state; restore() falls back to `policy`).
    void set_policy(std::shared_ptr<allocation_policy> p);
    const allocation_policy& policy() const noexcept { return *policy_; }

    // ---- rooms and pools (R1-R5) ------------------------------------------------
    // Lists the account's users as candidate rooms (inactive). Linking a pool
    // name again adds users not seen before and keeps the existing rooms.
    link_report link_account(const std::string& name, pool_kind kind,
                             const std::vector<account_user>& users);
    void activate(room_id r);               // R2: inactive -> active, manual
    void deactivate(room_id r);             // R4: not while it holds unfinished webinars
    void set_mode(room_id r, room_mode m);  // R3
    // R5: the pools whose rooms take new requests (own ones once linked).
    bool takes_new_requests(pool_id p) const;

    // ---- requests and allocation (R6-R11) -----------------------------------------
    // Validates (throws sala::invalid_argument naming the field), then assigns
    // automatically or queues (R9, R10).
    submission submit(const request_input& in);
    // R10: automatic assignment again for a queued request.
    assignment retry(request_id id);
    // R10: retries the whole queue in order; returns how many got a room.
    std::size_t retry_queue();
    // R10/R11: an admin gives room r (any active room, manual too) to a queued
    // or assigned request. For an assigned request this is a reassignment.
    assignment assign(request_id id, room_id r);
    // R11: moves an assigned webinar to another room (delete + create on the backend).
    assignment reassign(request_id id, room_id r);
    // Removes a request that has not started, assigned or queued.
    void cancel(request_id id);

    // ---- queries (R17) -------------------------------------------------------------
    std::vector<pool> pools() const { return state_.pools; }
    std::vector<room> rooms() const { return state_.rooms; }
    room get_room(room_id r) const;
    request get_request(request_id id) const;
    std::optional<reservation> reservation_of(request_id id) const;
    std::vector<reservation> reservations() const;
    // A room's webinars in start order.
    std::vector<calendar_entry> room_webinars(room_id r) const;
    // Webinars whose blocked interval overlaps `window`, queued ones included,
    // ordered by start then room.
    std::vector<calendar_entry> calendar(const interval& window) const;
    // The unassigned queue, oldest first.
    std::vector<request> queue() const;
    webinar_status status(request_id id) const;
    // R18: most blocked intervals at one instant inside `window`.
    std::size_t peak_concurrency(const interval& window) const {
        return schedule_.peak_concurrency(window);
    }
    instant now() const { return clock_->now(); }

    // A copy of everything the platform knows.
    const platform_state& state() const noexcept { return state_; }
    const sala::schedule& occupancy() const noexcept { return schedule_; }

    // Called after every successful command, in order, once the command is
    // complete. Every listener hears every event; if some throw, the first
    // exception then reaches the command's caller (the command has happened).
    void subscribe(std::function<void(const event&)> listener);

    // While a hold lives, every command throws sala::reentrant_command naming
    // `why`: whoever calls out with references into the state (the lifecycle
    // calling a port) keeps them valid even if the callee calls back.
    class command_hold {
      public:
        command_hold(const command_hold&) = delete;
        command_hold& operator=(const command_hold&) = delete;
        ~command_hold() { p_.holds_.pop_back(); }

      private:
        friend class platform;
        command_hold(platform& p, std::string why) : p_(p) { p_.holds_.push_back(std::move(why)); }
        platform& p_;
    };
    [[nodiscard]] command_hold hold_commands(std::string why) { return {*this, std::move(why)}; }

  private:
    room& room_ref(room_id r);
    const room& room_ref(room_id r) const;
    const request& request_ref(request_id id) const;
    void refresh_eligibility();
    bool unfinished_on(room_id r) const;
    void check_assignable(room_id r) const;
    assignment try_room(const request& rq, room_id r) const;
    void place(request_id id, room_id r);
    void unqueue(request_id id);
    std::optional<room_id> choose_room(const request& rq);
    void emit(const event& e);
    void publish();
    // Runs one public command. Its events are held until the outermost command
    // is complete, then given to the listeners: a listener that throws, or runs
    // another command, never sees or leaves a command half-done. A failed
    // command's events are dropped.
    template <class F>
    auto command(F&& body) -> decltype(body());

    platform_state state_;
    sala::schedule schedule_;
    std::shared_ptr<allocation_policy> policy_;
    std::shared_ptr<const clock> clock_;
    std::vector<std::function<void(const event&)>> listeners_;
    std::vector<event> pending_;
    int depth_ = 0;
    std::vector<std::string> holds_;
    // Set while the policy chooses (a hold without building its message on every submit).
    const allocation_policy* choosing_ = nullptr;
};

template <class F>
auto platform::command(F&& body) -> decltype(body()) {
    if (choosing_)
        throw reentrant_command("a platform command was called while the allocation policy '" +
                                choosing_->name() +
                                "' is choosing a room; call it after that returns");
    if (!holds_.empty())
        throw reentrant_command("a platform command was called while " + holds_.back() +
                                "; call it after that returns");
    ++depth_;
    if constexpr (std::is_void_v<decltype(body())>) {
        try {
            body();
        } catch (...) {
            if (--depth_ == 0) pending_.clear();
            throw;
        }
        --depth_;
        publish();
    } else {
        std::optional<decltype(body())> result;
        try {
            result.emplace(body());
        } catch (...) {
            if (--depth_ == 0) pending_.clear();
            throw;
        }
        --depth_;
        publish();
        return std::move(*result);
    }
}

inline const char* to_string(assign_status s) { return enum_name(s); }
inline const char* to_string(webinar_status s) { return enum_name(s); }

}  // namespace sala
