#pragma once
// The lifecycle (sala/lifecycle.hpp) on a durable platform: its step state is
// saved in the store after every tick, one transaction, one lifecycle record
// per webinar ("webinar/42"), per room ("room/3", R20) and per admin notice
// ("admin/000001"), as JSON. A restarted host gets it back and catches up
// (R16): steps already done are not run again.
//
//   auto db = sala::sqlite_store::open("sala.db");
//   sala::durable_platform p(db);
//   sala::durable_lifecycle life(p, zoom, smtp, options);
//   life.tick(now);   // backend calls + mails, then the step state is saved
//
// What a crash can repeat: the lifecycle calls backends during tick() and
// saves afterwards, so a crash in between runs those steps again with the same
// idempotency keys. Mailers that honour the key (the SMTP and outbox adapters
// derive Message-ID from it) let the receiver drop the repeat; Zoom's create
// webinar has no idempotency key, so a crash right after a create can leave one
// duplicate webinar per crash (the lifecycle's own create step record is what
// keeps it from more). Credentials passwords are not saved (the lifecycle's
// decision): a credentials mail still pending after a restart makes a new one.

#include <cstdio>
#include <map>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "sala/durable.hpp"
#include "sala/lifecycle.hpp"

namespace sala {

namespace detail::lc {

using json = nlohmann::json;

inline json enc_t(instant t) { return t.time_since_epoch().count(); }
inline instant dec_t(const json& j) { return instant{minutes{j.get<long long>()}}; }
inline json enc_ot(const std::optional<instant>& t) { return t ? enc_t(*t) : json(nullptr); }
inline std::optional<instant> dec_ot(const json& j) {
    if (j.is_null()) return std::nullopt;
    return dec_t(j);
}

inline json enc(const step_record& s) {
    return {{"done", s.done}, {"attempts", s.attempts}, {"failures", s.failures},
            {"next_attempt", enc_t(s.next_attempt)}, {"last_error", s.last_error},
            {"surfaced", s.surfaced}, {"done_at", enc_ot(s.done_at)}, {"progress", s.progress}};
}
inline step_record dec_step(const json& j) {
    step_record s;
    s.done = j.at("done").get<bool>();
    s.attempts = j.at("attempts").get<int>();
    s.failures = j.at("failures").get<int>();
    s.next_attempt = dec_t(j.at("next_attempt"));
    s.last_error = j.at("last_error").get<std::string>();
    s.surfaced = j.at("surfaced").get<bool>();
    s.done_at = dec_ot(j.at("done_at"));
    s.progress = j.at("progress").get<std::set<std::string>>();
    return s;
}

inline step_kind dec_kind(const std::string& name) {
    for (int k = 0; k <= static_cast<int>(step_kind::admin_mail); ++k)
        if (name == to_string(static_cast<step_kind>(k))) return static_cast<step_kind>(k);
    throw store_error("stored lifecycle step '" + name + "' is not one this sala knows");
}

inline json enc(const backend_webinar& w) {
    return {{"room", w.room.value}, {"host_user_id", w.host_user_id}, {"room_email", w.room_email},
            {"webinar_id", w.handle.webinar_id}, {"join_url", w.handle.join_url},
            {"start_url", w.handle.start_url}, {"passcode", w.passcode}, {"generation", w.generation},
            {"password_given", w.password_given}};
}
inline backend_webinar dec_webinar(const json& j) {
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

inline json enc(const webinar_record& r) {
    json steps = json::object();
    for (const auto& [k, s] : r.steps) steps[to_string(k)] = enc(s);
    json replaced = json::array();
    for (const auto& w : r.replaced) replaced.push_back(enc(w));
    json report = json::array();
    for (const auto& p : r.report)
        report.push_back({{"name", p.name}, {"email", p.email}, {"join", enc_t(p.join_time)},
                          {"leave", enc_t(p.leave_time)}, {"seconds", p.duration_seconds}});
    json recordings = json::array();
    for (const auto& f : r.recordings)
        recordings.push_back({{"id", f.id}, {"file_type", f.file_type}, {"download_url", f.download_url},
                              {"size_bytes", f.size_bytes}});
    return {{"request", r.request.value}, {"title", r.title},
            {"webinar", r.webinar ? enc(*r.webinar) : json(nullptr)}, {"replaced", replaced},
            {"generation", r.generation}, {"previous_room_email", r.previous_room_email},
            {"credentials_requested", enc_ot(r.credentials_requested)}, {"steps", steps},
            {"report", report}, {"recordings", recordings}, {"recording_stuck", r.recording_stuck}};
}
inline webinar_record dec_record(const json& j) {
    webinar_record r;
    r.request = request_id{j.at("request").get<std::uint64_t>()};
    r.title = j.at("title").get<std::string>();
    if (!j.at("webinar").is_null()) r.webinar = dec_webinar(j.at("webinar"));
    for (const auto& w : j.at("replaced")) r.replaced.push_back(dec_webinar(w));
    r.generation = j.at("generation").get<std::uint32_t>();
    r.previous_room_email = j.at("previous_room_email").get<std::string>();
    r.credentials_requested = dec_ot(j.at("credentials_requested"));
    for (const auto& [k, s] : j.at("steps").items()) r.steps[dec_kind(k)] = dec_step(s);
    for (const auto& p : j.at("report"))
        r.report.push_back({p.at("name").get<std::string>(), p.at("email").get<std::string>(),
                            dec_t(p.at("join")), dec_t(p.at("leave")), p.at("seconds").get<std::int64_t>()});
    for (const auto& f : j.at("recordings"))
        r.recordings.push_back({f.at("id").get<std::string>(), f.at("file_type").get<std::string>(),
                                f.at("download_url").get<std::string>(), f.at("size_bytes").get<std::int64_t>()});
    r.recording_stuck = j.at("recording_stuck").get<bool>();
    return r;
}

inline json enc(const mail_address& a) { return {{"name", a.name}, {"email", a.email}}; }
inline mail_address dec_address(const json& j) {
    return {j.at("name").get<std::string>(), j.at("email").get<std::string>()};
}
inline json enc(const admin_notice& n) {
    json to = json::array();
    for (const auto& a : n.message.to) to.push_back(enc(a));
    return {{"from", enc(n.message.from)}, {"to", to}, {"subject", n.message.subject},
            {"text_body", n.message.text_body}, {"html_body", n.message.html_body},
            {"idempotency_key", n.message.idempotency_key}, {"queued", enc_t(n.queued)},
            {"step", enc(n.step)}};
}
inline admin_notice dec_notice(const json& j) {
    admin_notice n;
    n.message.from = dec_address(j.at("from"));
    for (const auto& a : j.at("to")) n.message.to.push_back(dec_address(a));
    n.message.subject = j.at("subject").get<std::string>();
    n.message.text_body = j.at("text_body").get<std::string>();
    n.message.html_body = j.at("html_body").get<std::string>();
    n.message.idempotency_key = j.at("idempotency_key").get<std::string>();
    n.queued = dec_t(j.at("queued"));
    n.step = dec_step(j.at("step"));
    return n;
}

inline std::string admin_key(std::size_t index) {
    char buf[32];
    std::snprintf(buf, sizeof buf, "admin/%06zu", index);
    return buf;
}

}  // namespace detail::lc

// The lifecycle records for what differs between two lifecycle states
// (removed entries get an empty state, which erases them).
inline std::vector<lifecycle_record> lifecycle_changes(const lifecycle_state& before,
                                                       const lifecycle_state& after) {
    using namespace detail::lc;
    std::vector<lifecycle_record> out;
    for (const auto& [id, r] : after.webinars) {
        auto it = before.webinars.find(id);
        if (it == before.webinars.end() || !(it->second == r))
            out.push_back({"webinar/" + std::to_string(id.value), id, enc(r).dump()});
    }
    for (const auto& [id, r] : before.webinars)
        if (!after.webinars.count(id)) out.push_back({"webinar/" + std::to_string(id.value), id, ""});
    for (const auto& [room, s] : after.room_settings) {
        auto it = before.room_settings.find(room);
        if (it == before.room_settings.end() || !(it->second == s))
            out.push_back({"room/" + std::to_string(room.value), std::nullopt, enc(s).dump()});
    }
    for (const auto& [room, s] : before.room_settings)
        if (!after.room_settings.count(room))
            out.push_back({"room/" + std::to_string(room.value), std::nullopt, ""});
    for (std::size_t k = 0; k < after.admin_notices.size(); ++k)
        if (k >= before.admin_notices.size() || !(before.admin_notices[k] == after.admin_notices[k]))
            out.push_back({admin_key(k), std::nullopt, enc(after.admin_notices[k]).dump()});
    for (std::size_t k = after.admin_notices.size(); k < before.admin_notices.size(); ++k)
        out.push_back({admin_key(k), std::nullopt, ""});
    return out;
}

// Rebuilds a lifecycle state from the store's lifecycle records; records of
// other producers (keys outside webinar/, room/, admin/) are ignored.
inline lifecycle_state lifecycle_state_from(const std::vector<lifecycle_record>& records) {
    using namespace detail::lc;
    lifecycle_state st;
    std::map<std::string, admin_notice> notices;  // admin/000001 sorts by index
    for (const auto& rec : records) {
        try {
            const json j = json::parse(rec.state);
            if (rec.key.rfind("webinar/", 0) == 0) {
                webinar_record r = dec_record(j);
                st.webinars.emplace(r.request, std::move(r));
            } else if (rec.key.rfind("room/", 0) == 0) {
                st.room_settings.emplace(room_id{static_cast<std::uint32_t>(std::stoul(rec.key.substr(5)))},
                                         dec_step(j));
            } else if (rec.key.rfind("admin/", 0) == 0) {
                notices.emplace(rec.key, dec_notice(j));
            }
        } catch (const store_error&) {
            throw;
        } catch (const std::exception& e) {
            throw store_error("stored lifecycle record '" + rec.key + "' is unreadable: " + e.what());
        }
    }
    for (auto& [k, n] : notices) st.admin_notices.push_back(std::move(n));
    return st;
}

// A lifecycle whose step state is saved after every tick (see the top).
class durable_lifecycle {
public:
    durable_lifecycle(durable_platform& p, conferencing& c, mailer& m, lifecycle_options o = {})
        : platform_(p),
          engine_(p.inner(), c, m, std::move(o), lifecycle_state_from(p.backing_store().lifecycle())),
          saved_(engine_.state()) {}

    // Runs what is due, then saves the step state in one transaction.
    std::size_t tick(instant now) {
        const std::size_t n = engine_.tick(now);
        save();
        return n;
    }
    // R13, saved like a tick.
    bool generate_credentials_now(request_id id, instant now) {
        const bool done = engine_.generate_credentials_now(id, now);
        save();
        return done;
    }
    // Writes what changed since the last save (a failed save is retried by the next one).
    void save() {
        auto changes = lifecycle_changes(saved_, engine_.state());
        if (!changes.empty()) platform_.commit_step(std::move(changes), {});
        saved_ = engine_.state();
    }

    // Queries and callbacks. Link accounts with durable_platform::link_account
    // (users from conferencing::list_users()), not engine().link_account, so
    // the rooms are saved.
    lifecycle& engine() noexcept { return engine_; }
    const lifecycle& engine() const noexcept { return engine_; }

private:
    durable_platform& platform_;
    lifecycle engine_;
    lifecycle_state saved_;
};

}  // namespace sala
