// R12: the credentials at start - credentials_lead (earlier when an admin asks,
// R13): a fresh password on the room user, mailed to the organizer, and the
// join links to panelists and registered attendees.
#include <algorithm>

#include "lifecycle/steps/steps.hpp"
#include "sala/lifecycle/credentials.hpp"

namespace sala::detail {

bool password_in_use(const lifecycle_state& st, request_id id, room_id room) {
    for (const auto& [oid, o] : st.webinars) {
        if (oid == id || !o.webinar || o.webinar->room != room || !o.webinar->password_given)
            continue;
        auto rot = o.steps.find(step_kind::rotate_password);
        if (rot == o.steps.end() || !rot->second.done) return true;
    }
    return false;
}

void expire_password(step_run& s, const backend_webinar& w, const std::string& key) {
    if (!w.password_given || s.self.progress.count(key) ||
        password_in_use(s.engine.state, s.id, w.room))
        return;
    s.engine.conf.set_user_password(w.host_user_id, generate_room_password());
    s.self.progress.insert(key);
    s.engine.record_effect("set_user_password", key,
                           "{\"user\":" + json_str(w.host_user_id) + ",\"reason\":\"expire\"}",
                           s.id);
}

namespace {

instant credentials_moment(const due_view& v) {
    const instant cred = v.window().start - v.platform.settings.credentials_lead;
    return v.rec->credentials_requested ? std::min(cred, *v.rec->credentials_requested) : cred;
}

std::string with_generation(const char* prefix, request_id id, std::uint32_t gen) {
    return prefix + num(id) + "/" + std::to_string(gen);
}

struct set_password {
    static constexpr step_kind kind = step_kind::set_password;
    static constexpr step_scope scope = step_scope::on_room;
    static std::string key(request_id id, std::uint32_t gen, const std::string&) {
        return with_generation("password/", id, gen);
    }
    // Set again when a restart lost the password before it was mailed.
    static std::optional<instant> due(const due_view& v) {
        if (v.self.done && (v.done(step_kind::mail_credentials) || v.password_known))
            return std::nullopt;
        return credentials_moment(v);
    }
    static bool execute(step_run& s) {
        auto& w = *s.rec->webinar;
        // Kept across retries and restarts (sealed with a key): one password per key.
        const std::string pw = s.engine.ensure_password(s.id, *s.rec);
        s.engine.conf.set_user_password(w.host_user_id, pw);
        w.password_given = true;
        s.engine.record_effect(
            "set_user_password", key(s.id, s.rec->generation, {}),
            "{\"user\":" + json_str(w.host_user_id) + ",\"reason\":\"credentials\"}", s.id);
        s.detail = "fresh password on " + w.room_email;
        return true;
    }
};

struct mail_credentials {
    static constexpr step_kind kind = step_kind::mail_credentials;
    static constexpr step_scope scope = step_scope::on_room;
    static std::string key(request_id id, std::uint32_t gen, const std::string&) {
        return with_generation("credentials/", id, gen);
    }
    // Only with the password set and still known (else set_password runs first).
    static std::optional<instant> due(const due_view& v) {
        if (v.self.done || !v.done(step_kind::set_password) || !v.password_known)
            return std::nullopt;
        return credentials_moment(v);
    }
    static bool execute(step_run& s) {
        auto& e = s.engine;
        auto ctx = e.context(*s.rq, *s.rec);
        ctx.password = e.password_of(s.id, *s.rec).value();
        e.send(e.message(mail_kind::credentials, ctx, {s.organizer()},
                         key(s.id, s.rec->generation, {})),
               s.id, "credentials");
        s.detail = "credentials mailed to " + s.rq->organizer.email;
        return true;
    }
};

// One mail per recipient, so no address list leaks.
struct mail_join_links {
    static constexpr step_kind kind = step_kind::mail_join_links;
    static constexpr step_scope scope = step_scope::on_room;
    static std::string key(request_id id, std::uint32_t gen, const std::string& email) {
        return with_generation("join/", id, gen) + "/" + email;
    }
    static std::optional<instant> due(const due_view& v) {
        if (v.self.done) return std::nullopt;
        return credentials_moment(v);
    }
    static bool execute(step_run& s) {
        auto& e = s.engine;
        std::vector<mail_address> to;
        for (const auto& p : s.rq->panelists) to.push_back({"", p});
        if (e.options.attendees)
            for (auto& a : e.options.attendees(*s.rq)) to.push_back(std::move(a));
        std::size_t sent = 0;
        for (const auto& a : to) {
            const std::string k = key(s.id, s.rec->generation, a.email);
            if (s.self.progress.count(k)) continue;
            auto ctx = e.context(*s.rq, *s.rec);
            ctx.recipient_name = a.name;
            e.send(e.message(mail_kind::join_link, ctx, {a}, k), s.id, "join_link");
            s.self.progress.insert(k);
            ++sent;
        }
        s.detail = "join link mailed to " + std::to_string(sent) + " panelists/attendees";
        return true;
    }
};

constexpr step_descriptor steps[] = {describe<set_password>(), describe<mail_credentials>(),
                                     describe<mail_join_links>()};

}  // namespace

std::span<const step_descriptor> credentials_steps() { return steps; }

}  // namespace sala::detail
