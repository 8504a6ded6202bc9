// R15: the attendance report, fetched after the forced end, saved through the
// report sink and announced to the organizer and the admin.
#include <set>

#include "lifecycle/steps/steps.hpp"

namespace sala {

namespace {

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
        out += csv_field(p.name) + "," + csv_field(p.email) + "," + t(p.join_time) + "," +
               t(p.leave_time) + "," + std::to_string(p.duration_seconds) + "\n";
    return out;
}

namespace detail {

namespace {

std::string report_file(request_id id) { return "attendance-" + num(id) + ".csv"; }

struct fetch_report {
    static constexpr step_kind kind = step_kind::fetch_report;
    static constexpr step_scope scope = step_scope::on_room;
    static std::string key(request_id id, std::uint32_t, const std::string&) {
        return "report/" + num(id);
    }
    static std::optional<instant> due(const due_view& v) {
        if (!v.ended() || v.self.done) return std::nullopt;
        return v.ended_at();
    }
    static bool execute(step_run& s) {
        auto& e = s.engine;
        auto& r = *s.rec;
        r.report = e.conf.participants_report(r.webinar->handle.webinar_id);
        if (e.reports)
            e.reports->write(report_file(s.id),
                             attendance_report{s.id, s.rq->title, r.report}.csv(s.rq->zone));
        e.record_effect("report", key(s.id, 0, {}),
                        "{\"sessions\":" + std::to_string(r.report.size()) + "}", s.id);
        s.detail = "attendance report: " + std::to_string(r.report.size()) + " sessions";
        return true;
    }
};

struct mail_report {
    static constexpr step_kind kind = step_kind::mail_report;
    static constexpr step_scope scope = step_scope::on_room;
    static std::string key(request_id id, std::uint32_t, const std::string& email) {
        return "report-ready/" + num(id) + "/" + email;
    }
    static std::optional<instant> due(const due_view& v) {
        if (!v.ended() || !v.done(step_kind::fetch_report) || v.self.done) return std::nullopt;
        return v.ended_at();
    }
    static bool execute(step_run& s) {
        auto& e = s.engine;
        auto ctx = e.context(*s.rq, *s.rec);
        const attendance_report rep{s.id, s.rq->title, s.rec->report};
        ctx.participants = rep.sessions.size();
        ctx.people = rep.people();
        if (e.reports) ctx.report_location = e.reports->location(report_file(s.id));
        for (const auto& a : {s.organizer(), e.options.admin}) {
            const std::string k = key(s.id, 0, a.email);
            if (s.self.progress.count(k)) continue;
            ctx.recipient_name = a.name;
            e.send(e.message(mail_kind::report_ready, ctx, {a}, k), s.id, "report_ready");
            s.self.progress.insert(k);
        }
        s.detail = "report ready mailed to organizer and admin";
        return true;
    }
};

constexpr step_descriptor steps[] = {describe<fetch_report>(), describe<mail_report>()};

}  // namespace

std::span<const step_descriptor> report_steps() { return steps; }

}  // namespace detail

}  // namespace sala
