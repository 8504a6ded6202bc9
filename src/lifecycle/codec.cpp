// The lifecycle state's store rows: one JSON object per webinar, room and admin
// notice, each with a "version" so that rows written by older builds can be
// upgraded on read and rows from newer builds are refused, not misread.
#include <algorithm>
#include <map>
#include <set>
#include <tuple>

#include <nlohmann/json.hpp>

#include "lifecycle/engine.hpp"
#include "sala/error.hpp"
#include "sala/lifecycle/lifecycle.hpp"

namespace sala {

namespace {

using json = nlohmann::json;

// Version 1: the first layout (rows written before the field existed have none).
// To change the layout: bump lifecycle_codec_version and add the step from the
// previous version to upgrade().
json versioned(json j) {
    j["version"] = lifecycle_codec_version;
    return j;
}

// `j` read as a row of the current version, or store_error.
json upgrade(json j) {
    const int version = j.contains("version") ? j.at("version").get<int>() : 1;
    if (version > lifecycle_codec_version)
        throw store_error("version " + std::to_string(version) +
                          " is newer than this build reads (" +
                          std::to_string(lifecycle_codec_version) + ")");
    if (version < 1) throw store_error("version " + std::to_string(version) + " does not exist");
    j.erase("version");
    return j;
}

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
    return {{"room", w.room.value},
            {"host_user_id", w.host_user_id},
            {"room_email", w.room_email},
            {"webinar_id", w.handle.webinar_id},
            {"join_url", w.handle.join_url},
            {"start_url", w.handle.start_url},
            {"passcode", w.passcode},
            {"generation", w.generation},
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
        recs.push_back({{"id", f.id},
                        {"file_type", f.file_type},
                        {"download_url", f.download_url},
                        {"size_bytes", f.size_bytes}});
    json out = {{"request", r.request.value},
                {"title", r.title},
                {"webinar", r.webinar ? to_j(*r.webinar) : json(nullptr)},
                {"replaced", replaced},
                {"generation", r.generation},
                {"previous_room_email", r.previous_room_email},
                {"credentials_requested",
                 r.credentials_requested ? minutes_of(*r.credentials_requested) : json(nullptr)},
                {"steps", steps},
                {"report", report},
                {"recordings", recs},
                {"recording_stuck", r.recording_stuck},
                {"sealed_password", r.sealed_password}};
    // Only once Zoom said so (webinar.started): rows without it read as before.
    if (r.started_at) out["started_at"] = minutes_of(*r.started_at);
    return out;
}

webinar_record record_of_j(const json& j) {
    webinar_record r;
    r.request = request_id{j.at("request").get<std::uint64_t>()};
    r.title = j.at("title").get<std::string>();
    if (!j.at("webinar").is_null()) r.webinar = webinar_of_j(j.at("webinar"));
    for (const auto& w : j.at("replaced")) r.replaced.push_back(webinar_of_j(w));
    r.generation = j.at("generation").get<std::uint32_t>();
    r.previous_room_email = j.at("previous_room_email").get<std::string>();
    if (!j.at("credentials_requested").is_null())
        r.credentials_requested = instant_of(j.at("credentials_requested"));
    for (const auto& [k, s] : j.at("steps").items()) r.steps[parse_step_kind(k)] = step_of(s);
    for (const auto& p : j.at("report"))
        r.report.push_back({p.at("name").get<std::string>(), p.at("email").get<std::string>(),
                            instant_of(p.at("join")), instant_of(p.at("leave")),
                            p.at("duration_seconds").get<std::int64_t>()});
    for (const auto& f : j.at("recordings"))
        r.recordings.push_back({f.at("id").get<std::string>(), f.at("file_type").get<std::string>(),
                                f.at("download_url").get<std::string>(),
                                f.at("size_bytes").get<std::int64_t>()});
    r.recording_stuck = j.at("recording_stuck").get<bool>();
    if (j.contains("sealed_password"))
        r.sealed_password = j.at("sealed_password").get<std::string>();
    if (j.contains("started_at")) r.started_at = instant_of(j.at("started_at"));
    return r;
}

json to_j(const admin_notice& n) {
    json to = json::array();
    for (const auto& a : n.message.to) to.push_back(to_j(a));
    return {{"from", to_j(n.message.from)},   {"to", to},
            {"subject", n.message.subject},   {"text", n.message.text_body},
            {"html", n.message.html_body},    {"key", n.message.idempotency_key},
            {"queued", minutes_of(n.queued)}, {"step", to_j(n.step)}};
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

namespace detail {

std::string notice_row(const std::string& key) { return "notice/" + key; }

void insert_notice(std::vector<admin_notice>& notices, admin_notice n) {
    const auto order = [](const admin_notice& x) {
        return std::tie(x.queued, x.message.idempotency_key);
    };
    for (auto& o : notices)
        if (o.message.idempotency_key == n.message.idempotency_key) {
            o = std::move(n);
            return;
        }
    const auto at =
        std::upper_bound(notices.begin(), notices.end(), n,
                         [&](const auto& a, const auto& b) { return order(a) < order(b); });
    notices.insert(at, std::move(n));
}

}  // namespace detail

step_kind parse_step_kind(std::string_view s) {
    if (const auto k = parse_enum<step_kind>(s)) return *k;
    throw invalid_argument("step", "'" + std::string(s) + "' is not a lifecycle step");
}

std::vector<lifecycle_record> to_records(const lifecycle_state& s) {
    std::vector<lifecycle_record> out;
    for (const auto& [id, r] : s.webinars)
        out.push_back({"request/" + std::to_string(id.value), id, versioned(to_j(r)).dump()});
    for (const auto& [room, st] : s.room_settings)
        out.push_back({"room/" + std::to_string(room.value), std::nullopt,
                       versioned(json{{"room", room.value}, {"step", to_j(st)}}).dump()});
    // One row per idempotency key, so processes queueing the same notice share
    // its row (rows of stores before schema 3 carried the position too).
    for (const auto& n : s.admin_notices)
        out.push_back({detail::notice_row(n.message.idempotency_key), std::nullopt,
                       versioned(to_j(n)).dump()});
    return out;
}

lifecycle_state from_records(const std::vector<lifecycle_record>& rows) {
    lifecycle_state s;
    std::vector<admin_notice> notices;
    for (const auto& row : rows) {
        if (row.state.empty()) continue;
        try {
            const json j = upgrade(json::parse(row.state));
            if (row.key.rfind("request/", 0) == 0) {
                auto r = record_of_j(j);
                s.webinars[r.request] = std::move(r);
            } else if (row.key.rfind("room/", 0) == 0) {
                s.room_settings[room_id{j.at("room").get<std::uint32_t>()}] = step_of(j.at("step"));
            } else if (row.key.rfind("notice/", 0) == 0) {
                notices.push_back(notice_of_j(j));
            } else {
                throw store_error("unknown lifecycle row kind");
            }
        } catch (const store_error& e) {
            throw store_error("lifecycle row '" + row.key + "': " + e.what());
        } catch (const std::exception& e) {
            throw store_error("lifecycle row '" + row.key +
                              "' is not a lifecycle record: " + e.what());
        }
    }
    for (auto& n : notices) detail::insert_notice(s.admin_notices, std::move(n));
    return s;
}

namespace {

std::optional<std::uint64_t> number_after(const std::string& key, std::string_view prefix) {
    if (key.rfind(prefix, 0) != 0) return std::nullopt;
    try {
        return std::stoull(key.substr(prefix.size()));
    } catch (const std::exception&) {
        return std::nullopt;
    }
}

}  // namespace

void absorb_records(lifecycle_state& s, const std::vector<lifecycle_record>& rows) {
    for (const auto& row : rows) {
        if (row.state.empty()) {  // erased
            if (const auto id = number_after(row.key, "request/"))
                s.webinars.erase(request_id{*id});
            else if (const auto room = number_after(row.key, "room/"))
                s.room_settings.erase(room_id{static_cast<std::uint32_t>(*room)});
            else if (row.key.rfind("notice/", 0) == 0)
                std::erase_if(s.admin_notices, [&](const admin_notice& n) {
                    return detail::notice_row(n.message.idempotency_key) == row.key;
                });
            continue;
        }
        lifecycle_state one = from_records({row});
        for (auto& [id, r] : one.webinars) s.webinars[id] = std::move(r);
        for (auto& [room, st] : one.room_settings) s.room_settings[room] = std::move(st);
        for (auto& n : one.admin_notices) detail::insert_notice(s.admin_notices, std::move(n));
    }
}

lifecycle_record record_of(const lifecycle_state& s, const std::string& key) {
    lifecycle_state one;
    if (const auto id = number_after(key, "request/")) {
        if (auto it = s.webinars.find(request_id{*id}); it != s.webinars.end())
            one.webinars.insert(*it);
    } else if (const auto room = number_after(key, "room/")) {
        if (auto it = s.room_settings.find(room_id{static_cast<std::uint32_t>(*room)});
            it != s.room_settings.end())
            one.room_settings.insert(*it);
    } else {
        for (const auto& n : s.admin_notices)
            if (detail::notice_row(n.message.idempotency_key) == key)
                one.admin_notices.push_back(n);
    }
    auto rows = to_records(one);
    if (rows.empty()) return {key, std::nullopt, std::string{}};
    return rows.front();
}

std::vector<lifecycle_record> changed_records(const lifecycle_state& before,
                                              const lifecycle_state& after) {
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
