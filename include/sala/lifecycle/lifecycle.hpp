#pragma once
// The life of a webinar on the backend (R10-R16, R19, R20, R1/R18 on link).
//
// Every timed step is derived from state: the platform's requests,
// reservations and queue, plus this lifecycle's per-webinar step records
// (lifecycle_state). tick(now) runs whatever is due, each step exactly once,
// in the order of the moments they belong to, so a host that was down catches
// up on its next tick (R16). A failing backend call leaves its step due; it is
// retried with exponential backoff (honouring retry-after) and, after
// `failure_threshold` failures or at once for a non-retryable error, surfaced
// to the admin (problems() + one admin e-mail) while still being retried.
// See docs/lifecycle.md for every step, its moment, its effects and its
// idempotency key.

#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "sala/enum_names.hpp"
#include "sala/ids.hpp"
#include "sala/lifecycle/templates.hpp"
#include "sala/platform.hpp"
#include "sala/ports/conferencing.hpp"
#include "sala/ports/file_sink.hpp"
#include "sala/ports/mailer.hpp"
#include "sala/records.hpp"
#include "sala/time.hpp"

namespace sala {

// The steps, in the order they run when several are due at the same moment.
// Each has one descriptor (due rule, execution, key) in src/lifecycle/steps/.
enum class step_kind {
    apply_room_settings,  // R20: per room, once it is active
    notify_unassigned,    // R10: the organizer is told the request waits
    create_webinar,       // on the reserved room (again after a reassignment)
    delete_replaced,      // R11: the old room's webinar, after the new one exists
    mail_reassigned,      // R11: re-invite panelists
    set_password,         // R12: fresh password on the room user
    mail_credentials,     // R12: to the organizer
    mail_join_links,      // R12: to panelists and registered attendees
    mail_end_warning,     // R14
    end_webinar,          // R15: at end + courtesy
    rotate_password,      // R15: the webinar's password expires
    fetch_report,         // R15: participants report
    mail_report,          // R15: organizer + admin
    room_free,            // R15: post-processing over (no backend call)
    fetch_recordings,     // R19: polled until they arrive
    recording_stuck,      // R19: none 6 h after the end: flag + admin mail
    download_recordings,  // R19
    trash_recordings,     // R19: unless keep_recordings
    delete_cancelled,     // a cancelled request's webinar(s)
    admin_mail,           // a queued admin notice (problem, wasted licence)
};
template <>
struct enum_names<step_kind> {
    static constexpr enum_table<step_kind, 20> entries{
        {SALA_ENUM_NAME(step_kind, apply_room_settings),
         SALA_ENUM_NAME(step_kind, notify_unassigned),
         SALA_ENUM_NAME(step_kind, create_webinar),
         SALA_ENUM_NAME(step_kind, delete_replaced),
         SALA_ENUM_NAME(step_kind, mail_reassigned),
         SALA_ENUM_NAME(step_kind, set_password),
         SALA_ENUM_NAME(step_kind, mail_credentials),
         SALA_ENUM_NAME(step_kind, mail_join_links),
         SALA_ENUM_NAME(step_kind, mail_end_warning),
         SALA_ENUM_NAME(step_kind, end_webinar),
         SALA_ENUM_NAME(step_kind, rotate_password),
         SALA_ENUM_NAME(step_kind, fetch_report),
         SALA_ENUM_NAME(step_kind, mail_report),
         SALA_ENUM_NAME(step_kind, room_free),
         SALA_ENUM_NAME(step_kind, fetch_recordings),
         SALA_ENUM_NAME(step_kind, recording_stuck),
         SALA_ENUM_NAME(step_kind, download_recordings),
         SALA_ENUM_NAME(step_kind, trash_recordings),
         SALA_ENUM_NAME(step_kind, delete_cancelled),
         SALA_ENUM_NAME(step_kind, admin_mail)}};
};
inline const char* to_string(step_kind v) { return enum_name(v); }

// Progress of one step of one webinar (or room, or admin notice).
struct step_record {
    bool done = false;
    int attempts = 0;        // every try, failed or not
    int failures = 0;        // consecutive failed tries
    instant next_attempt{};  // not before (backoff, polling)
    std::string last_error;
    bool surfaced = false;  // reported to the admin (problems())
    std::optional<instant> done_at;
    std::set<std::string> progress;  // items already handled inside the step (recipients, files)
    friend bool operator==(const step_record&, const step_record&) = default;
};

// A webinar as it exists on the backend.
struct backend_webinar {
    room_id room;
    std::string host_user_id;
    std::string room_email;
    webinar_handle handle;
    std::string passcode;          // docs/zoom.md §3; also inside join_url
    std::uint32_t generation = 0;  // 1 for the first create, +1 per reassignment
    bool password_given = false;   // a credentials password was set on its room
    friend bool operator==(const backend_webinar&, const backend_webinar&) = default;
};

// Everything the lifecycle remembers about one request.
struct webinar_record {
    request_id request;
    std::string title;                       // kept for messages after a cancellation
    std::optional<backend_webinar> webinar;  // the current one
    std::vector<backend_webinar> replaced;   // R11: old ones still to delete
    std::uint32_t generation = 0;
    std::string previous_room_email;               // R11: for the reassignment mail
    std::optional<instant> credentials_requested;  // R13: an admin asked for them now
    std::map<step_kind, step_record> steps;
    std::vector<participant> report;         // R15, once fetched
    std::vector<recording_file> recordings;  // R19, once listed
    bool recording_stuck = false;
    // The credentials password of the current generation, AES-256-GCM under
    // lifecycle_options::credentials_key ("v1:" + base64 of nonce, ciphertext
    // and tag); empty without a key, before set_password and once rotated.
    std::string sealed_password;
    // When Zoom said the webinar started (webinar.started; note_webinar_started).
    std::optional<instant> started_at;
    friend bool operator==(const webinar_record&, const webinar_record&) = default;
};

// An admin notice waiting to be sent (or sent: kept so it is never sent twice).
struct admin_notice {
    mail_message message;  // idempotency_key is the dedup key
    instant queued{};
    step_record step;
    friend bool operator==(const admin_notice&, const admin_notice&) = default;
};

// The lifecycle's whole persistent state. The credentials password is in it
// only sealed (webinar_record::sealed_password, with a credentials_key; see
// docs/lifecycle.md "Credentials at rest"); without a key it lives only in
// memory and in the e-mail, and after a restore a pending credentials mail
// regenerates it.
struct lifecycle_state {
    std::map<request_id, webinar_record> webinars;
    std::map<room_id, step_record> room_settings;  // R20
    std::vector<admin_notice> admin_notices;
    friend bool operator==(const lifecycle_state&, const lifecycle_state&) = default;
};

struct lifecycle_options {
    sala::language language = language::es;
    std::string platform_name = "sala";
    mail_address from{"sala", "no-reply@sala.invalid"};
    mail_address admin{"Admin", "admin@sala.invalid"};
    int failure_threshold = 3;  // consecutive failures before the admin hears of it
    minutes backoff_base{1};    // 1, 2, 4, ... minutes
    minutes backoff_max{60};
    bool keep_recordings = false;  // R19: else moved to the backend's trash after download
    std::string recordings_dir;    // R19: empty = list only (never trash what was not saved)
    std::string reports_dir;       // R15: empty = reports in memory (report_of) only
    // Where reports and recordings go instead of a folder; when null, a
    // folder_sink over reports_dir / recordings_dir is used (if that is set).
    std::shared_ptr<file_sink> report_sink;
    std::shared_ptr<file_sink> recording_sink;
    minutes recordings_poll{30};
    minutes recording_stuck_after{6 * 60};  // R19, counted from the webinar's end
    minutes recordings_give_up_after{7 * 24 * 60};
    sala::room_settings room_settings{};  // R20
    // Registered attendees of a request's event (R12); panelists come from the request.
    std::function<std::vector<mail_address>(const request&)> attendees;

    // ---- several processes on one store (durable_lifecycle; docs/lifecycle.md) ----
    // 64 hexadecimal digits (a 32-byte AES-256-GCM key, e.g. `openssl rand -hex 32`)
    // that seals the credentials password in the store, so the organizer's view
    // and a pending credentials mail survive a restart and every process sends
    // the same password. Empty: passwords are kept in memory only.
    std::string credentials_key;
    // How long a process's claim on a step holds before another may take it
    // over (it died): longer than any backend call.
    std::chrono::milliseconds claim_ttl{std::chrono::minutes{5}};
    // Zero: every process that ticks runs steps (claims keep them apart).
    // Positive: only the holder of the store's ticker lease runs steps; it
    // renews the lease on each tick, and another process takes over once the
    // lease is this old (the holder died or stopped ticking).
    std::chrono::milliseconds ticker_lease{0};
    // This process's name in leases (say, host and process id); empty: "sala-" and
    // 16 random hexadecimal digits.
    std::string holder;
    // Bounded hot state (durable_lifecycle): a webinar whose lifecycle has
    // nothing left to do and whose blocked time and grace end are this far
    // behind leaves memory and becomes history (durable_platform::
    // archive_finished), its step record with it. Zero: never.
    minutes retention{7 * 24 * 60};
};

// What the organizer's view shows (R12).
struct webinar_credentials {
    std::string start_url;
    std::string join_url;
    std::string user_name;  // the room's e-mail
    std::string password;
    instant valid_until{};  // grace end: the password is rotated then (R15)
};

// R15: the attendance report.
struct attendance_report {
    request_id request;
    std::string title;
    std::vector<participant> sessions;  // one row per join/leave
    std::size_t people() const;         // distinct e-mails (or names without one)
    std::string csv(std::string_view zone = "") const;
};

// R13.
struct about_to_start_entry {
    request_id request;
    std::string title;
    room_id room;
    instant start{};
    instant credentials_due{};
    std::string status;  // "pending" or the last error
};

// Something an admin should look at.
struct problem {
    std::optional<request_id> request;
    std::optional<room_id> room;
    step_kind step;
    std::string title;
    int failures = 0;
    std::string last_error;
    instant next_attempt{};
};

enum class step_outcome { done, failed, waiting };
template <>
struct enum_names<step_outcome> {
    static constexpr enum_table<step_outcome, 3> entries{{SALA_ENUM_NAME(step_outcome, done),
                                                          SALA_ENUM_NAME(step_outcome, failed),
                                                          SALA_ENUM_NAME(step_outcome, waiting)}};
};
inline const char* to_string(step_outcome v) { return enum_name(v); }

// One attempt at one step, for timelines and logs.
struct step_event {
    instant at{};   // the tick's now
    instant due{};  // the step's moment (epoch for "as soon as possible")
    step_kind step;
    step_outcome outcome;
    std::optional<request_id> request;
    std::optional<room_id> room;
    std::string title;
    std::string zone;  // the event's zone, when known
    std::string detail;
};

// What one step is about, for a step_guard.
struct step_subject {
    step_kind step;
    std::string row;  // its lifecycle row (to_records): "request/42", "room/3", "notice/<key>"
    std::optional<request_id> request;
    std::optional<room_id> room;
};

// Wraps every step tick() runs; sala::durable_lifecycle claims each step in a
// store transaction before its backend call and commits it after.
class step_guard {
  public:
    virtual ~step_guard() = default;
    // Before the step runs; false skips it in this tick (another process has
    // it, or it is no longer due once the others' commits were taken in).
    virtual bool claim(const step_subject& s, instant now) = 0;
    // After it ran (done, failed or still waiting); also when it threw.
    virtual void release(const step_subject& s, instant now) = 0;
};

namespace detail {
struct lifecycle_engine;
}

// Not thread-safe: one thread ticks and calls the commands.
class lifecycle {
  public:
    // Subscribes to the platform's events; the lifecycle must outlive its use
    // of `p`, `c` and `m` (after it is destroyed the subscription is inert).
    lifecycle(platform& p, conferencing& c, mailer& m, lifecycle_options o = {},
              lifecycle_state restored = {});
    ~lifecycle();
    lifecycle(const lifecycle&) = delete;
    lifecycle& operator=(const lifecycle&) = delete;

    // Runs every step due at `now`, oldest moment first; returns how many
    // steps were attempted.
    std::size_t tick(instant now);
    // When the next step becomes due (a past instant if some already is);
    // empty when idle. A host loop sleeps until then, or until dirty().
    std::optional<instant> next_due() const;
    // The requests with a step still to run, now or later (retries and
    // polling included): what must stay live.
    std::set<request_id> busy_requests() const;
    // The platform changed (assigned, queued, reassigned, cancelled, room
    // activated) since the last tick: work may be due now.
    bool dirty() const noexcept { return !touched_->empty(); }

    // R13: assigned webinars inside their credentials window (plus `lookahead`)
    // whose credentials have not been mailed.
    std::vector<about_to_start_entry> about_to_start(instant now,
                                                     minutes lookahead = minutes{0}) const;
    // R13: makes the credentials of `id` due now and ticks. Returns true when
    // they have been mailed (now or before). Throws sala::not_found, or
    // sala::rule_violation("R13") when the request has no room.
    bool generate_credentials_now(request_id id, instant now);
    // The first half of generate_credentials_now, without the tick: true when
    // already mailed, else the credentials are made due now. Same errors.
    bool request_credentials(request_id id, instant now);

    // R1, R2, R18: lists the account's users on the backend and links them;
    // an owner holding a licence is reported to the admin by e-mail (once).
    link_report link_account(const std::string& name, pool_kind kind);

    // ---- Zoom webhooks in (docs/zoom.md "Webhooks in"; src/lifecycle/webhooks.cpp) -----
    // Each finds the request whose current webinar is `webinar_id` and returns
    // it, or nothing when sala booked no such webinar (the event is then only
    // logged). Repeats change nothing. With a durable_lifecycle, call its
    // versions, which commit the change for every process.
    std::optional<request_id> request_of_webinar(const std::string& webinar_id) const;
    // webinar.started: noted (webinar_record::started_at; status() says running).
    std::optional<request_id> note_webinar_started(const std::string& webinar_id, instant when);
    // webinar.ended: Zoom ended it, so the forced end (R15) is done at `when`
    // and the report and recordings steps are due from `when`, not from the
    // grace end; an end warning not yet sent is no longer sent.
    std::optional<request_id> note_webinar_ended(const std::string& webinar_id, instant when);
    // recording.completed: the files are listed (fetch_recordings done), so the
    // download (R19) runs on the next tick once the webinar has ended.
    std::optional<request_id> note_recording_completed(const std::string& webinar_id,
                                                       std::vector<recording_file> files,
                                                       instant when);
    // A notice for the admin (one e-mail, sent once per `key` by the admin_mail step).
    void notify_admin(const std::string& key, const std::string& detail, instant now);
    // The platform's status of `id`, running from webinar.started on even before its start.
    webinar_status status(request_id id) const;

    // Current credentials until the password is rotated (R15): with a
    // credentials_key from the store in any process, else only in the process
    // that generated them. Throws sala::store_error when the stored password
    // does not open with the configured key.
    std::optional<webinar_credentials> credentials_of(request_id id) const;
    std::optional<attendance_report> report_of(request_id id) const;
    std::vector<problem> problems() const;

    const lifecycle_state& state() const noexcept { return state_; }
    const lifecycle_options& options() const noexcept { return options_; }
    // Every external effect done so far by this object, in order (mail, backend call).
    const std::vector<effect>& effects() const noexcept { return effects_; }

    void on_step(std::function<void(const step_event&)> f) { on_step_ = std::move(f); }
    void on_effect(std::function<void(const effect&)> f) { on_effect_ = std::move(f); }

    // The idempotency key of a step's effect ("credentials/42/1").
    static std::string key(step_kind k, request_id id, std::uint32_t generation = 0,
                           const std::string& item = {});

    // ---- for a step_guard (sala::durable_lifecycle) ---------------------------------
    // Null: no guard. The guard must outlive its use.
    void set_step_guard(step_guard* g) noexcept { guard_ = g; }
    // Takes in lifecycle rows other processes committed (as to_records writes
    // them; an empty state erases the row), replacing this process's copy.
    void absorb(const std::vector<lifecycle_record>& rows);
    // Whether the step is due at `now` on the current platform and lifecycle state.
    bool due_now(const step_subject& s, instant now) const;
    // Before the step's backend call: what must be committed first (set_password's
    // password, drawn once and sealed, so whoever runs or resumes it sends that one).
    void prepare(const step_subject& s);

  private:
    // The engine and the steps (src/lifecycle/) work on the members below.
    friend struct detail::lifecycle_engine;

    platform& platform_;
    conferencing& conf_;
    mailer& mail_;
    lifecycle_options options_;
    lifecycle_state state_;
    std::shared_ptr<file_sink> reports_;           // null: reports in memory only
    std::shared_ptr<file_sink> recordings_;        // null: recordings listed only
    std::map<request_id, std::string> passwords_;  // transient (see lifecycle_state)
    std::vector<effect> effects_;
    std::function<void(const step_event&)> on_step_;
    std::function<void(const effect&)> on_effect_;
    std::shared_ptr<bool> alive_;
    std::shared_ptr<std::set<request_id>> touched_;  // marked by platform events
    bool ticking_ = false;                           // tick() refuses to be re-entered
    step_guard* guard_ = nullptr;
    std::string credentials_key_;  // the 32 key bytes, empty without a key
};

}  // namespace sala

namespace sala {

// ---- persistence (store port) ---------------------------------------------------------
// The lifecycle state as store rows (lifecycle_record, JSON state): one row per
// webinar ("request/<id>"), per room with settings progress ("room/<id>") and
// per admin notice ("notice/<idempotency key>"). Instants are whole minutes
// since the Unix epoch, so a round trip is exact: from_records(to_records(s)) == s.
// Every row carries "version" (lifecycle_codec_version); a row without one is
// version 1.
inline constexpr int lifecycle_codec_version = 1;
std::vector<lifecycle_record> to_records(const lifecycle_state& s);
// Throws sala::store_error for a row it cannot read, or one written by a newer
// codec version (the message names the key).
lifecycle_state from_records(const std::vector<lifecycle_record>& rows);
// The rows to write after `before` became `after` (changed or new rows; a row
// that disappeared comes back with an empty `state`, which erases it).
std::vector<lifecycle_record> changed_records(const lifecycle_state& before,
                                              const lifecycle_state& after);
// Applies rows another process committed to `s` (an empty state erases the row).
void absorb_records(lifecycle_state& s, const std::vector<lifecycle_record>& rows);
// The row `key` of `s` as to_records writes it; an empty state when `s` has none.
lifecycle_record record_of(const lifecycle_state& s, const std::string& key);
// "set_password" -> step_kind::set_password; throws sala::invalid_argument("step").
step_kind parse_step_kind(std::string_view s);

}  // namespace sala
