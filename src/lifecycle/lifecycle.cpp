// The lifecycle engine (R10-R16, R19, R20): steps derived from state, run by tick().
#include "sala/lifecycle/lifecycle.hpp"

#include <algorithm>
#include <cctype>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <tuple>

#include <nlohmann/json.hpp>

#include "sala/lifecycle/credentials.hpp"
#include "sala/error.hpp"

namespace sala {

namespace {

// Moments of steps that are due as soon as possible sort before timed ones.
constexpr instant asap{};

std::string num(request_id id) { return std::to_string(id.value); }

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

std::string csv_field(std::string_view s) {
    std::string v(s);
    // Spreadsheets run cells starting with these as formulas: neutralise them.
    if (!v.empty() && std::string_view("=+-@").find(v[0]) != std::string_view::npos) v = "'" + v;
    if (v.find_first_of(",\"\r\n") == std::string::npos) return v;
    std::string out = "\"";
    for (char ch : v) {
        if (ch == '"') out += '"';
        out += ch;
    }
    return out + "\"";
}

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
    for (char ch : s) out += (std::isalnum(static_cast<unsigned char>(ch)) || ch == '-' || ch == '_') ? ch : '_';
    return out.empty() ? "file" : out;
}

const step_record& no_step() {
    static const step_record none;
    return none;
}

}  // namespace

std::size_t attendance_report::people() const {
    std::set<std::string> who;
    for (const auto& p : sessions) who.insert(p.email.empty() ? "name:" + p.name : p.email);
    return who.size();
}

std::string attendance_report::csv(std::string_view zone) const {
    std::string out = "name,email,join,leave,duration_seconds\n";
    const auto t = [&](instant i) { return zone.empty() ? format_iso_utc(i) : format(i, zone); };
    for (const auto& p : sessions)
        out += csv_field(p.name) + "," + csv_field(p.email) + "," + t(p.join_time) + "," + t(p.leave_time) +
               "," + std::to_string(p.duration_seconds) + "\n";
    return out;
}

struct lifecycle::candidate {
    instant moment;
    instant ready;
    step_kind step;
    std::optional<request_id> request;
    std::optional<room_id> room;
    std::size_t notice = 0;

    auto order() const {
        return std::make_tuple(moment, request.value_or(request_id{0}), static_cast<int>(step),
                               room.value_or(room_id{0}), notice);
    }
};

lifecycle::lifecycle(platform& p, conferencing& c, mailer& m, lifecycle_options o, lifecycle_state restored)
    : platform_(p),
      conf_(c),
      mail_(m),
      options_(std::move(o)),
      state_(std::move(restored)),
      alive_(std::make_shared<bool>(true)),
      touched_(std::make_shared<std::set<request_id>>()) {
    if (options_.failure_threshold < 1) throw invalid_argument("failure_threshold", "must be at least 1");
    if (options_.backoff_base < minutes{1}) throw invalid_argument("backoff_base", "must be at least 1 minute");
    if (options_.backoff_max < options_.backoff_base)
        throw invalid_argument("backoff_max", "must not be shorter than backoff_base");
    if (options_.recordings_poll < minutes{1}) throw invalid_argument("recordings_poll", "must be at least 1 minute");
    if (options_.recording_stuck_after < minutes{0})
        throw invalid_argument("recording_stuck_after", "must not be negative");
    validate_email(options_.from.email, "from");
    validate_email(options_.admin.email, "admin");
    std::weak_ptr<bool> alive = alive_;
    auto touched = touched_;
    platform_.subscribe([alive, touched](const event& e) {
        if (alive.expired()) return;  // the lifecycle is gone; the platform lives on
        switch (e.kind) {
            case event_kind::assigned:
            case event_kind::queued:
            case event_kind::reassigned:
            case event_kind::cancelled:
                if (e.request) touched->insert(*e.request);
                break;
            case event_kind::room_changed:
            case event_kind::linked:
                touched->insert(request_id{0});
                break;
            default: break;
        }
    });
}

lifecycle::~lifecycle() { alive_.reset(); }

std::string lifecycle::key(step_kind k, request_id id, std::uint32_t generation, const std::string& item) {
    const std::string r = num(id);
    const std::string g = std::to_string(generation);
    switch (k) {
        case step_kind::apply_room_settings: return "room-settings/" + item;
        case step_kind::notify_unassigned: return "unassigned/" + r;
        case step_kind::create_webinar: return "create/" + r + "/" + g;
        case step_kind::delete_replaced: return "delete/" + r + "/" + item;
        case step_kind::mail_reassigned: return "reassigned/" + r + "/" + g;
        case step_kind::set_password: return "password/" + r + "/" + g;
        case step_kind::mail_credentials: return "credentials/" + r + "/" + g;
        case step_kind::mail_join_links: return "join/" + r + "/" + g + "/" + item;
        case step_kind::mail_end_warning: return "end-warning/" + r;
        case step_kind::end_webinar: return "end/" + r;
        case step_kind::rotate_password: return "rotate/" + r;
        case step_kind::fetch_report: return "report/" + r;
        case step_kind::mail_report: return "report-ready/" + r + "/" + item;
        case step_kind::room_free: return "room-free/" + r;
        case step_kind::fetch_recordings: return "recordings/" + r;
        case step_kind::recording_stuck: return "recording-stuck/" + r;
        case step_kind::download_recordings: return "download/" + r + "/" + item;
        case step_kind::trash_recordings: return "trash/" + r;
        case step_kind::delete_cancelled: return "cancel/" + r + "/" + item;
        case step_kind::admin_mail: return item;
    }
    return item;
}

// ---- what is due ------------------------------------------------------------------

void lifecycle::room_candidates(std::vector<candidate>& out) const {
    const platform_state& ps = platform_.state();
    for (const room& rm : ps.rooms) {
        if (!rm.active) continue;
        auto it = state_.room_settings.find(rm.id);
        const step_record& s = it == state_.room_settings.end() ? no_step() : it->second;
        if (!s.done) out.push_back({asap, std::max(asap, s.next_attempt), step_kind::apply_room_settings,
                                    std::nullopt, rm.id});
    }
}

void lifecycle::notice_candidates(std::vector<candidate>& out) const {
    for (std::size_t i = 0; i < state_.admin_notices.size(); ++i) {
        const admin_notice& n = state_.admin_notices[i];
        if (!n.step.done)
            out.push_back({n.queued, std::max(n.queued, n.step.next_attempt), step_kind::admin_mail,
                           std::nullopt, std::nullopt, i});
    }
}

void lifecycle::request_candidates(request_id id, std::vector<candidate>& out) const {
    const platform_state& ps = platform_.state();
    const settings& set = ps.settings;
    static const webinar_record empty_record;
    auto rit = state_.webinars.find(id);
    const webinar_record& r = rit == state_.webinars.end() ? empty_record : rit->second;
    const auto st = [&](step_kind k) -> const step_record& {
        auto it = r.steps.find(k);
        return it == r.steps.end() ? no_step() : it->second;
    };
    const auto add = [&](step_kind k, instant moment) {
        out.push_back({moment, std::max(moment, st(k).next_attempt), k, id,
                       r.webinar ? std::optional<room_id>(r.webinar->room) : std::nullopt});
    };

    auto qit = ps.requests.find(id);
    if (qit == ps.requests.end()) {  // cancelled: only the backend webinar(s) to remove
        if ((r.webinar || !r.replaced.empty()) && !st(step_kind::delete_cancelled).done)
            add(step_kind::delete_cancelled, asap);
        return;
    }
    const request& rq = qit->second;
    const bool queued = std::find(ps.queue.begin(), ps.queue.end(), id) != ps.queue.end();
    if (queued && !st(step_kind::notify_unassigned).done) add(step_kind::notify_unassigned, asap);
    auto res = ps.reservations.find(id);
    if (res == ps.reservations.end()) return;
    if (!r.webinar || r.webinar->room != res->second.room) {
        add(step_kind::create_webinar, asap);
        return;  // every later step needs the webinar on the reserved room
    }
    const blocked_window& w = rq.window;
    if (!r.replaced.empty()) add(step_kind::delete_replaced, asap);
    if (r.generation > 1 && !st(step_kind::mail_reassigned).done) add(step_kind::mail_reassigned, asap);

    instant cred = w.start - set.credentials_lead;
    if (r.credentials_requested) cred = std::min(cred, *r.credentials_requested);
    const bool password_known = passwords_.count(id) > 0;
    const bool pw_done = st(step_kind::set_password).done;
    const bool cred_done = st(step_kind::mail_credentials).done;
    if (!pw_done || (!cred_done && !password_known))
        add(step_kind::set_password, cred);
    else if (!cred_done)
        add(step_kind::mail_credentials, cred);
    if (!st(step_kind::mail_join_links).done) add(step_kind::mail_join_links, cred);
    if (!st(step_kind::mail_end_warning).done) add(step_kind::mail_end_warning, w.end - set.end_warning_lead);
    if (!st(step_kind::end_webinar).done) {
        add(step_kind::end_webinar, w.grace_end);
        return;
    }
    // The password expires only after it was given out, never before (R15).
    if (!st(step_kind::rotate_password).done) {
        if (pw_done && cred_done) add(step_kind::rotate_password, w.grace_end);
    } else if (!st(step_kind::room_free).done) {
        add(step_kind::room_free, w.blocked.end());
    }
    if (!st(step_kind::fetch_report).done)
        add(step_kind::fetch_report, w.grace_end);
    else if (!st(step_kind::mail_report).done)
        add(step_kind::mail_report, w.grace_end);
    if (!st(step_kind::fetch_recordings).done) {
        add(step_kind::fetch_recordings, w.grace_end);
        if (!st(step_kind::recording_stuck).done)
            add(step_kind::recording_stuck, w.end + options_.recording_stuck_after);
    } else if (!r.recordings.empty() && !options_.recordings_dir.empty()) {
        if (!st(step_kind::download_recordings).done)
            add(step_kind::download_recordings, w.grace_end);
        else if (!options_.keep_recordings && !st(step_kind::trash_recordings).done)
            add(step_kind::trash_recordings, w.grace_end);
    }
}

std::vector<lifecycle::candidate> lifecycle::candidates() const {
    std::vector<candidate> out;
    room_candidates(out);
    std::set<request_id> ids;
    for (const auto& [id, rq] : platform_.state().requests) ids.insert(id);
    for (const auto& [id, r] : state_.webinars) ids.insert(id);
    for (const request_id id : ids) request_candidates(id, out);
    notice_candidates(out);
    return out;
}

std::size_t lifecycle::tick(instant now) {
    touched_->clear();
    std::size_t attempted_count = 0;
    std::set<decltype(std::declval<candidate>().order())> attempted;  // each step once per tick
    auto cs = candidates();
    for (;;) {
        const candidate* best = nullptr;
        for (const auto& c : cs) {
            if (c.ready > now || attempted.count(c.order())) continue;
            if (!best || c.order() < best->order()) best = &c;
        }
        if (!best) break;
        const candidate chosen = *best;
        attempted.insert(chosen.order());
        run(chosen, now);
        ++attempted_count;
        // A step changes only its own request's (or room's) candidates, plus
        // possibly a new admin notice: recompute just those.
        std::erase_if(cs, [&](const candidate& c) {
            if (c.step == step_kind::admin_mail) return true;
            if (chosen.request) return c.request == chosen.request;
            return chosen.step == step_kind::apply_room_settings && c.step == step_kind::apply_room_settings;
        });
        if (chosen.request)
            request_candidates(*chosen.request, cs);
        else if (chosen.step == step_kind::apply_room_settings)
            room_candidates(cs);
        notice_candidates(cs);
    }
    return attempted_count;
}

std::optional<instant> lifecycle::next_due() const {
    std::optional<instant> best;
    for (const auto& c : candidates())
        if (!best || c.ready < *best) best = c.ready;
    return best;
}

// ---- running a step -------------------------------------------------------------------

webinar_record& lifecycle::webinar_of(request_id id) {
    auto [it, fresh] = state_.webinars.try_emplace(id);
    if (fresh) it->second.request = id;
    return it->second;
}

step_record& lifecycle::record_of(const candidate& c) {
    if (c.step == step_kind::apply_room_settings) return state_.room_settings[*c.room];
    if (c.step == step_kind::admin_mail) return state_.admin_notices.at(c.notice).step;
    return webinar_of(*c.request).steps[c.step];
}

void lifecycle::run(const candidate& c, instant now) {
    step_event ev{now, c.moment, c.step, step_outcome::done, c.request, c.room, {}, {}, {}};
    if (c.request) {
        const auto& reqs = platform_.state().requests;
        if (auto it = reqs.find(*c.request); it != reqs.end()) {
            ev.title = it->second.title;
            ev.zone = it->second.zone;
        } else if (auto w = state_.webinars.find(*c.request); w != state_.webinars.end()) {
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
            s.next_attempt = now + options_.recordings_poll;
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
        minutes delay = options_.backoff_base;
        for (int i = 1; i < s.failures && delay < options_.backoff_max; ++i) delay *= 2;
        delay = std::min(delay, options_.backoff_max);
        if (!retryable) delay = options_.backoff_max;
        if (retry_after > 0) delay = std::max(delay, minutes{(retry_after + 59) / 60});
        s.next_attempt = now + delay;
        ev.outcome = step_outcome::failed;
        ev.detail = failure + " (failure " + std::to_string(s.failures) + ", next try " + format_utc(s.next_attempt) +
                    " UTC)";
        if (!s.surfaced && c.step != step_kind::admin_mail &&
            (!retryable || s.failures >= options_.failure_threshold)) {
            s.surfaced = true;
            mail_context ctx;
            ctx.language = options_.language;
            ctx.platform_name = options_.platform_name;
            ctx.recipient_name = options_.admin.name;
            ctx.title = ev.title.empty() ? (c.room ? to_string(*c.room) : std::string("-")) : ev.title;
            ctx.detail = std::string(to_string(c.step)) + ": " + failure + " (" + std::to_string(s.failures) +
                         (s.failures == 1 ? " failure" : " failures") + (retryable ? "" : ", not retryable") + ")";
            std::string k = "problem/";
            if (c.request) {
                const auto it = state_.webinars.find(*c.request);
                k += num(*c.request) + "/" + to_string(c.step) + "/" +
                     std::to_string(it == state_.webinars.end() ? 0 : it->second.generation);
            } else {
                k += "room/" + std::to_string(c.room ? c.room->value : 0) + "/" + to_string(c.step);
            }
            queue_admin(mail_kind::backend_problem, ctx, k, now);
        }
    }
    if (on_step_) on_step_(ev);
}

mail_context lifecycle::context(const request& rq, const webinar_record& r, language l) const {
    mail_context c;
    c.language = l;
    c.platform_name = options_.platform_name;
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

mail_message lifecycle::message(mail_kind kind, const mail_context& ctx, std::vector<mail_address> to,
                                std::string key) const {
    const auto m = render_mail(kind, ctx);
    return {options_.from, std::move(to), m.subject, m.text, m.html, std::move(key)};
}

void lifecycle::record_effect(std::string kind, std::string key, std::string payload,
                              std::optional<request_id> rq) {
    effects_.push_back({std::move(kind), std::move(key), std::move(payload), rq});
    if (on_effect_) on_effect_(effects_.back());
}

void lifecycle::send(const mail_message& m, const std::optional<request_id>& rq, const char* what) {
    mail_.send(m);
    std::string to = "[";
    for (std::size_t i = 0; i < m.to.size(); ++i) to += (i ? "," : "") + json_str(m.to[i].email);
    record_effect("mail", m.idempotency_key,
                  "{\"template\":" + json_str(what) + ",\"to\":" + to + "],\"subject\":" + json_str(m.subject) + "}",
                  rq);
}

void lifecycle::queue_admin(mail_kind kind, const mail_context& ctx, const std::string& key, instant now) {
    for (const auto& n : state_.admin_notices)
        if (n.message.idempotency_key == key) return;
    admin_notice n;
    n.message = message(kind, ctx, {options_.admin}, key);
    n.queued = now;
    state_.admin_notices.push_back(std::move(n));
}

bool lifecycle::execute(const candidate& c, instant now, std::string& detail) {
    const platform_state& ps = platform_.state();
    const language lang = options_.language;

    if (c.step == step_kind::apply_room_settings) {
        const room rm = platform_.get_room(*c.room);
        conf_.apply_room_settings(rm.user_id, options_.room_settings);
        record_effect("apply_room_settings", key(c.step, {}, 0, std::to_string(rm.id.value)),
                      "{\"user\":" + json_str(rm.user_id) + ",\"waiting_room\":" +
                          (options_.room_settings.waiting_room ? "true" : "false") + ",\"auto_save_chat\":" +
                          (options_.room_settings.auto_save_chat ? "true" : "false") + "}",
                      std::nullopt);
        detail = rm.email + ": waiting room off, chat auto-save on";
        return true;
    }
    if (c.step == step_kind::admin_mail) {
        const mail_message m = state_.admin_notices.at(c.notice).message;
        send(m, std::nullopt, "admin");
        detail = "to " + m.to.front().email + ": " + m.subject;
        return true;
    }

    const request_id id = *c.request;
    webinar_record& r = webinar_of(id);
    const auto rq_it = ps.requests.find(id);
    const request* rq = rq_it == ps.requests.end() ? nullptr : &rq_it->second;
    if (rq) r.title = rq->title;
    step_record& s = r.steps[c.step];
    const auto organizer = [&] { return mail_address{rq->organizer.name, rq->organizer.email}; };
    // Another webinar of the same room user holds a live password: do not overwrite it.
    const auto password_in_use = [&](room_id room) {
        for (const auto& [oid, o] : state_.webinars) {
            if (oid == id || !o.webinar || o.webinar->room != room || !o.webinar->password_given) continue;
            auto rot = o.steps.find(step_kind::rotate_password);
            if (rot == o.steps.end() || !rot->second.done) return true;
        }
        return false;
    };
    const auto expire_password = [&](const backend_webinar& w, const std::string& k) {
        if (!w.password_given || s.progress.count(k) || password_in_use(w.room)) return;
        conf_.set_user_password(w.host_user_id, generate_room_password());
        s.progress.insert(k);
        record_effect("set_user_password", k, "{\"user\":" + json_str(w.host_user_id) + ",\"reason\":\"expire\"}", id);
    };

    switch (c.step) {
        case step_kind::notify_unassigned: {
            send(message(mail_kind::request_unassigned, context(*rq, r, lang), {organizer()}, key(c.step, id)), id,
                 "request_unassigned");
            detail = "organizer " + rq->organizer.email + " told: no room free, request queued (R10)";
            return true;
        }
        case step_kind::create_webinar: {
            const reservation& res = ps.reservations.at(id);
            const room rm = platform_.get_room(res.room);
            webinar_spec spec;
            spec.host_user_id = rm.user_id;
            spec.topic = rq->title;
            spec.start = rq->window.start;
            spec.duration = rq->duration;
            spec.zone = rq->zone;
            spec.admission = rq->admission;
            spec.passcode = generate_webinar_passcode();
            spec.agenda = rq->event_id.empty() ? std::string{} : "Event " + rq->event_id;
            const webinar_handle h = conf_.create_webinar(spec);
            backend_webinar bw{res.room, rm.user_id, rm.email, h, spec.passcode, r.generation + 1, false};
            if (r.webinar) {  // deleted only now that the new one exists (R11)
                r.replaced.push_back(*r.webinar);
                r.previous_room_email = r.webinar->room_email;
            }
            r.webinar = bw;
            r.generation = bw.generation;
            if (r.generation > 1) {
                // New links and a new room: what was given for the old one is given again.
                for (auto k : {step_kind::delete_replaced, step_kind::mail_reassigned, step_kind::set_password,
                               step_kind::mail_credentials, step_kind::mail_join_links})
                    r.steps.erase(k);
                passwords_.erase(id);
            }
            record_effect("create_webinar", key(c.step, id, r.generation),
                          "{\"user\":" + json_str(rm.user_id) + ",\"topic\":" + json_str(rq->title) +
                              ",\"start\":" + json_str(format_iso_utc(rq->window.start)) +
                              ",\"webinar_id\":" + json_str(h.webinar_id) + "}",
                          id);
            detail = "webinar " + h.webinar_id + " created on " + rm.email;
            return true;
        }
        case step_kind::delete_replaced: {
            while (!r.replaced.empty()) {
                const backend_webinar old = r.replaced.front();
                const std::string k = key(c.step, id, 0, old.handle.webinar_id);
                if (!s.progress.count(k)) {
                    conf_.delete_webinar(old.handle.webinar_id);
                    s.progress.insert(k);
                    record_effect("delete_webinar", k, "{\"webinar_id\":" + json_str(old.handle.webinar_id) + "}", id);
                }
                expire_password(old, "expire/" + num(id) + "/" + old.handle.webinar_id);
                detail += (detail.empty() ? "" : "; ") + std::string("webinar ") + old.handle.webinar_id +
                          " deleted from " + old.room_email;
                r.replaced.erase(r.replaced.begin());
            }
            return true;
        }
        case step_kind::mail_reassigned: {
            auto ctx = context(*rq, r, lang);
            ctx.previous_room_email = r.previous_room_email;
            send(message(mail_kind::reassigned, ctx, {organizer()}, key(c.step, id, r.generation)), id, "reassigned");
            detail = "organizer told to re-invite panelists (R11)";
            return true;
        }
        case step_kind::set_password: {
            auto& pw = passwords_[id];
            if (pw.empty()) pw = generate_room_password();  // kept across retries of this step
            conf_.set_user_password(r.webinar->host_user_id, pw);
            r.webinar->password_given = true;
            record_effect("set_user_password", key(c.step, id, r.generation),
                          "{\"user\":" + json_str(r.webinar->host_user_id) + ",\"reason\":\"credentials\"}", id);
            detail = "fresh password on " + r.webinar->room_email;
            return true;
        }
        case step_kind::mail_credentials: {
            auto ctx = context(*rq, r, lang);
            ctx.password = passwords_.at(id);
            send(message(mail_kind::credentials, ctx, {organizer()}, key(c.step, id, r.generation)), id,
                 "credentials");
            detail = "credentials mailed to " + rq->organizer.email;
            return true;
        }
        case step_kind::mail_join_links: {
            std::vector<mail_address> to;
            for (const auto& p : rq->panelists) to.push_back({"", p});
            if (options_.attendees)
                for (auto& a : options_.attendees(*rq)) to.push_back(std::move(a));
            std::size_t sent = 0;
            for (const auto& a : to) {
                const std::string k = key(c.step, id, r.generation, a.email);
                if (s.progress.count(k)) continue;
                auto ctx = context(*rq, r, lang);
                ctx.recipient_name = a.name;
                send(message(mail_kind::join_link, ctx, {a}, k), id, "join_link");
                s.progress.insert(k);
                ++sent;
            }
            detail = "join link mailed to " + std::to_string(sent) + " panelists/attendees";
            return true;
        }
        case step_kind::mail_end_warning: {
            send(message(mail_kind::end_warning, context(*rq, r, lang), {organizer()}, key(c.step, id)), id,
                 "end_warning");
            detail = "end warning mailed to " + rq->organizer.email;
            return true;
        }
        case step_kind::end_webinar: {
            conf_.end_webinar(r.webinar->handle.webinar_id);
            record_effect("end_webinar", key(c.step, id),
                          "{\"webinar_id\":" + json_str(r.webinar->handle.webinar_id) + "}", id);
            detail = "webinar " + r.webinar->handle.webinar_id + " ended, room " + r.webinar->room_email + " closed";
            return true;
        }
        case step_kind::rotate_password: {
            if (!password_in_use(r.webinar->room)) {
                conf_.set_user_password(r.webinar->host_user_id, generate_room_password());
                record_effect("set_user_password", key(c.step, id),
                              "{\"user\":" + json_str(r.webinar->host_user_id) + ",\"reason\":\"expire\"}", id);
                detail = "password of " + r.webinar->room_email + " rotated: the webinar's one expired";
            } else {
                detail = "password of " + r.webinar->room_email + " already replaced by the next webinar's";
            }
            passwords_.erase(id);
            return true;
        }
        case step_kind::fetch_report: {
            r.report = conf_.participants_report(r.webinar->handle.webinar_id);
            if (!options_.reports_dir.empty()) {
                std::error_code ec;
                std::filesystem::create_directories(options_.reports_dir, ec);
                const auto path = std::filesystem::path(options_.reports_dir) / ("attendance-" + num(id) + ".csv");
                std::ofstream out(path, std::ios::binary | std::ios::trunc);
                out << attendance_report{id, rq->title, r.report}.csv(rq->zone);
                if (!out.flush()) throw backend_error("cannot write " + path.string(), true);
            }
            record_effect("report", key(c.step, id),
                          "{\"sessions\":" + std::to_string(r.report.size()) + "}", id);
            detail = "attendance report: " + std::to_string(r.report.size()) + " sessions";
            return true;
        }
        case step_kind::mail_report: {
            auto ctx = context(*rq, r, lang);
            const attendance_report rep{id, rq->title, r.report};
            ctx.participants = rep.sessions.size();
            ctx.people = rep.people();
            if (!options_.reports_dir.empty())
                ctx.report_location =
                    (std::filesystem::path(options_.reports_dir) / ("attendance-" + num(id) + ".csv")).string();
            for (const auto& a : {organizer(), options_.admin}) {
                const std::string k = key(c.step, id, 0, a.email);
                if (s.progress.count(k)) continue;
                ctx.recipient_name = a.name;
                send(message(mail_kind::report_ready, ctx, {a}, k), id, "report_ready");
                s.progress.insert(k);
            }
            detail = "report ready mailed to organizer and admin";
            return true;
        }
        case step_kind::room_free: {
            detail = "post-processing over: " + r.webinar->room_email + " is free";
            return true;
        }
        case step_kind::fetch_recordings: {
            auto files = conf_.list_recordings(r.webinar->handle.webinar_id);
            if (!files.empty()) {
                r.recordings = std::move(files);
                detail = std::to_string(r.recordings.size()) + " recording files listed";
                return true;
            }
            if (now >= rq->window.end + options_.recordings_give_up_after) {
                detail = "no recording arrived; stopped looking";
                return true;
            }
            detail = "no recording yet";
            return false;
        }
        case step_kind::recording_stuck: {
            r.recording_stuck = true;
            auto ctx = context(*rq, r, lang);
            ctx.recipient_name = options_.admin.name;
            send(message(mail_kind::recording_stuck, ctx, {options_.admin}, key(c.step, id)), id, "recording_stuck");
            detail = "no recording 6 h after the end: flagged stuck, admin told (R19)";
            return true;
        }
        case step_kind::download_recordings: {
            const auto dir = std::filesystem::path(options_.recordings_dir) / ("request-" + num(id));
            std::error_code ec;
            std::filesystem::create_directories(dir, ec);
            if (ec) throw backend_error("cannot create " + dir.string() + ": " + ec.message(), true);
            for (const auto& f : r.recordings) {
                const std::string k = key(c.step, id, 0, f.id);
                if (s.progress.count(k)) continue;
                const auto path = dir / (file_safe(f.id) + "." + extension_of(f));
                conf_.download_recording(f, path.string());
                s.progress.insert(k);
                record_effect("download_recording", k, "{\"file\":" + json_str(path.string()) + "}", id);
            }
            detail = std::to_string(r.recordings.size()) + " recording files saved in " + dir.string();
            return true;
        }
        case step_kind::trash_recordings: {
            conf_.trash_recordings(r.webinar->handle.webinar_id);
            record_effect("trash_recordings", key(c.step, id),
                          "{\"webinar_id\":" + json_str(r.webinar->handle.webinar_id) + "}", id);
            detail = "recordings moved to the backend's trash (30 days)";
            return true;
        }
        case step_kind::delete_cancelled: {
            std::vector<backend_webinar> all = r.replaced;
            if (r.webinar) all.push_back(*r.webinar);
            for (const auto& w : all) {
                const std::string k = key(c.step, id, 0, w.handle.webinar_id);
                if (!s.progress.count(k)) {
                    conf_.delete_webinar(w.handle.webinar_id);
                    s.progress.insert(k);
                    record_effect("delete_webinar", k, "{\"webinar_id\":" + json_str(w.handle.webinar_id) + "}", id);
                }
                expire_password(w, "expire/" + num(id) + "/" + w.handle.webinar_id);
            }
            r.webinar.reset();
            r.replaced.clear();
            passwords_.erase(id);
            detail = "cancelled: backend webinar deleted";
            return true;
        }
        default: break;
    }
    throw error(std::string("lifecycle: unexpected step ") + to_string(c.step));
}

// ---- queries and commands ---------------------------------------------------------------

std::vector<about_to_start_entry> lifecycle::about_to_start(instant now, minutes lookahead) const {
    std::vector<about_to_start_entry> out;
    const platform_state& ps = platform_.state();
    for (const auto& [id, res] : ps.reservations) {
        const request& rq = ps.requests.at(id);
        const instant due = rq.window.start - ps.settings.credentials_lead;
        if (now + lookahead < due || now >= rq.window.grace_end) continue;
        std::string status = "pending";
        if (auto it = state_.webinars.find(id); it != state_.webinars.end()) {
            const auto& steps = it->second.steps;
            auto mc = steps.find(step_kind::mail_credentials);
            if (mc != steps.end() && mc->second.done) continue;
            for (auto k : {step_kind::create_webinar, step_kind::set_password, step_kind::mail_credentials})
                if (auto s = steps.find(k); s != steps.end() && !s->second.last_error.empty())
                    status = s->second.last_error;
        }
        out.push_back({id, rq.title, res.room, rq.window.start, due, status});
    }
    std::sort(out.begin(), out.end(), [](const auto& a, const auto& b) {
        return std::tie(a.start, a.request) < std::tie(b.start, b.request);
    });
    return out;
}

bool lifecycle::generate_credentials_now(request_id id, instant now) {
    const request rq = platform_.get_request(id);
    if (!platform_.reservation_of(id))
        throw rule_violation("R13", to_string(id) + " ('" + rq.title + "') has no room; assign one first");
    const auto done = [&] {
        auto it = state_.webinars.find(id);
        if (it == state_.webinars.end()) return false;
        auto s = it->second.steps.find(step_kind::mail_credentials);
        return s != it->second.steps.end() && s->second.done;
    };
    if (done()) return true;
    webinar_of(id).credentials_requested = now;
    // Steps waiting in backoff are tried now: an admin asked.
    for (auto k : {step_kind::create_webinar, step_kind::set_password, step_kind::mail_credentials})
        if (auto it = webinar_of(id).steps.find(k); it != webinar_of(id).steps.end()) it->second.next_attempt = {};
    tick(now);
    return done();
}

link_report lifecycle::link_account(const std::string& name, pool_kind kind) {
    const auto users = conf_.list_users();
    link_report rep = platform_.link_account(name, kind, users);
    const instant now = platform_.now();
    for (const auto& u : rep.wasted_licences) {
        mail_context ctx;
        ctx.language = options_.language;
        ctx.platform_name = options_.platform_name;
        ctx.recipient_name = options_.admin.name;
        ctx.detail = u.email;
        queue_admin(mail_kind::wasted_licence, ctx, "wasted-licence/" + name + "/" + u.user_id, now);
    }
    return rep;
}

std::optional<webinar_credentials> lifecycle::credentials_of(request_id id) const {
    auto it = state_.webinars.find(id);
    auto pw = passwords_.find(id);
    if (it == state_.webinars.end() || !it->second.webinar || pw == passwords_.end()) return std::nullopt;
    auto s = it->second.steps.find(step_kind::set_password);
    if (s == it->second.steps.end() || !s->second.done) return std::nullopt;
    const auto& w = *it->second.webinar;
    const auto& reqs = platform_.state().requests;
    auto rq = reqs.find(id);
    return webinar_credentials{w.handle.start_url, w.handle.join_url, w.room_email, pw->second,
                               rq == reqs.end() ? instant{} : rq->second.window.grace_end};
}

std::optional<attendance_report> lifecycle::report_of(request_id id) const {
    auto it = state_.webinars.find(id);
    if (it == state_.webinars.end()) return std::nullopt;
    auto s = it->second.steps.find(step_kind::fetch_report);
    if (s == it->second.steps.end() || !s->second.done) return std::nullopt;
    return attendance_report{id, it->second.title, it->second.report};
}

std::vector<problem> lifecycle::problems() const {
    // Only steps that are still to do: a step left behind (the request was
    // cancelled or assigned meanwhile) is no problem any more.
    std::set<std::tuple<std::uint64_t, std::uint32_t, int>> pending;
    for (const auto& c : candidates())
        pending.insert({c.request.value_or(request_id{0}).value,
                        c.step == step_kind::apply_room_settings ? c.room->value : 0u, static_cast<int>(c.step)});
    const auto open = [&](std::optional<request_id> id, std::optional<room_id> room, step_kind k) {
        return pending.count({id.value_or(request_id{0}).value, room.value_or(room_id{0}).value,
                              static_cast<int>(k)}) > 0;
    };
    std::vector<problem> out;
    for (const auto& [room, s] : state_.room_settings)
        if (s.surfaced && !s.done && open(std::nullopt, room, step_kind::apply_room_settings))
            out.push_back({std::nullopt, room, step_kind::apply_room_settings, to_string(room), s.failures,
                           s.last_error, s.next_attempt});
    for (const auto& [id, r] : state_.webinars)
        for (const auto& [k, s] : r.steps)
            if (s.surfaced && !s.done && open(id, std::nullopt, k))
                out.push_back({id, r.webinar ? std::optional<room_id>(r.webinar->room) : std::nullopt, k, r.title,
                               s.failures, s.last_error, s.next_attempt});
    for (const auto& n : state_.admin_notices)
        if (!n.step.done && n.step.failures >= options_.failure_threshold)
            out.push_back({std::nullopt, std::nullopt, step_kind::admin_mail, n.message.subject, n.step.failures,
                           n.step.last_error, n.step.next_attempt});
    const auto& reqs = platform_.state().requests;
    for (const auto& [id, r] : state_.webinars)
        if (r.recording_stuck && r.recordings.empty() && reqs.count(id))
            out.push_back({id, r.webinar ? std::optional<room_id>(r.webinar->room) : std::nullopt,
                           step_kind::recording_stuck, r.title, 0, "no recording 6 hours after the end", {}});
    return out;
}

}  // namespace sala

// ---- persistence ---------------------------------------------------------------------

namespace sala {

namespace {

using json = nlohmann::json;

json minutes_of(instant t) { return t.time_since_epoch().count(); }
instant instant_of(const json& j) { return instant{minutes{j.get<std::int64_t>()}}; }

json to_j(const step_record& s) {
    return {{"done", s.done},
            {"attempts", s.attempts},
            {"failures", s.failures},
            {"next_attempt", minutes_of(s.next_attempt)},
            {"last_error", s.last_error},
            {"surfaced", s.surfaced},
            {"done_at", s.done_at ? minutes_of(*s.done_at) : json(nullptr)},
            {"progress", s.progress}};
}

step_record step_of(const json& j) {
    step_record s;
    s.done = j.at("done").get<bool>();
    s.attempts = j.at("attempts").get<int>();
    s.failures = j.at("failures").get<int>();
    s.next_attempt = instant_of(j.at("next_attempt"));
    s.last_error = j.at("last_error").get<std::string>();
    s.surfaced = j.at("surfaced").get<bool>();
    if (!j.at("done_at").is_null()) s.done_at = instant_of(j.at("done_at"));
    s.progress = j.at("progress").get<std::set<std::string>>();
    return s;
}

json to_j(const backend_webinar& w) {
    return {{"room", w.room.value},           {"host_user_id", w.host_user_id},
            {"room_email", w.room_email},     {"webinar_id", w.handle.webinar_id},
            {"join_url", w.handle.join_url},  {"start_url", w.handle.start_url},
            {"passcode", w.passcode},         {"generation", w.generation},
            {"password_given", w.password_given}};
}

backend_webinar webinar_of_j(const json& j) {
    backend_webinar w;
    w.room = room_id{j.at("room").get<std::uint32_t>()};
    w.host_user_id = j.at("host_user_id").get<std::string>();
    w.room_email = j.at("room_email").get<std::string>();
    w.handle = {j.at("webinar_id").get<std::string>(), j.at("join_url").get<std::string>(),
                j.at("start_url").get<std::string>()};
    w.passcode = j.at("passcode").get<std::string>();
    w.generation = j.at("generation").get<std::uint32_t>();
    w.password_given = j.at("password_given").get<bool>();
    return w;
}

json to_j(const mail_address& a) { return {{"name", a.name}, {"email", a.email}}; }
mail_address address_of(const json& j) {
    return {j.at("name").get<std::string>(), j.at("email").get<std::string>()};
}

json to_j(const webinar_record& r) {
    json steps = json::object();
    for (const auto& [k, s] : r.steps) steps[to_string(k)] = to_j(s);
    json replaced = json::array();
    for (const auto& w : r.replaced) replaced.push_back(to_j(w));
    json report = json::array();
    for (const auto& p : r.report)
        report.push_back({{"name", p.name},
                          {"email", p.email},
                          {"join", minutes_of(p.join_time)},
                          {"leave", minutes_of(p.leave_time)},
                          {"duration_seconds", p.duration_seconds}});
    json recs = json::array();
    for (const auto& f : r.recordings)
        recs.push_back({{"id", f.id}, {"file_type", f.file_type}, {"download_url", f.download_url},
                        {"size_bytes", f.size_bytes}});
    return {{"request", r.request.value},
            {"title", r.title},
            {"webinar", r.webinar ? to_j(*r.webinar) : json(nullptr)},
            {"replaced", replaced},
            {"generation", r.generation},
            {"previous_room_email", r.previous_room_email},
            {"credentials_requested", r.credentials_requested ? minutes_of(*r.credentials_requested) : json(nullptr)},
            {"steps", steps},
            {"report", report},
            {"recordings", recs},
            {"recording_stuck", r.recording_stuck}};
}

webinar_record record_of_j(const json& j) {
    webinar_record r;
    r.request = request_id{j.at("request").get<std::uint64_t>()};
    r.title = j.at("title").get<std::string>();
    if (!j.at("webinar").is_null()) r.webinar = webinar_of_j(j.at("webinar"));
    for (const auto& w : j.at("replaced")) r.replaced.push_back(webinar_of_j(w));
    r.generation = j.at("generation").get<std::uint32_t>();
    r.previous_room_email = j.at("previous_room_email").get<std::string>();
    if (!j.at("credentials_requested").is_null()) r.credentials_requested = instant_of(j.at("credentials_requested"));
    for (const auto& [k, s] : j.at("steps").items()) r.steps[parse_step_kind(k)] = step_of(s);
    for (const auto& p : j.at("report"))
        r.report.push_back({p.at("name").get<std::string>(), p.at("email").get<std::string>(), instant_of(p.at("join")),
                            instant_of(p.at("leave")), p.at("duration_seconds").get<std::int64_t>()});
    for (const auto& f : j.at("recordings"))
        r.recordings.push_back({f.at("id").get<std::string>(), f.at("file_type").get<std::string>(),
                                f.at("download_url").get<std::string>(), f.at("size_bytes").get<std::int64_t>()});
    r.recording_stuck = j.at("recording_stuck").get<bool>();
    return r;
}

json to_j(const admin_notice& n) {
    json to = json::array();
    for (const auto& a : n.message.to) to.push_back(to_j(a));
    return {{"from", to_j(n.message.from)},
            {"to", to},
            {"subject", n.message.subject},
            {"text", n.message.text_body},
            {"html", n.message.html_body},
            {"key", n.message.idempotency_key},
            {"queued", minutes_of(n.queued)},
            {"step", to_j(n.step)}};
}

admin_notice notice_of_j(const json& j) {
    admin_notice n;
    n.message.from = address_of(j.at("from"));
    for (const auto& a : j.at("to")) n.message.to.push_back(address_of(a));
    n.message.subject = j.at("subject").get<std::string>();
    n.message.text_body = j.at("text").get<std::string>();
    n.message.html_body = j.at("html").get<std::string>();
    n.message.idempotency_key = j.at("key").get<std::string>();
    n.queued = instant_of(j.at("queued"));
    n.step = step_of(j.at("step"));
    return n;
}

}  // namespace

step_kind parse_step_kind(std::string_view s) {
    if (const auto k = parse_enum<step_kind>(s)) return *k;
    throw invalid_argument("step", "'" + std::string(s) + "' is not a lifecycle step");
}

std::vector<lifecycle_record> to_records(const lifecycle_state& s) {
    std::vector<lifecycle_record> out;
    for (const auto& [id, r] : s.webinars) out.push_back({"request/" + num(id), id, to_j(r).dump()});
    for (const auto& [room, st] : s.room_settings)
        out.push_back({"room/" + std::to_string(room.value), std::nullopt,
                       json{{"room", room.value}, {"step", to_j(st)}}.dump()});
    // Notices keep their order: the key carries the position.
    for (std::size_t i = 0; i < s.admin_notices.size(); ++i) {
        std::string pos = std::to_string(i);
        pos.insert(0, pos.size() < 6 ? 6 - pos.size() : 0, '0');
        out.push_back({"notice/" + pos + "/" + s.admin_notices[i].message.idempotency_key, std::nullopt,
                       to_j(s.admin_notices[i]).dump()});
    }
    return out;
}

lifecycle_state from_records(const std::vector<lifecycle_record>& rows) {
    lifecycle_state s;
    std::map<std::string, admin_notice> notices;  // sorted by the position in the key
    for (const auto& row : rows) {
        if (row.state.empty()) continue;
        try {
            const json j = json::parse(row.state);
            if (row.key.rfind("request/", 0) == 0) {
                auto r = record_of_j(j);
                s.webinars[r.request] = std::move(r);
            } else if (row.key.rfind("room/", 0) == 0) {
                s.room_settings[room_id{j.at("room").get<std::uint32_t>()}] = step_of(j.at("step"));
            } else if (row.key.rfind("notice/", 0) == 0) {
                notices[row.key] = notice_of_j(j);
            } else {
                throw store_error("unknown lifecycle row kind");
            }
        } catch (const store_error& e) {
            throw store_error("lifecycle row '" + row.key + "': " + e.what());
        } catch (const std::exception& e) {
            throw store_error("lifecycle row '" + row.key + "' is not a lifecycle record: " + e.what());
        }
    }
    for (auto& [k, n] : notices) s.admin_notices.push_back(std::move(n));
    return s;
}

std::vector<lifecycle_record> changed_records(const lifecycle_state& before, const lifecycle_state& after) {
    std::map<std::string, lifecycle_record> old;
    for (auto& r : to_records(before)) old.emplace(r.key, std::move(r));
    std::vector<lifecycle_record> out;
    for (auto& r : to_records(after)) {
        auto it = old.find(r.key);
        if (it == old.end() || it->second.state != r.state) out.push_back(r);
        if (it != old.end()) old.erase(it);
    }
    for (auto& [k, r] : old) out.push_back({k, r.request, std::string{}});
    return out;
}

}  // namespace sala
