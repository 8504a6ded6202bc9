// sala/ports/store.hpp, sala/durable/durable_platform.hpp, sala/durable/durable_lifecycle.hpp and
// the SQLite / PostgreSQL stores (bound when sala::sqlite / sala::postgres are built).
#include <memory>
#include <optional>
#include <type_traits>

#include "args.hpp"
#include "lifecycle_surface.hpp"
#include "platform_surface.hpp"
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

namespace {

// Zoom webhooks in: DurableLifecycle.note_* and account_deauthorized (docs/zoom.md).
void bind_zoom_notes(py::module_& m, py::class_<bound_durable_lifecycle>& dl) {
    using dlc = durable_lifecycle;
    py::class_<dlc::note_result> nr(m, "NoteResult",
                                    "outcome ('applied', 'unknown_webinar' or 'busy': ask again) "
                                    "and the request it was about, or None.");
    nr.def_property_readonly(
        "outcome",
        [](const dlc::note_result& r) {
            switch (r.outcome) {
                case dlc::note_outcome::applied: return "applied";
                case dlc::note_outcome::unknown_webinar: return "unknown_webinar";
                case dlc::note_outcome::busy: return "busy";
            }
            return "busy";
        },
        "'applied', 'unknown_webinar' or 'busy'.");
    nr.def_readonly("request", &dlc::note_result::request, "RequestId or None.");
    py::class_<dlc::deauthorize_report> dr(m, "DeauthorizeReport",
                                           "deactivated and still_booked rooms, booked requests.");
    dr.def_readonly("deactivated", &dlc::deauthorize_report::deactivated, "list of RoomId.");
    dr.def_readonly("still_booked", &dlc::deauthorize_report::still_booked,
                    "Rooms kept: they hold unfinished webinars (R4).");
    dr.def_readonly("booked", &dlc::deauthorize_report::booked,
                    "The unfinished webinars on those rooms (list of RequestId).");
    dl.def(
        "note_webinar_started",
        [](bound_durable_lifecycle& x, const std::string& w, py::object when) {
            const instant t = instant_arg(when, "when", true);
            return unlocked([&] { return x.life->note_webinar_started(w, t); });
        },
        py::arg("webinar_id"), py::arg("when"), "webinar.started, committed: status RUNNING.");
    dl.def(
        "note_webinar_ended",
        [](bound_durable_lifecycle& x, const std::string& w, py::object when) {
            const instant t = instant_arg(when, "when", true);
            return unlocked([&] { return x.life->note_webinar_ended(w, t); });
        },
        py::arg("webinar_id"), py::arg("when"),
        "webinar.ended, committed: report and recordings due from ``when``.");
    dl.def(
        "note_recording_completed",
        [](bound_durable_lifecycle& x, const std::string& w, std::vector<recording_file> files,
           py::object when) {
            const instant t = instant_arg(when, "when", true);
            return unlocked(
                [&] { return x.life->note_recording_completed(w, std::move(files), t); });
        },
        py::arg("webinar_id"), py::arg("files"), py::arg("when"),
        "recording.completed, committed: the files listed, downloaded on the next tick.");
    dl.def(
        "account_deauthorized",
        [](bound_durable_lifecycle& x, const std::string& account, py::object now) {
            const instant t = instant_arg(now, "now", true);
            return unlocked([&] { return x.life->account_deauthorized(account, t); });
        },
        py::arg("account"), py::arg("now"),
        "app_deauthorized: free rooms of the linked account deactivated, the admin told which "
        "still hold webinars. NotFoundError('account') for an unknown name.");
}

}  // namespace

namespace {

// Settings given over a store that holds some already are the C++ constructor's
// call (applied or refused): once it takes "none", None passes as none.
template <class D = durable_platform>
std::unique_ptr<D> open_durable(std::shared_ptr<store> s, std::shared_ptr<const clock> c,
                                std::optional<settings> initial) {
    if constexpr (std::is_constructible_v<D, std::shared_ptr<store>, std::shared_ptr<const clock>,
                                          std::optional<settings>>)
        return std::make_unique<D>(std::move(s), std::move(c), std::move(initial));
    else
        return std::make_unique<D>(std::move(s), std::move(c), initial.value_or(settings{}));
}

}  // namespace

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
           bool quick_check, int checkpoint_pages, int cache_mib) {
            sqlite_store::options o;
            o.create = create;
            o.sync = full_sync ? sqlite_store::durability::full : sqlite_store::durability::normal;
            o.busy_timeout_ms = busy_timeout_ms;
            o.quick_check = quick_check;
            o.checkpoint_pages = checkpoint_pages;
            o.cache_mib = cache_mib;
            return unlocked([&] { return sqlite_store::open(path, o); });
        },
        py::arg("path"), py::kw_only(), py::arg("create") = true, py::arg("full_sync") = true,
        py::arg("busy_timeout_ms") = 10000, py::arg("quick_check") = true,
        py::arg("checkpoint_pages") = 10000, py::arg("cache_mib") = 128,
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
        "survives a crash). Same commands, queries, keyword arguments and errors as Platform; the "
        "queries and the views read this process's in-memory copy, as of its last command or "
        "refresh().");
    dp.def(py::init([](py::object so, py::object clk, py::object io) {
               if (!py::isinstance<store>(so))
                   throw wrong_type("store",
                                    "must be a Store (SqliteStore.open, "
                                    "PostgresStore.open), got " +
                                        type_name(so));
               auto s = so.cast<std::shared_ptr<store>>();
               auto c = clock_arg(std::move(clk));
               auto initial = arg_as<std::optional<settings>>(io, "settings");
               return unlocked(
                   [&] { return open_durable(std::move(s), std::move(c), std::move(initial)); });
           }),
           py::arg("store"), py::arg("clock") = py::none(), py::arg("settings") = py::none(),
           "Loads the store's state. ``settings`` seed an empty store; over a store holding "
           "others they are applied (a set_settings command) or refused.");
    def_call(dp, "refresh", &durable_platform::refresh, "Pulls commits made by other processes.");
    def_call(dp, "begin_group", &durable_platform::begin_group,
             "Group commit: the commands until commit_group() share one store transaction (one "
             "fsync). Each decides on the state the ones before it left; one that raises changed "
             "nothing. None of them is durable, nor heard by listeners, before commit_group().");
    def_call(dp, "commit_group", &durable_platform::commit_group,
             "Commits the group. If a write of the group failed, or the commit fails, nothing of "
             "the group happened: the state is reloaded and the store's error raised.");
    def_call(dp, "rollback_group", &durable_platform::rollback_group,
             "Drops the open group's commands (no-op without a group).");
    dp.def_property_readonly(
        "in_group", [](const durable_platform& d) { return d.in_group(); },
        "True between begin_group() and commit_group()/rollback_group().");
    dp.def_property_readonly(
        "version", [](const durable_platform& d) { return unlocked([&] { return d.version(); }); },
        "The store version this process has seen.");
    bind_platform_surface(dp);

    py::class_<bound_durable_lifecycle> dl(m, "DurableLifecycle",
                                           "A Lifecycle whose step records are saved in the "
                                           "DurablePlatform's store after every tick, so a "
                                           "restarted host never repeats a step (R16). Same "
                                           "queries and callbacks as Lifecycle.");
    dl.def(py::init([](py::object po, py::object co, py::object mo, py::object oo) {
               if (py::isinstance<platform>(po))
                   throw wrong_type("platform",
                                    "is a Platform, which has no store: use Lifecycle, or a "
                                    "DurablePlatform");
               auto& p = held_arg<durable_platform&>(po, "platform");
               auto ports = lifecycle_ports_arg(co, mo, oo);
               return unlocked([&] {
                   auto life = std::make_unique<durable_lifecycle>(p, ports.conf, ports.mail,
                                                                   std::move(ports.options));
                   return std::make_unique<bound_durable_lifecycle>(
                       bound_durable_lifecycle{p, std::move(life)});
               });
           }),
           py::arg("platform"), py::arg("conferencing"), py::arg("mailer"),
           py::arg("options") = py::none(), py::keep_alive<1, 2>(), py::keep_alive<1, 3>(),
           py::keep_alive<1, 4>(), "Restores the step records from the store.");
    def_method(
        dl, "save", +[](bound_durable_lifecycle& x) { x.life->save(); },
        "Writes what changed since the last save.");
    def_method(
        dl, "take_in", +[](bound_durable_lifecycle& x) { x.life->take_in(); },
        "Takes in what other processes committed (every tick does it too).");
    dl.def(
        "archive",
        [](bound_durable_lifecycle& x, py::object now) {
            const instant t = instant_arg(now, "now", true);
            return unlocked([&] { return x.life->archive(t); });
        },
        py::arg("now"),
        "Finished webinars with nothing left to do leave memory as history "
        "(LifecycleOptions.retention; ticks do it hourly). Returns how many.");
    dl.def_property_readonly(
        "is_ticker", [](const bound_durable_lifecycle& x) { return x.life->is_ticker(); },
        "Whether this process held the ticker lease at its last tick.");
    dl.def_property_readonly(
        "holder", [](const bound_durable_lifecycle& x) { return x.life->holder(); },
        "This process's name in leases.");
    bind_lifecycle_surface(dl);
    bind_zoom_notes(m, dl);
}

}  // namespace sala::python
