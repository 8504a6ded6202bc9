#pragma once
// R17: the platform calendar as self-contained HTML pages (inline CSS and SVG,
// no scripts, no network): month, week and day grids of webinar boxes coloured
// by status and room, and a per-room timeline (rooms as rows, time as columns)
// that shows preparation / webinar / courtesy / post-processing segments.
//
// Every box is `<div class="webinar status-<s> room-<n>" data-request="<id>"
// data-room="<n>|queue" data-status="<s>">`, one per webinar per page, so tools
// and tests can count them. Titles and every other user text are HTML-escaped.

#include <string>
#include <string_view>

#include <date/date.h>

#include "sala/platform.hpp"

namespace sala {

struct calendar_options {
    // Zone of the grid: which day and hour a box falls in. Each box still shows
    // its blocked interval in the event's own zone (R17).
    std::string zone = "UTC";
    // Heading of the page (the platform's name).
    std::string heading = "sala";
};

// The month holding `month` (any day of it is ignored); the grid runs Monday to
// Sunday over whole weeks, like the seed's calendar.
std::string render_month(const platform& p, date::year_month month, const calendar_options& o = {});
// The Monday-to-Sunday week holding `day`, with the room timeline underneath.
std::string render_week(const platform& p, date::year_month_day day,
                        const calendar_options& o = {});
// One day, with the room timeline underneath.
std::string render_day(const platform& p, date::year_month_day day, const calendar_options& o = {});

// The room timeline over [first, last] days (in o.zone) as an inline <svg>: one row per
// room (queued requests in a last "queue" row), one <g class="segment-set" data-request=..>
// per webinar with rects of class prep / webinar / courtesy / post.
std::string render_timeline_svg(const platform& p, date::local_days first, date::local_days last,
                                const calendar_options& o = {});

// &, <, >, " and ' as entities.
std::string html_escape(std::string_view text);

// The [begin, end) instants of local days [first, last] in `zone`.
interval local_days_window(date::local_days first, date::local_days last, std::string_view zone);

}  // namespace sala
