// include/sala/c/sala.h: the platform's functions. Every entry point runs its
// body through c_call, so no C++ exception crosses into the host.
#include <cstdlib>

#include "c/c_api.hpp"
#include "sala/adapters/sqlite_store.hpp"
#ifdef SALA_C_HAVE_POSTGRES
#include "sala/adapters/postgres_store.hpp"
#endif

using namespace sala;
using namespace sala::detail;

namespace {

sala_status open_store(const std::function<std::shared_ptr<store>()>& make,
                       const char* options_json, sala_platform** out) {
    return c_call([&] {
        c_need(out, "out");
        *out = nullptr;
        auto impl = std::make_shared<c_platform>();
        if (options_json) {
            const auto o = c_parse(options_json, "options_json");
            c_only(o, {"clock"}, "the platform's options");
            if (o.contains("clock"))
                impl->manual =
                    std::make_shared<manual_clock>(c_instant(c_integer(o, "clock"), "clock"));
        }
        std::shared_ptr<const sala::clock> clk = impl->manual;
        impl->durable = std::make_unique<durable_platform>(make(), clk);
        *out = new sala_platform{std::move(impl)};
    });
}

durable_platform& live(sala_platform* p) {
    c_need(p, "platform");
    return *p->impl->durable;
}

// What other processes committed, taken in before a read.
const platform& fresh(sala_platform* p) {
    durable_platform& d = live(p);
    d.refresh();
    return d.view();
}

template <class E>
E named(const char* s, const char* field) {
    c_need(s, field);
    if (const auto v = parse_enum<E>(s)) return *v;
    std::string names;
    for (const auto& [v, name] : enum_names<E>::entries)
        names += (names.empty() ? "" : ", ") + std::string(name);
    throw invalid_argument(field, "must be one of " + names);
}

}  // namespace

extern "C" {

SALA_C_API const char* sala_version(int* abi) {
    if (abi) *abi = SALA_C_ABI_VERSION;
    return SALA_C_VERSION;
}

SALA_C_API const char* sala_status_name(sala_status s) {
    switch (s) {
        case SALA_OK: return "SALA_OK";
        case SALA_INVALID_ARGUMENT: return "SALA_INVALID_ARGUMENT";
        case SALA_NONEXISTENT_LOCAL_TIME: return "SALA_NONEXISTENT_LOCAL_TIME";
        case SALA_AMBIGUOUS_LOCAL_TIME: return "SALA_AMBIGUOUS_LOCAL_TIME";
        case SALA_NOT_FOUND: return "SALA_NOT_FOUND";
        case SALA_RULE_VIOLATION: return "SALA_RULE_VIOLATION";
        case SALA_BACKEND_ERROR: return "SALA_BACKEND_ERROR";
        case SALA_STORE_ERROR: return "SALA_STORE_ERROR";
        case SALA_UNSUPPORTED: return "SALA_UNSUPPORTED";
        case SALA_OUT_OF_MEMORY: return "SALA_OUT_OF_MEMORY";
        case SALA_INTERNAL: return "SALA_INTERNAL";
    }
    return "SALA_UNKNOWN";
}

SALA_C_API void sala_free(char* s) { std::free(s); }

SALA_C_API sala_status sala_open_sqlite(const char* path, const char* options_json,
                                        sala_platform** out) {
    return open_store(
        [&]() -> std::shared_ptr<store> {
            c_need(path, "path");
            return sqlite_store::open(path);
        },
        options_json, out);
}

SALA_C_API sala_status sala_open_postgres(const char* conninfo, const char* options_json,
                                          sala_platform** out) {
    return open_store(
        [&]() -> std::shared_ptr<store> {
            c_need(conninfo, "conninfo");
#ifdef SALA_C_HAVE_POSTGRES
            return postgres_store::open(conninfo);
#else
            throw c_unsupported("this sala library was built without PostgreSQL");
#endif
        },
        options_json, out);
}

SALA_C_API void sala_close(sala_platform* p) { delete p; }

SALA_C_API sala_status sala_set_clock(sala_platform* p, int64_t unix_seconds) {
    return c_call([&] {
        c_need(p, "platform");
        if (!p->impl->manual)
            throw invalid_argument("clock", "this platform reads the system clock");
        p->impl->manual->set(c_instant(unix_seconds, "unix_seconds"));
    });
}

SALA_C_API sala_status sala_link_account(sala_platform* p, const char* name, const char* kind,
                                         const char* users_json, char** report_json) {
    return c_call([&] {
        durable_platform& d = live(p);
        c_need(name, "name");
        const auto k = named<pool_kind>(kind, "kind");
        const auto users = c_users(c_parse(users_json, "users_json", true));
        const link_report r = d.link_account(name, k, users);
        nlohmann::json j{{"pool", r.pool.value},
                         {"new_rooms", nlohmann::json::array()},
                         {"wasted_licences", nlohmann::json::array()},
                         {"unlicensed", nlohmann::json::array()}};
        for (const auto id : r.new_rooms) j["new_rooms"].push_back(id.value);
        for (const auto& u : r.wasted_licences) j["wasted_licences"].push_back(u.email);
        for (const auto& u : r.unlicensed) j["unlicensed"].push_back(u.email);
        c_out(report_json, j);
    });
}

SALA_C_API sala_status sala_activate(sala_platform* p, uint32_t room) {
    return c_call([&] { live(p).activate(room_id{room}); });
}

SALA_C_API sala_status sala_deactivate(sala_platform* p, uint32_t room) {
    return c_call([&] { live(p).deactivate(room_id{room}); });
}

SALA_C_API sala_status sala_set_mode(sala_platform* p, uint32_t room, const char* mode) {
    return c_call([&] {
        durable_platform& d = live(p);
        d.set_mode(room_id{room}, named<room_mode>(mode, "mode"));
    });
}

SALA_C_API sala_status sala_rooms(sala_platform* p, char** rooms_json) {
    return c_call([&] {
        c_need(rooms_json, "rooms_json");
        nlohmann::json j = nlohmann::json::array();
        for (const auto& r : fresh(p).rooms()) j.push_back(c_room_json(r));
        c_out(rooms_json, j);
    });
}

SALA_C_API sala_status sala_submit(sala_platform* p, const char* request_json, uint64_t* id,
                                   char** result_json) {
    return c_call([&] {
        durable_platform& d = live(p);
        const request_input in = c_request_input(c_parse(request_json, "request_json"));
        const submission s = d.submit(in);
        if (id) *id = s.id.value;
        c_out(result_json, {{"id", s.id.value}, {"assignment", c_assignment_json(s.assignment)}});
    });
}

SALA_C_API sala_status sala_assign(sala_platform* p, uint64_t request, uint32_t room,
                                   char** result_json) {
    return c_call([&] {
        c_out(result_json, c_assignment_json(live(p).assign(request_id{request}, room_id{room})));
    });
}

SALA_C_API sala_status sala_reassign(sala_platform* p, uint64_t request, uint32_t room,
                                     char** result_json) {
    return c_call([&] {
        c_out(result_json, c_assignment_json(live(p).reassign(request_id{request}, room_id{room})));
    });
}

SALA_C_API sala_status sala_cancel(sala_platform* p, uint64_t request) {
    return c_call([&] { live(p).cancel(request_id{request}); });
}

SALA_C_API sala_status sala_get_request(sala_platform* p, uint64_t request, char** request_json) {
    return c_call([&] {
        c_need(request_json, "request_json");
        fresh(p);
        const durable_platform& d = live(p);
        c_out(request_json, c_request_json(d, d.get_request(request_id{request})));
    });
}

SALA_C_API sala_status sala_queue(sala_platform* p, char** queue_json) {
    return c_call([&] {
        c_need(queue_json, "queue_json");
        const platform& v = fresh(p);
        nlohmann::json j = nlohmann::json::array();
        for (const auto& r : v.queue()) j.push_back(c_request_json(live(p), r));
        c_out(queue_json, j);
    });
}

SALA_C_API sala_status sala_calendar(sala_platform* p, int64_t from, int64_t to,
                                     char** entries_json) {
    return c_call([&] {
        c_need(entries_json, "entries_json");
        const instant a = c_instant(from, "from"), b = c_instant(to, "to");
        if (b < a) throw invalid_argument("to", "must not be before from");
        const platform& v = fresh(p);
        nlohmann::json j = nlohmann::json::array();
        for (const auto& e : v.calendar(interval{a, b}))
            j.push_back(c_request_json(live(p), e.request));
        c_out(entries_json, j);
    });
}

}  // extern "C"
