#include "store/sql_schema.hpp"

#include <stdexcept>
#include <string>
#include <utility>

namespace sala::detail {

namespace {

// Version 1, the platform state: the tables before and after the reservations.
constexpr const char* state_tables = R"sql(
CREATE TABLE sala_meta(key @text@ PRIMARY KEY, value @text@ NOT NULL);
CREATE TABLE head(id @int@ PRIMARY KEY CHECK (id = 1), version @bigint@ NOT NULL,
                  next_request @bigint@ NOT NULL, policy @text@ NOT NULL);
INSERT INTO head VALUES (1, 0, 1, 'first_fit');
CREATE TABLE settings(id @int@ PRIMARY KEY CHECK (id = 1),
  min_days_in_advance @int@ NOT NULL, max_days_in_advance @int@ NOT NULL,
  min_duration @bigint@ NOT NULL, max_duration @bigint@ NOT NULL,
  preparation @bigint@ NOT NULL, courtesy @bigint@ NOT NULL, post_processing @bigint@ NOT NULL,
  credentials_lead @bigint@ NOT NULL, end_warning_lead @bigint@ NOT NULL);
CREATE TABLE pools(id @int@ PRIMARY KEY, name @text@ NOT NULL UNIQUE,
  kind @text@ NOT NULL CHECK (kind IN ('lent', 'own')));
CREATE TABLE rooms(id @int@ PRIMARY KEY, pool_id @int@ NOT NULL REFERENCES pools(id),
  user_id @text@ NOT NULL, email @text@ NOT NULL, display_name @text@ NOT NULL,
  capacity @int@ NOT NULL, active @bool@ NOT NULL,
  mode @text@ NOT NULL CHECK (mode IN ('manual', 'automatic')));
CREATE TABLE requests(id @bigint@ PRIMARY KEY, title @text@ NOT NULL, local_start @bigint@ NOT NULL,
  zone @text@ NOT NULL, duration @bigint@ NOT NULL, admission @text@ NOT NULL, event_id @text@ NOT NULL,
  organizer_name @text@ NOT NULL, organizer_email @text@ NOT NULL, expected_attendees @int@,
  panelists @text@ NOT NULL, blocked_begin @bigint@ NOT NULL, blocked_end @bigint@ NOT NULL,
  start_at @bigint@ NOT NULL, end_at @bigint@ NOT NULL, grace_end @bigint@ NOT NULL,
  row_version @bigint@ NOT NULL);
)sql";
constexpr const char* queue_tables =
    R"sql(CREATE TABLE queue(request_id @bigint@ PRIMARY KEY REFERENCES requests(id), seq @bigint@ NOT NULL UNIQUE);
CREATE TABLE tombstones(row_version @bigint@ NOT NULL, request_id @bigint@ NOT NULL);
CREATE INDEX tombstones_by_version ON tombstones(row_version);
)sql";

// Version 2: lifecycle step state, outbox, reports.
constexpr const char* records_tables = R"sql(
CREATE TABLE lifecycle(key @text@ PRIMARY KEY, request_id @bigint@, state @text@ NOT NULL);
CREATE TABLE outbox(id @serial@, idempotency_key @text@ NOT NULL UNIQUE,
  kind @text@ NOT NULL, payload @text@ NOT NULL, request_id @bigint@,
  status @text@ NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'done', 'failed')),
  attempts @int@ NOT NULL DEFAULT 0, last_error @text@ NOT NULL DEFAULT '',
  not_before @bigint@ NOT NULL DEFAULT 0, committed_version @bigint@ NOT NULL);
CREATE INDEX outbox_due ON outbox(status, not_before, id);
CREATE TABLE reports(key @text@ PRIMARY KEY, request_id @bigint@, kind @text@ NOT NULL,
  body @text@ NOT NULL, created @bigint@ NOT NULL);
)sql";

// Version 3: several processes on one store. Taking in others' commits by row
// version (rooms and queue too), history (cancelled and archived webinars),
// lifecycle rows that remember the version that last wrote them (an erased
// row stays, with an empty state, so others see the erasure), and leases: the
// ticker's and each step's claim (docs/lifecycle.md, "Several processes");
// expiry in milliseconds since the epoch. head.rooms_version is no longer read
// or written (rooms are taken in by rooms.row_version); the column stays.
constexpr const char* version3_tables = R"sql(
ALTER TABLE head ADD COLUMN rooms_version @bigint@ NOT NULL DEFAULT 0;
ALTER TABLE head ADD COLUMN queue_version @bigint@ NOT NULL DEFAULT 0;
ALTER TABLE rooms ADD COLUMN row_version @bigint@ NOT NULL DEFAULT 0;
CREATE INDEX IF NOT EXISTS requests_by_version ON requests(row_version);
CREATE INDEX IF NOT EXISTS reservations_by_version ON reservations(row_version);
CREATE INDEX rooms_by_version ON rooms(row_version);
CREATE TABLE history(id @bigint@ PRIMARY KEY, title @text@ NOT NULL, local_start @bigint@ NOT NULL,
  zone @text@ NOT NULL, duration @bigint@ NOT NULL, admission @text@ NOT NULL, event_id @text@ NOT NULL,
  organizer_name @text@ NOT NULL, organizer_email @text@ NOT NULL, expected_attendees @int@,
  panelists @text@ NOT NULL, blocked_begin @bigint@ NOT NULL, blocked_end @bigint@ NOT NULL,
  start_at @bigint@ NOT NULL, end_at @bigint@ NOT NULL, grace_end @bigint@ NOT NULL,
  status @text@ NOT NULL CHECK (status IN ('finished', 'cancelled')), at @bigint@ NOT NULL,
  command @text@ NOT NULL, room_id @int@);
CREATE INDEX history_by_room ON history(room_id, blocked_begin);
CREATE INDEX history_by_begin ON history(blocked_begin);
CREATE INDEX history_by_event ON history(event_id, blocked_begin);
CREATE INDEX reports_by_request ON reports(request_id);
ALTER TABLE lifecycle ADD COLUMN row_version @bigint@ NOT NULL DEFAULT 0;
CREATE INDEX lifecycle_by_version ON lifecycle(row_version);
CREATE TABLE leases(name @text@ PRIMARY KEY, holder @text@ NOT NULL, expires @bigint@ NOT NULL);
)sql";

std::string spelled(std::string sql, const sql_schema& s) {
    const std::pair<const char*, const char*> tokens[] = {{"@int@", s.int32},
                                                          {"@bigint@", s.int64},
                                                          {"@text@", s.text},
                                                          {"@bool@", s.boolean},
                                                          {"@serial@", s.serial_key}};
    for (const auto& [token, word] : tokens)
        for (auto at = sql.find(token); at != std::string::npos; at = sql.find(token, at))
            sql.replace(at, std::string(token).size(), word);
    return sql;
}

}  // namespace

std::string sql_migration(int to, const sql_schema& s) {
    if (to == 1) {
        const std::string tables = spelled(state_tables, s);
        // The leading newline of the script stays first, as it always was.
        return "\n" + std::string(s.extensions) + tables.substr(1) + s.reservations +
               spelled(queue_tables, s);
    }
    if (to == 2) return spelled(records_tables, s);
    if (to == 3) return spelled(version3_tables, s) + s.version3;
    throw std::out_of_range("no schema step to version " + std::to_string(to));
}

}  // namespace sala::detail
