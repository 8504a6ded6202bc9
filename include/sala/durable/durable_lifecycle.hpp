#pragma once
// The lifecycle (sala/lifecycle/lifecycle.hpp) on a durable platform, shared
// by every process on the store. Its step state lives in the store's lifecycle
// rows (one JSON record per webinar, per room (R20) and per admin notice;
// sala::to_records); each process takes in the rows the others wrote since
// its version, and the platform's commits, at the start of every tick.
//
//   auto db = sala::sqlite_store::open("sala.db");
//   sala::durable_platform p(db);
//   sala::durable_lifecycle life(p, zoom, smtp, options);
//   life.tick(now);   // others' commits taken in, then each due step claimed, run, committed
//
// The protocol (docs/lifecycle.md, "Several processes"): a step is claimed in
// one store transaction before its backend call. That transaction holds the
// writer lock, brings the platform and the lifecycle rows up to date with
// what others committed, checks the step is still due there (a request
// cancelled or moved by another process's committed command has no such step
// any more), takes the lease "claim/<row>" (one holder per webinar, room or
// notice, until lifecycle_options::claim_ttl) and commits what must be known
// before the call (set_password's password, sealed with credentials_key).
// After the call a second transaction commits the result and gives the lease
// up. A process killed between the two leaves the lease to expire; whoever
// takes it over runs the step again with the same idempotency key and, for
// credentials, the same stored password. With lifecycle_options::ticker_lease
// only the holder of the store's "ticker" lease runs steps.
//
// What a crash can still repeat: the backend call of the step that was
// running (same idempotency key: mailers that honour it let the receiver drop
// the repeat; Zoom's create webinar has none, so one duplicate webinar per
// crash during a create is possible).

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "sala/durable/durable_platform.hpp"
#include "sala/lifecycle/lifecycle.hpp"

namespace sala {

// One run of one step, as durable_lifecycle commits it: the step's record as
// stored before the run (none: it had never run) and after it. A step-effects
// hook (durable_lifecycle::set_step_effects) turns it into effects committed
// in the same transaction as the step's result: never lost, never doubled.
struct step_change {
    step_subject subject;
    std::optional<step_record> before;
    step_record after;
    // The webinar's record after the run ("request/<id>" rows), else null.
    const webinar_record* webinar = nullptr;
};
using step_effects = std::function<std::vector<effect>(const step_change&, const platform&)>;

class durable_lifecycle final : private step_guard {
  public:
    durable_lifecycle(durable_platform& p, conferencing& c, mailer& m, lifecycle_options o = {})
        : platform_(p), engine_(p.inner(), c, m, std::move(o)) {
        std::uint64_t at = 0;
        absorb_rows(store_().lifecycle_changes(0, &at));
        version_ = at;
        engine_.set_step_guard(this);
    }
    ~durable_lifecycle() override {
        engine_.set_step_guard(nullptr);
        if (ticker_) {
            try {
                store_().release_lease(ticker_lease_name, holder());
            } catch (...) {  // it expires anyway
            }
        }
    }
    durable_lifecycle(const durable_lifecycle&) = delete;
    durable_lifecycle& operator=(const durable_lifecycle&) = delete;

    static constexpr const char* ticker_lease_name = "ticker";

    // Takes in the others' commits, then runs what is due, each step claimed
    // and committed in its own transactions. With a ticker lease, a process
    // that does not hold it runs nothing and returns 0.
    std::size_t tick(instant now) {
        take_in();
        if (engine_.options().ticker_lease > std::chrono::milliseconds{0}) {
            ticker_ = store_().take_lease(ticker_lease_name, holder(), wall_now(),
                                          engine_.options().ticker_lease);
            if (!ticker_) return 0;
        }
        const std::size_t n = engine_.tick(now);
        save();
        archive(now);
        return n;
    }
    // Bounded hot state: finished webinars with nothing left to do leave
    // memory as history, their step records erased in the same transaction
    // (lifecycle_options::retention; ticks do it at most once an hour).
    // Returns how many.
    std::size_t archive(instant now) {
        const minutes keep_for = engine_.options().retention;
        if (keep_for <= minutes{0} || (last_archive_ && now - *last_archive_ < minutes{60}))
            return 0;
        last_archive_ = now;
        std::size_t n = 0;
        pending_.clear();
        std::vector<lifecycle_record> forgotten;  // put back if the commit fails
        bool took_in = false;                     // lifecycle rows taken in under the writer lock
        try {
            n = platform_.archive_finished(
                keep_for,
                [busy = engine_.busy_requests()](request_id id) { return busy.count(id) > 0; },
                [&](const std::vector<request_id>& ids) {
                    take_in_locked();
                    took_in = true;
                    std::vector<lifecycle_record> erase;
                    std::set<std::string> keys;
                    for (const request_id id : ids) {
                        const std::string row = "request/" + std::to_string(id.value);
                        erase.push_back({row, id, std::string{}});
                        keys.insert(row);
                    }
                    for (const auto& k : keys)
                        if (auto it = stored_.find(k); it != stored_.end())
                            forgotten.push_back({k, std::nullopt, it->second});
                    engine_.absorb(erase);  // forgotten, not taken for cancelled
                    return dirty_rows(keys);
                });
        } catch (...) {
            pending_.clear();
            engine_.absorb(forgotten);
            throw;
        }
        // Nothing archived: the rows were not taken in, so the version must not pass them.
        mark_stored(took_in);
        return n;
    }
    // R13 from any process: the credentials are made due now (under the
    // request's claim, so not while another process runs one of its steps)
    // and this request's steps run here. True once they have been mailed, by
    // any process; false while another process is at it (ask again).
    bool generate_credentials_now(request_id id, instant now) {
        take_in();
        bool mailed = false;
        const std::string row = "request/" + std::to_string(id.value);
        pending_.clear();
        platform_.commit_step_with([&](platform&) {
            take_in_locked();
            std::vector<lifecycle_record> out;
            if (const auto h = store_().lease_holder(claim_name(row), wall_now());
                h && *h != holder())
                return out;
            mailed = engine_.request_credentials(id, now);
            return dirty_rows({row});
        });
        mark_stored(true);
        if (mailed) return true;
        only_ = id;
        struct reset {
            std::optional<request_id>& o;
            ~reset() { o.reset(); }
        } guard{only_};
        engine_.tick(now);
        return mailed_now(id);
    }
    // ---- Zoom webhooks in (docs/zoom.md "Webhooks in") -------------------------------
    // lifecycle::note_* committed in one store transaction, so every process
    // sees them. `busy` while another process holds a claim on the request (it
    // runs one of its steps): ask again (a webhook inbox retries).
    enum class note_outcome { applied, unknown_webinar, busy };
    struct note_result {
        note_outcome outcome = note_outcome::unknown_webinar;
        std::optional<request_id> request;
    };
    note_result note_webinar_started(const std::string& webinar_id, instant when) {
        return note([&] { return engine_.note_webinar_started(webinar_id, when); }, webinar_id);
    }
    note_result note_webinar_ended(const std::string& webinar_id, instant when) {
        return note([&] { return engine_.note_webinar_ended(webinar_id, when); }, webinar_id);
    }
    note_result note_recording_completed(const std::string& webinar_id,
                                         std::vector<recording_file> files, instant when) {
        return note(
            [&] { return engine_.note_recording_completed(webinar_id, std::move(files), when); },
            webinar_id);
    }
    // app_deauthorized for the linked account `account` (its name): each active
    // room without unfinished webinars is deactivated (R4); rooms still holding
    // webinars are named, with those webinars, in one notice to the admin, who
    // moves them (make-room, reassign) before deactivating. Throws
    // sala::not_found("account") for an unknown name.
    struct deauthorize_report {
        std::vector<room_id> deactivated;
        std::vector<room_id> still_booked;
        std::vector<request_id> booked;  // unfinished webinars on still_booked rooms
    };
    deauthorize_report account_deauthorized(const std::string& account, instant now) {
        take_in();
        const platform& p = platform_.inner();
        std::optional<pool_id> pool;
        for (const auto& pl : p.state().pools)
            if (pl.name == account) pool = pl.id;
        if (!pool) throw not_found("account", account);
        deauthorize_report rep;
        std::string detail = "Zoom app deauthorized for linked account '" + account + "'.";
        for (const auto& r : p.rooms()) {
            if (r.pool != *pool || !r.active) continue;
            std::vector<request_id> busy;
            for (const auto& e : p.room_webinars(r.id))
                if (e.status != webinar_status::finished) busy.push_back(e.request.id);
            if (busy.empty()) {
                platform_.deactivate(r.id);
                rep.deactivated.push_back(r.id);
                detail += " Room " + r.email + " deactivated.";
                continue;
            }
            rep.still_booked.push_back(r.id);
            detail += " Room " + r.email + " still holds";
            for (const auto id : busy) {
                rep.booked.push_back(id);
                detail += " " + to_string(id) + " ('" + p.get_request(id).title + "')";
            }
            detail += ": move them, then deactivate it.";
        }
        pending_.clear();
        platform_.commit_step_with([&](platform&) {
            take_in_locked();
            engine_.notify_admin("app-deauthorized/" + account + "/" +
                                     std::to_string(now.time_since_epoch().count()),
                                 detail, now);
            return dirty_rows({});
        });
        mark_stored(true);
        return rep;
    }

    // Writes every row that differs from the store's (a failed commit is retried by the next one).
    void save() {
        std::vector<lifecycle_record> out;
        std::set<std::string> seen;
        for (auto& r : to_records(engine_.state())) {
            seen.insert(r.key);
            auto it = stored_.find(r.key);
            if (it == stored_.end() || it->second != r.state) out.push_back(std::move(r));
        }
        for (const auto& [k, st] : stored_)
            if (!seen.count(k)) out.push_back({k, std::nullopt, std::string{}});
        if (out.empty()) return;
        pending_ = out;
        platform_.commit_step(std::move(out), {});
        mark_stored(false);
    }
    // Takes in what other processes committed (also done by every tick).
    void take_in() {
        platform_.refresh();
        std::uint64_t at = 0;
        auto rows = store_().lifecycle_changes(version_, &at);
        absorb_rows(rows);
        version_ = std::max(version_, at);
    }

    // Effects derived from each step this process runs (sala::enable_webhooks
    // sets one); replaces any earlier hook, empty turns it off.
    void set_step_effects(step_effects f) { step_effects_ = std::move(f); }

    // Whether this process held the ticker lease at its last tick.
    bool is_ticker() const noexcept { return ticker_; }
    const std::string& holder() const noexcept { return engine_.options().holder; }

    // Queries and callbacks. Link accounts with durable_platform::link_account
    // (users from conferencing::list_users()), not engine().link_account, so
    // the rooms are saved.
    lifecycle& engine() noexcept { return engine_; }
    const lifecycle& engine() const noexcept { return engine_; }

  private:
    static std::string claim_name(const std::string& row) { return "claim/" + row; }
    static lease_time wall_now() {
        return std::chrono::time_point_cast<std::chrono::milliseconds>(
            std::chrono::system_clock::now());
    }
    store& store_() { return platform_.backing_store(); }

    template <class F>
    note_result note(F&& apply, const std::string& webinar_id) {
        take_in();
        note_result out;
        pending_.clear();
        platform_.commit_step_with([&](platform&) {
            take_in_locked();
            const auto id = engine_.request_of_webinar(webinar_id);
            if (!id) return std::vector<lifecycle_record>{};
            out.request = id;
            const std::string row = "request/" + std::to_string(id->value);
            if (const auto h = store_().lease_holder(claim_name(row), wall_now());
                h && *h != holder()) {
                out.outcome = note_outcome::busy;  // its release would overwrite the row
                return std::vector<lifecycle_record>{};
            }
            apply();
            out.outcome = note_outcome::applied;
            return dirty_rows({row});
        });
        mark_stored(true);
        return out;
    }

    bool mailed_now(request_id id) const {
        const auto& w = engine_.state().webinars;
        auto it = w.find(id);
        if (it == w.end()) return false;
        auto s = it->second.steps.find(step_kind::mail_credentials);
        return s != it->second.steps.end() && s->second.done;
    }

    // Others' rows into the lifecycle and into what this process knows is stored.
    void absorb_rows(const std::vector<lifecycle_record>& rows) {
        if (rows.empty()) return;
        engine_.absorb(rows);
        for (const auto& r : rows) {
            if (r.state.empty())
                stored_.erase(r.key);
            else
                stored_[r.key] = r.state;
        }
    }
    // Inside a transaction: what the others committed since this process's version.
    void take_in_locked() {
        std::uint64_t at = 0;
        absorb_rows(store_().lifecycle_changes(version_, &at));
        version_ = std::max(version_, at);
    }
    // The rows among `keys` and the admin notices that differ from the store's;
    // kept in pending_ until the transaction commits (mark_stored).
    std::vector<lifecycle_record> dirty_rows(std::set<std::string> keys) {
        for (const auto& n : engine_.state().admin_notices)
            keys.insert("notice/" + n.message.idempotency_key);
        std::vector<lifecycle_record> out;
        for (const auto& k : keys) {
            auto r = record_of(engine_.state(), k);
            auto it = stored_.find(k);
            if (r.state.empty() ? it != stored_.end()
                                : it == stored_.end() || it->second != r.state)
                out.push_back(std::move(r));
        }
        pending_ = out;
        return out;
    }
    // After a commit: the rows it wrote are the store's. A transaction that
    // took in the others' rows under the writer lock (`took_in`) also brings
    // this process's version to the one it committed.
    void mark_stored(bool took_in) {
        for (const auto& r : pending_) {
            if (r.state.empty())
                stored_.erase(r.key);
            else
                stored_[r.key] = r.state;
        }
        pending_.clear();
        if (took_in) version_ = std::max(version_, platform_.version());
    }

    // ---- step_guard: the claim before a step's backend call, the commit after ------
    bool claim(const step_subject& s, instant now) override {
        if (only_ && s.request != only_) return false;
        bool granted = false;
        pending_.clear();
        platform_.commit_step_with([&](platform&) {
            take_in_locked();
            std::vector<lifecycle_record> out;
            if (!engine_.due_now(s, now)) return out;  // done, moved or cancelled meanwhile
            if (!store_().take_lease(claim_name(s.row), holder(), wall_now(),
                                     engine_.options().claim_ttl))
                return out;  // another process runs it
            engine_.prepare(s);
            granted = true;
            return dirty_rows({s.row});
        });
        mark_stored(true);
        return granted;
    }
    void release(const step_subject& s, instant) override {
        pending_.clear();
        platform_.commit_step_with([&](platform&) {
            // Still ours unless it expired and another process took it over.
            const bool mine = store_().take_lease(claim_name(s.row), holder(), wall_now(),
                                                  engine_.options().claim_ttl);
            std::uint64_t at = 0;
            auto rows = store_().lifecycle_changes(version_, &at);
            if (mine) {
                std::erase_if(rows, [&](const lifecycle_record& r) { return r.key == s.row; });
            }
            absorb_rows(rows);
            version_ = std::max(version_, at);
            if (!mine) {
                // The taker's record wins; this process's result is dropped.
                auto it = stored_.find(s.row);
                engine_.absorb(
                    {{s.row, s.request, it == stored_.end() ? std::string{} : it->second}});
            }
            auto out = dirty_rows(mine ? std::set<std::string>{s.row} : std::set<std::string>{});
            if (mine && step_effects_) stage_step_effects(s);
            if (mine) store_().release_lease(claim_name(s.row), holder());
            return out;
        });
        mark_stored(true);
    }

    // The step's record in one row's state ("" = no row).
    static std::optional<step_record> step_in(const lifecycle_state& st, const step_subject& s) {
        if (s.request) {
            auto w = st.webinars.find(*s.request);
            if (w == st.webinars.end()) return std::nullopt;
            auto k = w->second.steps.find(s.step);
            if (k == w->second.steps.end()) return std::nullopt;
            return k->second;
        }
        if (s.room) {
            auto r = st.room_settings.find(*s.room);
            if (r != st.room_settings.end()) return r->second;
        }
        return std::nullopt;  // admin notices: never surfaced, nothing to tell
    }
    // Inside release's transaction: the stored row is the state before the run.
    void stage_step_effects(const step_subject& s) {
        const auto it = stored_.find(s.row);
        const lifecycle_state before = it == stored_.end()
                                           ? lifecycle_state{}
                                           : from_records({{s.row, s.request, it->second}});
        const auto after = step_in(engine_.state(), s);
        if (!after) return;
        step_change c{s, step_in(before, s), *after, nullptr};
        if (s.request)
            if (auto w = engine_.state().webinars.find(*s.request);
                w != engine_.state().webinars.end())
                c.webinar = &w->second;
        platform_.stage_effects(step_effects_(c, platform_.view()));
    }

    durable_platform& platform_;
    lifecycle engine_;
    step_effects step_effects_;
    std::map<std::string, std::string> stored_;  // row key -> state as committed
    std::vector<lifecycle_record> pending_;      // written by the open transaction
    std::uint64_t version_ = 0;                  // lifecycle rows taken in up to here
    std::optional<request_id> only_;             // generate_credentials_now's own tick
    std::optional<instant> last_archive_;
    bool ticker_ = false;
};

}  // namespace sala
