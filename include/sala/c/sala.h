/* sala's C API: a durable platform on SQLite or PostgreSQL and its lifecycle,
 * for hosts written in other languages (PHP's FFI, Python's ctypes, ...).
 * Link with `pkg-config --cflags --libs sala-c`; see docs/c_api.md.
 *
 * Conventions:
 * - Every function that can fail returns a sala_status; on failure
 *   sala_last_error() and sala_last_error_field() tell why (per thread, until
 *   the next call on that thread), and the store is left as it was.
 * - Strings are UTF-8 and NUL-terminated. Strings the library returns through
 *   a `char **` are the caller's, freed with sala_free().
 * - Records (requests, rooms, calendar entries) travel as JSON text. Instants
 *   are Unix seconds (whole minutes) with the IANA zone they are shown in.
 * - Handles are opaque; one handle is used by one thread at a time. Several
 *   processes (or handles) may open the same store. */
#ifndef SALA_C_SALA_H
#define SALA_C_SALA_H

#include <stddef.h>
#include <stdint.h>

#if defined(_WIN32)
#define SALA_C_API
#elif defined(SALA_C_BUILDING)
#define SALA_C_API __attribute__((visibility("default")))
#else
#define SALA_C_API
#endif

#ifdef __cplusplus
extern "C" {
#endif

/* Bumped on any incompatible change to this header's functions or their JSON. */
#define SALA_C_ABI_VERSION 1

typedef enum sala_status {
    SALA_OK = 0,
    SALA_INVALID_ARGUMENT = 1,       /* field: the argument or JSON member */
    SALA_NONEXISTENT_LOCAL_TIME = 2, /* DST gap; field "start" */
    SALA_AMBIGUOUS_LOCAL_TIME = 3,   /* DST overlap; field "start" */
    SALA_NOT_FOUND = 4,              /* field: what ("room", "request") */
    SALA_RULE_VIOLATION = 5,         /* field: the rule ("R4") */
    SALA_BACKEND_ERROR = 6,          /* Zoom, mail or database failed */
    SALA_STORE_ERROR = 7,            /* not a sala store, newer schema, ... */
    SALA_UNSUPPORTED = 8,            /* not built into this library */
    SALA_OUT_OF_MEMORY = 9,
    SALA_INTERNAL = 10 /* any other failure (a bug): the message says what */
} sala_status;

typedef struct sala_platform sala_platform;
typedef struct sala_lifecycle sala_lifecycle;

/* The library's version ("0.1.0"); stores its ABI number (SALA_C_ABI_VERSION
 * of the library, which may differ from the header's) in *abi when abi is not
 * NULL. Never fails. */
SALA_C_API const char* sala_version(int* abi);
/* "SALA_NOT_FOUND", ...; "SALA_UNKNOWN" for a value outside the enum. */
SALA_C_API const char* sala_status_name(sala_status s);

/* The last failure on this thread: its status, message and field ("" when the
 * last call succeeded). Valid until the next sala_* call on this thread. */
SALA_C_API sala_status sala_last_status(void);
SALA_C_API const char* sala_last_error(void);
SALA_C_API const char* sala_last_error_field(void);

/* Frees a string the library returned; NULL is ignored. */
SALA_C_API void sala_free(char* s);

/* ---- the platform ------------------------------------------------------
 * options_json may be NULL or an object:
 *   {"clock": 1620000000}  a manual clock at that instant (tests, replays);
 *                          without it the system clock. */
SALA_C_API sala_status sala_open_sqlite(const char* path, const char* options_json,
                                        sala_platform** out);
/* SALA_UNSUPPORTED when the library was built without PostgreSQL. */
SALA_C_API sala_status sala_open_postgres(const char* conninfo, const char* options_json,
                                          sala_platform** out);
/* Closes the handle (NULL is ignored). A lifecycle opened on it keeps the
 * platform alive until it is closed too. */
SALA_C_API void sala_close(sala_platform* p);
/* Moves a manual clock (see "clock" above) to unix_seconds. */
SALA_C_API sala_status sala_set_clock(sala_platform* p, int64_t unix_seconds);

/* R1, R2: links an account's users as candidate rooms (inactive).
 * kind: "own" or "lent". users_json: [{"user_id", "email", "display_name",
 * "owner": false, "licensed": true, "capacity": 100}, ...].
 * *report_json: {"pool", "new_rooms": [ids], "wasted_licences": [emails],
 * "unlicensed": [emails]}. */
SALA_C_API sala_status sala_link_account(sala_platform* p, const char* name, const char* kind,
                                         const char* users_json, char** report_json);
/* R2, R4, R3. mode: "manual" or "automatic". */
SALA_C_API sala_status sala_activate(sala_platform* p, uint32_t room);
SALA_C_API sala_status sala_deactivate(sala_platform* p, uint32_t room);
SALA_C_API sala_status sala_set_mode(sala_platform* p, uint32_t room, const char* mode);
/* Every room: [{"id", "pool", "user_id", "email", "display_name", "capacity",
 * "active", "mode"}, ...]. */
SALA_C_API sala_status sala_rooms(sala_platform* p, char** rooms_json);

/* R6-R9: submits a request. request_json:
 *   {"title", "zone", "duration" (minutes), "event_id",
 *    "organizer": {"name", "email"},
 *    exactly one of "start" (Unix seconds) or "start_local"
 *    ("2021-05-13T09:00", wall clock in "zone"),
 *    optional "admission" ("automatic"|"manual"), "expected_attendees",
 *    "panelists" ([emails]), "resolve" ("earliest"|"latest": how to read a
 *    start_local in a DST gap or overlap; without it those are errors)}.
 * *id receives the new request's id (may be NULL); *result_json (may be NULL)
 * {"id", "assignment": {"status", "room" (id or null), "reason"}}. Not
 * getting a room is a result (status "no_room_free", queued), not an error. */
SALA_C_API sala_status sala_submit(sala_platform* p, const char* request_json, uint64_t* id,
                                   char** result_json);
/* R10, R11: an admin gives a room; *result_json (may be NULL) is an
 * assignment as above. */
SALA_C_API sala_status sala_assign(sala_platform* p, uint64_t request, uint32_t room,
                                   char** result_json);
SALA_C_API sala_status sala_reassign(sala_platform* p, uint64_t request, uint32_t room,
                                     char** result_json);
SALA_C_API sala_status sala_cancel(sala_platform* p, uint64_t request);
/* One request: {"id", "title", "zone", "start", "start_local", "end",
 * "duration", "event_id", "organizer", "admission", "blocked": {"begin",
 * "end"}, "grace_end", "room" (id or null), "status"}. */
SALA_C_API sala_status sala_get_request(sala_platform* p, uint64_t request, char** request_json);
/* The unassigned queue, oldest first: [request, ...]. */
SALA_C_API sala_status sala_queue(sala_platform* p, char** queue_json);
/* R17: the webinars whose blocked time meets [from, to): [request, ...]. */
SALA_C_API sala_status sala_calendar(sala_platform* p, int64_t from, int64_t to,
                                     char** entries_json);

/* ---- the lifecycle (R12-R16, R19, R20) -----------------------------------
 * options_json (required):
 *   {"outbox": "/folder"      mail is written there as .eml files,
 *    "conferencing": "fake"   in-memory rooms (demos, tests; the default)
 *                  | "zoom"   Zoom's REST API configured from the
 *                             environment (SALA_ZOOM_*; docs/zoom.md),
 *    "credentials_key": "64 hex digits" (optional, seals passwords at rest),
 *    "language": "es" | "en"}
 * One lifecycle per platform handle. */
SALA_C_API sala_status sala_lifecycle_open(sala_platform* p, const char* options_json,
                                           sala_lifecycle** out);
SALA_C_API void sala_lifecycle_close(sala_lifecycle* l);
/* Runs every step due at `now`; *steps (may be NULL) how many were tried. */
SALA_C_API sala_status sala_tick(sala_lifecycle* l, int64_t now, size_t* steps);
/* R13: assigned webinars inside their credentials window (plus
 * lookahead_minutes) without credentials mailed: [{"request", "title", "room",
 * "start", "credentials_due", "status"}, ...]. */
SALA_C_API sala_status sala_about_to_start(sala_lifecycle* l, int64_t now,
                                           int32_t lookahead_minutes, char** entries_json);
/* R13: generates and mails the credentials of `request` now; *mailed (may be
 * NULL) is 1 when they have been mailed (now or before), 0 when another
 * process holds the step. */
SALA_C_API sala_status sala_generate_credentials(sala_lifecycle* l, uint64_t request, int64_t now,
                                                 int* mailed);

#ifdef __cplusplus
}
#endif

#endif /* SALA_C_SALA_H */
