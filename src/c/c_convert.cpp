// The C API's boundary: exceptions to statuses, JSON in and out, Unix seconds.
#include <cstdlib>
#include <cstring>
#include <new>

#include "c/c_api.hpp"
#include "sala/enum_names.hpp"
#include "sala/time.hpp"

namespace sala::detail {

namespace {

struct last_error {
    sala_status status = SALA_OK;
    std::string message;
    std::string field;
};
thread_local last_error last;

sala_status fail(sala_status s, const char* message, const std::string& field) noexcept {
    try {
        last.status = s;
        last.message = message;
        last.field = field;
        // The core's hint names the C++ spelling; a C host sets "resolve".
        const std::string cpp = "pass choose::earliest or choose::latest";
        if (const auto at = last.message.find(cpp); at != std::string::npos)
            last.message.replace(at, cpp.size(), "set \"resolve\" to \"earliest\" or \"latest\"");
    } catch (...) {  // no memory for the message: the status still tells
        last.message.clear();
        last.field.clear();
    }
    return s;
}

// Years 1970-9999: what the stores and formatting handle.
constexpr std::int64_t max_unix = 253402300799;

}  // namespace

sala_status c_call(const std::function<void()>& body) noexcept {
    last.status = SALA_OK;
    last.message.clear();
    last.field.clear();
    try {
        body();
        return SALA_OK;
    } catch (const nonexistent_local_time& e) {
        return fail(SALA_NONEXISTENT_LOCAL_TIME, e.what(), e.field());
    } catch (const ambiguous_local_time& e) {
        return fail(SALA_AMBIGUOUS_LOCAL_TIME, e.what(), e.field());
    } catch (const invalid_argument& e) {
        return fail(SALA_INVALID_ARGUMENT, e.what(), e.field());
    } catch (const not_found& e) {
        return fail(SALA_NOT_FOUND, e.what(), e.kind());
    } catch (const rule_violation& e) {
        return fail(SALA_RULE_VIOLATION, e.what(), e.rule());
    } catch (const backend_error& e) {
        return fail(SALA_BACKEND_ERROR, e.what(), "");
    } catch (const store_error& e) {
        return fail(SALA_STORE_ERROR, e.what(), "");
    } catch (const c_unsupported& e) {
        return fail(SALA_UNSUPPORTED, e.what(), "");
    } catch (const std::bad_alloc&) {
        return fail(SALA_OUT_OF_MEMORY, "out of memory", "");
    } catch (const std::exception& e) {
        return fail(SALA_INTERNAL, e.what(), "");
    } catch (...) {
        return fail(SALA_INTERNAL, "an unknown C++ exception reached the C API", "");
    }
}

void c_need(const void* p, const char* name) {
    if (!p) throw invalid_argument(name, "is NULL");
}

nlohmann::json c_parse(const char* text, const char* name, bool array) {
    c_need(text, name);
    nlohmann::json j = nlohmann::json::parse(text, nullptr, false);
    if (j.is_discarded()) throw invalid_argument(name, "is not valid JSON");
    if (array ? !j.is_array() : !j.is_object())
        throw invalid_argument(name, array ? "must be a JSON array" : "must be a JSON object");
    return j;
}

void c_only(const nlohmann::json& o, std::initializer_list<const char*> known, const char* where) {
    for (const auto& [key, value] : o.items()) {
        bool ok = false;
        for (const char* k : known) ok = ok || key == k;
        if (!ok) throw invalid_argument(key, std::string("is not a member of ") + where);
    }
}

std::string c_string(const nlohmann::json& o, const char* key, bool required) {
    const auto it = o.find(key);
    if (it == o.end() || it->is_null()) {
        if (required) throw invalid_argument(key, "is missing");
        return {};
    }
    if (!it->is_string()) throw invalid_argument(key, "must be a string");
    return it->get<std::string>();
}

std::int64_t c_integer(const nlohmann::json& o, const char* key) {
    const auto it = o.find(key);
    if (it == o.end() || it->is_null()) throw invalid_argument(key, "is missing");
    if (!it->is_number_integer()) throw invalid_argument(key, "must be an integer");
    return it->get<std::int64_t>();
}

instant c_instant(std::int64_t unix_seconds, const char* name) {
    if (unix_seconds < 0 || unix_seconds > max_unix)
        throw invalid_argument(name, "must be Unix seconds between 1970 and 9999");
    if (unix_seconds % 60 != 0)
        throw invalid_argument(name, "must be a whole minute (a multiple of 60 seconds)");
    return instant{minutes{unix_seconds / 60}};
}

std::int64_t c_unix(instant t) noexcept {
    return static_cast<std::int64_t>(t.time_since_epoch().count()) * 60;
}

char* c_copy(const std::string& s) {
    auto* out = static_cast<char*>(std::malloc(s.size() + 1));
    if (!out) throw std::bad_alloc();
    std::memcpy(out, s.c_str(), s.size() + 1);
    return out;
}

void c_out(char** out, const nlohmann::json& j) {
    if (out) *out = c_copy(j.dump());
}

namespace {

local_minutes parse_local(const std::string& s) {
    // "YYYY-MM-DDTHH:MM" exactly; make_local checks the calendar.
    const bool shape = s.size() == 16 && s[4] == '-' && s[7] == '-' && s[10] == 'T' && s[13] == ':';
    bool digits = shape;
    for (std::size_t i = 0; digits && i < s.size(); ++i)
        if (i != 4 && i != 7 && i != 10 && i != 13) digits = s[i] >= '0' && s[i] <= '9';
    if (!digits) throw invalid_argument("start_local", "must look like 2021-05-13T09:00");
    const auto num = [&](std::size_t at, std::size_t n) {
        return static_cast<unsigned>(std::stoul(s.substr(at, n)));
    };
    return make_local(static_cast<int>(num(0, 4)), num(5, 2), num(8, 2), num(11, 2), num(14, 2));
}

template <class E>
E parse_named(const nlohmann::json& o, const char* key, E fallback) {
    const std::string s = c_string(o, key, false);
    if (s.empty() && !o.contains(key)) return fallback;
    if (const auto v = parse_enum<E>(s)) return *v;
    std::string names;
    for (const auto& [v, name] : enum_names<E>::entries)
        names += (names.empty() ? "" : ", ") + std::string(name);
    throw invalid_argument(key, "must be one of " + names);
}

}  // namespace

request_input c_request_input(const nlohmann::json& in) {
    c_only(in,
           {"title", "zone", "duration", "event_id", "organizer", "start", "start_local",
            "admission", "expected_attendees", "panelists", "resolve"},
           "a request");
    request_input r;
    r.title = c_string(in, "title");
    r.zone = c_string(in, "zone");
    check_zone(r.zone);
    const std::int64_t d = c_integer(in, "duration");
    if (d <= 0 || d > 7 * 24 * 60) throw invalid_argument("duration", "must be 1 to 10080 minutes");
    r.duration = minutes{d};
    r.event_id = c_string(in, "event_id", false);
    const auto org = in.find("organizer");
    if (org == in.end() || !org->is_object())
        throw invalid_argument("organizer", "must be an object {\"name\", \"email\"}");
    c_only(*org, {"name", "email"}, "organizer");
    r.organizer = {c_string(*org, "name"), c_string(*org, "email")};
    const bool has_start = in.contains("start"), has_local = in.contains("start_local");
    if (has_start == has_local)
        throw invalid_argument("start", "give exactly one of start (Unix seconds) or start_local");
    if (has_start)
        r.start = to_local(c_instant(c_integer(in, "start"), "start"), r.zone);
    else
        r.start = parse_local(c_string(in, "start_local"));
    r.admission = parse_named(in, "admission", admission::automatic);
    if (in.contains("resolve")) r.resolve = parse_named(in, "resolve", choose::earliest);
    if (in.contains("expected_attendees")) {
        const std::int64_t n = c_integer(in, "expected_attendees");
        if (n < 0 || n > 1'000'000)
            throw invalid_argument("expected_attendees", "must be 0 to 1000000");
        r.expected_attendees = static_cast<int>(n);
    }
    if (const auto p = in.find("panelists"); p != in.end()) {
        if (!p->is_array()) throw invalid_argument("panelists", "must be an array of e-mails");
        for (const auto& e : *p) {
            if (!e.is_string()) throw invalid_argument("panelists", "must be an array of e-mails");
            r.panelists.push_back(e.get<std::string>());
        }
    }
    return r;
}

nlohmann::json c_request_json(const durable_platform& p, const request& r) {
    nlohmann::json j{
        {"id", r.id.value},
        {"title", r.title},
        {"zone", r.zone},
        {"start", c_unix(r.window.start)},
        {"start_local", format_local(r.local_start)},
        {"end", c_unix(r.window.end)},
        {"duration", r.duration.count()},
        {"event_id", r.event_id},
        {"organizer", {{"name", r.organizer.name}, {"email", r.organizer.email}}},
        {"admission", enum_name(r.admission)},
        {"blocked",
         {{"begin", c_unix(r.window.blocked.begin())}, {"end", c_unix(r.window.blocked.end())}}},
        {"grace_end", c_unix(r.window.grace_end)},
        {"room", nullptr},
        {"status", "finished"}};
    const platform& v = p.view();
    if (v.state().requests.count(r.id)) {
        j["status"] = enum_name(v.status(r.id));
        if (const auto res = v.reservation_of(r.id)) j["room"] = res->room.value;
    }
    return j;
}

nlohmann::json c_assignment_json(const assignment& a) {
    return {{"status", enum_name(a.status)},
            {"room", a.room ? nlohmann::json(a.room->value) : nlohmann::json(nullptr)},
            {"reason", a.reason}};
}

nlohmann::json c_room_json(const room& r) {
    return {{"id", r.id.value},   {"pool", r.pool.value},           {"user_id", r.user_id},
            {"email", r.email},   {"display_name", r.display_name}, {"capacity", r.capacity},
            {"active", r.active}, {"mode", enum_name(r.mode)}};
}

std::vector<account_user> c_users(const nlohmann::json& users) {
    std::vector<account_user> out;
    for (const auto& u : users) {
        if (!u.is_object()) throw invalid_argument("users_json", "must hold objects");
        c_only(u, {"user_id", "email", "display_name", "owner", "licensed", "capacity"}, "a user");
        account_user a;
        a.user_id = c_string(u, "user_id");
        a.email = c_string(u, "email");
        a.display_name = c_string(u, "display_name", false);
        for (const char* flag : {"owner", "licensed"}) {
            if (!u.contains(flag)) continue;
            if (!u[flag].is_boolean()) throw invalid_argument(flag, "must be true or false");
            (std::string(flag) == "owner" ? a.owner : a.licensed) = u[flag].get<bool>();
        }
        if (u.contains("capacity")) {
            const std::int64_t c = c_integer(u, "capacity");
            if (c <= 0 || c > 1'000'000) throw invalid_argument("capacity", "must be 1 to 1000000");
            a.capacity = static_cast<int>(c);
        }
        out.push_back(std::move(a));
    }
    return out;
}

}  // namespace sala::detail

extern "C" {
SALA_C_API sala_status sala_last_status(void) { return sala::detail::last.status; }
SALA_C_API const char* sala_last_error(void) { return sala::detail::last.message.c_str(); }
SALA_C_API const char* sala_last_error_field(void) { return sala::detail::last.field.c_str(); }
}
