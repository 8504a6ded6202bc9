// What Zoom's webhooks tell the lifecycle (docs/zoom.md "Webhooks in"): each
// note changes step records only, so a repeat changes nothing and the rows
// carry it to every process (durable_lifecycle commits them).
#include "lifecycle/engine.hpp"
#include "sala/lifecycle/lifecycle.hpp"

namespace sala {

std::optional<request_id> lifecycle::request_of_webinar(const std::string& webinar_id) const {
    if (webinar_id.empty()) return std::nullopt;
    for (const auto& [id, r] : state_.webinars)
        if (r.webinar && r.webinar->handle.webinar_id == webinar_id) return id;
    return std::nullopt;
}

std::optional<request_id> lifecycle::note_webinar_started(const std::string& webinar_id,
                                                          instant when) {
    const auto id = request_of_webinar(webinar_id);
    if (!id) return std::nullopt;
    webinar_record& r = state_.webinars.at(*id);
    if (!r.started_at) r.started_at = when;
    return id;
}

std::optional<request_id> lifecycle::note_webinar_ended(const std::string& webinar_id,
                                                        instant when) {
    const auto id = request_of_webinar(webinar_id);
    if (!id) return std::nullopt;
    webinar_record& r = state_.webinars.at(*id);
    step_record& end = r.steps[step_kind::end_webinar];
    if (!end.done) {
        // Zoom ended it: nothing left to force; the steps after it count from here.
        end.done = true;
        end.done_at = when;
    }
    // An end warning for a webinar that is over would only confuse.
    step_record& warn = r.steps[step_kind::mail_end_warning];
    if (!warn.done) {
        warn.done = true;
        warn.done_at = when;
    }
    return id;
}

std::optional<request_id> lifecycle::note_recording_completed(const std::string& webinar_id,
                                                              std::vector<recording_file> files,
                                                              instant when) {
    const auto id = request_of_webinar(webinar_id);
    if (!id) return std::nullopt;
    webinar_record& r = state_.webinars.at(*id);
    step_record& fetch = r.steps[step_kind::fetch_recordings];
    if (!fetch.done && !files.empty()) {
        r.recordings = std::move(files);
        fetch.done = true;
        fetch.done_at = when;
    }
    return id;
}

void lifecycle::notify_admin(const std::string& key, const std::string& detail, instant now) {
    detail::lifecycle_engine e(*this);
    mail_context ctx = e.admin_context();
    // The problem template names a webinar: the notice's first sentence stands in for it.
    ctx.title = detail.substr(0, detail.find('.'));
    ctx.detail = detail;
    e.queue_admin(mail_kind::backend_problem, ctx, key, now);
}

webinar_status lifecycle::status(request_id id) const {
    const webinar_status s = platform_.status(id);
    if (s != webinar_status::future) return s;
    const auto it = state_.webinars.find(id);
    return it != state_.webinars.end() && it->second.started_at ? webinar_status::running : s;
}

}  // namespace sala
