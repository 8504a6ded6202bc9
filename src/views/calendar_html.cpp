#include "sala/views/calendar_html.hpp"

#include <algorithm>
#include <map>
#include <set>
#include <sstream>

#include "common/text.hpp"
#include "sala/error.hpp"

namespace sala {

namespace {

constexpr int hour_px = 40;  // week/day grids: 40 px per hour, 960 px a day

// A stable hue per room: the golden-angle walk keeps neighbours apart.
std::string room_colour(std::optional<room_id> r) {
    if (!r) return "#555";
    return "hsl(" + std::to_string((r->value * 137u) % 360u) + ",65%,42%)";
}

std::string hhmm(instant t, std::string_view zone) {
    return date::format("%H:%M", to_local(t, zone));
}

// Cuts UTF-8 text to at most `n` code points without splitting a sequence.
std::string utf8_prefix(std::string_view s, std::size_t n) {
    std::size_t cps = 0, i = 0;
    while (i < s.size()) {
        if ((static_cast<unsigned char>(s[i]) & 0xC0) != 0x80) {
            if (cps == n) return std::string(s.substr(0, i)) + "…";
            ++cps;
        }
        ++i;
    }
    return std::string(s);
}

std::string room_label(const platform& p, std::optional<room_id> r) {
    if (!r) return "unassigned";
    return to_string(*r) + " (" + p.get_room(*r).email + ")";
}

const char* css() {
    return R"(body{font:14px/1.35 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;margin:16px;color:#222;background:#fff}
h1{font-size:20px;margin:0 0 4px}
.meta{color:#666;margin:0 0 10px}
.legend{display:flex;flex-wrap:wrap;gap:10px;margin:6px 0 12px;font-size:12px}
.legend span{display:inline-flex;align-items:center;gap:4px}
.legend i{display:inline-block;width:12px;height:12px;border-radius:2px}
table.month{border-collapse:collapse;width:100%;table-layout:fixed}
table.month th{background:#f3f3f3;padding:4px;border:1px solid #ddd;font-weight:600}
table.month td{vertical-align:top;border:1px solid #ddd;height:110px;padding:2px}
td.other{background:#fafafa;color:#aaa}
.date{font-size:12px;font-weight:600;margin-bottom:2px}
.webinar{color:#fff;border-radius:3px;border-left:6px solid #555;padding:1px 4px;margin:1px 0;font-size:12px;overflow:hidden;white-space:nowrap;text-overflow:ellipsis}
.webinar .time{font-variant-numeric:tabular-nums;margin-right:4px;opacity:.95}
.webinar .room{opacity:.85;margin-left:4px;font-size:11px}
.status-unassigned{background:#c62828}.status-running{background:#2e7d32}.status-future{background:#1565c0}
.status-finished{background:#bdbdbd;color:#333}
.week{display:flex;border:1px solid #ddd}
.hours{width:44px;flex:none;position:relative;height:960px;margin-top:26px;font-size:11px;color:#888}
.hours div{position:absolute;right:4px}
.col{flex:1;border-left:1px solid #ddd;min-width:0}
.col h2{font-size:13px;margin:0;height:26px;line-height:26px;text-align:center;background:#f3f3f3;border-bottom:1px solid #ddd}
.slots{position:relative;height:960px;background:repeating-linear-gradient(#fff 0 39px,#eee 39px 40px)}
.slots .webinar{position:absolute;white-space:normal;margin:0;box-sizing:border-box}
.timeline{margin-top:16px;overflow-x:auto}
.timeline .prep{fill:#f9a825}.timeline .courtesy{fill:#8e24aa}.timeline .post{fill:#6d4c41}
.timeline .webinar-unassigned{fill:#c62828}.timeline .webinar-running{fill:#2e7d32}
.timeline .webinar-future{fill:#1565c0}.timeline .webinar-finished{fill:#9e9e9e}
.timeline text{font-size:11px}
)";
}

std::string legend() {
    return "<div class=\"legend\"><span><i style=\"background:#c62828\"></i>unassigned</span>"
           "<span><i style=\"background:#2e7d32\"></i>running</span>"
           "<span><i style=\"background:#1565c0\"></i>future</span>"
           "<span><i style=\"background:#bdbdbd\"></i>finished</span>"
           "<span>left stripe: room</span>"
           "<span><i style=\"background:#f9a825\"></i>preparation</span>"
           "<span><i style=\"background:#8e24aa\"></i>courtesy</span>"
           "<span><i style=\"background:#6d4c41\"></i>post-processing</span></div>";
}

std::string page(const std::string& title, const platform& p, const calendar_options& o,
                 const std::string& body) {
    std::ostringstream out;
    out << "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
        << "<meta name=\"viewport\" content=\"width=device-width,initial-scale=1\">"
        << "<title>" << html_escape(o.heading + " — " + title) << "</title><style>" << css()
        << "</style></head><body>\n<h1>" << html_escape(o.heading) << " — " << html_escape(title)
        << "</h1>\n<p class=\"meta\">Grid in " << html_escape(o.zone)
        << "; each box shows its blocked interval in the event's zone. Generated at "
        << html_escape(format(p.now(), o.zone)) << " " << html_escape(o.zone) << ".</p>\n"
        << legend() << "\n"
        << body << "\n</body></html>\n";
    return out.str();
}

std::string tooltip(const platform& p, const calendar_entry& e) {
    const auto& rq = e.request;
    const auto& w = rq.window;
    return rq.title + "\nstart " + format(w.start, rq.zone) + " " + rq.zone + ", " +
           std::to_string(rq.duration.count()) + " min\nblocked " +
           format(w.blocked.begin(), rq.zone) + " - " + format(w.blocked.end(), rq.zone) +
           "\nevent " + rq.event_id + "\n" + room_label(p, e.room) + "\n" + to_string(e.status);
}

// One box; `style` places it in week/day grids.
std::string box(const platform& p, const calendar_entry& e, const std::string& style = {}) {
    const auto& rq = e.request;
    const auto& b = rq.window.blocked;
    std::ostringstream out;
    const std::string room = e.room ? std::to_string(e.room->value) : "queue";
    out << "<div class=\"webinar status-" << to_string(e.status) << " room-" << room
        << "\" data-request=\"" << rq.id.value << "\" data-room=\"" << room << "\" data-status=\""
        << to_string(e.status) << "\" style=\"border-left-color:" << room_colour(e.room) << ";"
        << style << "\" title=\"" << html_escape(tooltip(p, e)) << "\"><span class=\"time\">"
        << hhmm(b.begin(), rq.zone) << "–" << hhmm(b.end(), rq.zone) << " "
        << html_escape(zone_abbreviation(b.begin(), rq.zone)) << "</span><span class=\"title\">"
        << html_escape(rq.title) << "</span><span class=\"room\">"
        << (e.room ? "room " + std::to_string(e.room->value) : std::string("unassigned"))
        << "</span></div>";
    return out.str();
}

// The grid day a box belongs to: its webinar start's day, clamped to the page.
date::local_days day_of(const calendar_entry& e, std::string_view zone, date::local_days first,
                        date::local_days last) {
    const auto d = date::floor<date::days>(to_local(e.request.window.start, zone));
    return std::clamp(d, first, last);
}

date::local_days monday_of(date::local_days d) {
    const date::weekday wd{d};
    return d - date::days{(wd.c_encoding() + 6) % 7};
}

std::string day_heading(date::local_days d) { return date::format("%a %d %b", d); }

// A week or day grid of positioned boxes for days [first, last].
std::string time_grid(const platform& p, date::local_days first, date::local_days last,
                      const calendar_options& o) {
    const auto window = local_days_window(first, last, o.zone);
    const auto entries = p.calendar(window);
    std::ostringstream out;
    out << "<div class=\"week\"><div class=\"hours\">";
    for (int h = 0; h < 24; ++h)
        out << "<div style=\"top:" << h * hour_px << "px\">" << (h < 10 ? "0" : "") << h
            << ":00</div>";
    out << "</div>";
    for (auto d = first; d <= last; d += date::days{1}) {
        out << "<div class=\"col\" data-day=\"" << date::format("%F", d) << "\"><h2>"
            << day_heading(d) << "</h2><div class=\"slots\">";
        std::vector<const calendar_entry*> mine;
        for (const auto& e : entries)
            if (day_of(e, o.zone, first, last) == d) mine.push_back(&e);
        // Lanes: interval partitioning over the visible parts so boxes never overlap.
        const local_minutes day0{d};
        const local_minutes day1 = day0 + std::chrono::hours{24};
        struct placed {
            const calendar_entry* e;
            local_minutes top, bottom;
            int lane;
        };
        std::vector<placed> ps;
        for (const auto* e : mine) {
            const auto b = e->request.window.blocked;
            auto top = std::max(to_local(b.begin(), o.zone), day0);
            auto bottom = std::min(to_local(b.end(), o.zone), day1);
            if (bottom < top + minutes{27}) bottom = std::min(top + minutes{27}, day1);
            if (bottom <= top) top = bottom - minutes{27};
            ps.push_back({e, top, bottom, 0});
        }
        std::sort(ps.begin(), ps.end(),
                  [](const placed& a, const placed& b) { return a.top < b.top; });
        std::vector<local_minutes> lane_end;
        for (auto& x : ps) {
            std::size_t k = 0;
            while (k < lane_end.size() && lane_end[k] > x.top) ++k;
            if (k == lane_end.size())
                lane_end.push_back(x.bottom);
            else
                lane_end[k] = x.bottom;
            x.lane = static_cast<int>(k);
        }
        const double lanes = std::max<std::size_t>(1, lane_end.size());
        for (const auto& x : ps) {
            std::ostringstream st;
            st.setf(std::ios::fixed);
            st.precision(2);
            st << "top:" << (x.top - day0).count() * hour_px / 60.0
               << "px;height:" << (x.bottom - x.top).count() * hour_px / 60.0
               << "px;left:" << 100.0 * x.lane / lanes << "%;width:" << 100.0 / lanes << "%";
            out << box(p, *x.e, st.str());
        }
        out << "</div></div>";
    }
    out << "</div>\n";
    return out.str();
}

}  // namespace

std::string html_escape(std::string_view text) { return detail::html_escape(text); }

interval local_days_window(date::local_days first, date::local_days last, std::string_view zone) {
    if (last < first) throw invalid_argument("days", "last day is before the first");
    const local_minutes a{first};
    const local_minutes b{last + date::days{1}};
    // Midnight can fall in a DST gap (some zones change at 00:00): take the transition.
    return interval{to_instant(a, zone, choose::earliest), to_instant(b, zone, choose::earliest)};
}

std::string render_month(const platform& p, date::year_month month, const calendar_options& o) {
    if (!month.ok()) throw invalid_argument("month", "not a valid year and month");
    check_zone(o.zone);
    const date::local_days first_of{month / 1};
    const date::local_days last_of{month / date::last};
    const auto first = monday_of(first_of);
    const auto last = monday_of(last_of) + date::days{6};
    const auto entries = p.calendar(local_days_window(first, last, o.zone));
    std::map<date::local_days, std::vector<const calendar_entry*>> by_day;
    for (const auto& e : entries) by_day[day_of(e, o.zone, first, last)].push_back(&e);

    std::ostringstream out;
    out << "<table class=\"month\" data-webinars=\"" << entries.size()
        << "\"><thead><tr><th>Mon</th><th>Tue</th><th>Wed</th><th>Thu</th><th>Fri</th><th>Sat</th>"
           "<th>Sun</th></tr></thead><tbody>\n";
    for (auto d = first; d <= last; d += date::days{1}) {
        const date::year_month_day ymd{d};
        if (date::weekday{d} == date::Monday) out << "<tr>";
        const bool other = ymd.year() / ymd.month() != month;
        out << "<td class=\"day" << (other ? " other" : "") << "\" data-day=\""
            << date::format("%F", d) << "\"><div class=\"date\">" << unsigned(ymd.day())
            << "</div>";
        for (const auto* e : by_day[d]) out << box(p, *e);
        out << "</td>";
        if (date::weekday{d} == date::Sunday) out << "</tr>\n";
    }
    out << "</tbody></table>";
    return page(date::format("%B %Y", first_of), p, o, out.str());
}

std::string render_week(const platform& p, date::year_month_day day, const calendar_options& o) {
    if (!day.ok()) throw invalid_argument("day", "not a valid date");
    check_zone(o.zone);
    const auto first = monday_of(date::local_days{day});
    const auto last = first + date::days{6};
    const std::string title = "week of " + date::format("%F", first);
    return page(title, p, o, time_grid(p, first, last, o) + render_timeline_svg(p, first, last, o));
}

std::string render_day(const platform& p, date::year_month_day day, const calendar_options& o) {
    if (!day.ok()) throw invalid_argument("day", "not a valid date");
    check_zone(o.zone);
    const date::local_days d{day};
    return page(date::format("%A %d %B %Y", d), p, o,
                time_grid(p, d, d, o) + render_timeline_svg(p, d, d, o));
}

std::string render_timeline_svg(const platform& p, date::local_days first, date::local_days last,
                                const calendar_options& o) {
    const auto days = local_days_window(first, last, o.zone);
    const auto entries = p.calendar(days);
    // A single day zooms to the hours that hold webinars (one hour either side).
    auto window = days;
    if (first == last && !entries.empty()) {
        instant lo = instant::max(), hi = instant::min();
        for (const auto& e : entries) {
            lo = std::min(lo, e.request.window.blocked.begin());
            hi = std::max(hi, e.request.window.blocked.end());
        }
        const auto hour = std::chrono::hours{1};
        lo = std::max(days.begin(), instant{date::floor<std::chrono::hours>(lo) - hour});
        hi = std::min(days.end(), instant{date::ceil<std::chrono::hours>(hi) + hour});
        window = interval{lo, hi};
    }
    const double total = static_cast<double>(window.length().count());
    const int label_w = 250, plot_w = 1400, row_h = 26, top = 24;
    const double ppm = plot_w / total;  // pixels per minute

    // Rows: active rooms, rooms holding a webinar here, then the queue.
    std::set<std::uint32_t> shown;
    for (const auto& r : p.rooms())
        if (r.active) shown.insert(r.id.value);
    bool queue = false;
    for (const auto& e : entries) {
        if (e.room)
            shown.insert(e.room->value);
        else
            queue = true;
    }
    std::map<std::uint32_t, int> row_of;
    int rows = 0;
    for (const auto r : shown) row_of[r] = rows++;
    const int queue_row = rows;
    if (queue) ++rows;
    const int height = top + rows * row_h + 4;

    std::ostringstream out;
    out.setf(std::ios::fixed);
    out.precision(1);
    out << "<div class=\"timeline\"><svg xmlns=\"http://www.w3.org/2000/svg\" width=\""
        << label_w + plot_w + 10 << "\" height=\"" << height << "\" data-rows=\"" << rows << "\">";
    // Hour ticks, in elapsed time from the first midnight, labelled with the local clock.
    const int step = window.length() <= std::chrono::hours{8} ? 30
                     : (last - first).count() >= 1            ? 360
                                                              : 60;
    for (int m = 0; m <= static_cast<int>(total); m += step) {
        const double x = label_w + m * ppm;
        const auto t = window.begin() + minutes{m};
        const auto local = to_local(t, o.zone);
        // Hours on a day page; on longer spans only midnights get a label (day name).
        const bool midnight = date::floor<date::days>(local) == local;
        std::string lab;
        if (step <= 60)
            lab = date::format("%H:%M", local);
        else if (midnight)
            lab = date::format("%a %d", local);
        out << "<line x1=\"" << x << "\" y1=\"" << top - 4 << "\" x2=\"" << x << "\" y2=\""
            << height << "\" stroke=\"" << (step > 60 && midnight ? "#bbb" : "#e6e6e6") << "\"/>";
        if (!lab.empty())
            out << "<text x=\"" << x + 2 << "\" y=\"" << top - 8 << "\">" << lab << "</text>";
    }
    for (const auto& [r, k] : row_of) {
        const room rm = p.get_room(room_id{r});
        const int y = top + k * row_h;
        out << "<rect x=\"0\" y=\"" << y << "\" width=\"" << label_w + plot_w << "\" height=\""
            << row_h << "\" fill=\"" << (k % 2 ? "#fafafa" : "#fff") << "\"/><rect x=\"0\" y=\""
            << y + 3 << "\" width=\"5\" height=\"" << row_h - 6 << "\" fill=\""
            << room_colour(room_id{r}) << "\"/><text x=\"9\" y=\"" << y + 17 << "\">room " << r
            << " " << html_escape(utf8_prefix(rm.email, 30)) << (rm.active ? "" : " (inactive)")
            << "</text>";
    }
    if (queue)
        out << "<text x=\"9\" y=\"" << top + queue_row * row_h + 17 << "\">unassigned queue</text>";
    const auto x_of = [&](instant t) {
        const auto c = std::clamp(t, window.begin(), window.end());
        return label_w + (c - window.begin()).count() * ppm;
    };
    for (const auto& e : entries) {
        const auto& w = e.request.window;
        const int y = top + (e.room ? row_of[e.room->value] : queue_row) * row_h + 4;
        out << "<g class=\"segment-set\" data-request=\"" << e.request.id.value << "\"><title>"
            << html_escape(tooltip(p, e)) << "</title>";
        const struct {
            const char* cls;
            instant a, b;
        } segs[] = {{"prep", w.blocked.begin(), w.start},
                    {"webinar", w.start, w.end},
                    {"courtesy", w.end, w.grace_end},
                    {"post", w.grace_end, w.blocked.end()}};
        for (const auto& s : segs) {
            if (!(s.a < s.b)) continue;
            const double x0 = x_of(s.a), x1 = x_of(s.b);
            if (x1 <= x0) continue;
            const std::string cls = std::string(s.cls) == "webinar"
                                        ? std::string("webinar webinar-") + to_string(e.status)
                                        : std::string(s.cls);
            out << "<rect class=\"" << cls << "\" x=\"" << x0 << "\" y=\"" << y << "\" width=\""
                << x1 - x0 << "\" height=\"" << row_h - 8 << "\"/>";
        }
        const double wx = x_of(w.start), ww = x_of(w.end) - wx;
        if (ww > 40)
            out << "<text x=\"" << wx + 3 << "\" y=\"" << y + 13 << "\" fill=\"#fff\">"
                << html_escape(utf8_prefix(e.request.title, static_cast<std::size_t>(ww / 7)))
                << "</text>";
        out << "</g>";
    }
    out << "</svg></div>\n";
    return out.str();
}

}  // namespace sala
