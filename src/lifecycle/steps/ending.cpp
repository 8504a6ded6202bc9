// The end of a webinar: the warning (R14), the forced end at end + courtesy,
// the password's expiry and the room free after post-processing (R15).
#include "lifecycle/steps/steps.hpp"
#include "sala/lifecycle/credentials.hpp"

namespace sala::detail {

namespace {

struct mail_end_warning {
    static constexpr step_kind kind = step_kind::mail_end_warning;
    static constexpr step_scope scope = step_scope::on_room;
    static std::string key(request_id id, std::uint32_t, const std::string&) {
        return "end-warning/" + num(id);
    }
    static std::optional<instant> due(const due_view& v) {
        if (v.self.done) return std::nullopt;
        return v.window().end - v.platform.settings.end_warning_lead;
    }
    static bool execute(step_run& s) {
        auto& e = s.engine;
        e.send(e.message(mail_kind::end_warning, e.context(*s.rq, *s.rec), {s.organizer()},
                         key(s.id, 0, {})),
               s.id, "end_warning");
        s.detail = "end warning mailed to " + s.rq->organizer.email;
        return true;
    }
};

// Every step after it waits for it (due_view::ended).
struct end_webinar {
    static constexpr step_kind kind = step_kind::end_webinar;
    static constexpr step_scope scope = step_scope::on_room;
    static std::string key(request_id id, std::uint32_t, const std::string&) {
        return "end/" + num(id);
    }
    static std::optional<instant> due(const due_view& v) {
        if (v.self.done) return std::nullopt;
        return v.window().grace_end;
    }
    static bool execute(step_run& s) {
        const auto& w = *s.rec->webinar;
        s.engine.conf.end_webinar(w.handle.webinar_id);
        s.engine.record_effect("end_webinar", key(s.id, 0, {}),
                               "{\"webinar_id\":" + json_str(w.handle.webinar_id) + "}", s.id);
        s.detail = "webinar " + w.handle.webinar_id + " ended, room " + w.room_email + " closed";
        return true;
    }
};

// The password expires only after it was given out, never before (R15).
struct rotate_password {
    static constexpr step_kind kind = step_kind::rotate_password;
    static constexpr step_scope scope = step_scope::on_room;
    static std::string key(request_id id, std::uint32_t, const std::string&) {
        return "rotate/" + num(id);
    }
    static std::optional<instant> due(const due_view& v) {
        if (!v.ended() || v.self.done || !v.done(step_kind::set_password) ||
            !v.done(step_kind::mail_credentials))
            return std::nullopt;
        return v.window().grace_end;
    }
    static bool execute(step_run& s) {
        const auto& w = *s.rec->webinar;
        if (!password_in_use(s.engine.state, s.id, w.room)) {
            s.engine.conf.set_user_password(w.host_user_id, generate_room_password());
            s.engine.record_effect(
                "set_user_password", key(s.id, 0, {}),
                "{\"user\":" + json_str(w.host_user_id) + ",\"reason\":\"expire\"}", s.id);
            s.detail = "password of " + w.room_email + " rotated: the webinar's one expired";
        } else {
            s.detail = "password of " + w.room_email + " already replaced by the next webinar's";
        }
        s.engine.passwords.erase(s.id);
        s.rec->sealed_password.clear();  // expired: nothing left to keep at rest
        return true;
    }
};

// No backend call: the timeline notes the room is free.
struct room_free {
    static constexpr step_kind kind = step_kind::room_free;
    static constexpr step_scope scope = step_scope::on_room;
    static std::string key(request_id id, std::uint32_t, const std::string&) {
        return "room-free/" + num(id);
    }
    static std::optional<instant> due(const due_view& v) {
        if (!v.ended() || !v.done(step_kind::rotate_password) || v.self.done) return std::nullopt;
        return v.window().blocked.end();
    }
    static bool execute(step_run& s) {
        s.detail = "post-processing over: " + s.rec->webinar->room_email + " is free";
        return true;
    }
};

constexpr step_descriptor steps[] = {describe<mail_end_warning>(), describe<end_webinar>(),
                                     describe<rotate_password>(), describe<room_free>()};

}  // namespace

std::span<const step_descriptor> ending_steps() { return steps; }

}  // namespace sala::detail
