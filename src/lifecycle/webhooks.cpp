// Webhooks out: platform events and lifecycle steps -> "webhook" effects
// (sala/durable/webhooks.hpp). Payloads are built here once, at commit; the
// dispatcher only signs and delivers them.
#include "sala/durable/webhooks.hpp"

#include <nlohmann/json.hpp>

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "sala/error.hpp"
#include "sala/time.hpp"

namespace sala {

namespace {

using nlohmann::json;

std::string num(request_id id) { return std::to_string(id.value); }

json room_json(const platform& p, std::optional<room_id> r) {
    if (!r) return nullptr;
    json j{{"id", r->value}};
    try {
        j["email"] = p.get_room(*r).email;
    } catch (const not_found&) {
        j["email"] = nullptr;
    }
    return j;
}

json request_json(const request& r, const platform& p, std::optional<room_id> room) {
    return json{{"request_id", r.id.value},
                {"event_id", r.event_id},
                {"title", r.title},
                {"organizer", {{"name", r.organizer.name}, {"email", r.organizer.email}}},
                {"start", format_iso_utc(r.window.start)},
                {"end", format_iso_utc(r.window.end)},
                {"zone", r.zone},
                {"room", room_json(p, room)}};
}

effect make(const std::string& type, std::string key, json data, const platform& p,
            std::optional<request_id> rq) {
    const json body{
        {"type", type}, {"timestamp", format_iso_utc(p.now())}, {"data", std::move(data)}};
    return effect{webhook_effect_kind, std::move(key), body.dump(), rq};
}

const char* type_of(event_kind k) {
    switch (k) {
        case event_kind::assigned: return "request.assigned";
        case event_kind::queued: return "request.queued";
        case event_kind::reassigned: return "request.reassigned";
        case event_kind::cancelled: return "request.cancelled";
        case event_kind::linked:
        case event_kind::room_changed:
        case event_kind::settings_changed:
        case event_kind::submitted: return nullptr;
    }
    return nullptr;
}

std::optional<request> find_request(const platform& p, request_id id,
                                    const std::vector<history_record>& cancelled) {
    if (auto it = p.state().requests.find(id); it != p.state().requests.end()) return it->second;
    for (const auto& h : cancelled)
        if (h.request.id == id) return h.request;
    return std::nullopt;
}

}  // namespace

std::vector<std::string> webhook_types() {
    return {"request.assigned",   "request.queued", "request.reassigned", "request.cancelled",
            "credentials.issued", "report.ready",   "problem.opened",     "problem.closed"};
}

std::vector<effect> webhook_effects(const event& e, const platform& p,
                                    const std::vector<history_record>& cancelled,
                                    std::uint64_t base_version, std::size_t index) {
    const char* type = type_of(e.kind);
    if (!type || !e.request) return {};
    const auto rq = find_request(p, *e.request, cancelled);
    if (!rq) return {};
    json data = request_json(*rq, p, e.kind == event_kind::cancelled ? std::nullopt : e.room);
    if (e.kind == event_kind::reassigned || e.kind == event_kind::cancelled)
        data["previous_room"] = room_json(p, e.previous_room);
    std::string key = std::string("webhook/") + type + "/" + num(*e.request) + "/" +
                      std::to_string(base_version) + "." + std::to_string(index);
    return {make(type, std::move(key), std::move(data), p, e.request)};
}

std::vector<effect> webhook_effects(const step_change& c, const platform& p) {
    std::vector<effect> out;
    const auto& s = c.subject;
    const bool was_done = c.before && c.before->done;
    const bool was_surfaced = c.before && c.before->surfaced;
    std::optional<request> rq;
    if (s.request)
        if (auto it = p.state().requests.find(*s.request); it != p.state().requests.end())
            rq = it->second;
    const auto base = [&](std::optional<room_id> room) {
        return rq ? request_json(*rq, p, room) : json{{"room", room_json(p, room)}};
    };
    const std::optional<room_id> room =
        c.webinar && c.webinar->webinar ? std::optional<room_id>(c.webinar->webinar->room) : s.room;

    if (c.after.done && !was_done && rq && s.request) {
        if (s.step == step_kind::mail_credentials && c.webinar) {
            json data = base(room);
            if (c.webinar->webinar) data["join_url"] = c.webinar->webinar->handle.join_url;
            data["valid_until"] = format_iso_utc(rq->window.grace_end);
            out.push_back(make("credentials.issued",
                               "webhook/credentials.issued/" + num(*s.request) + "/" +
                                   std::to_string(c.webinar->generation),
                               std::move(data), p, s.request));
        } else if (s.step == step_kind::fetch_report && c.webinar) {
            json data = base(room);
            const attendance_report rep{*s.request, rq->title, c.webinar->report};
            data["report"] = {{"sessions", rep.sessions.size()}, {"people", rep.people()}};
            out.push_back(make("report.ready", "webhook/report.ready/" + num(*s.request),
                               std::move(data), p, s.request));
        }
    }
    const std::string tail =
        "/" + s.row + "/" + to_string(s.step) + "/" + std::to_string(c.after.attempts);
    if (c.after.surfaced && !was_surfaced) {
        json data = base(room);
        data["problem"] = {{"step", to_string(s.step)},
                           {"failures", c.after.failures},
                           {"error", c.after.last_error},
                           {"next_attempt", format_iso_utc(c.after.next_attempt)}};
        out.push_back(
            make("problem.opened", "webhook/problem.opened" + tail, std::move(data), p, s.request));
    } else if (was_surfaced && !c.after.surfaced) {
        json data = base(room);
        data["problem"] = {{"step", to_string(s.step)}, {"failures", c.before->failures}};
        out.push_back(
            make("problem.closed", "webhook/problem.closed" + tail, std::move(data), p, s.request));
    }
    return out;
}

void enable_webhooks(durable_platform& p) {
    // The index restarts with each command (each base version).
    struct counter {
        std::uint64_t version = ~std::uint64_t{0};
        std::size_t next = 0;
    };
    auto n = std::make_shared<counter>();
    p.set_effect_planner([&p, n](const event& e, const platform& view) {
        if (n->version != p.version()) *n = {p.version(), 0};
        const std::size_t index = n->next++;
        return webhook_effects(e, view, p.pending_history(), p.version(), index);
    });
}

void enable_webhooks(durable_lifecycle& life) {
    life.set_step_effects(
        [](const step_change& c, const platform& p) { return webhook_effects(c, p); });
}

}  // namespace sala
