#pragma once
// A platform whose every command is one store transaction, and the
// outbox dispatcher that sends the effects those transactions committed.
//
//   auto db = sala::sqlite_store::open("sala.db");
//   sala::durable_platform p(db);            // restores what the file holds
//   p.submit(in);                            // returns only once it is on disk
//   sala::outbox_dispatcher d(db);           // later, outside the command:
//   d.on("mail", [&](const sala::effect& e) { ... });  d.dispatch();
//
// Atomicity: a command runs under the store's writer lock; its changes, the
// effects the planner derives from its events and nothing else are written in
// one transaction. If the command throws, nothing is written. If the store
// write or commit fails, the in-memory platform is reloaded from the store, so
// memory and disk never disagree, and the error is rethrown.
//
// Several processes may share one store (PostgreSQL; also one SQLite file):
// before each command the writer lock is taken and whatever the others
// committed since this process's last version is taken in, so every command
// decides on the latest committed state. Taking it in costs the rows they
// changed (store::changes_since applied with platform::apply_changes), not
// the store's size; a full reload happens only on open, after a failed write,
// or when the changes fail a consistency check (last_reload_reason() says
// which). Reads (view()) see this process's last command or refresh().
//
// Bounded memory: cancelled requests, and with archive_finished() finished
// ones past the retention window, leave the live state and stay in the store
// as history (history(), history_of(), get_request()).
//
// Not thread-safe: one thread drives a durable_platform (and its dispatcher,
// unless the dispatcher has its own store connection).

#include <algorithm>
#include <chrono>
#include <exception>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <type_traits>
#include <utility>
#include <vector>

#include "sala/error.hpp"
#include "sala/platform.hpp"
#include "sala/ports/clock.hpp"
#include "sala/ports/store.hpp"

namespace sala {

namespace detail {

// The small parts of the state, copied before a command to diff against.
struct state_snapshot {
    sala::settings settings;
    policy_kind policy = policy_kind::first_fit;
    std::uint64_t next_request = 1;
    std::vector<pool> pools;
    std::vector<room> rooms;
    std::vector<request_id> queue;

    // Copy-assigned into one object command after command: the rooms' strings
    // keep their buffers, so a warm snapshot allocates nothing (a fresh copy of
    // 200 rooms was an eighth of a SQLite command's CPU time).
    void take(const platform_state& s) {
        settings = s.settings;
        policy = s.policy;
        next_request = s.next_request;
        pools = s.pools;
        rooms = s.rooms;
        queue = s.queue;
    }
};

// The rows a command changed: small tables by comparison, requests and
// reservations by the ids its events name.
inline change_set diff(const state_snapshot& before, const platform_state& after,
                       const std::vector<event>& events) {
    change_set c;
    if (!(before.settings == after.settings)) c.settings = after.settings;
    if (before.policy != after.policy) c.policy = after.policy;
    if (before.next_request != after.next_request) c.next_request = after.next_request;
    for (const auto& p : after.pools) {
        auto it = std::find_if(before.pools.begin(), before.pools.end(),
                               [&](const pool& x) { return x.id == p.id; });
        if (it == before.pools.end() || !(*it == p)) c.pools.push_back(p);
    }
    for (std::size_t k = 0; k < after.rooms.size(); ++k)
        if (k >= before.rooms.size() || !(before.rooms[k] == after.rooms[k]))
            c.rooms.push_back(after.rooms[k]);

    std::set<request_id> touched;
    for (const auto& e : events)
        if (e.request) touched.insert(*e.request);
    for (const request_id id : touched) {
        if (auto it = after.requests.find(id); it != after.requests.end())
            c.requests.push_back(it->second);
        else
            c.erased_requests.push_back(id);
        if (auto it = after.reservations.find(id); it != after.reservations.end())
            c.reservations.push_back(it->second);
        else
            c.erased_reservations.push_back(id);
    }

    if (before.queue != after.queue) {
        // The queue only loses entries and grows at its end; anything else is rewritten.
        const std::set<request_id> now(after.queue.begin(), after.queue.end());
        std::vector<request_id> kept;
        for (const request_id id : before.queue) {
            if (now.count(id))
                kept.push_back(id);
            else
                c.queue_removed.push_back(id);
        }
        const bool prefix = kept.size() <= after.queue.size() &&
                            std::equal(kept.begin(), kept.end(), after.queue.begin());
        if (prefix) {
            c.queue_appended.assign(after.queue.begin() + static_cast<std::ptrdiff_t>(kept.size()),
                                    after.queue.end());
        } else {
            c.queue_removed.clear();
            c.queue_rewrite = after.queue;
        }
    }
    return c;
}

}  // namespace detail

class durable_platform {
  public:
    // Effects a command causes, derived from each of its events; committed in
    // the command's transaction (transactional outbox).
    using effect_planner = std::function<std::vector<effect>(const event&, const platform&)>;

    // Restores what `st` holds; an empty store is initialised with `initial`
    // (or the defaults). Settings given for a store that already holds others
    // are applied, as a set_settings command (validated; an invalid one throws
    // sala::invalid_settings and changes nothing); never silently ignored.
    explicit durable_platform(std::shared_ptr<store> st, std::shared_ptr<const clock> clk = nullptr,
                              std::optional<sala::settings> initial = std::nullopt)
        : store_(std::move(st)),
          clock_(clk ? std::move(clk) : std::make_shared<system_clock>()),
          platform_(initial.value_or(sala::settings{}), clock_) {
        if (!store_) throw invalid_argument("store", "is null");
        platform_.subscribe([this](const event& e) { events_.push_back(e); });
        const std::uint64_t v = store_->begin_write();
        try {
            if (v == 0) {
                change_set c;
                c.settings = platform_.state().settings;
                c.policy = platform_.state().policy;
                c.next_request = platform_.state().next_request;
                version_ = store_->write(c);
                store_->commit();
            } else {
                reload_locked("first open");
                store_->commit();
            }
        } catch (...) {
            store_->rollback();
            throw;
        }
        if (initial && !(platform_.get_settings() == *initial)) set_settings(*initial);
    }

    durable_platform(const durable_platform&) = delete;
    durable_platform& operator=(const durable_platform&) = delete;

    // The platform as of this process's last command or refresh(); read only.
    const platform& view() const noexcept { return platform_; }
    const platform_state& state() const noexcept { return platform_.state(); }
    // The in-memory platform, for components that subscribe to its events and
    // read its state (sala::lifecycle); it stays the same object for the life
    // of this durable_platform. Run commands through durable_platform, not
    // through this reference, or they are not saved. Its subscribers also
    // hear the events of a command whose store write then fails (the state is
    // reloaded right after; the lifecycle derives its work from state).
    platform& inner() noexcept { return platform_; }
    store& backing_store() noexcept { return *store_; }
    std::shared_ptr<store> shared_store() const noexcept { return store_; }
    // The store version this process has seen.
    std::uint64_t version() const noexcept { return version_; }

    // Takes in what other processes committed since this process's last version.
    void refresh() {
        if (stale_) return reload_locked("a previous failure");
        if (store_->version() != version_) sync_locked();
    }

    // How this process took in others' commits: incremental syncs, full
    // reloads, and why the last reload happened ("first open", a failed
    // consistency check with its field and reason, ...).
    std::size_t syncs() const noexcept { return syncs_; }
    std::size_t reloads() const noexcept { return reloads_; }
    const std::string& last_reload_reason() const noexcept { return reload_reason_; }

    // ---- history ---------------------------------------------------------------------
    // A live request, or the last state of a cancelled or archived one; throws
    // sala::not_found for an id never used.
    request get_request(request_id id) const {
        if (auto it = platform_.state().requests.find(id); it != platform_.state().requests.end())
            return it->second;
        if (auto h = store_->find_history(id)) return h->request;
        throw not_found("request", std::to_string(id.value));
    }
    std::optional<history_record> history_of(request_id id) const {
        return store_->find_history(id);
    }
    std::vector<history_record> history(const history_query& q = {}) const {
        return store_->history(q);
    }

    // Finished webinars (their blocked time, post-processing included, over
    // for at least `retention`) leave the live state and become history, in
    // one transaction; others' processes drop them at their next sync. `keep`
    // holds back those still in use (the lifecycle's unfinished steps);
    // `rows(ids)` gives lifecycle rows to commit in the same transaction (the
    // lifecycle erasing their step records). Returns how many were archived.
    using archive_rows =
        std::function<std::vector<lifecycle_record>(const std::vector<request_id>&)>;
    std::size_t archive_finished(minutes retention = default_retention,
                                 const std::function<bool(request_id)>& keep = {},
                                 const archive_rows& rows = {}) {
        if (retention < minutes{0}) throw invalid_argument("retention", "must not be negative");
        return run([&](platform& p) -> std::size_t {
            const instant cutoff = clock_->now() - retention;
            std::vector<history_record> gone;
            for (const auto& [id, rq] : p.state().requests) {
                if (rq.window.blocked.end() > cutoff || rq.window.grace_end > cutoff) continue;
                if (keep && keep(id)) continue;
                history_record h;
                h.request = rq;
                h.status = history_status::finished;
                h.at = clock_->now();
                h.command = "archive";
                if (auto r = p.state().reservations.find(id); r != p.state().reservations.end())
                    h.room = r->second.room;
                gone.push_back(std::move(h));
            }
            if (gone.empty()) return 0;
            state_delta d = delta_of(p.state());
            std::vector<request_id> ids;
            for (const auto& h : gone) ids.push_back(h.request.id);
            extra_.erased_requests.insert(extra_.erased_requests.end(), ids.begin(), ids.end());
            d.erased = ids;
            const std::set<request_id> leaving(ids.begin(), ids.end());
            d.queue = p.state().queue;
            std::erase_if(*d.queue, [&](request_id id) { return leaving.count(id) > 0; });
            if (rows) extra_.lifecycle = rows(ids);
            extra_.history = std::move(gone);
            const std::size_t n = extra_.history.size();
            p.apply_changes(d);  // no events: nothing a listener must act on
            return n;
        });
    }
    static constexpr minutes default_retention{7 * 24 * 60};

    void set_effect_planner(effect_planner p) { planner_ = std::move(p); }
    // While a command runs (a planner or a commit_step_with decision reads
    // them): the history rows it will write, so a planner can still describe
    // a request the command cancelled.
    const std::vector<history_record>& pending_history() const noexcept { return extra_.history; }
    // Inside commit_step_with's decision only: effects to commit in the same
    // transaction (a lifecycle step's webhooks). Throws sala::error outside.
    void stage_effects(std::vector<effect> fx) {
        if (!in_command_) throw error("durable_platform::stage_effects outside a command");
        for (auto& e : fx) extra_.effects.push_back(std::move(e));
    }
    // Called after each command's commit, with the command's events in order.
    void subscribe(std::function<void(const event&)> listener) {
        listeners_.push_back(std::move(listener));
    }

    // ---- commands: each one transaction --------------------------------------------
    void set_settings(const sala::settings& s) {
        run([&](platform& p) { p.set_settings(s); });
    }
    void set_policy(policy_kind k) {
        run([&](platform& p) { p.set_policy(k); });
    }
    link_report link_account(const std::string& name, pool_kind kind,
                             const std::vector<account_user>& users) {
        return run([&](platform& p) { return p.link_account(name, kind, users); });
    }
    void activate(room_id r) {
        run([&](platform& p) { p.activate(r); });
    }
    void deactivate(room_id r) {
        run([&](platform& p) { p.deactivate(r); });
    }
    void set_mode(room_id r, room_mode m) {
        run([&](platform& p) { p.set_mode(r, m); });
    }
    submission submit(const request_input& in) {
        return run([&](platform& p) { return p.submit(in); });
    }
    assignment retry(request_id id) {
        return run([&](platform& p) { return p.retry(id); });
    }
    std::size_t retry_queue() {
        return run([&](platform& p) { return p.retry_queue(); });
    }
    assignment assign(request_id id, room_id r) {
        return run([&](platform& p) { return p.assign(id, r); });
    }
    assignment reassign(request_id id, room_id r) {
        return run([&](platform& p) { return p.reassign(id, r); });
    }
    // The request stays in the store as history (status cancelled).
    void cancel(request_id id) {
        run([&](platform& p) {
            history_record h;
            h.request = p.get_request(id);
            if (auto r = p.reservation_of(id)) h.room = r->room;
            p.cancel(id);
            h.status = history_status::cancelled;
            h.at = clock_->now();
            h.command = "cancel";
            extra_.history.push_back(std::move(h));
        });
    }

    // A lifecycle step: its step state, the effects it causes and any report,
    // in one transaction (nothing of the platform state changes).
    void commit_step(std::vector<lifecycle_record> steps, std::vector<effect> effects,
                     std::vector<report_record> reports = {}) {
        run([&](platform&) {
            extra_.lifecycle = std::move(steps);
            extra_.effects = std::move(effects);
            extra_.reports = std::move(reports);
        });
    }

    // A lifecycle step decided inside the transaction: `decide(platform&)` runs
    // under the writer lock on the freshly synced platform and returns the
    // lifecycle rows to commit with it (durable_lifecycle's claims).
    template <class F>
    void commit_step_with(F&& decide) {
        run([&](platform& p) { extra_.lifecycle = decide(p); });
    }

    // ---- group commit ------------------------------------------------------------------
    // Commands run between begin_group() and commit_group() share one store
    // transaction: one commit (one fsync) for all of them. Each still decides on
    // the state the ones before it left, and one that throws changed nothing
    // (the others stay in the group). Listeners hear the events after the
    // commit. A failed write undoes the whole group: later commands of the
    // group throw at once, and commit_group() reloads the state and rethrows
    // that failure. A command of a group is durable only once commit_group()
    // returns: acknowledge none before.
    void begin_group() {
        if (group_) throw error("durable_platform::begin_group: a group is already open");
        const std::uint64_t committed = store_->begin_write();
        try {
            catch_up(committed);
        } catch (...) {
            store_->rollback();
            throw;
        }
        group_ = true;
        group_failure_ = nullptr;
        group_wrote_ = false;
        group_events_.clear();
    }
    void commit_group() {
        if (!group_) throw error("durable_platform::commit_group: no group is open");
        group_ = false;
        auto done = std::move(group_events_);
        group_events_.clear();
        if (group_failure_) {
            store_->rollback();
            reload_after_failed_group();
            std::rethrow_exception(std::exchange(group_failure_, nullptr));
        }
        try {
            store_->commit();
        } catch (...) {
            store_->rollback();
            reload_after_failed_group();
            throw;
        }
        publish(done);
    }
    // Drops the group's commands (nothing of them is saved or heard).
    void rollback_group() {
        if (!group_) return;
        group_ = false;
        group_events_.clear();
        group_failure_ = nullptr;
        store_->rollback();
        if (group_wrote_) reload_after_failed_group();
    }
    bool in_group() const noexcept { return group_; }

    // Runs any platform command as one transaction (see the class comment), or
    // as part of the open group.
    template <class F>
    auto run(F&& command) -> std::invoke_result_t<F&, platform&> {
        using result_t = std::invoke_result_t<F&, platform&>;
        if (group_) return run_in_group(command);
        const std::uint64_t committed = store_->begin_write();
        events_.clear();
        extra_ = {};
        bool command_done = false;
        const command_scope scope{in_command_};
        try {
            catch_up(committed);
            before_.take(platform_.state());
            if constexpr (std::is_void_v<result_t>) {
                command(platform_);
                command_done = true;
                finish(before_);
            } else {
                result_t out = command(platform_);
                command_done = true;
                finish(before_);
                return out;
            }
        } catch (...) {
            store_->rollback();
            // A command that threw changed nothing (the platform's promise);
            // after a store failure memory is ahead of disk: reload.
            if (command_done || !events_.empty() || !extra_.empty()) {
                try {
                    reload_locked("a failed write");
                } catch (...) {
                    stale_ = true;  // next command reloads first
                }
            }
            throw;
        }
    }

  private:
    // Marks the time a command runs (stage_effects is allowed only then).
    struct command_scope {
        bool& flag;
        explicit command_scope(bool& f) : flag(f) { flag = true; }
        ~command_scope() { flag = false; }
        command_scope(const command_scope&) = delete;
        command_scope& operator=(const command_scope&) = delete;
    };
    template <class F>
    auto run_in_group(F& command) -> std::invoke_result_t<F&, platform&> {
        using result_t = std::invoke_result_t<F&, platform&>;
        if (group_failure_) std::rethrow_exception(group_failure_);
        const command_scope scope{in_command_};
        events_.clear();
        extra_ = {};
        before_.take(platform_.state());
        std::optional<std::conditional_t<std::is_void_v<result_t>, char, result_t>> out;
        if constexpr (std::is_void_v<result_t>) {
            command(platform_);
        } else {
            out.emplace(command(platform_));
        }
        // The command is done (one that threw changed nothing); from here a
        // failure is the store's and spoils the whole group.
        try {
            group_wrote_ = true;
            version_ = write_changes(before_);
        } catch (...) {
            group_failure_ = std::current_exception();
            throw;
        }
        for (auto& e : events_) group_events_.push_back(std::move(e));
        events_.clear();
        if constexpr (!std::is_void_v<result_t>) return std::move(*out);
    }
    void reload_after_failed_group() {
        try {
            reload_locked("a failed group");
        } catch (...) {
            stale_ = true;  // next command reloads first
        }
    }
    // Writes the command's changes, its effects and extra rows (no commit);
    // the version it wrote, or the current one when there was nothing to write.
    std::uint64_t write_changes(const detail::state_snapshot& before) {
        change_set c = detail::diff(before, platform_.state(), events_);
        c.lifecycle = std::move(extra_.lifecycle);
        c.effects = std::move(extra_.effects);
        c.reports = std::move(extra_.reports);
        // The planner runs before the history moves (pending_history()).
        if (planner_)
            for (const auto& e : events_)
                for (auto& fx : planner_(e, platform_)) c.effects.push_back(std::move(fx));
        c.history = std::move(extra_.history);
        for (const request_id id : extra_.erased_requests)
            if (std::find(c.erased_requests.begin(), c.erased_requests.end(), id) ==
                c.erased_requests.end())
                c.erased_requests.push_back(id);
        return c.empty() ? version_ : store_->write(c);
    }
    void finish(const detail::state_snapshot& before) {
        const std::uint64_t v = write_changes(before);
        store_->commit();
        version_ = v;
        const auto done = std::move(events_);
        events_.clear();
        publish(done);
    }
    void publish(const std::vector<event>& done) {
        for (const auto& e : done)
            for (const auto& l : listeners_) l(e);
    }
    // Under the writer lock: what others committed since this process's version
    // (`committed` is the store's), or a full reload after a failure.
    void catch_up(std::uint64_t committed) {
        if (stale_)
            reload_locked("a previous failure");
        else if (committed != version_)
            sync_locked();
    }

    // Inside an open transaction (or none, for refresh()).
    void sync_locked() {
        state_delta d = store_->changes_since(version_);
        try {
            platform_.apply_changes(d);
        } catch (const error& e) {
            return reload_locked(std::string("changes failed a consistency check: ") + e.what());
        }
        version_ = d.version;
        stale_ = false;
        ++syncs_;
    }
    void reload_locked(std::string why) {
        std::uint64_t at = 0;
        platform_state s = store_->load(&at);
        platform_.replace_state(std::move(s));
        version_ = at;
        stale_ = false;
        ++reloads_;
        reload_reason_ = std::move(why);
    }
    // The singletons as they are (archive_finished changes only requests).
    static state_delta delta_of(const platform_state& s) {
        state_delta d;
        d.settings = s.settings;
        d.policy = s.policy;
        d.next_request = s.next_request;
        d.pools = s.pools;
        return d;
    }

    std::shared_ptr<store> store_;
    std::shared_ptr<const clock> clock_;
    platform platform_;
    std::uint64_t version_ = 0;
    bool stale_ = false;
    bool in_command_ = false;
    std::vector<event> events_;
    change_set extra_;
    std::size_t syncs_ = 0, reloads_ = 0;
    std::string reload_reason_;
    effect_planner planner_;
    std::vector<std::function<void(const event&)>> listeners_;
    detail::state_snapshot before_;  // the command's "before", reused (see take)
    bool group_ = false, group_wrote_ = false;
    std::exception_ptr group_failure_;
    std::vector<event> group_events_;
};

// Sends committed effects and marks them done (transactional outbox). A crash
// between sending and marking sends the effect again with the same
// idempotency key: backends that honour the key drop the repeat (SMTP/outbox
// mailers derive the Message-ID from it); those that cannot (Zoom's create
// webinar has no idempotency key) see at most one duplicate per crash.
class outbox_dispatcher {
  public:
    using handler = std::function<void(const effect&)>;
    struct result {
        std::size_t sent = 0;
        std::size_t retrying = 0;  // failed, will be tried again later
        std::size_t failed = 0;    // given up (non-retryable, no handler)
    };

    explicit outbox_dispatcher(std::shared_ptr<store> st,
                               std::shared_ptr<const clock> clk = nullptr)
        : store_(std::move(st)), clock_(clk ? std::move(clk) : std::make_shared<system_clock>()) {
        if (!store_) throw invalid_argument("store", "is null");
    }

    void on(const std::string& kind, handler h) { handlers_[kind] = std::move(h); }

    // Sends up to `limit` due effects, oldest first.
    result dispatch(std::size_t limit = 100) {
        result r;
        if (!store_->try_lock_dispatcher()) return r;
        struct unlock {
            store* s;
            ~unlock() { s->unlock_dispatcher(); }
        } guard{store_.get()};
        const instant now = clock_->now();
        for (const auto& e : store_->due_effects(now, limit)) {
            auto h = handlers_.find(e.effect.kind);
            if (h == handlers_.end()) {
                store_->mark_failed(e.id, "no handler for effect kind '" + e.effect.kind + "'",
                                    std::nullopt);
                ++r.failed;
                continue;
            }
            try {
                h->second(e.effect);
            } catch (const backend_error& err) {
                if (!err.retryable()) {
                    store_->mark_failed(e.id, err.what(), std::nullopt);
                    ++r.failed;
                } else {
                    store_->mark_failed(e.id, err.what(),
                                        now + backoff(e.attempts, err.retry_after_seconds()));
                    ++r.retrying;
                }
                continue;
            } catch (const std::exception& err) {
                store_->mark_failed(e.id, err.what(), now + backoff(e.attempts, 0));
                ++r.retrying;
                continue;
            }
            store_->mark_done(e.id);
            ++r.sent;
        }
        return r;
    }

  private:
    // 1, 2, 4 ... minutes, at most an hour; a backend's Retry-After wins when longer.
    static minutes backoff(int attempts, int retry_after_seconds) {
        const minutes exp{1LL << std::min(attempts, 6)};
        const minutes ra{(retry_after_seconds + 59) / 60};
        return std::min(std::max(exp, ra), minutes{60});
    }

    std::shared_ptr<store> store_;
    std::shared_ptr<const clock> clock_;
    std::map<std::string, handler> handlers_;
};

}  // namespace sala
