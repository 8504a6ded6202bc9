/* The C API (include/sala/c/sala.h) from C: every function, and the error
 * paths (null pointers, bad JSON, bad zone, DST gap, unknown ids, rules).
 * Usage: sala_c_api_test <scratch folder>. Exit status 0 when all checks pass.
 * (sala_c_api_test --submit-one <db> is the second process of other_process.) */
#define _POSIX_C_SOURCE 200809L /* fork, execv, waitpid */
#include <sala/c/sala.h>
#include <sys/wait.h>
#include <unistd.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int failures = 0;

#define CHECK(cond)                                                                 \
    do {                                                                            \
        if (!(cond)) {                                                              \
            fprintf(stderr, "%s:%d: CHECK(%s) failed; last error: %s [%s] %s\n",    \
                    __FILE__, __LINE__, #cond, sala_status_name(sala_last_status()), \
                    sala_last_error_field(), sala_last_error());                    \
            ++failures;                                                             \
        }                                                                           \
    } while (0)

/* A call that must fail with `status`, naming `field` ("" for any). */
#define REJECTS(call, status, field)                                                      \
    do {                                                                                  \
        sala_status s_ = (call);                                                          \
        CHECK(s_ == (status));                                                            \
        CHECK(sala_last_status() == (status));                                            \
        CHECK(strcmp(sala_last_error_field(), (field)) == 0);                             \
        CHECK(strlen(sala_last_error()) > 0);                                             \
        if (s_ != (status) || strcmp(sala_last_error_field(), (field)) != 0)              \
            fprintf(stderr, "  %s gave %s [%s] %s\n", #call, sala_status_name(s_),        \
                    sala_last_error_field(), sala_last_error());                          \
    } while (0)

static int contains(const char *text, const char *part) {
    return text && strstr(text, part) != NULL;
}

/* 2021-05-01T00:00Z, and the webinars of 2021-05-13 (Europe/Madrid, CEST). */
#define MAY_1 1619827200LL
#define MAY_13_0900_MADRID 1620889200LL

static const char *users =
    "[{\"user_id\":\"u0\",\"email\":\"owner@symposium.events\",\"owner\":true},"
    " {\"user_id\":\"u1\",\"email\":\"symposiumwebinar01@symposium.events\"},"
    " {\"user_id\":\"u2\",\"email\":\"symposiumwebinar02@symposium.events\"},"
    " {\"user_id\":\"u3\",\"email\":\"symposiumwebinar03@symposium.events\",\"capacity\":500}]";

static const char *taller =
    "{\"title\":\"Taller %d\",\"start_local\":\"2021-05-13T09:00\",\"zone\":\"Europe/Madrid\","
    "\"duration\":60,\"event_id\":\"2086\",\"organizer\":{\"name\":\"Ana\",\"email\":"
    "\"ana@example.org\"}}";

static void versions(void) {
    int abi = 0;
    const char *v = sala_version(&abi);
    CHECK(v != NULL && strlen(v) > 0);
    CHECK(abi == SALA_C_ABI_VERSION);
    CHECK(sala_version(NULL) == v);
    CHECK(strcmp(sala_status_name((sala_status)99), "SALA_UNKNOWN") == 0);
    CHECK(strcmp(sala_status_name(SALA_NOT_FOUND), "SALA_NOT_FOUND") == 0);
    sala_free(NULL);
}

static sala_platform *open_platform(const char *path) {
    sala_platform *p = NULL;
    REJECTS(sala_open_sqlite(NULL, NULL, &p), SALA_INVALID_ARGUMENT, "path");
    CHECK(p == NULL);
    REJECTS(sala_open_sqlite(path, NULL, NULL), SALA_INVALID_ARGUMENT, "out");
    REJECTS(sala_open_sqlite(path, "{", &p), SALA_INVALID_ARGUMENT, "options_json");
    REJECTS(sala_open_sqlite(path, "{\"clok\":1}", &p), SALA_INVALID_ARGUMENT, "clok");
    REJECTS(sala_open_sqlite(path, "{\"clock\":61}", &p), SALA_INVALID_ARGUMENT, "clock");
    REJECTS(sala_open_postgres(NULL, NULL, &p), SALA_INVALID_ARGUMENT, "conninfo");
    char options[64];
    snprintf(options, sizeof options, "{\"clock\":%lld}", MAY_1);
    CHECK(sala_open_sqlite(path, options, &p) == SALA_OK);
    CHECK(sala_last_status() == SALA_OK && strcmp(sala_last_error(), "") == 0);
    return p;
}

static void rooms(sala_platform *p) {
    char *out = NULL;
    REJECTS(sala_link_account(p, "symposium", "borrowed", users, &out), SALA_INVALID_ARGUMENT,
            "kind");
    REJECTS(sala_link_account(p, "symposium", "own", "{}", &out), SALA_INVALID_ARGUMENT,
            "users_json");
    REJECTS(sala_link_account(p, "symposium", "own", "[{\"email\":\"x@y.z\"}]", &out),
            SALA_INVALID_ARGUMENT, "user_id");
    REJECTS(sala_link_account(NULL, "symposium", "own", users, &out), SALA_INVALID_ARGUMENT,
            "platform");
    CHECK(out == NULL);
    CHECK(sala_link_account(p, "symposium", "own", users, &out) == SALA_OK);
    CHECK(contains(out, "\"new_rooms\":[1,2,3]"));
    CHECK(contains(out, "\"wasted_licences\":[\"owner@symposium.events\"]"));
    sala_free(out);

    for (uint32_t r = 1; r <= 3; ++r) CHECK(sala_activate(p, r) == SALA_OK);
    CHECK(sala_set_mode(p, 1, "automatic") == SALA_OK);
    CHECK(sala_set_mode(p, 2, "automatic") == SALA_OK);  /* room 3 stays manual */
    REJECTS(sala_set_mode(p, 1, "sometimes"), SALA_INVALID_ARGUMENT, "mode");
    REJECTS(sala_set_mode(p, 1, NULL), SALA_INVALID_ARGUMENT, "mode");
    REJECTS(sala_activate(p, 99), SALA_NOT_FOUND, "room");
    REJECTS(sala_deactivate(p, 99), SALA_NOT_FOUND, "room");
    REJECTS(sala_rooms(p, NULL), SALA_INVALID_ARGUMENT, "rooms_json");
    CHECK(sala_rooms(p, &out) == SALA_OK);
    CHECK(contains(out, "\"email\":\"symposiumwebinar03@symposium.events\""));
    CHECK(contains(out, "\"mode\":\"automatic\""));
    sala_free(out);
}

static void submit_rejects(sala_platform *p) {
    uint64_t id = 0;
    char *queue = NULL;
    REJECTS(sala_submit(p, NULL, &id, NULL), SALA_INVALID_ARGUMENT, "request_json");
    REJECTS(sala_submit(p, "[1]", &id, NULL), SALA_INVALID_ARGUMENT, "request_json");
    REJECTS(sala_submit(p,
                        "{\"title\":\"T\",\"start_local\":\"2021-05-13T09:00\",\"zone\":\"Mars/"
                        "Olympus\",\"duration\":60,\"organizer\":{\"name\":\"A\",\"email\":\"a@b.c\"}}",
                        &id, NULL),
            SALA_INVALID_ARGUMENT, "zone");
    /* R7 in a DST gap: 02:30 does not exist in Madrid on 2021-03-28. */
    const char *gap =
        "{\"title\":\"T\",\"start_local\":\"2021-03-28T02:30\",\"zone\":\"Europe/Madrid\","
        "\"duration\":60,\"event_id\":\"1\",\"organizer\":{\"name\":\"A\",\"email\":\"a@b.c\"}}";
    REJECTS(sala_submit(p, gap, &id, NULL), SALA_NONEXISTENT_LOCAL_TIME, "start");
    CHECK(contains(sala_last_error(), "\"resolve\"")); /* the C spelling of the fix */
    const char *overlap =
        "{\"title\":\"T\",\"start_local\":\"2021-10-31T02:30\",\"zone\":\"Europe/Madrid\","
        "\"duration\":60,\"event_id\":\"1\",\"organizer\":{\"name\":\"A\",\"email\":\"a@b.c\"}}";
    REJECTS(sala_submit(p, overlap, &id, NULL), SALA_AMBIGUOUS_LOCAL_TIME, "start");
    REJECTS(sala_submit(p,
                        "{\"title\":\"T\",\"start\":1620889201,\"zone\":\"Europe/Madrid\","
                        "\"duration\":60,\"organizer\":{\"name\":\"A\",\"email\":\"a@b.c\"}}",
                        &id, NULL),
            SALA_INVALID_ARGUMENT, "start");
    REJECTS(sala_submit(p,
                        "{\"titel\":\"T\",\"start\":1620889200,\"zone\":\"Europe/Madrid\","
                        "\"duration\":60,\"organizer\":{\"name\":\"A\",\"email\":\"a@b.c\"}}",
                        &id, NULL),
            SALA_INVALID_ARGUMENT, "titel");
    REJECTS(sala_submit(p,
                        "{\"title\":\"T\",\"start_local\":\"2021-02-30T09:00\",\"zone\":\"Europe/"
                        "Madrid\",\"duration\":60,\"organizer\":{\"name\":\"A\",\"email\":\"a@b.c\"}}",
                        &id, NULL),
            SALA_INVALID_ARGUMENT, "start");
    REJECTS(sala_submit(p,
                        "{\"title\":\"T\",\"start\":1620889200,\"zone\":\"Europe/Madrid\","
                        "\"duration\":0,\"organizer\":{\"name\":\"A\",\"email\":\"a@b.c\"}}",
                        &id, NULL),
            SALA_INVALID_ARGUMENT, "duration");
    CHECK(id == 0);
    /* Nothing of the above was stored. */
    CHECK(sala_queue(p, &queue) == SALA_OK);
    CHECK(queue && strcmp(queue, "[]") == 0);
    sala_free(queue);
}

static uint64_t submit(sala_platform *p, int n, const char *expect) {
    char json[512], *out = NULL;
    uint64_t id = 0;
    snprintf(json, sizeof json, taller, n);
    CHECK(sala_submit(p, json, &id, &out) == SALA_OK);
    CHECK(contains(out, expect));
    sala_free(out);
    return id;
}

static void requests(sala_platform *p) {
    char *out = NULL;
    const uint64_t a = submit(p, 1, "\"status\":\"assigned\"");
    const uint64_t b = submit(p, 2, "\"status\":\"assigned\"");
    const uint64_t c = submit(p, 3, "\"status\":\"no_room_free\""); /* R9: queued */
    CHECK(a == 1 && b == 2 && c == 3);
    CHECK(sala_queue(p, &out) == SALA_OK);
    CHECK(contains(out, "\"title\":\"Taller 3\"") && !contains(out, "Taller 1"));
    sala_free(out);

    /* R10: an admin gives the manual room 3 to the queued request. */
    REJECTS(sala_assign(p, 999, 3, NULL), SALA_NOT_FOUND, "request");
    REJECTS(sala_assign(p, c, 99, NULL), SALA_NOT_FOUND, "room");
    CHECK(sala_assign(p, c, 3, &out) == SALA_OK);
    CHECK(contains(out, "\"status\":\"assigned\"") && contains(out, "\"room\":3"));
    sala_free(out);
    /* R11: room 1 is taken by request 1 until it is cancelled. */
    CHECK(sala_reassign(p, b, 1, &out) == SALA_OK);
    CHECK(contains(out, "\"status\":\"room_not_free\""));
    sala_free(out);
    REJECTS(sala_cancel(p, 999), SALA_NOT_FOUND, "request");
    CHECK(sala_cancel(p, a) == SALA_OK);
    CHECK(sala_reassign(p, b, 1, &out) == SALA_OK);
    CHECK(contains(out, "\"status\":\"assigned\"") && contains(out, "\"room\":1"));
    sala_free(out);
    REJECTS(sala_reassign(p, 999, 1, NULL), SALA_NOT_FOUND, "request");

    /* R4: a room that holds a future webinar is not deactivated. */
    REJECTS(sala_deactivate(p, 3), SALA_RULE_VIOLATION, "R4");

    REJECTS(sala_get_request(p, 999, &out), SALA_NOT_FOUND, "request");
    CHECK(sala_get_request(p, c, &out) == SALA_OK);
    CHECK(contains(out, "\"start\":1620889200") && contains(out, "\"zone\":\"Europe/Madrid\""));
    CHECK(contains(out, "\"start_local\":\"2021-05-13 09:00\"") && contains(out, "\"room\":3"));
    CHECK(contains(out, "\"blocked\":{\"begin\":1620887400,\"end\":1620894060}")); /* R7 */
    CHECK(contains(out, "\"status\":\"future\""));
    sala_free(out);

    /* R17: the day's calendar holds the two live webinars. */
    REJECTS(sala_calendar(p, MAY_13_0900_MADRID, MAY_1, &out), SALA_INVALID_ARGUMENT, "to");
    CHECK(sala_calendar(p, MAY_13_0900_MADRID - 86400 + 60 * 60, MAY_13_0900_MADRID + 86400,
                        &out) == SALA_OK);
    CHECK(contains(out, "Taller 2") && contains(out, "Taller 3") && !contains(out, "Taller 1"));
    sala_free(out);
}

/* A second process on the same store submits a request; this one sees it. */
static int submit_one(const char *path) {
    sala_platform *p = NULL;
    char options[64];
    snprintf(options, sizeof options, "{\"clock\":%lld}", MAY_1);
    if (sala_open_sqlite(path, options, &p) != SALA_OK) return 1;
    const uint64_t id = submit(p, 4, "\"room\":2"); /* room 2 is free again */
    sala_close(p);
    return id == 4 && failures == 0 ? 0 : 1;
}

static void other_process(sala_platform *p, const char *self, const char *path) {
    char *out = NULL;
    const pid_t child = fork();
    if (child == 0) {
        execl(self, self, "--submit-one", path, (char *)NULL);
        _exit(127);
    }
    int status = -1;
    CHECK(child > 0 && waitpid(child, &status, 0) == child);
    CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 0);
    CHECK(sala_get_request(p, 4, &out) == SALA_OK);
    CHECK(contains(out, "\"title\":\"Taller 4\"") && contains(out, "\"room\":2"));
    sala_free(out);
    /* R11: and this process's next command sees room 2 taken. */
    CHECK(sala_reassign(p, 3, 2, &out) == SALA_OK);
    CHECK(contains(out, "\"status\":\"room_not_free\""));
    sala_free(out);
}

static void lifecycle(sala_platform *p, const char *outbox) {
    sala_lifecycle *l = NULL;
    char options[1200], *out = NULL;
    size_t steps = 0;
    int mailed = -1;
    REJECTS(sala_lifecycle_open(p, NULL, &l), SALA_INVALID_ARGUMENT, "options_json");
    REJECTS(sala_lifecycle_open(p, "{}", &l), SALA_INVALID_ARGUMENT, "outbox");
    REJECTS(sala_lifecycle_open(p, "{\"outbox\":\"x\",\"conferencing\":\"teams\"}", &l),
            SALA_INVALID_ARGUMENT, "conferencing");
    REJECTS(sala_lifecycle_open(NULL, "{}", &l), SALA_INVALID_ARGUMENT, "platform");
    CHECK(l == NULL);
    snprintf(options, sizeof options, "{\"outbox\":\"%s\",\"conferencing\":\"fake\"}", outbox);
    CHECK(sala_lifecycle_open(p, options, &l) == SALA_OK);
    sala_lifecycle *again = NULL;
    REJECTS(sala_lifecycle_open(p, options, &again), SALA_INVALID_ARGUMENT, "platform");

    REJECTS(sala_tick(NULL, MAY_1, &steps), SALA_INVALID_ARGUMENT, "lifecycle");
    REJECTS(sala_tick(l, 7, &steps), SALA_INVALID_ARGUMENT, "now");
    CHECK(sala_tick(l, MAY_1, &steps) == SALA_OK);
    CHECK(steps > 0); /* webinars created for the two assigned requests */

    /* R13: two days before, both are within a week's lookahead. */
    const int64_t before = MAY_13_0900_MADRID - 2 * 86400;
    REJECTS(sala_about_to_start(l, before, -1, &out), SALA_INVALID_ARGUMENT,
            "lookahead_minutes");
    CHECK(sala_about_to_start(l, before, 7 * 24 * 60, &out) == SALA_OK);
    CHECK(contains(out, "\"request\":2") && contains(out, "\"request\":3"));
    sala_free(out);
    REJECTS(sala_generate_credentials(l, 999, before, &mailed), SALA_NOT_FOUND, "request");
    CHECK(sala_generate_credentials(l, 3, before, &mailed) == SALA_OK);
    CHECK(mailed == 1);
    CHECK(sala_about_to_start(l, before, 7 * 24 * 60, &out) == SALA_OK);
    CHECK(contains(out, "\"request\":2") && !contains(out, "\"request\":3"));
    sala_free(out);

    /* The platform handle may go first: the lifecycle keeps it alive. */
    sala_close(p);
    CHECK(sala_tick(l, before, &steps) == SALA_OK);
    sala_lifecycle_close(l);
}

int main(int argc, char **argv) {
    if (argc == 3 && strcmp(argv[1], "--submit-one") == 0) return submit_one(argv[2]);
    if (argc != 2) {
        fprintf(stderr, "usage: %s SCRATCH_FOLDER\n", argv[0]);
        return 2;
    }
    char path[1024], outbox[1024];
    snprintf(path, sizeof path, "%s/c_api.db", argv[1]);
    snprintf(outbox, sizeof outbox, "%s/outbox", argv[1]);
    versions();
    sala_platform *p = open_platform(path);
    if (!p) return 1;
    CHECK(sala_set_clock(p, MAY_1 + 60) == SALA_OK);
    REJECTS(sala_set_clock(p, 30), SALA_INVALID_ARGUMENT, "unix_seconds");
    rooms(p);
    submit_rejects(p);
    requests(p);
    other_process(p, argv[0], path);
    lifecycle(p, outbox);
    if (failures) fprintf(stderr, "%d check(s) failed\n", failures);
    else printf("all C API checks passed\n");
    return failures ? 1 : 0;
}
