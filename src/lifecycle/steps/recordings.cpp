// R19: cloud recordings, polled after the forced end, flagged stuck when none
// arrived in time, saved through the recording sink, then moved to the trash.
#include <algorithm>
#include <cctype>

#include "lifecycle/steps/steps.hpp"

namespace sala::detail {

namespace {

std::string extension_of(const recording_file& f) {
    std::string t = f.file_type;
    if (t == "MP4") return "mp4";
    if (t == "M4A") return "m4a";
    if (t == "CHAT" || t == "CHAT_MESSAGE" || t == "TRANSCRIPT" || t == "CC") return "txt";
    if (t == "CSV") return "csv";
    std::transform(t.begin(), t.end(), t.begin(), [](unsigned char c) { return std::tolower(c); });
    return t.empty() ? "bin" : t;
}

// Keeps only characters that are safe in a file name.
std::string file_safe(std::string_view s) {
    std::string out;
    for (char ch : s)
        out += (std::isalnum(static_cast<unsigned char>(ch)) || ch == '-' || ch == '_') ? ch : '_';
    return out.empty() ? "file" : out;
}

std::string folder_of(request_id id) { return "request-" + num(id); }

// Listed, and there is somewhere to save them.
bool to_save(const due_view& v) {
    return v.ended() && v.done(step_kind::fetch_recordings) && !v.rec->recordings.empty() &&
           v.recording_sink;
}

// Polled every recordings_poll until they arrive or recordings_give_up_after.
struct fetch_recordings {
    static constexpr step_kind kind = step_kind::fetch_recordings;
    static constexpr step_scope scope = step_scope::on_room;
    static std::string key(request_id id, std::uint32_t, const std::string&) {
        return "recordings/" + num(id);
    }
    static std::optional<instant> due(const due_view& v) {
        if (!v.ended() || v.self.done) return std::nullopt;
        return v.ended_at();
    }
    static bool execute(step_run& s) {
        auto files = s.engine.conf.list_recordings(s.rec->webinar->handle.webinar_id);
        if (!files.empty()) {
            s.rec->recordings = std::move(files);
            s.detail = std::to_string(s.rec->recordings.size()) + " recording files listed";
            return true;
        }
        if (s.now >= s.rq->window.end + s.engine.options.recordings_give_up_after) {
            s.detail = "no recording arrived; stopped looking";
            return true;
        }
        s.detail = "no recording yet";
        return false;
    }
};

// Counted from the webinar's end; once.
struct recording_stuck {
    static constexpr step_kind kind = step_kind::recording_stuck;
    static constexpr step_scope scope = step_scope::on_room;
    static std::string key(request_id id, std::uint32_t, const std::string&) {
        return "recording-stuck/" + num(id);
    }
    static std::optional<instant> due(const due_view& v) {
        if (!v.ended() || v.done(step_kind::fetch_recordings) || v.self.done) return std::nullopt;
        return v.window().end + v.options.recording_stuck_after;
    }
    static bool execute(step_run& s) {
        auto& e = s.engine;
        s.rec->recording_stuck = true;
        auto ctx = e.context(*s.rq, *s.rec);
        ctx.recipient_name = e.options.admin.name;
        e.send(e.message(mail_kind::recording_stuck, ctx, {e.options.admin}, key(s.id, 0, {})),
               s.id, "recording_stuck");
        s.detail = "no recording 6 h after the end: flagged stuck, admin told (R19)";
        return true;
    }
};

// Each file to <sink>/request-<id>/<file>.<ext>, streamed by the backend.
struct download_recordings {
    static constexpr step_kind kind = step_kind::download_recordings;
    static constexpr step_scope scope = step_scope::on_room;
    static std::string key(request_id id, std::uint32_t, const std::string& file) {
        return "download/" + num(id) + "/" + file;
    }
    static std::optional<instant> due(const due_view& v) {
        if (!to_save(v) || v.self.done) return std::nullopt;
        return v.ended_at();
    }
    static bool execute(step_run& s) {
        auto& e = s.engine;
        const std::string folder = folder_of(s.id);
        for (const auto& f : s.rec->recordings) {
            const std::string k = key(s.id, 0, f.id);
            if (s.self.progress.count(k)) continue;
            const std::string path =
                e.recordings->stream_path(folder + "/" + file_safe(f.id) + "." + extension_of(f));
            e.conf.download_recording(f, path);
            s.self.progress.insert(k);
            e.record_effect("download_recording", k, "{\"file\":" + json_str(path) + "}", s.id);
        }
        s.detail = std::to_string(s.rec->recordings.size()) + " recording files saved in " +
                   e.recordings->location(folder);
        return true;
    }
};

// Only what was saved, and only unless keep_recordings.
struct trash_recordings {
    static constexpr step_kind kind = step_kind::trash_recordings;
    static constexpr step_scope scope = step_scope::on_room;
    static std::string key(request_id id, std::uint32_t, const std::string&) {
        return "trash/" + num(id);
    }
    static std::optional<instant> due(const due_view& v) {
        if (!to_save(v) || !v.done(step_kind::download_recordings) || v.options.keep_recordings ||
            v.self.done)
            return std::nullopt;
        return v.ended_at();
    }
    static bool execute(step_run& s) {
        const auto& id = s.rec->webinar->handle.webinar_id;
        s.engine.conf.trash_recordings(id);
        s.engine.record_effect("trash_recordings", key(s.id, 0, {}),
                               "{\"webinar_id\":" + json_str(id) + "}", s.id);
        s.detail = "recordings moved to the backend's trash (30 days)";
        return true;
    }
};

constexpr step_descriptor steps[] = {describe<fetch_recordings>(), describe<recording_stuck>(),
                                     describe<download_recordings>(), describe<trash_recordings>()};

}  // namespace

std::span<const step_descriptor> recordings_steps() { return steps; }

}  // namespace sala::detail
