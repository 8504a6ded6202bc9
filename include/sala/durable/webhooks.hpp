#pragma once
// Webhooks to the host platform through the transactional outbox: each
// platform event and lifecycle step a host cares about becomes one effect of
// kind "webhook", committed in the same transaction as the command or step
// that caused it, so it is never lost and never doubled. Whoever dispatches
// the outbox (sala serve) delivers the payload, signed the Standard Webhooks
// way (sala/webhook_signature.hpp), with the effect's idempotency key as the
// `webhook-id`.
//
//   sala::durable_platform p(db);
//   sala::durable_lifecycle life(p, zoom, smtp, options);
//   sala::enable_webhooks(p);     // request.assigned, .queued, .reassigned, .cancelled
//   sala::enable_webhooks(life);  // credentials.issued, report.ready, problem.opened/closed
//
// The payload (JSON): {"type", "timestamp" (RFC 3339 UTC, the platform clock's
// minute), "data": {"request_id", "event_id", "title", "organizer": {"name",
// "email"}, "start", "end" (RFC 3339 UTC), "zone" (the event's IANA zone),
// "room": {"id", "email"} or null, ...type-specific fields}}. Never a password.
// docs/server.md, "Webhooks out", lists every type and field.

#include <string>
#include <vector>

#include "sala/durable/durable_lifecycle.hpp"
#include "sala/durable/durable_platform.hpp"
#include "sala/platform.hpp"
#include "sala/records.hpp"
#include "sala/state.hpp"

namespace sala {

inline constexpr const char* webhook_effect_kind = "webhook";

// Every type sala emits, in a stable order.
std::vector<std::string> webhook_types();

// The webhook effects of one platform event (none for the kinds a host does
// not hear about: linked, room_changed, settings_changed, submitted).
// `cancelled` describes requests the command moved to history (a cancelled
// request is no longer in `p`); the key is "webhook/<type>/<request>/<base
// version>.<index>": the store version the command started from (unique per
// committed transaction) and the event's place among the command's events.
std::vector<effect> webhook_effects(const event& e, const platform& p,
                                    const std::vector<history_record>& cancelled,
                                    std::uint64_t base_version, std::size_t index);

// The webhook effects of one lifecycle step run: credentials.issued when
// mail_credentials is done (key "webhook/credentials.issued/<request>/<generation>"),
// report.ready when fetch_report is done ("webhook/report.ready/<request>"),
// problem.opened when a step is surfaced to the admin and problem.closed when a
// surfaced step then succeeds ("webhook/problem.<opened|closed>/<row>/<step>/<attempts>").
std::vector<effect> webhook_effects(const step_change& c, const platform& p);

// Sets `p`'s effect planner (replacing any other) / `life`'s step effects.
void enable_webhooks(durable_platform& p);
void enable_webhooks(durable_lifecycle& life);

}  // namespace sala
