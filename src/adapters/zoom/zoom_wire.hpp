#pragma once
// Zoom's wire formats, apart from the transport (zoom_wire.cpp). Private to
// the Zoom adapter.

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <utility>

#include <nlohmann/json.hpp>

#include "sala/time.hpp"

namespace sala::zoom_detail {

using json = nlohmann::json;

struct response {
    long status = 0;
    std::string body;
    std::map<std::string, std::string> headers;  // lower-case names
};

// A reply body as JSON (discarded when it is none): invalid UTF-8 repaired to
// U+FFFD, values nested deeper than max_json_depth dropped.
inline constexpr int max_json_depth = 32;
json parse_reply(const std::string& body);

std::string pct(const std::string& s);
std::string webinar_segment(const std::string& id);
void require_id(const std::string& value, const char* field);

std::string str(const json& j, const char* key);
std::int64_t num(const json& j, const char* key);
std::string text(const json& j, const char* key, std::size_t max_chars = 200);
bool usable_id(const std::string& id);
bool usable_email(const std::string& e);
bool usable_url(const std::string& u);
std::string url_for_message(const std::string& u);

std::optional<std::chrono::sys_seconds> parse_iso(const std::string& s);
instant parse_instant(const std::string& s);
std::pair<int, std::string> zoom_code_message(const std::string& body);
std::optional<std::chrono::sys_seconds> parse_http_date(const std::string& s);
std::optional<int> retry_after_header(const response& r);
int retry_after(const response& r);

}  // namespace sala::zoom_detail
