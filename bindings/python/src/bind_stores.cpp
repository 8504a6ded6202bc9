// sala/ports/store.hpp, sala/durable/durable_platform.hpp, sala/durable/durable_lifecycle.hpp and
// the SQLite / PostgreSQL stores (bound when sala::sqlite / sala::postgres are built).
#include "args.hpp"
#include "sala/durable/durable_lifecycle.hpp"
#include "sala/durable/durable_platform.hpp"
#include "sala/ports/store.hpp"

#ifndef SALA_PY_HAVE_SQLITE
#define SALA_PY_HAVE_SQLITE 0
#endif
#ifndef SALA_PY_HAVE_POSTGRES
#define SALA_PY_HAVE_POSTGRES 0
#endif
#if SALA_PY_HAVE_SQLITE
#include "sala/adapters/sqlite_store.hpp"
#endif
#if SALA_PY_HAVE_POSTGRES
#include "sala/adapters/postgres_store.hpp"
#endif

namespace sala::python {

namespace {}  // namespace

void bind_stores(py::module_& m) {
    m.attr("HAVE_SQLITE") = bool(SALA_PY_HAVE_SQLITE);
    m.attr("HAVE_POSTGRES") = bool(SALA_PY_HAVE_POSTGRES);

    py::class_<store, std::shared_ptr<store>> st(
        m, "Store",
        "Durable state (a SQLite file, a PostgreSQL schema). Open one with "
        "SqliteStore.open / PostgresStore.open and give it to DurablePlatform.");
    def_call(st, "schema_version", &store::schema_version,
             "The schema version (after migrations).");
    def_call(st, "location", &store::location,
             "Where it lives (path or connection, without secrets).");
    def_call(st, "version", &store::version, "The last committed version.");

#if SALA_PY_HAVE_SQLITE
    py::class_<sqlite_store, store, std::shared_ptr<sqlite_store>> sq(
        m, "SqliteStore", "A SQLite file (WAL), the embedded default.");
    sq.def_static(
        "open",
        [](const std::string& path, bool create, bool full_sync, int busy_timeout_ms,
           bool quick_check) {
            sqlite_store::options o;
            o.create = create;
            o.sync = full_sync ? sqlite_store::durability::full : sqlite_store::durability::normal;
            o.busy_timeout_ms = busy_timeout_ms;
            o.quick_check = quick_check;
            return unlocked([&] { return sqlite_store::open(path, o); });
        },
        py::arg("path"), py::kw_only(), py::arg("create") = true, py::arg("full_sync") = true,
        py::arg("busy_timeout_ms") = 10000, py::arg("quick_check") = true,
        "Opens (creates, migrates) a store file; StoreError for a file that is not a sala store. "
        "full_sync=False survives a process crash but maybe not power loss.");
    sq.attr("current_schema") = sqlite_store::current_schema;
#endif
#if SALA_PY_HAVE_POSTGRES
    py::class_<postgres_store, store, std::shared_ptr<postgres_store>> pg(
        m, "PostgresStore", "A PostgreSQL schema shared by several host processes.");
    pg.def_static(
        "open",
        [](const std::string& conninfo, const std::string& schema) {
            postgres_store::options o;
            o.schema = schema;
            return unlocked([&] { return postgres_store::open(conninfo, o); });
        },
        py::arg("conninfo"), py::kw_only(), py::arg("schema") = "sala",
        "Connects (libpq conninfo) and creates/migrates the schema.");
    pg.attr("current_schema") = postgres_store::current_schema;
#endif

    py::class_<durable_platform> dp(
        m, "DurablePlatform",
        "A Platform whose every command is one store transaction (happens whole or not at all, and "
        "survives a crash). Same commands and queries as Platform; refresh() pulls other "
        "processes' commits.");
    dp.def(py::init([](std::shared_ptr<store> s, py::object clk, std::optional<settings> initial) {
               std::shared_ptr<const clock> c;
               if (!clk.is_none()) c = hold_python<clock>(std::move(clk));
               return unlocked([&] {
                   return std::make_unique<durable_platform>(std::move(s), std::move(c), initial);
               });
           }),
           py::arg("store"), py::arg("clock") = py::none(), py::arg("settings") = py::none(),
           "Loads the store's state. ``settings`` seed an empty store; over a store holding "
           "others they are applied (a set_settings command) or refused.");
    def_call(dp, "refresh", &durable_platform::refresh, "Pulls commits made by other processes.");
    dp.def_property_readonly("version", &durable_platform::version,
                             "The store version this process has seen.");
    def_call(dp, "set_settings", &durable_platform::set_settings, py::arg("settings"),
             "As Platform.");
    def_call(dp, "set_policy", &durable_platform::set_policy, py::arg("policy"),
             "R9, as Platform.");
    def_call(dp, "link_account", &durable_platform::link_account, py::arg("name"), py::arg("kind"),
             py::arg("users"), "R1/R2, as Platform.");
    def_call(dp, "activate", &durable_platform::activate, py::arg("room"), "R2.");
    def_call(dp, "deactivate", &durable_platform::deactivate, py::arg("room"), "R4.");
    def_call(dp, "set_mode", &durable_platform::set_mode, py::arg("room"), py::arg("mode"), "R3.");
    def_call(dp, "submit", &durable_platform::submit, py::arg("input"), "R6-R10: a RequestInput.");
    def_call(dp, "retry", &durable_platform::retry, py::arg("request"), "R10.");
    def_call(dp, "retry_queue", &durable_platform::retry_queue, "R10.");
    def_call(dp, "assign", &durable_platform::assign, py::arg("request"), py::arg("room"),
             "R10/R11.");
    def_call(dp, "reassign", &durable_platform::reassign, py::arg("request"), py::arg("room"),
             "R11.");
    def_call(dp, "cancel", &durable_platform::cancel, py::arg("request"),
             "Cancels a request not started.");
    dp.def(
        "state", [](const durable_platform& d) { return unlocked([&] { return d.state(); }); },
        "PlatformState (a copy) as of this process's last command or refresh().");
    dp.def(
        "rooms",
        [](const durable_platform& d) { return unlocked([&] { return d.view().rooms(); }); },
        "list of Room (copies).");
    dp.def(
        "pools",
        [](const durable_platform& d) { return unlocked([&] { return d.view().pools(); }); },
        "list of Pool (copies).");
    dp.def(
        "queue",
        [](const durable_platform& d) { return unlocked([&] { return d.view().queue(); }); },
        "R10: list of Request (copies).");
    dp.def(
        "reservations",
        [](const durable_platform& d) { return unlocked([&] { return d.view().reservations(); }); },
        "list of Reservation (copies).");
    dp.def(
        "get_room",
        [](const durable_platform& d, room_id r) {
            return unlocked([&] { return d.view().get_room(r); });
        },
        py::arg("room"), "Room (a copy).");
    dp.def(
        "get_request",
        [](const durable_platform& d, request_id r) {
            return unlocked([&] { return d.get_request(r); });
        },
        py::arg("request"), "Request (a copy); a cancelled or archived one from history.");
    dp.def(
        "reservation_of",
        [](const durable_platform& d, request_id r) {
            return unlocked([&] { return d.view().reservation_of(r); });
        },
        py::arg("request"), "Reservation or None.");
    dp.def(
        "status",
        [](const durable_platform& d, request_id r) {
            return unlocked([&] { return d.view().status(r); });
        },
        py::arg("request"), "WebinarStatus.");
    dp.def(
        "calendar",
        [](const durable_platform& d, const interval& w) {
            return unlocked([&] { return d.view().calendar(w); });
        },
        py::arg("window"), "R17: CalendarEntry copies.");
    dp.def(
        "room_webinars",
        [](const durable_platform& d, room_id r) {
            return unlocked([&] { return d.view().room_webinars(r); });
        },
        py::arg("room"), "R17: CalendarEntry copies.");
    dp.def(
        "subscribe",
        [](durable_platform& d, py::function listener) {
            auto f = hold_callable(std::move(listener));
            unlocked([&] {
                d.subscribe([f](const event& e) {
                    py::gil_scoped_acquire gil;
                    (*f)(event(e));
                });
            });
        },
        py::arg("listener"), "listener(Event) after every committed command.");

    py::class_<durable_lifecycle> dl(m, "DurableLifecycle",
                                     "A Lifecycle whose step records are saved in the "
                                     "DurablePlatform's store after every tick, so a "
                                     "restarted host never repeats a step (R16).");
    dl.def(py::init([](durable_platform& p, conferencing& c, mailer& mm,
                       std::optional<lifecycle_options> o) {
               return unlocked([&] {
                   return std::make_unique<durable_lifecycle>(p, c, mm,
                                                              o.value_or(lifecycle_options{}));
               });
           }),
           py::arg("platform"), py::arg("conferencing"), py::arg("mailer"),
           py::arg("options") = py::none(), py::keep_alive<1, 2>(), py::keep_alive<1, 3>(),
           py::keep_alive<1, 4>(), "Restores the step records from the store.");
    dl.def(
        "tick",
        [](durable_lifecycle& x, py::object now) {
            const instant t = instant_arg(now, "now", true);
            return unlocked([&] { return x.tick(t); });
        },
        py::arg("now"),
        "Runs what is due at aware ``now``, then saves; returns the steps attempted.");
    dl.def(
        "generate_credentials_now",
        [](durable_lifecycle& x, request_id id, py::object now) {
            const instant t = instant_arg(now, "now", true);
            return unlocked([&] { return x.generate_credentials_now(id, t); });
        },
        py::arg("request"), py::arg("now"), "R13, saved like a tick.");
    def_call(dl, "save", &durable_lifecycle::save, "Writes what changed since the last save.");
    def_call(dl, "take_in", &durable_lifecycle::take_in,
             "Takes in what other processes committed (every tick does it too).");
    dl.def_property_readonly(
        "is_ticker", [](const durable_lifecycle& x) { return x.is_ticker(); },
        "Whether this process held the ticker lease at its last tick.");
    dl.def_property_readonly(
        "holder", [](const durable_lifecycle& x) { return x.holder(); },
        "This process's name in leases.");
    dl.def(
        "next_due",
        [](const durable_lifecycle& x) { return unlocked([&] { return x.engine().next_due(); }); },
        "As Lifecycle.next_due.");
    dl.def(
        "problems",
        [](const durable_lifecycle& x) { return unlocked([&] { return x.engine().problems(); }); },
        "list of Problem.");
    dl.def(
        "credentials_of",
        [](const durable_lifecycle& x, request_id id) {
            return unlocked([&] { return x.engine().credentials_of(id); });
        },
        py::arg("request"), "WebinarCredentials or None.");
    dl.def(
        "report_of",
        [](const durable_lifecycle& x, request_id id) {
            return unlocked([&] { return x.engine().report_of(id); });
        },
        py::arg("request"), "AttendanceReport or None.");
    dl.def(
        "effects",
        [](const durable_lifecycle& x) { return unlocked([&] { return x.engine().effects(); }); },
        "Effects done by this process (list of Effect).");
    dl.def(
        "state",
        [](const durable_lifecycle& x) { return unlocked([&] { return x.engine().state(); }); },
        "LifecycleState (a copy).");
}

}  // namespace sala::python
