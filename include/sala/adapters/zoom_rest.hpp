#pragma once
// Zoom REST adapter: sala::conferencing over the Zoom API v2 (shared
// docs/zoom.md) with Server-to-Server OAuth. libcurl + nlohmann-json stay
// inside the library (pimpl). Target sala::zoom.

#include <algorithm>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "sala/error.hpp"
#include "sala/ports/conferencing.hpp"

namespace sala {

struct zoom_config {
    // Server-to-Server OAuth app credentials: never logged, never in an error.
    std::string account_id;
    std::string client_id;
    std::string client_secret;
    std::string api_base = "https://api.zoom.us/v2";
    std::string oauth_url = "https://zoom.us/oauth/token";
    std::chrono::milliseconds connect_timeout{10'000};
    std::chrono::milliseconds total_timeout{30'000};        // one API call
    std::chrono::milliseconds download_timeout{3'600'000};  // one recording file
    int page_size = 300;                                    // docs/zoom.md §0: max 300
    // The largest API reply read (docs/zoom.md §12); a page of 300 users is
    // about 100 KB. A paged list may bring 8 times this over all its pages.
    std::size_t max_reply_bytes = 8u << 20;

    // ZOOM_ACCOUNT_ID, ZOOM_CLIENT_ID, ZOOM_CLIENT_SECRET (required) and the
    // optional SALA_ZOOM_API_BASE, SALA_ZOOM_OAUTH_URL,
    // SALA_ZOOM_TIMEOUT_SECONDS. Throws sala::invalid_settings naming the
    // variable that is missing or malformed.
    static zoom_config from_env();
};

// A failure Zoom answered with an HTTP status and a {"code","message"} body
// (docs/zoom.md §9). retryable() for 429 and 5xx; retry_after_seconds() from
// Retry-After on 429.
class zoom_error : public backend_error {
  public:
    zoom_error(const std::string& what, int http_status, int zoom_code, bool retryable,
               int retry_after_seconds = 0)
        : backend_error(what, retryable, retry_after_seconds),
          http_status_(http_status),
          zoom_code_(zoom_code) {}
    int http_status() const noexcept { return http_status_; }
    int zoom_code() const noexcept { return zoom_code_; }  // 0 when the body had none

  private:
    int http_status_;
    int zoom_code_;
};

class zoom_rest final : public conferencing {
  public:
    // Throws sala::invalid_settings for missing credentials or bad URLs.
    // Fetches no token yet: the first call does.
    explicit zoom_rest(zoom_config config);
    ~zoom_rest() override;
    zoom_rest(const zoom_rest&) = delete;
    zoom_rest& operator=(const zoom_rest&) = delete;

    // GET /users (active, every page); for each user GET /users/{id} (owner:
    // role_name "Owner") and, for Licensed/On-prem users, GET
    // /users/{id}/settings (licensed: feature.webinar; capacity:
    // feature.webinar_capacity).
    std::vector<account_user> list_users() override;
    // POST /users/{host}/webinars, type 5, start_time UTC "Z" + timezone,
    // settings.approval_type 0 (automatic) / 1 (manual). Not idempotent: Zoom
    // takes no idempotency key, so a retry after a lost reply may create a
    // second webinar (see docs/adapters.md).
    webinar_handle create_webinar(const webinar_spec& spec) override;
    // DELETE /webinars/{id}; 404 (code 3001) counts as done.
    void delete_webinar(const std::string& webinar_id) override;
    // PUT /webinars/{id}/status {"action":"end"}; 404 counts as done.
    void end_webinar(const std::string& webinar_id) override;
    // PUT /users/{id}/password.
    void set_user_password(const std::string& user_id, const std::string& password) override;
    // GET /report/webinars/{id}/participants, every page. 404 right after the
    // end is retryable: Zoom builds the report with some delay.
    std::vector<participant> participants_report(const std::string& webinar_id) override;
    // GET /meetings/{id}/recordings; 404 means none (yet).
    std::vector<recording_file> list_recordings(const std::string& webinar_id) override;
    // GET download_url with the bearer token, following redirects, into
    // destination_path (written as a temp file, then renamed).
    void download_recording(const recording_file& file,
                            const std::string& destination_path) override;
    // DELETE /meetings/{id}/recordings?action=trash; 404 counts as done.
    void trash_recordings(const std::string& webinar_id) override;
    // PATCH /users/{id}/settings {"in_meeting":{"waiting_room","auto_saving_chat"}}.
    void apply_room_settings(const std::string& user_id, const room_settings& s) override;

    // Caps on what Zoom's answers can make the adapter do (docs/zoom.md §12).
    // The longest wait retry_after_seconds() reports, whatever Retry-After
    // says: Zoom's longest limit resets daily at 00:00 UTC.
    static constexpr int max_retry_after_seconds = 86'400;
    // A download may exceed the file_size Zoom announced by 1 % plus this.
    static constexpr std::int64_t download_slack_bytes = 1 << 20;
    // The bound for a file listed without a file_size (CC, TIMELINE).
    static constexpr std::int64_t unsized_download_limit = 64 << 20;
    // No file_size counts beyond this (a listing may lie too).
    static constexpr std::int64_t max_download_bytes = std::int64_t{64} << 30;
    // The bound download_recording applies to `file`.
    static constexpr std::int64_t download_limit(const recording_file& file) noexcept {
        const std::int64_t announced = std::min(file.size_bytes, max_download_bytes);
        return announced > 0 ? announced + announced / 100 + download_slack_bytes
                             : unsized_download_limit;
    }
    // Pages one list call reads at most (300 000 users at the largest page size).
    static constexpr int max_pages = 1000;

    // How many tokens this adapter fetched (diagnostics, tests).
    int tokens_fetched() const noexcept;

  private:
    struct impl;
    std::unique_ptr<impl> impl_;
};

}  // namespace sala
