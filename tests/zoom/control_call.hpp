#pragma once
// The test peers' control endpoint (/_control/<what>): set modes and faults,
// read what the peer saw. Shared by the Zoom tests and the hostile ones.

#include <curl/curl.h>

#include <cstddef>
#include <stdexcept>
#include <string>

#include <nlohmann/json.hpp>

namespace test_support {

inline nlohmann::json control_call(const std::string& base, const std::string& what,
                                   const nlohmann::json& body, bool get) {
    CURL* c = curl_easy_init();
    std::string out;
    const std::string url = base + "/_control/" + what;
    const std::string data = body.dump();
    curl_easy_setopt(c, CURLOPT_URL, url.c_str());
    if (!get) curl_easy_setopt(c, CURLOPT_POSTFIELDS, data.c_str());
    curl_easy_setopt(
        c, CURLOPT_WRITEFUNCTION, +[](char* p, std::size_t s, std::size_t n, void* ud) {
            static_cast<std::string*>(ud)->append(p, s * n);
            return s * n;
        });
    curl_easy_setopt(c, CURLOPT_WRITEDATA, &out);
    const CURLcode rc = curl_easy_perform(c);
    curl_easy_cleanup(c);
    if (rc != CURLE_OK) throw std::runtime_error("control call failed: " + what);
    return nlohmann::json::parse(out);
}

}  // namespace test_support
