#pragma once
// Text forms of enums and lists shared by the SQLite and PostgreSQL stores.

#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "sala/error.hpp"
#include "sala/policy.hpp"
#include "sala/ports/store.hpp"
#include "sala/request.hpp"
#include "sala/room.hpp"

namespace sala::detail {

inline const char* policy_name(policy_kind k) {
    switch (k) {
        case policy_kind::best_fit: return "best_fit";
        case policy_kind::smallest_capacity: return "smallest_capacity";
        default: return "first_fit";
    }
}

[[noreturn]] inline void bad_value(const std::string& what, const std::string& v) {
    throw store_error("stored " + what + " '" + v + "' is not one sala knows");
}

inline policy_kind parse_policy(const std::string& s) {
    if (s == "first_fit") return policy_kind::first_fit;
    if (s == "best_fit") return policy_kind::best_fit;
    if (s == "smallest_capacity") return policy_kind::smallest_capacity;
    bad_value("policy", s);
}
inline pool_kind parse_pool_kind(const std::string& s) {
    if (s == "lent") return pool_kind::lent;
    if (s == "own") return pool_kind::own;
    bad_value("pool kind", s);
}
inline room_mode parse_mode(const std::string& s) {
    if (s == "manual") return room_mode::manual;
    if (s == "automatic") return room_mode::automatic;
    bad_value("room mode", s);
}
inline sala::admission parse_admission(const std::string& s) {
    if (s == "automatic") return admission::automatic;
    if (s == "manual") return admission::manual;
    bad_value("admission", s);
}
inline effect_status parse_status(const std::string& s) {
    if (s == "pending") return effect_status::pending;
    if (s == "done") return effect_status::done;
    if (s == "failed") return effect_status::failed;
    bad_value("effect status", s);
}

inline std::string encode_list(const std::vector<std::string>& v) { return nlohmann::json(v).dump(); }
inline std::vector<std::string> decode_list(const std::string& s) {
    try {
        return nlohmann::json::parse(s).get<std::vector<std::string>>();
    } catch (const std::exception& e) {
        throw store_error(std::string("stored panelists are not a JSON list of strings: ") + e.what());
    }
}

inline long long minutes_of(instant t) { return t.time_since_epoch().count(); }
inline long long minutes_of(local_minutes t) { return t.time_since_epoch().count(); }
inline instant instant_of(long long m) { return instant{minutes{m}}; }
inline local_minutes local_of(long long m) { return local_minutes{minutes{m}}; }

}  // namespace sala::detail
