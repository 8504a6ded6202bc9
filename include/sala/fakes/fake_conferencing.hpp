#pragma once
// In-memory conferencing backend for unit tests and demos: keeps webinars,
// passwords, reports, recordings and room settings, records every call, and
// fails on demand with sala::backend_error (retryable or not, with a
// retry-after) so the lifecycle's retries can be tested. Not thread-safe.

#include <cstdint>
#include <fstream>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "sala/enum_names.hpp"
#include "sala/error.hpp"
#include "sala/ports/clock.hpp"
#include "sala/ports/conferencing.hpp"

namespace sala {

class fake_conferencing : public conferencing {
  public:
    enum class method {
        list_users,
        create_webinar,
        delete_webinar,
        end_webinar,
        set_user_password,
        participants_report,
        list_recordings,
        download_recording,
        trash_recordings,
        apply_room_settings
    };

    struct call {
        method what;
        std::string key;  // the call's main argument: user id, webinar id, file id
        bool failed = false;
    };

    struct webinar {
        webinar_spec spec;
        webinar_handle handle;
        bool ended = false;
        std::optional<instant> ended_at;  // from the clock, when one is given
        bool deleted = false;
        bool recordings_trashed = false;
    };

    // With a clock, recordings of an ended webinar appear `recording_delay`
    // after it was ended; without one, as soon as it is ended.
    explicit fake_conferencing(std::vector<account_user> users = {},
                               std::shared_ptr<const clock> clk = nullptr)
        : users_(std::move(users)), clock_(std::move(clk)) {}

    // ---- configuration -------------------------------------------------------
    std::vector<account_user>& users() { return users_; }
    // Synthetic participants for a webinar's report (default: a few people).
    std::function<std::vector<participant>(const webinar&)> report_source = default_report;
    // Recordings produced for a webinar when it is ended (default: an MP4 and a chat file).
    std::function<std::vector<recording_file>(const webinar&)> recording_source =
        default_recordings;
    minutes recording_delay{60};

    // The next `n` calls of `m` throw backend_error(retryable, retry_after_seconds).
    void fail_next(method m, int n, bool retryable = true, int retry_after_seconds = 0) {
        failures_[m].push_back({n, retryable, retry_after_seconds});
    }
    // Every distinct call (method + main argument) fails the first time, then succeeds.
    void fail_every_call_once(bool on = true) { fail_once_ = on; }

    // ---- inspection ---------------------------------------------------------------
    const std::vector<call>& calls() const { return calls_; }
    std::size_t count(method m, bool include_failed = false) const {
        std::size_t n = 0;
        for (const auto& c : calls_)
            if (c.what == m && (include_failed || !c.failed)) ++n;
        return n;
    }
    std::size_t failures() const {
        std::size_t n = 0;
        for (const auto& c : calls_) n += c.failed ? 1 : 0;
        return n;
    }
    const std::map<std::string, webinar>& webinars() const { return webinars_; }
    const webinar* find_webinar(const std::string& id) const {
        auto it = webinars_.find(id);
        return it == webinars_.end() ? nullptr : &it->second;
    }
    // Webinars not deleted, for a host user.
    std::vector<const webinar*> live_webinars_of(const std::string& user_id) const {
        std::vector<const webinar*> out;
        for (const auto& [id, w] : webinars_)
            if (!w.deleted && w.spec.host_user_id == user_id) out.push_back(&w);
        return out;
    }
    // Every password a user was given, oldest first.
    const std::vector<std::string>& password_history(const std::string& user_id) const {
        static const std::vector<std::string> none;
        auto it = passwords_.find(user_id);
        return it == passwords_.end() ? none : it->second;
    }
    std::optional<std::string> password_of(const std::string& user_id) const {
        const auto& h = password_history(user_id);
        if (h.empty()) return std::nullopt;
        return h.back();
    }
    std::optional<room_settings> settings_of(const std::string& user_id) const {
        auto it = settings_.find(user_id);
        if (it == settings_.end()) return std::nullopt;
        return it->second;
    }
    const std::vector<std::string>& downloads() const { return downloads_; }

    // ---- conferencing -----------------------------------------------------------------
    std::vector<account_user> list_users() override {
        enter(method::list_users, "");
        return users_;
    }

    webinar_handle create_webinar(const webinar_spec& spec) override {
        enter(method::create_webinar,
              spec.host_user_id + "/" + spec.topic + "/" + format_iso_utc(spec.start));
        const std::string id = std::to_string(next_id_++);
        webinar w;
        w.spec = spec;
        w.handle = {id, "https://zoom.example/w/" + id + "?pwd=" + spec.passcode,
                    "https://zoom.example/s/" + id + "?zak=host-" + spec.host_user_id};
        webinars_.emplace(id, w);
        return w.handle;
    }

    void delete_webinar(const std::string& webinar_id) override {
        enter(method::delete_webinar, webinar_id);
        if (auto it = webinars_.find(webinar_id); it != webinars_.end()) it->second.deleted = true;
    }

    void end_webinar(const std::string& webinar_id) override {
        enter(method::end_webinar, webinar_id);
        auto it = webinars_.find(webinar_id);
        if (it == webinars_.end() || it->second.deleted)
            throw backend_error("Webinar " + webinar_id + " not found or has expired. (3001)",
                                false);
        if (!it->second.ended) {
            it->second.ended = true;
            if (clock_) it->second.ended_at = clock_->now();
        }
    }

    void set_user_password(const std::string& user_id, const std::string& password) override {
        enter(method::set_user_password, user_id);
        passwords_[user_id].push_back(password);
    }

    std::vector<participant> participants_report(const std::string& webinar_id) override {
        enter(method::participants_report, webinar_id);
        auto it = webinars_.find(webinar_id);
        if (it == webinars_.end())
            throw backend_error("Webinar " + webinar_id + " not found or has expired. (3001)",
                                false);
        return report_source ? report_source(it->second) : std::vector<participant>{};
    }

    std::vector<recording_file> list_recordings(const std::string& webinar_id) override {
        enter(method::list_recordings, webinar_id);
        auto it = webinars_.find(webinar_id);
        if (it == webinars_.end() || !it->second.ended || it->second.recordings_trashed) return {};
        if (clock_ && it->second.ended_at && clock_->now() < *it->second.ended_at + recording_delay)
            return {};
        return recording_source ? recording_source(it->second) : std::vector<recording_file>{};
    }

    void download_recording(const recording_file& file,
                            const std::string& destination_path) override {
        enter(method::download_recording, file.id);
        std::ofstream out(destination_path, std::ios::binary | std::ios::trunc);
        if (!out) throw backend_error("cannot write " + destination_path, false);
        out << "fake " << file.file_type << " recording " << file.id << "\n";
        downloads_.push_back(destination_path);
    }

    void trash_recordings(const std::string& webinar_id) override {
        enter(method::trash_recordings, webinar_id);
        if (auto it = webinars_.find(webinar_id); it != webinars_.end())
            it->second.recordings_trashed = true;
    }

    void apply_room_settings(const std::string& user_id, const room_settings& s) override {
        enter(method::apply_room_settings, user_id);
        settings_[user_id] = s;
    }

    static std::vector<participant> default_report(const webinar& w) {
        const instant s = w.spec.start;
        const auto secs = [](minutes m) { return static_cast<std::int64_t>(m.count()) * 60; };
        return {
            {"Ana García", "ana@example.org", s, s + w.spec.duration, secs(w.spec.duration)},
            {"Luis Pérez", "luis@example.org", s + minutes{5}, s + minutes{20}, secs(minutes{15})},
            {"Luis Pérez", "luis@example.org", s + minutes{25}, s + w.spec.duration,
             secs(w.spec.duration - minutes{25})},
            {"Guest", "", s + minutes{1}, s + minutes{11}, secs(minutes{10})},
        };
    }

    static std::vector<recording_file> default_recordings(const webinar& w) {
        const std::string id = w.handle.webinar_id;
        return {{"rec-" + id + "-mp4", "MP4", "https://zoom.example/rec/" + id + "/mp4", 1048576},
                {"rec-" + id + "-chat", "CHAT", "https://zoom.example/rec/" + id + "/chat", 2048}};
    }

  private:
    struct failure {
        int remaining;
        bool retryable;
        int retry_after;
    };

    void enter(method m, const std::string& key) {
        auto& queue = failures_[m];
        while (!queue.empty() && queue.front().remaining <= 0) queue.erase(queue.begin());
        if (!queue.empty()) {
            auto& f = queue.front();
            --f.remaining;
            calls_.push_back({m, key, true});
            throw backend_error("fake: injected failure of " + name(m) + "(" + key + ")",
                                f.retryable, f.retry_after);
        }
        if (fail_once_ && failed_once_.insert({m, key}).second) {
            calls_.push_back({m, key, true});
            throw backend_error("fake: first call of " + name(m) + "(" + key + ") fails", true);
        }
        calls_.push_back({m, key, false});
    }

  public:
    static std::string name(method m) {
        return std::string(method_names[static_cast<std::size_t>(m)].second);
    }
    static constexpr enum_table<method, 10> method_names{
        {SALA_ENUM_NAME(method, list_users), SALA_ENUM_NAME(method, create_webinar),
         SALA_ENUM_NAME(method, delete_webinar), SALA_ENUM_NAME(method, end_webinar),
         SALA_ENUM_NAME(method, set_user_password), SALA_ENUM_NAME(method, participants_report),
         SALA_ENUM_NAME(method, list_recordings), SALA_ENUM_NAME(method, download_recording),
         SALA_ENUM_NAME(method, trash_recordings), SALA_ENUM_NAME(method, apply_room_settings)}};

  private:
    std::vector<account_user> users_;
    std::shared_ptr<const clock> clock_;
    std::map<std::string, webinar> webinars_;
    std::map<std::string, std::vector<std::string>> passwords_;
    std::map<std::string, room_settings> settings_;
    std::vector<std::string> downloads_;
    std::vector<call> calls_;
    std::map<method, std::vector<failure>> failures_;
    bool fail_once_ = false;
    std::set<std::pair<method, std::string>> failed_once_;
    std::uint64_t next_id_ = 97871060099;
};

template <>
struct enum_names<fake_conferencing::method> {
    static constexpr const auto& entries = fake_conferencing::method_names;
};

}  // namespace sala
