// The webinar on its room: the queue notice (R10), the create on the reserved
// room, a reassignment's delete and mail (R11), and a cancellation's delete.
#include <algorithm>

#include "lifecycle/steps/steps.hpp"
#include "sala/lifecycle/credentials.hpp"

namespace sala::detail {

namespace {

// Deletes `w` once (`key` in the step's progress), then expires its room's password.
void delete_and_expire(step_run& s, const backend_webinar& w, const std::string& key) {
    if (!s.self.progress.count(key)) {
        s.engine.conf.delete_webinar(w.handle.webinar_id);
        s.self.progress.insert(key);
        s.engine.record_effect("delete_webinar", key,
                               "{\"webinar_id\":" + json_str(w.handle.webinar_id) + "}", s.id);
    }
    expire_password(s, w, "expire/" + num(s.id) + "/" + w.handle.webinar_id);
}

struct notify_unassigned {
    static constexpr step_kind kind = step_kind::notify_unassigned;
    static constexpr step_scope scope = step_scope::request;
    static std::string key(request_id id, std::uint32_t, const std::string&) {
        return "unassigned/" + num(id);
    }
    static std::optional<instant> due(const due_view& v) {
        const auto& q = v.platform.queue;
        if (v.self.done || std::find(q.begin(), q.end(), v.rq->id) == q.end()) return std::nullopt;
        return asap;
    }
    static bool execute(step_run& s) {
        auto& e = s.engine;
        e.send(e.message(mail_kind::request_unassigned, e.context(*s.rq, *s.rec), {s.organizer()},
                         key(s.id, 0, {})),
               s.id, "request_unassigned");
        s.detail =
            "organizer " + s.rq->organizer.email + " told: no room free, request queued (R10)";
        return true;
    }
};

// Again after a reassignment: every later step needs the webinar on the reserved room.
struct create_webinar {
    static constexpr step_kind kind = step_kind::create_webinar;
    static constexpr step_scope scope = step_scope::reserved;
    static std::string key(request_id id, std::uint32_t gen, const std::string&) {
        return "create/" + num(id) + "/" + std::to_string(gen);
    }
    static std::optional<instant> due(const due_view& v) {
        if (v.rec->webinar && v.rec->webinar->room == v.res->room) return std::nullopt;
        return asap;
    }
    static bool execute(step_run& s) {
        auto& e = s.engine;
        webinar_record& r = *s.rec;
        const request& rq = *s.rq;
        const reservation& res = e.plat.state().reservations.at(s.id);
        const room rm = e.plat.get_room(res.room);
        webinar_spec spec;
        spec.host_user_id = rm.user_id;
        spec.topic = rq.title;
        spec.start = rq.window.start;
        spec.duration = rq.duration;
        spec.zone = rq.zone;
        spec.admission = rq.admission;
        spec.passcode = generate_webinar_passcode();
        spec.agenda = rq.event_id.empty() ? std::string{} : "Event " + rq.event_id;
        const webinar_handle h = e.conf.create_webinar(spec);
        backend_webinar bw{res.room,      rm.user_id,       rm.email, h,
                           spec.passcode, r.generation + 1, false};
        if (r.webinar) {  // deleted only now that the new one exists (R11)
            r.replaced.push_back(*r.webinar);
            r.previous_room_email = r.webinar->room_email;
        }
        r.webinar = bw;
        r.generation = bw.generation;
        if (r.generation > 1) {
            // New links and a new room: what was given for the old one is given again.
            for (auto k :
                 {step_kind::delete_replaced, step_kind::mail_reassigned, step_kind::set_password,
                  step_kind::mail_credentials, step_kind::mail_join_links})
                r.steps.erase(k);
            e.passwords.erase(s.id);
            r.sealed_password.clear();
        }
        e.record_effect("create_webinar", key(s.id, r.generation, {}),
                        "{\"user\":" + json_str(rm.user_id) + ",\"topic\":" + json_str(rq.title) +
                            ",\"start\":" + json_str(format_iso_utc(rq.window.start)) +
                            ",\"webinar_id\":" + json_str(h.webinar_id) + "}",
                        s.id);
        s.detail = "webinar " + h.webinar_id + " created on " + rm.email;
        return true;
    }
};

// R11: the old rooms' webinars, once the new one exists; each again after a later reassignment.
struct delete_replaced {
    static constexpr step_kind kind = step_kind::delete_replaced;
    static constexpr step_scope scope = step_scope::on_room;
    static std::string key(request_id id, std::uint32_t, const std::string& webinar) {
        return "delete/" + num(id) + "/" + webinar;
    }
    static std::optional<instant> due(const due_view& v) {
        if (v.rec->replaced.empty()) return std::nullopt;
        return asap;
    }
    static bool execute(step_run& s) {
        auto& r = *s.rec;
        while (!r.replaced.empty()) {
            const backend_webinar old = r.replaced.front();
            delete_and_expire(s, old, key(s.id, 0, old.handle.webinar_id));
            s.detail += (s.detail.empty() ? "" : "; ") + std::string("webinar ") +
                        old.handle.webinar_id + " deleted from " + old.room_email;
            r.replaced.erase(r.replaced.begin());
        }
        return true;
    }
};

struct mail_reassigned {
    static constexpr step_kind kind = step_kind::mail_reassigned;
    static constexpr step_scope scope = step_scope::on_room;
    static std::string key(request_id id, std::uint32_t gen, const std::string&) {
        return "reassigned/" + num(id) + "/" + std::to_string(gen);
    }
    static std::optional<instant> due(const due_view& v) {
        if (v.rec->generation <= 1 || v.self.done) return std::nullopt;
        return asap;
    }
    static bool execute(step_run& s) {
        auto& e = s.engine;
        auto ctx = e.context(*s.rq, *s.rec);
        ctx.previous_room_email = s.rec->previous_room_email;
        e.send(e.message(mail_kind::reassigned, ctx, {s.organizer()},
                         key(s.id, s.rec->generation, {})),
               s.id, "reassigned");
        s.detail = "organizer told to re-invite panelists (R11)";
        return true;
    }
};

// The current and any replaced webinar of a request the platform no longer has.
struct delete_cancelled {
    static constexpr step_kind kind = step_kind::delete_cancelled;
    static constexpr step_scope scope = step_scope::cancelled;
    static std::string key(request_id id, std::uint32_t, const std::string& webinar) {
        return "cancel/" + num(id) + "/" + webinar;
    }
    static std::optional<instant> due(const due_view& v) {
        if ((!v.rec->webinar && v.rec->replaced.empty()) || v.self.done) return std::nullopt;
        return asap;
    }
    static bool execute(step_run& s) {
        auto& r = *s.rec;
        std::vector<backend_webinar> all = r.replaced;
        if (r.webinar) all.push_back(*r.webinar);
        for (const auto& w : all) delete_and_expire(s, w, key(s.id, 0, w.handle.webinar_id));
        r.webinar.reset();
        r.replaced.clear();
        s.engine.passwords.erase(s.id);
        r.sealed_password.clear();
        s.detail = "cancelled: backend webinar deleted";
        return true;
    }
};

constexpr step_descriptor steps[] = {describe<notify_unassigned>(), describe<create_webinar>(),
                                     describe<delete_replaced>(), describe<mail_reassigned>(),
                                     describe<delete_cancelled>()};

}  // namespace

std::span<const step_descriptor> placement_steps() { return steps; }

}  // namespace sala::detail
