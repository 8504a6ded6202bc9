// The lifecycle engine: which steps are due (asking each step's due rule),
// their order, retries with backoff and surfacing to the admin. What a step
// does is in steps/.
#include "lifecycle/engine.hpp"

#include <algorithm>
#include <cstdio>
#include <set>

#include "sala/error.hpp"
#include "sala/lifecycle/credentials.hpp"

namespace sala::detail {

namespace {

const step_record& no_step() {
    static const step_record none;
    return none;
}

void add_if_due(const step_descriptor& d, const due_view& v, std::optional<request_id> request,
                std::optional<room_id> room, std::size_t notice, std::vector<candidate>& out) {
    if (const auto moment = d.due(v))
        out.push_back(
            {*moment, std::max(*moment, v.self.next_attempt), d.kind, request, room, notice});
}

}  // namespace

std::string default_holder() {
    unsigned char r[8];
    secure_random_bytes(r);
    std::string out = "sala-";
    for (const unsigned char b : r) {
        char hex[3];
        std::snprintf(hex, sizeof hex, "%02x", b);
        out += hex;
    }
    return out;
}

std::string json_str(std::string_view s) {
    std::string out = "\"";
    for (char ch : s) {
        const auto u = static_cast<unsigned char>(ch);
        switch (ch) {
            case '"': out += "\\\""; break;
            case '\\': out += "\\\\"; break;
            case '\n': out += "\\n"; break;
            case '\r': out += "\\r"; break;
            case '\t': out += "\\t"; break;
            default:
                if (u < 0x20) {
                    char buf[8];
                    std::snprintf(buf, sizeof buf, "\\u%04x", u);
                    out += buf;
                } else {
                    out += ch;
                }
        }
    }
    return out + "\"";
}

const step_record& due_view::step(step_kind k) const {
    if (!rec) return no_step();
    auto it = rec->steps.find(k);
    return it == rec->steps.end() ? no_step() : it->second;
}

// ---- what is due ------------------------------------------------------------------

void lifecycle_engine::room_candidates(const lifecycle& l, std::vector<candidate>& out) {
    const platform_state& ps = l.platform_.state();
    for (const step_descriptor& d : step_table()) {
        if (d.scope != step_scope::room) continue;
        for (const room& rm : ps.rooms) {
            auto it = l.state_.room_settings.find(rm.id);
            const step_record& s = it == l.state_.room_settings.end() ? no_step() : it->second;
            add_if_due(d, {.options = l.options_, .platform = ps, .self = s, .rm = &rm},
                       std::nullopt, rm.id, 0, out);
        }
    }
}

void lifecycle_engine::notice_candidates(const lifecycle& l, std::vector<candidate>& out) {
    const platform_state& ps = l.platform_.state();
    for (const step_descriptor& d : step_table()) {
        if (d.scope != step_scope::notice) continue;
        for (std::size_t i = 0; i < l.state_.admin_notices.size(); ++i) {
            const admin_notice& n = l.state_.admin_notices[i];
            add_if_due(d, {.options = l.options_, .platform = ps, .self = n.step, .notice = &n},
                       std::nullopt, std::nullopt, i, out);
        }
    }
}

void lifecycle_engine::request_candidates(const lifecycle& l, request_id id,
                                          std::vector<candidate>& out) {
    const platform_state& ps = l.platform_.state();
    static const webinar_record empty_record;
    auto rit = l.state_.webinars.find(id);
    const webinar_record& r = rit == l.state_.webinars.end() ? empty_record : rit->second;
    auto qit = ps.requests.find(id);
    const request* rq = qit == ps.requests.end() ? nullptr : &qit->second;
    auto res_it = rq ? ps.reservations.find(id) : ps.reservations.end();
    const reservation* res = res_it == ps.reservations.end() ? nullptr : &res_it->second;
    const bool on_room = res && r.webinar && r.webinar->room == res->room;
    const auto in_scope = [&](step_scope s) {
        switch (s) {
            case step_scope::room:
            case step_scope::notice: return false;
            case step_scope::cancelled: return rq == nullptr;
            case step_scope::request: return rq != nullptr;
            case step_scope::reserved: return res != nullptr;
            case step_scope::on_room: return on_room;
        }
        return false;
    };
    const std::optional<room_id> room =
        r.webinar ? std::optional<room_id>(r.webinar->room) : std::nullopt;
    const bool password_known =
        l.passwords_.count(id) > 0 || (!r.sealed_password.empty() && !l.credentials_key_.empty());
    for (const step_descriptor& d : step_table()) {
        if (!in_scope(d.scope)) continue;
        auto sit = r.steps.find(d.kind);
        const due_view v{.options = l.options_,
                         .platform = ps,
                         .self = sit == r.steps.end() ? no_step() : sit->second,
                         .rec = &r,
                         .rq = rq,
                         .res = res,
                         .password_known = password_known,
                         .recording_sink = l.recordings_ != nullptr};
        add_if_due(d, v, id, room, 0, out);
    }
}

std::vector<candidate> lifecycle_engine::candidates(const lifecycle& l) {
    std::vector<candidate> out;
    room_candidates(l, out);
    std::set<request_id> ids;
    for (const auto& [id, rq] : l.platform_.state().requests) ids.insert(id);
    for (const auto& [id, r] : l.state_.webinars) ids.insert(id);
    for (const request_id id : ids) request_candidates(l, id, out);
    notice_candidates(l, out);
    return out;
}

std::size_t lifecycle_engine::tick(instant now) {
    life.touched_->clear();
    std::size_t attempted_count = 0;
    std::set<decltype(std::declval<candidate>().order())> attempted;  // each step once per tick
    auto cs = candidates(life);
    const auto scope = [](const candidate& c) { return descriptor_of(c.step).scope; };
    for (;;) {
        const candidate* best = nullptr;
        for (const auto& c : cs) {
            if (c.ready > now || attempted.count(c.order())) continue;
            if (!best || c.order() < best->order()) best = &c;
        }
        if (!best) break;
        candidate chosen = *best;
        attempted.insert(chosen.order());
        if (step_guard* g = life.guard_) {
            // Claimed first (durable_lifecycle: a store transaction that takes in
            // the others' commits and checks the step is still due there). A
            // refused candidate is left; the rest are checked again when claimed.
            const step_subject subject = subject_of(chosen);
            if (!g->claim(subject, now)) continue;
            // Notices are found again by their row: others' may have come in before it.
            if (!chosen.room && !chosen.request && !find_notice(subject.row, chosen.notice)) {
                g->release(subject, now);
                continue;
            }
            try {
                run(chosen, now);
            } catch (...) {
                try {
                    g->release(subject, now);
                } catch (...) {  // the claim expires; the step's own error matters more
                }
                throw;
            }
            g->release(subject, now);
        } else {
            run(chosen, now);
        }
        ++attempted_count;
        // A step changes only its own request's (or the rooms') candidates,
        // plus possibly a new admin notice: recompute just those.
        const bool room_step = scope(chosen) == step_scope::room;
        std::erase_if(cs, [&](const candidate& c) {
            if (scope(c) == step_scope::notice) return true;
            if (chosen.request) return c.request == chosen.request;
            return room_step && scope(c) == step_scope::room;
        });
        if (chosen.request)
            request_candidates(life, *chosen.request, cs);
        else if (room_step)
            room_candidates(life, cs);
        notice_candidates(life, cs);
    }
    return attempted_count;
}

// ---- running a step -------------------------------------------------------------------

step_subject lifecycle_engine::subject_of(const candidate& c) const {
    step_subject s{c.step, {}, c.request, c.room};
    if (c.request)
        s.row = "request/" + num(*c.request);
    else if (c.room)
        s.row = "room/" + std::to_string(c.room->value);
    else if (c.notice < state.admin_notices.size())
        s.row = notice_row(state.admin_notices[c.notice].message.idempotency_key);
    else
        s.row = "notice/";  // gone: never due
    return s;
}

bool lifecycle_engine::find_notice(const std::string& row, std::size_t& index) const {
    for (std::size_t i = 0; i < state.admin_notices.size(); ++i)
        if (notice_row(state.admin_notices[i].message.idempotency_key) == row) {
            index = i;
            return true;
        }
    return false;
}

std::optional<std::string> lifecycle_engine::password_of(request_id id, const webinar_record& r) {
    if (auto it = passwords.find(id); it != passwords.end()) return it->second;
    if (r.sealed_password.empty() || life.credentials_key_.empty()) return std::nullopt;
    auto pw =
        open_secret(life.credentials_key_, r.sealed_password, password_context(id, r.generation));
    if (!pw)
        throw backend_error("the stored credentials password of " + to_string(id) +
                                " does not open with the configured credentials_key",
                            false);
    return passwords[id] = std::move(*pw);
}

const std::string& lifecycle_engine::ensure_password(request_id id, webinar_record& r) {
    if (password_of(id, r)) return passwords.at(id);
    std::string& pw = passwords[id] = generate_room_password();
    if (!life.credentials_key_.empty())
        r.sealed_password =
            seal_secret(life.credentials_key_, pw, password_context(id, r.generation));
    return pw;
}

webinar_record& lifecycle_engine::webinar_of(request_id id) {
    auto [it, fresh] = state.webinars.try_emplace(id);
    if (fresh) it->second.request = id;
    return it->second;
}

step_record& lifecycle_engine::record_of(const candidate& c) {
    switch (descriptor_of(c.step).scope) {
        case step_scope::room: return state.room_settings[*c.room];
        case step_scope::notice: return state.admin_notices.at(c.notice).step;
        case step_scope::cancelled:
        case step_scope::request:
        case step_scope::reserved:
        case step_scope::on_room: break;
    }
    return webinar_of(*c.request).steps[c.step];
}

bool lifecycle_engine::execute(const candidate& c, instant now, std::string& detail) {
    step_run s{.engine = *this,
               .now = now,
               .self = record_of(c),
               .detail = {},
               .room = c.room,
               .notice = c.notice};
    if (c.request) {
        s.id = *c.request;
        s.rec = &webinar_of(s.id);
        const auto& reqs = plat.state().requests;
        if (auto it = reqs.find(s.id); it != reqs.end()) {
            s.rq = &it->second;
            s.rec->title = s.rq->title;
        }
    }
    // s holds pointers into the platform's state: a port calling back must not change it.
    const auto hold = plat.hold_commands(std::string("the lifecycle is running step '") +
                                         to_string(c.step) + "'");
    const bool done = descriptor_of(c.step).execute(s);
    detail = std::move(s.detail);
    return done;
}

void lifecycle_engine::run(const candidate& c, instant now) {
    step_event ev{now, c.moment, c.step, step_outcome::done, c.request, c.room, {}, {}, {}};
    if (c.request) {
        const auto& reqs = plat.state().requests;
        if (auto it = reqs.find(*c.request); it != reqs.end()) {
            ev.title = it->second.title;
            ev.zone = it->second.zone;
        } else if (auto w = state.webinars.find(*c.request); w != state.webinars.end()) {
            ev.title = w->second.title;
        }
    }
    std::string failure;
    bool failed = false;
    bool retryable = true;
    int retry_after = 0;
    try {
        const bool done = execute(c, now, ev.detail);
        step_record& s = record_of(c);
        ++s.attempts;
        if (done) {
            s.done = true;
            s.done_at = now;
            s.failures = 0;
            s.last_error.clear();
            s.surfaced = false;
            s.next_attempt = {};
        } else {
            s.next_attempt = now + options.recordings_poll;
            ev.outcome = step_outcome::waiting;
        }
    } catch (const backend_error& e) {
        failed = true;
        failure = e.what();
        retryable = e.retryable();
        retry_after = e.retry_after_seconds();
    } catch (const std::exception& e) {  // a bug or bad data must not stop the other steps
        failed = true;
        failure = e.what();
        retryable = false;
    }
    if (failed) {
        step_record& s = record_of(c);
        ++s.attempts;
        ++s.failures;
        s.last_error = failure;
        minutes delay = options.backoff_base;
        for (int i = 1; i < s.failures && delay < options.backoff_max; ++i) delay *= 2;
        delay = std::min(delay, options.backoff_max);
        if (!retryable) delay = options.backoff_max;
        // A server's Retry-After is honoured up to a day, the longest wait Zoom
        // documents (its daily limits reset at 00:00 UTC): a bogus huge value
        // must not park a step for years (docs/lifecycle.md, "Retries").
        if (retry_after > 0) {
            const std::int64_t capped = std::min<std::int64_t>(retry_after, 24 * 3600);
            delay = std::max(delay, minutes{(capped + 59) / 60});
        }
        s.next_attempt = now + delay;
        ev.outcome = step_outcome::failed;
        ev.detail = failure + " (failure " + std::to_string(s.failures) + ", next try " +
                    format_utc(s.next_attempt) + " UTC)";
        // Admin notices are retried but never produce another notice.
        if (!s.surfaced && descriptor_of(c.step).scope != step_scope::notice &&
            (!retryable || s.failures >= options.failure_threshold)) {
            s.surfaced = true;
            mail_context ctx = admin_context();
            ctx.title =
                ev.title.empty() ? (c.room ? to_string(*c.room) : std::string("-")) : ev.title;
            ctx.detail = std::string(to_string(c.step)) + ": " + failure + " (" +
                         std::to_string(s.failures) + (s.failures == 1 ? " failure" : " failures") +
                         (retryable ? "" : ", not retryable") + ")";
            std::string k = "problem/";
            if (c.request) {
                const auto it = state.webinars.find(*c.request);
                k += num(*c.request) + "/" + to_string(c.step) + "/" +
                     std::to_string(it == state.webinars.end() ? 0 : it->second.generation);
            } else {
                k += "room/" + std::to_string(c.room ? c.room->value : 0) + "/" + to_string(c.step);
            }
            queue_admin(mail_kind::backend_problem, ctx, k, now);
        }
    }
    if (life.on_step_) life.on_step_(ev);
}

// ---- services for the steps -------------------------------------------------------------

mail_context lifecycle_engine::context(const request& rq, const webinar_record& r) const {
    mail_context c;
    c.language = options.language;
    c.platform_name = options.platform_name;
    c.recipient_name = rq.organizer.name;
    c.title = rq.title;
    c.event_id = rq.event_id;
    c.zone = rq.zone;
    c.start = rq.window.start;
    c.end = rq.window.end;
    c.grace_end = rq.window.grace_end;
    c.blocked_begin = rq.window.blocked.begin();
    c.blocked_end = rq.window.blocked.end();
    if (r.webinar) {
        c.room_email = r.webinar->room_email;
        c.join_url = r.webinar->handle.join_url;
        c.start_url = r.webinar->handle.start_url;
    }
    return c;
}

mail_context lifecycle_engine::admin_context() const {
    mail_context c;
    c.language = options.language;
    c.platform_name = options.platform_name;
    c.recipient_name = options.admin.name;
    return c;
}

mail_message lifecycle_engine::message(mail_kind kind, const mail_context& ctx,
                                       std::vector<mail_address> to, std::string key) const {
    const auto m = render_mail(kind, ctx);
    return {options.from, std::move(to), m.subject, m.text, m.html, std::move(key)};
}

void lifecycle_engine::record_effect(std::string kind, std::string key, std::string payload,
                                     std::optional<request_id> rq) {
    life.effects_.push_back({std::move(kind), std::move(key), std::move(payload), rq});
    if (life.on_effect_) life.on_effect_(life.effects_.back());
}

void lifecycle_engine::send(const mail_message& m, const std::optional<request_id>& rq,
                            const char* what) {
    life.mail_.send(m);
    std::string to = "[";
    for (std::size_t i = 0; i < m.to.size(); ++i) to += (i ? "," : "") + json_str(m.to[i].email);
    record_effect("mail", m.idempotency_key,
                  "{\"template\":" + json_str(what) + ",\"to\":" + to +
                      "],\"subject\":" + json_str(m.subject) + "}",
                  rq);
}

void lifecycle_engine::queue_admin(mail_kind kind, const mail_context& ctx, const std::string& key,
                                   instant now) {
    for (const auto& n : state.admin_notices)
        if (n.message.idempotency_key == key) return;
    admin_notice n;
    n.message = message(kind, ctx, {options.admin}, key);
    n.queued = now;
    insert_notice(state.admin_notices, std::move(n));  // in row order, as every process has them
}

}  // namespace sala::detail
