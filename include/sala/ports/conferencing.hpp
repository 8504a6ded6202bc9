#pragma once
// Conferencing port: what sala needs from a video-conferencing backend (Zoom
// API v2, see docs/zoom.md). Failures throw sala::backend_error
// (retryable() for timeouts, 429, 5xx). Adapters: zoom_rest (src/adapters/zoom),
// the recording fake (sala/fakes/fake_conferencing.hpp).

#include <cstdint>
#include <string>
#include <vector>

#include "sala/request.hpp"
#include "sala/room.hpp"
#include "sala/time.hpp"

namespace sala {

struct webinar_spec {
    std::string host_user_id;  // the room's backend user
    std::string topic;
    instant start{};
    minutes duration{0};
    std::string zone;  // IANA zone shown to attendees
    sala::admission admission = admission::automatic;
    std::string passcode;  // webinar passcode (docs/zoom.md §3: <= 10 of [a-zA-Z0-9@-_*!])
    std::string agenda;
    friend bool operator==(const webinar_spec&, const webinar_spec&) = default;
};

struct webinar_handle {
    std::string webinar_id;
    std::string join_url;   // for attendees
    std::string start_url;  // for the host
    friend bool operator==(const webinar_handle&, const webinar_handle&) = default;
};

// One join/leave session of one person (docs/zoom.md §6): a person may appear twice.
struct participant {
    std::string name;
    std::string email;
    instant join_time{};
    instant leave_time{};
    std::int64_t duration_seconds = 0;
    friend bool operator==(const participant&, const participant&) = default;
};

struct recording_file {
    std::string id;
    std::string file_type;  // MP4, M4A, CHAT, TRANSCRIPT, ...
    std::string download_url;
    std::int64_t size_bytes = 0;
    friend bool operator==(const recording_file&, const recording_file&) = default;
};

// R20: what sala relies on in each room's settings.
struct room_settings {
    bool waiting_room = false;
    bool auto_save_chat = true;
    friend bool operator==(const room_settings&, const room_settings&) = default;
};

class conferencing {
  public:
    virtual ~conferencing() = default;
    // The users of the linked account, every page (R2).
    virtual std::vector<account_user> list_users() = 0;
    virtual webinar_handle create_webinar(const webinar_spec& spec) = 0;
    // Deleting a webinar that is already gone is not an error.
    virtual void delete_webinar(const std::string& webinar_id) = 0;
    // Ends a live webinar (R15); ending one that is not live is not an error.
    virtual void end_webinar(const std::string& webinar_id) = 0;
    // R12/R15: the room user's login password (docs/zoom.md §4 rules).
    virtual void set_user_password(const std::string& user_id, const std::string& password) = 0;
    // Attendance report, every page.
    virtual std::vector<participant> participants_report(const std::string& webinar_id) = 0;
    // R19: cloud recordings of a finished webinar; empty when none (yet).
    virtual std::vector<recording_file> list_recordings(const std::string& webinar_id) = 0;
    // Downloads one file to `destination_path` (a file the caller names).
    virtual void download_recording(const recording_file& file,
                                    const std::string& destination_path) = 0;
    // Moves all of a webinar's recordings to the backend's trash (30-day retention).
    virtual void trash_recordings(const std::string& webinar_id) = 0;
    // R20.
    virtual void apply_room_settings(const std::string& user_id, const room_settings& s) = 0;
};

}  // namespace sala
