#pragma once
// Private to the lifecycle: what the engine (engine.cpp) and the steps
// (steps/*.cpp) share. A step is one descriptor: its scope, its due rule, its
// execution and its idempotency key; the engine decides order, retries and
// surfacing and knows no step by name.

#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <tuple>
#include <vector>

#include "sala/lifecycle/lifecycle.hpp"

namespace sala::detail {

// Moments of steps due as soon as possible sort before timed ones.
inline constexpr instant asap{};

inline std::string num(request_id id) { return std::to_string(id.value); }

// `s` as a JSON string literal (effect payloads are built by hand).
std::string json_str(std::string_view s);

// The lifecycle row of the admin notice with this idempotency key (codec.cpp).
std::string notice_row(const std::string& key);
// Inserts `n` in notice order (queued, then key), or replaces the notice with its key.
void insert_notice(std::vector<admin_notice>& notices, admin_notice n);

// AES-256-GCM (seal.cpp). `key` is 32 bytes; `context` is bound to the
// ciphertext (authenticated, not secret). seal returns "v1:" + base64(nonce,
// ciphertext, tag); open returns nullopt when `sealed` was not sealed with this
// key and context (never says more: no secret in messages).
std::string seal_secret(std::string_view key, std::string_view secret, std::string_view context);
std::optional<std::string> open_secret(std::string_view key, std::string_view sealed,
                                       std::string_view context);
// The 32 key bytes of 64 hexadecimal digits; throws invalid_argument("credentials_key")
// without repeating it.
std::string parse_credentials_key(std::string_view hex);

// What a sealed credentials password is bound to: its request and generation.
inline std::string password_context(request_id id, std::uint32_t generation) {
    return "sala-credentials/" + num(id) + "/" + std::to_string(generation);
}
// A lease holder name for this process: "sala-" and 16 random hexadecimal digits.
std::string default_holder();

// Which subjects a step is about; the engine asks its due rule only for those.
// The request scopes nest: on_room implies reserved implies request.
enum class step_scope {
    room,       // every room of the platform
    notice,     // every queued admin notice
    cancelled,  // a request the platform no longer has but the lifecycle remembers
    request,    // a request the platform has, with or without a room
    reserved,   // a request with a reservation (its webinar may be elsewhere still)
    on_room,    // a request whose webinar exists on its reserved room
};

// What a due rule decides on; read-only. Pointers not of the step's scope are null.
struct due_view {
    const lifecycle_options& options;
    const platform_state& platform;
    const step_record& self;               // this step's record for this subject
    const room* rm = nullptr;              // room
    const admin_notice* notice = nullptr;  // notice
    const webinar_record* rec = nullptr;   // request scopes (an empty record if none yet)
    const request* rq = nullptr;           // request, reserved, on_room
    const reservation* res = nullptr;      // reserved, on_room
    bool password_known = false;           // the credentials password is in memory
    bool recording_sink = false;           // recordings can be saved

    const step_record& step(step_kind k) const;
    bool done(step_kind k) const { return step(k).done; }
    bool ended() const { return done(step_kind::end_webinar); }
    const blocked_window& window() const { return rq->window; }
    // The moment the steps after the end count from: the grace end (R15), or
    // earlier when Zoom said the webinar ended (lifecycle::note_webinar_ended).
    instant ended_at() const {
        const auto& end = step(step_kind::end_webinar);
        return end.done && end.done_at && *end.done_at < window().grace_end ? *end.done_at
                                                                            : window().grace_end;
    }
};

// A step that can run, with its moment and the instant it may run (backoff).
struct candidate {
    instant moment;
    instant ready;
    step_kind step;
    std::optional<request_id> request;
    std::optional<room_id> room;
    std::size_t notice = 0;

    auto order() const {
        return std::make_tuple(moment, request.value_or(request_id{0}), static_cast<int>(step),
                               room.value_or(room_id{0}), notice);
    }
};

struct lifecycle_engine;

// One attempt at one step: its subject and what it may use.
struct step_run {
    lifecycle_engine& engine;
    instant now;
    step_record& self;              // this step's record
    std::string detail;             // one line for step_event::detail
    std::optional<room_id> room;    // room scope
    std::size_t notice = 0;         // notice scope
    request_id id{};                // request scopes
    webinar_record* rec = nullptr;  // request scopes
    const request* rq = nullptr;    // null when the request was cancelled

    mail_address organizer() const { return {rq->organizer.name, rq->organizer.email}; }
};

struct step_descriptor {
    step_kind kind;
    step_scope scope;
    // The step's moment when it is a candidate for this subject, else nullopt.
    std::optional<instant> (*due)(const due_view&);
    // Does the work; true when done, false to be polled again (recordings_poll).
    // Throws (sala::backend_error) to be retried with backoff.
    bool (*execute)(step_run&);
    // The idempotency key of its effect (lifecycle::key).
    std::string (*key)(request_id id, std::uint32_t generation, const std::string& item);
};

// A step written as a struct with static kind, scope, due, execute and key.
template <class Step>
constexpr step_descriptor describe() {
    return {Step::kind, Step::scope, &Step::due, &Step::execute, &Step::key};
}

// Every step, in step_kind order; throws std::logic_error (on first use) when a
// step_kind has no descriptor or two.
std::span<const step_descriptor> step_table();
inline const step_descriptor& descriptor_of(step_kind k) {
    return step_table()[static_cast<std::size_t>(k)];
}

// The lifecycle's members, for the engine's algorithms and the steps' effects.
struct lifecycle_engine {
    explicit lifecycle_engine(lifecycle& l)
        : life(l),
          plat(l.platform_),
          conf(l.conf_),
          options(l.options_),
          state(l.state_),
          passwords(l.passwords_),
          reports(l.reports_.get()),
          recordings(l.recordings_.get()) {}

    lifecycle& life;
    sala::platform& plat;
    conferencing& conf;
    const lifecycle_options& options;
    lifecycle_state& state;
    std::map<request_id, std::string>& passwords;
    file_sink* reports;     // null: reports in memory only
    file_sink* recordings;  // null: recordings listed only

    // ---- the engine (engine.cpp)
    static std::vector<candidate> candidates(const lifecycle& l);
    static void room_candidates(const lifecycle& l, std::vector<candidate>& out);
    static void notice_candidates(const lifecycle& l, std::vector<candidate>& out);
    static void request_candidates(const lifecycle& l, request_id id, std::vector<candidate>& out);
    std::size_t tick(instant now);
    void run(const candidate& c, instant now);
    bool execute(const candidate& c, instant now, std::string& detail);
    step_record& record_of(const candidate& c);
    step_subject subject_of(const candidate& c) const;
    // The index of the notice whose row is `row`; false when it is gone.
    bool find_notice(const std::string& row, std::size_t& index) const;

    // ---- services for the steps
    webinar_record& webinar_of(request_id id);
    // The mail context of a request's messages, in the platform's language.
    mail_context context(const request& rq, const webinar_record& r) const;
    // A context for a message to the admin.
    mail_context admin_context() const;
    mail_message message(mail_kind kind, const mail_context& ctx, std::vector<mail_address> to,
                         std::string key) const;
    // Sends `m` and records the mail effect (`what` names the template).
    void send(const mail_message& m, const std::optional<request_id>& rq, const char* what);
    void record_effect(std::string kind, std::string key, std::string payload,
                       std::optional<request_id> rq);
    // The credentials password of `id`: the one in memory, else the sealed one
    // (throws a non-retryable backend_error when it does not open with the key).
    std::optional<std::string> password_of(request_id id, const webinar_record& r);
    // set_password's password: the known one, else a fresh one, sealed into `r` with a key.
    const std::string& ensure_password(request_id id, webinar_record& r);
    // Queues an admin notice once per key (sent by the admin_mail step).
    void queue_admin(mail_kind kind, const mail_context& ctx, const std::string& key, instant now);
};

}  // namespace sala::detail
