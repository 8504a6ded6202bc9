#pragma once
// Text forms of enums, lists and instants in the SQL stores' rows (src/store).

#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "sala/enum_names.hpp"
#include "sala/error.hpp"
#include "sala/records.hpp"
#include "sala/request.hpp"
#include "sala/room.hpp"

namespace sala::detail {

inline const char* policy_name(policy_kind k) { return to_string(k); }

// A stored enum spelling back to its value; `what` names the column for the error.
template <class E>
E parse_stored(const std::string& s, const char* what) {
    if (const auto v = parse_enum<E>(s)) return *v;
    throw store_error(std::string("stored ") + what + " '" + s + "' is not one sala knows");
}
inline policy_kind parse_policy(const std::string& s) {
    return parse_stored<policy_kind>(s, "policy");
}
inline pool_kind parse_pool_kind(const std::string& s) {
    return parse_stored<pool_kind>(s, "pool kind");
}
inline room_mode parse_mode(const std::string& s) {
    return parse_stored<room_mode>(s, "room mode");
}
inline sala::admission parse_admission(const std::string& s) {
    return parse_stored<admission>(s, "admission");
}
inline effect_status parse_status(const std::string& s) {
    return parse_stored<effect_status>(s, "effect status");
}

inline std::string encode_list(const std::vector<std::string>& v) {
    return nlohmann::json(v).dump();
}
inline std::vector<std::string> decode_list(const std::string& s) {
    try {
        return nlohmann::json::parse(s).get<std::vector<std::string>>();
    } catch (const std::exception& e) {
        throw store_error(std::string("stored panelists are not a JSON list of strings: ") +
                          e.what());
    }
}

inline long long minutes_of(instant t) { return t.time_since_epoch().count(); }
inline long long minutes_of(local_minutes t) { return t.time_since_epoch().count(); }
inline instant instant_of(long long m) { return instant{minutes{m}}; }
inline local_minutes local_of(long long m) { return local_minutes{minutes{m}}; }

}  // namespace sala::detail
