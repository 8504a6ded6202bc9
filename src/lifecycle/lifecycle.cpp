// sala::lifecycle: construction, the commands and the queries. The engine is in
// engine.cpp, the steps in steps/, the store rows in codec.cpp.
#include "sala/lifecycle/lifecycle.hpp"

#include <algorithm>
#include <set>
#include <tuple>

#include "lifecycle/engine.hpp"
#include "sala/adapters/folder_sink.hpp"
#include "sala/error.hpp"

namespace sala {

namespace {

// The given sink, else a folder over `dir`, else none.
bool credentials_mailed(const lifecycle_state& st, request_id id) {
    auto it = st.webinars.find(id);
    if (it == st.webinars.end()) return false;
    auto s = it->second.steps.find(step_kind::mail_credentials);
    return s != it->second.steps.end() && s->second.done;
}

std::shared_ptr<file_sink> sink_of(const std::shared_ptr<file_sink>& given,
                                   const std::string& dir) {
    if (given) return given;
    if (dir.empty()) return nullptr;
    return std::make_shared<folder_sink>(dir);
}

}  // namespace

lifecycle::lifecycle(platform& p, conferencing& c, mailer& m, lifecycle_options o,
                     lifecycle_state restored)
    : platform_(p),
      conf_(c),
      mail_(m),
      options_(std::move(o)),
      state_(std::move(restored)),
      reports_(sink_of(options_.report_sink, options_.reports_dir)),
      recordings_(sink_of(options_.recording_sink, options_.recordings_dir)),
      alive_(std::make_shared<bool>(true)),
      touched_(std::make_shared<std::set<request_id>>()) {
    detail::step_table();  // throws std::logic_error when a step has no descriptor
    if (options_.failure_threshold < 1)
        throw invalid_argument("failure_threshold", "must be at least 1");
    if (options_.backoff_base < minutes{1})
        throw invalid_argument("backoff_base", "must be at least 1 minute");
    if (options_.backoff_max < options_.backoff_base)
        throw invalid_argument("backoff_max", "must not be shorter than backoff_base");
    if (options_.recordings_poll < minutes{1})
        throw invalid_argument("recordings_poll", "must be at least 1 minute");
    if (options_.recording_stuck_after < minutes{0})
        throw invalid_argument("recording_stuck_after", "must not be negative");
    if (!options_.credentials_key.empty())
        credentials_key_ = detail::parse_credentials_key(options_.credentials_key);
    if (options_.claim_ttl <= std::chrono::milliseconds{0})
        throw invalid_argument("claim_ttl", "must be positive");
    if (options_.ticker_lease < std::chrono::milliseconds{0})
        throw invalid_argument("ticker_lease", "must not be negative");
    if (options_.holder.empty()) options_.holder = detail::default_holder();
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
            case event_kind::linked: touched->insert(request_id{0}); break;
            case event_kind::settings_changed:
            case event_kind::submitted:  // followed by assigned or queued
                break;
        }
    });
}

lifecycle::~lifecycle() { alive_.reset(); }

std::string lifecycle::key(step_kind k, request_id id, std::uint32_t generation,
                           const std::string& item) {
    return detail::descriptor_of(k).key(id, generation, item);
}

std::size_t lifecycle::tick(instant now) {
    if (ticking_)
        throw reentrant_command(
            "lifecycle::tick was called from inside a step (by a port); "
            "call it after the running tick returns");
    ticking_ = true;
    try {
        const auto n = detail::lifecycle_engine(*this).tick(now);
        ticking_ = false;
        return n;
    } catch (...) {
        ticking_ = false;
        throw;
    }
}

std::optional<instant> lifecycle::next_due() const {
    std::optional<instant> best;
    for (const auto& c : detail::lifecycle_engine::candidates(*this))
        if (!best || c.ready < *best) best = c.ready;
    return best;
}

std::set<request_id> lifecycle::busy_requests() const {
    std::set<request_id> out;
    for (const auto& c : detail::lifecycle_engine::candidates(*this))
        if (c.request) out.insert(*c.request);
    return out;
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
            for (auto k :
                 {step_kind::create_webinar, step_kind::set_password, step_kind::mail_credentials})
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
    if (request_credentials(id, now)) return true;
    tick(now);
    return credentials_mailed(state_, id);
}

bool lifecycle::request_credentials(request_id id, instant now) {
    const request rq = platform_.get_request(id);
    if (!platform_.reservation_of(id))
        throw rule_violation("R13",
                             to_string(id) + " ('" + rq.title + "') has no room; assign one first");
    if (credentials_mailed(state_, id)) return true;
    webinar_record& r = detail::lifecycle_engine(*this).webinar_of(id);
    r.credentials_requested = now;
    // Steps waiting in backoff are tried now: an admin asked.
    for (auto k : {step_kind::create_webinar, step_kind::set_password, step_kind::mail_credentials})
        if (auto it = r.steps.find(k); it != r.steps.end()) it->second.next_attempt = {};
    return false;
}

link_report lifecycle::link_account(const std::string& name, pool_kind kind) {
    const auto users = conf_.list_users();
    link_report rep = platform_.link_account(name, kind, users);
    const instant now = platform_.now();
    detail::lifecycle_engine e(*this);
    for (const auto& u : rep.wasted_licences) {
        mail_context ctx = e.admin_context();
        ctx.detail = u.email;
        e.queue_admin(mail_kind::wasted_licence, ctx, "wasted-licence/" + name + "/" + u.user_id,
                      now);
    }
    return rep;
}

std::optional<webinar_credentials> lifecycle::credentials_of(request_id id) const {
    auto it = state_.webinars.find(id);
    if (it == state_.webinars.end() || !it->second.webinar) return std::nullopt;
    const webinar_record& r = it->second;
    auto s = r.steps.find(step_kind::set_password);
    if (s == r.steps.end() || !s->second.done) return std::nullopt;
    if (auto rot = r.steps.find(step_kind::rotate_password);
        rot != r.steps.end() && rot->second.done)
        return std::nullopt;  // expired (R15)
    std::string password;
    if (auto pw = passwords_.find(id); pw != passwords_.end()) {
        password = pw->second;
    } else if (!r.sealed_password.empty() && !credentials_key_.empty()) {
        auto opened = detail::open_secret(credentials_key_, r.sealed_password,
                                          detail::password_context(id, r.generation));
        if (!opened)
            throw store_error("the stored credentials password of " + to_string(id) +
                              " does not open with the configured credentials_key");
        password = std::move(*opened);
    } else {
        return std::nullopt;
    }
    const auto& w = *r.webinar;
    const auto& reqs = platform_.state().requests;
    auto rq = reqs.find(id);
    return webinar_credentials{w.handle.start_url, w.handle.join_url, w.room_email,
                               std::move(password),
                               rq == reqs.end() ? instant{} : rq->second.window.grace_end};
}

// ---- for a step guard -------------------------------------------------------------------

void lifecycle::absorb(const std::vector<lifecycle_record>& rows) {
    // A password in memory is forgotten when another process changed its record's
    // generation or sealed password (the record then says which one is current).
    std::map<request_id, std::pair<std::uint32_t, std::string>> before;
    for (const auto& [id, pw] : passwords_)
        if (auto it = state_.webinars.find(id); it != state_.webinars.end())
            before[id] = {it->second.generation, it->second.sealed_password};
    absorb_records(state_, rows);
    for (const auto& [id, was] : before) {
        auto it = state_.webinars.find(id);
        if (it == state_.webinars.end() || it->second.generation != was.first ||
            it->second.sealed_password != was.second)
            passwords_.erase(id);
    }
}

bool lifecycle::due_now(const step_subject& s, instant now) const {
    std::vector<detail::candidate> cs;
    if (s.request)
        detail::lifecycle_engine::request_candidates(*this, *s.request, cs);
    else if (s.room)
        detail::lifecycle_engine::room_candidates(*this, cs);
    else
        detail::lifecycle_engine::notice_candidates(*this, cs);
    for (const auto& c : cs) {
        if (c.step != s.step || c.ready > now) continue;
        if (s.request) return true;
        if (s.room) {
            if (c.room == s.room) return true;
            continue;
        }
        if (c.notice < state_.admin_notices.size() &&
            detail::notice_row(state_.admin_notices[c.notice].message.idempotency_key) == s.row)
            return true;
    }
    return false;
}

void lifecycle::prepare(const step_subject& s) {
    if (s.step != step_kind::set_password || !s.request) return;
    detail::lifecycle_engine e(*this);
    e.ensure_password(*s.request, e.webinar_of(*s.request));
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
    for (const auto& c : detail::lifecycle_engine::candidates(*this))
        pending.insert(
            {c.request.value_or(request_id{0}).value,
             detail::descriptor_of(c.step).scope == detail::step_scope::room ? c.room->value : 0u,
             static_cast<int>(c.step)});
    const auto open = [&](std::optional<request_id> id, std::optional<room_id> room, step_kind k) {
        return pending.count({id.value_or(request_id{0}).value, room.value_or(room_id{0}).value,
                              static_cast<int>(k)}) > 0;
    };
    std::vector<problem> out;
    for (const auto& [room, s] : state_.room_settings)
        if (s.surfaced && !s.done && open(std::nullopt, room, step_kind::apply_room_settings))
            out.push_back({std::nullopt, room, step_kind::apply_room_settings, to_string(room),
                           s.failures, s.last_error, s.next_attempt});
    for (const auto& [id, r] : state_.webinars)
        for (const auto& [k, s] : r.steps)
            if (s.surfaced && !s.done && open(id, std::nullopt, k))
                out.push_back({id,
                               r.webinar ? std::optional<room_id>(r.webinar->room) : std::nullopt,
                               k, r.title, s.failures, s.last_error, s.next_attempt});
    for (const auto& n : state_.admin_notices)
        if (!n.step.done && n.step.failures >= options_.failure_threshold)
            out.push_back({std::nullopt, std::nullopt, step_kind::admin_mail, n.message.subject,
                           n.step.failures, n.step.last_error, n.step.next_attempt});
    const auto& reqs = platform_.state().requests;
    for (const auto& [id, r] : state_.webinars)
        if (r.recording_stuck && r.recordings.empty() && reqs.count(id))
            out.push_back({id,
                           r.webinar ? std::optional<room_id>(r.webinar->room) : std::nullopt,
                           step_kind::recording_stuck,
                           r.title,
                           0,
                           "no recording 6 hours after the end",
                           {}});
    return out;
}

}  // namespace sala
