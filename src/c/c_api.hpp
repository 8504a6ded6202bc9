#pragma once
// Private to the C API (src/c): the handles behind include/sala/c/sala.h, the
// exception boundary and the JSON conversions.

#include <nlohmann/json.hpp>

#include <cstdint>
#include <memory>
#include <string>

#include "sala/c/sala.h"
#include "sala/durable/durable_platform.hpp"
#include "sala/error.hpp"
#include "sala/ports/clock.hpp"

namespace sala::detail {

// A feature this build of the library does not have (PostgreSQL, Zoom).
class c_unsupported : public error {
  public:
    using error::error;
};

struct c_platform {
    std::shared_ptr<manual_clock> manual;  // set when opened with "clock"
    std::unique_ptr<durable_platform> durable;
    bool has_lifecycle = false;
};

// Clears this thread's last error; runs `body`; maps what it throws to a
// status and keeps the message and field for sala_last_error().
sala_status c_call(const std::function<void()>& body) noexcept;

// The argument named `name` is a non-null pointer, or invalid_argument(name).
void c_need(const void* p, const char* name);

// Parses `text` (the argument `name`) as a JSON object (arrays with `array`).
nlohmann::json c_parse(const char* text, const char* name, bool array = false);
// Throws invalid_argument(where) naming the first member not in `known`.
void c_only(const nlohmann::json& o, std::initializer_list<const char*> known, const char* where);
std::string c_string(const nlohmann::json& o, const char* key, bool required = true);
std::int64_t c_integer(const nlohmann::json& o, const char* key);

// Unix seconds <-> sala instants (whole minutes).
instant c_instant(std::int64_t unix_seconds, const char* name);
std::int64_t c_unix(instant t) noexcept;

// A malloc'd copy for the caller, freed with sala_free.
char* c_copy(const std::string& s);
void c_out(char** out, const nlohmann::json& j);

request_input c_request_input(const nlohmann::json& in);
nlohmann::json c_request_json(const durable_platform& p, const request& r);
nlohmann::json c_assignment_json(const assignment& a);
nlohmann::json c_room_json(const room& r);
std::vector<account_user> c_users(const nlohmann::json& users);

}  // namespace sala::detail

struct sala_platform {
    std::shared_ptr<sala::detail::c_platform> impl;
};
