#pragma once
// For ./scripts/demo: writes the demo platform's month page, week
// page and iCalendar feed, and returns their paths for the demo to print.
//
//   #include "demo_calendar.hpp"
//   const auto files = sala_demo::write_calendar_pages(p, "build/demo-calendar",
//                                                      date::year{2021} / 5 / 13,
//                                                      "Europe/Madrid", "Symposium",
//                                                      "symposium.events");
//   std::cout << files.month.string() << "\n" << files.week.string() << "\n" << files.ics.string()
//   << "\n";

#include <filesystem>
#include <fstream>
#include <stdexcept>
#include <string>

#include "sala/views/calendar_html.hpp"
#include "sala/views/icalendar.hpp"

namespace sala_demo {

struct calendar_files {
    std::filesystem::path month;  // month-YYYY-MM.html
    std::filesystem::path week;   // week-<monday>.html (with the room timeline)
    std::filesystem::path ics;    // platform.ics (every webinar, queued ones TENTATIVE)
};

inline void write_text(const std::filesystem::path& path, const std::string& text) {
    std::ofstream out(path, std::ios::binary);
    if (!out || !(out << text) || !out.flush())
        throw std::runtime_error("cannot write " + path.string());
}

// Pages for the month and the week holding `day`, grid in `zone`.
inline calendar_files write_calendar_pages(const sala::platform& p,
                                           const std::filesystem::path& dir,
                                           date::year_month_day day, const std::string& zone,
                                           const std::string& heading, const std::string& domain) {
    std::filesystem::create_directories(dir);
    const sala::calendar_options o{zone, heading};
    const date::local_days d{day};
    const auto monday = d - date::days{(date::weekday{d}.c_encoding() + 6) % 7};
    calendar_files f;
    f.month = std::filesystem::absolute(dir / date::format("month-%Y-%m.html", d));
    f.week = std::filesystem::absolute(dir / ("week-" + date::format("%F", monday) + ".html"));
    f.ics = std::filesystem::absolute(dir / "platform.ics");
    write_text(f.month, sala::render_month(p, day.year() / day.month(), o));
    write_text(f.week, sala::render_week(p, day, o));
    sala::ical_options io;
    io.domain = domain;
    io.calendar_name = heading + " webinars";
    write_text(f.ics, sala::ical_platform(p, io));
    return f;
}

}  // namespace sala_demo
