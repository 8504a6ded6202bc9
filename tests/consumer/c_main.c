/* Built with pkg-config only (`cc $(pkg-config --cflags --libs sala-c)`)
 * against the installed shared library: a SQLite store in the folder given,
 * one room, one request, and one rejected input. */
#include <sala/c/sala.h>

#include <stdio.h>
#include <string.h>

int main(int argc, char **argv) {
    char path[1024], *out = NULL;
    sala_platform *p = NULL;
    uint64_t id = 0;
    int abi = 0;
    if (argc != 2) return 2;
    snprintf(path, sizeof path, "%s/consumer.db", argv[1]);
    const char *version = sala_version(&abi);
    printf("sala %s, ABI %d\n", version, abi);
    if (abi != SALA_C_ABI_VERSION) return 1;
    if (sala_open_sqlite(path, "{\"clock\":1619827200}", &p) != SALA_OK ||
        sala_link_account(p, "symposium", "own",
                          "[{\"user_id\":\"u9\",\"email\":\"symposiumwebinar09@symposium.events\"}]",
                          NULL) != SALA_OK ||
        sala_activate(p, 1) != SALA_OK || sala_set_mode(p, 1, "automatic") != SALA_OK ||
        sala_submit(p,
                    "{\"title\":\"Taller 1\",\"start_local\":\"2021-05-13T09:00\",\"zone\":"
                    "\"Europe/Madrid\",\"duration\":60,\"event_id\":\"2086\",\"organizer\":{"
                    "\"name\":\"Ana\",\"email\":\"ana@example.org\"}}",
                    &id, &out) != SALA_OK) {
        fprintf(stderr, "failed: %s\n", sala_last_error());
        return 1;
    }
    printf("%s\n", out);
    const int assigned = strstr(out, "\"status\":\"assigned\"") != NULL;
    sala_free(out);
    const sala_status bad = sala_set_mode(p, 1, "sometimes");
    printf("%s [%s] %s\n", sala_status_name(bad), sala_last_error_field(), sala_last_error());
    sala_close(p);
    return assigned && bad == SALA_INVALID_ARGUMENT ? 0 : 1;
}
