#pragma once
// The rows a store keeps besides the platform state, as plain values: outbound
// effects (the transactional outbox), the lifecycle's step records, produced
// reports, and the change_set one command writes. The lifecycle and the
// stores share them; neither needs the other's header for them.

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "sala/enum_names.hpp"
#include "sala/ids.hpp"
#include "sala/interval.hpp"
#include "sala/state.hpp"
#include "sala/time.hpp"

namespace sala {

// One outbound effect (an e-mail to send, a webinar to create on the backend).
// `idempotency_key` is unique and stable ("credentials/42"): enqueuing the same
// key twice keeps the first, and the dispatcher hands the key to the backend so
// a resend after a crash is recognisable (mail_message::idempotency_key).
struct effect {
    std::string kind;  // "mail", "create_webinar", ... (the dispatcher routes on it)
    std::string idempotency_key;
    std::string payload;                // JSON, as the producer wrote it
    std::optional<request_id> request;  // the webinar it belongs to, if any
    friend bool operator==(const effect&, const effect&) = default;
};

enum class effect_status { pending, done, failed };
template <>
struct enum_names<effect_status> {
    static constexpr enum_table<effect_status, 3> entries{{SALA_ENUM_NAME(effect_status, pending),
                                                           SALA_ENUM_NAME(effect_status, done),
                                                           SALA_ENUM_NAME(effect_status, failed)}};
};
inline const char* to_string(effect_status s) { return enum_name(s); }

// An effect as the outbox holds it.
struct outbox_entry {
    std::uint64_t id = 0;  // outbox order (commit order)
    sala::effect effect;
    effect_status status = effect_status::pending;
    int attempts = 0;
    std::string last_error;
    instant not_before{};  // retry not before this instant
    friend bool operator==(const outbox_entry&, const outbox_entry&) = default;
};

// The lifecycle's step state of one webinar (or any other keyed job), stored
// as the lifecycle serialises it (JSON). An empty `state` erases the record.
struct lifecycle_record {
    std::string key;  // e.g. "request/42"
    std::optional<request_id> request;
    std::string state;  // JSON
    friend bool operator==(const lifecycle_record&, const lifecycle_record&) = default;
};

// A produced report (attendance report R15, recording status R19), kept for the
// organizer's and admin's views. Saving a key again replaces it.
struct report_record {
    std::string key;  // e.g. "attendance/42"
    std::optional<request_id> request;
    std::string kind;  // "attendance", "recordings", ...
    std::string body;  // JSON or CSV, as produced
    instant created{};
    friend bool operator==(const report_record&, const report_record&) = default;
};

// A webinar that left the live state and stays in the store as history:
// cancelled, or finished and past the retention window
// (durable_platform::archive_finished). Queried without loading it.
enum class history_status { finished, cancelled };
template <>
struct enum_names<history_status> {
    static constexpr enum_table<history_status, 2> entries{
        {SALA_ENUM_NAME(history_status, finished), SALA_ENUM_NAME(history_status, cancelled)}};
};
inline const char* to_string(history_status s) { return enum_name(s); }

struct history_record {
    sala::request request;  // as it was last booked (its blocked interval included)
    history_status status = history_status::finished;
    instant at{};                 // when it was cancelled, or archived
    std::string command;          // what moved it here: "cancel", "archive"
    std::optional<room_id> room;  // the room it held; none if it was queued
    std::string report;           // the attendance report (R15) as saved, if any
    friend bool operator==(const history_record&, const history_record&) = default;
};

// Which history to read: every set field must match; oldest blocked start first.
struct history_query {
    std::optional<room_id> room;
    std::optional<interval> window;  // the blocked interval overlaps it
    std::optional<std::string> event_id;
    std::size_t limit = 1000;
};

// What one command (or one lifecycle step) changed.
struct change_set {
    std::optional<sala::settings> settings;
    std::optional<policy_kind> policy;
    std::optional<std::uint64_t> next_request;
    std::vector<pool> pools;                  // inserted or updated
    std::vector<room> rooms;                  // inserted or updated
    std::vector<request> requests;            // inserted or updated
    std::vector<request_id> erased_requests;  // with any reservation and queue entry
    std::vector<reservation> reservations;    // inserted or updated
    std::vector<request_id> erased_reservations;
    std::vector<request_id> queue_removed;
    std::vector<request_id> queue_appended;                // at the end, in this order
    std::optional<std::vector<request_id>> queue_rewrite;  // whole queue, when reordered
    std::vector<lifecycle_record> lifecycle;
    std::vector<effect> effects;
    std::vector<report_record> reports;
    std::vector<history_record> history;  // written with the erasure that moves it there

    bool empty() const noexcept {
        return !settings && !policy && !next_request && pools.empty() && rooms.empty() &&
               requests.empty() && erased_requests.empty() && reservations.empty() &&
               erased_reservations.empty() && queue_removed.empty() && queue_appended.empty() &&
               !queue_rewrite && lifecycle.empty() && effects.empty() && reports.empty() &&
               history.empty();
    }
};

}  // namespace sala
