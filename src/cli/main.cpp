// `sala`: the admin's command line. See docs/cli.md.
//
// Exit codes: 0 ok, 1 bad input file or data, 2 usage error, 3 a file or the
// store cannot be read or written, 4 nothing could be done (make-room found
// no plan, or applying it was refused).

#include <unistd.h>

#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <limits>
#include <map>
#include <set>
#include <sstream>

#include "cli.hpp"
#include "sala/adapters/sqlite_store.hpp"
#include "sala/durable/durable_platform.hpp"
#include "sala/error.hpp"
#include "sala/planning/make_room.hpp"
#include "sala/planning/planner.hpp"
#include "sala/views/calendar_html.hpp"
#include "sala/views/icalendar.hpp"
#include "scenario.hpp"

namespace fs = std::filesystem;

namespace {

using sala::cli::args;
using sala::cli::for_terminal;
using sala::cli::io_error;
using sala::cli::one_line;
using sala::cli::usage_error;
using enum sala::cli::exit_code;

const char* main_help = R"(usage: sala <command> [options]

Commands:
  plan REQUESTS.csv        rooms and Zoom licences a set of webinars needs (R18)
  calendar --month YYYY-MM --out DIR
                           month, week (and --day) pages of the calendar (R17)
  ics (--room ID | --all)  iCalendar feed of one room or of the platform (R17)
  make-room --request ID   fewest moves that free a room for a queued request (R10, R11)
  simulate SCENARIO.json   run a scenario (rooms, settings, requests, actions)
  serve --db PATH --listen HOST:PORT
                           the HTTP API, the lifecycle and the outbox (docs/server.md)
  token create --role ROLE --db PATH
                           an API token (admin, organizer, platform), printed once

Admin commands on a store (--db PATH, default ./sala.db, or --pg CONNINFO;
--json prints the HTTP API's JSON; exit 4: the room is not free / still queued):
  accounts [users | link NAME [--kind own|lent] | relink NAME]
                           linked accounts; link from the --config's conferencing backend
  rooms [activate ID | deactivate ID | mode ID automatic|manual]
  queue                    the unassigned queue, oldest first
  submit --title T --start "YYYY-MM-DD HH:MM" --zone Z --duration MIN --event-id E
         --organizer-email E [--organizer-name N] | --csv FILE
                           submit requests (a CSV: all rows or none)
  requests [--state assigned|queued] [--organizer EMAIL] [--room ID] [--event-id ID]
  assign REQUEST ROOM      put a queued request in a room (R10)
  reassign REQUEST ROOM    move an assigned request (R11: panelist links change)
  cancel REQUEST           cancel a request
  retry REQUEST            try first-fit again for a queued request (R9)
  settings [set NAME=VALUE ...]
                           show or change the booking settings
With the service's --config (its conferencing backend and mail):
  credentials REQUEST [--now]
                           a request's credentials; --now generates and mails them (R13)
  problems                 open lifecycle problems
  report REQUEST           the attendance report as CSV (--json: the API's JSON)
  --version                this program's version

Data: calendar, ics and make-room read the SQLite store (--db PATH, default
./sala.db) or run a scenario file (--scenario FILE).

Exit codes: 0 ok, 1 bad input file or data, 2 usage error, 3 file or store
cannot be read or written, 4 nothing could be done.
Run 'sala <command> --help' for a command's options.
)";

const char* source_help = R"(  --db PATH          SQLite store to read (default ./sala.db)
  --scenario FILE    run this scenario file instead of reading a store
  --now TIME         "now" as UTC "YYYY-MM-DD HH:MM" (default: the clock, or the
                     scenario's end)
)";

const std::map<std::string, std::string> helps{
    {"plan", R"(usage: sala plan REQUESTS.csv [--preparation MIN] [--courtesy MIN] [--post MIN]

Reads a CSV file with a header line naming at least the columns
  title,start,zone,duration
(start "YYYY-MM-DD HH:MM" in the event's zone, duration in minutes; optional
columns: id, resolve = earliest|latest for DST overlaps). Lines that are empty
or start with # are skipped; fields may be quoted ("a, b").
Prints the minimum number of rooms (peak concurrency of blocked intervals, R7
and R18), an assignment that achieves it, how many rooms first-fit in file
order uses (R9), and the Zoom plan that fits (Pro up to 9, Business 10-99).
Margins default to sala's settings (30 / 15 / 6 minutes).
)"},
    {"calendar",
     std::string(
         R"(usage: sala calendar (--month YYYY-MM | --day YYYY-MM-DD) --out DIR [--zone ZONE] [--heading TEXT] [source]

--month writes DIR/month-YYYY-MM.html and DIR/week-YYYY-MM-DD.html (one per
week touching the month, named by its Monday); --day writes
DIR/day-YYYY-MM-DD.html with the room timeline. Prints the paths. Pages are
self-contained HTML. --zone is the grid's zone (default: the scenario's zone,
or UTC).
)") + source_help},
    {"ics",
     std::string(
         R"(usage: sala ics (--room ID | --all) [--out FILE] [--utc] [--domain DOMAIN] [source]

Writes an RFC 5545 calendar of room ID's webinars (or all webinars, queued ones
TENTATIVE) to FILE or standard output. UIDs are request-<id>@DOMAIN.
--utc writes times in UTC instead of TZID + VTIMEZONE.
)") + source_help},
    {"make-room",
     std::string(R"(usage: sala make-room --request ID [--max-moves N] [--apply] [source]

Finds the fewest moves of other webinars (not started, credentials not out)
that free an active room for queued request ID and explains them. --apply runs
them as reassignments plus the assignment, in one store transaction (all or
nothing); it needs --db.
)") + source_help},
    {"simulate", R"(usage: sala simulate SCENARIO.json [--out DIR] [--quiet] [--save-db PATH]

Runs the scenario (format in docs/cli.md) on a simulated clock, prints one line
per step and a summary (rooms, queue, licence plan, make-room suggestions).
--out DIR also writes the month pages and platform.ics; --save-db PATH writes
the result into a new SQLite store (every step one transaction).
A progress bar shows on long runs when standard output is a terminal.
)"},
};

args parse(int argc, char** argv, const std::set<std::string>& with_value,
           const std::set<std::string>& flags) {
    args a;
    a.command = argv[1];
    for (int i = 2; i < argc; ++i) {
        const std::string s = argv[i];
        if (s == "--help" || s == "-h") {
            a.flags.insert("--help");
        } else if (with_value.count(s)) {
            if (i + 1 >= argc) throw usage_error(s + " needs a value");
            a.opts[s] = argv[++i];
        } else if (flags.count(s)) {
            a.flags.insert(s);
        } else if (s.rfind("--", 0) == 0) {
            throw usage_error("unknown option " + s + " for '" + a.command + "'");
        } else {
            a.positional.push_back(s);
        }
    }
    return a;
}

void write_file(const fs::path& path, const std::string& text) {
    std::ofstream out(path, std::ios::binary);
    if (!out || !(out << text) || !(out.flush()))
        throw io_error("cannot write " + path.string() + ": " + std::strerror(errno));
}

sala::instant parse_now(const std::string& s) {
    const auto t = sala::cli::parse_local(s);
    if (!t) throw usage_error("--now: '" + s + "' is not a UTC time like 2021-05-13 11:20");
    return sala::instant{t->time_since_epoch()};
}

// The platform a read command works on: a store or a scenario run.
struct source {
    std::unique_ptr<sala::cli::command_target> target;
    std::shared_ptr<sala::durable_platform> durable;
    std::shared_ptr<sala::manual_clock> clock;
    std::string zone = "UTC", domain = "sala.invalid", heading = "sala";
    const sala::platform& view() const { return durable ? durable->view() : target->view(); }
};

source open_source(const args& a) {
    source s;
    if (a.opts.count("--scenario")) {
        if (a.opts.count("--db")) throw usage_error("give --db or --scenario, not both");
        const std::string file = a.opts.at("--scenario");
        auto r =
            sala::cli::run_scenario(file, sala::cli::read_input(file, sala::cli::max_json_bytes));
        s.target = std::move(r.target);
        s.clock = r.clock;
        s.zone = r.zone;
        s.domain = r.domain;
        s.heading = r.name;
    } else {
        const std::string path = a.opts.count("--db") ? a.opts.at("--db") : "sala.db";
        if (!fs::exists(path))
            throw io_error("no store at " + path +
                           " (give --db PATH, or --scenario FILE to run a scenario)");
        s.clock = std::make_shared<sala::manual_clock>(sala::system_clock{}.now());
        try {
            sala::sqlite_store::options o;
            o.create = false;
            s.durable = std::make_shared<sala::durable_platform>(sala::sqlite_store::open(path, o),
                                                                 s.clock);
        } catch (const sala::invalid_argument& e) {
            // platform::restore refused what the file holds (a dangling id).
            throw io_error("the store " + path + " is damaged: " + e.what());
        } catch (const sala::error& e) {
            throw io_error("cannot open the store " + path + ": " + e.what());
        }
    }
    if (a.opts.count("--now")) s.clock->set(parse_now(a.opts.at("--now")));
    if (a.opts.count("--zone")) s.zone = a.opts.at("--zone");
    if (a.opts.count("--domain")) s.domain = a.opts.at("--domain");
    if (a.opts.count("--heading")) s.heading = a.opts.at("--heading");
    return s;
}

// ---- calendar / ics / make-room -------------------------------------------------------

date::year_month parse_month(const std::string& s) {
    int y = 0;
    unsigned m = 0;
    int used = 0;
    if (std::sscanf(s.c_str(), "%4d-%2u%n", &y, &m, &used) != 2 ||
        used != static_cast<int>(s.size()) || !(date::year{y} / date::month{m}).ok() || m == 0 ||
        m > 12)
        throw usage_error("--month: '" + s + "' is not a month like 2021-05");
    return date::year{y} / date::month{m};
}

date::year_month_day parse_day(const std::string& s) {
    int y = 0;
    unsigned m = 0, d = 0;
    int used = 0;
    if (std::sscanf(s.c_str(), "%4d-%2u-%2u%n", &y, &m, &d, &used) != 3 ||
        used != static_cast<int>(s.size()) || !(date::year{y} / date::month{m} / date::day{d}).ok())
        throw usage_error("--day: '" + s + "' is not a date like 2021-05-13");
    return date::year{y} / date::month{m} / date::day{d};
}

int cmd_calendar(const args& a) {
    if (!a.opts.count("--month") && !a.opts.count("--day"))
        throw usage_error("calendar needs --month YYYY-MM or --day YYYY-MM-DD");
    if (!a.opts.count("--out")) throw usage_error("calendar needs --out DIR");
    std::optional<date::year_month> month;
    std::optional<date::year_month_day> day;
    if (a.opts.count("--month")) month = parse_month(a.opts.at("--month"));
    if (a.opts.count("--day")) day = parse_day(a.opts.at("--day"));
    auto src = open_source(a);
    const fs::path dir = a.opts.at("--out");
    std::error_code ec;
    fs::create_directories(dir, ec);
    if (ec) throw io_error("cannot create " + dir.string() + ": " + ec.message());
    sala::calendar_options o{src.zone, src.heading};
    try {
        sala::check_zone(o.zone);
    } catch (const sala::error& e) {
        throw usage_error(std::string("--zone: ") + e.what());
    }
    if (month) {
        const fs::path mp = dir / ("month-" + a.opts.at("--month") + ".html");
        write_file(mp, sala::render_month(src.view(), *month, o));
        std::cout << for_terminal(fs::absolute(mp).string()) << "\n";
        const date::local_days first{*month / 1}, last{*month / date::last};
        auto monday = first - date::days{(date::weekday{first}.c_encoding() + 6) % 7};
        for (; monday <= last; monday += date::days{7}) {
            const fs::path wp = dir / ("week-" + date::format("%F", monday) + ".html");
            write_file(wp, sala::render_week(src.view(), date::year_month_day{monday}, o));
            std::cout << for_terminal(fs::absolute(wp).string()) << "\n";
        }
    }
    if (day) {
        const fs::path dp = dir / ("day-" + a.opts.at("--day") + ".html");
        write_file(dp, sala::render_day(src.view(), *day, o));
        std::cout << for_terminal(fs::absolute(dp).string()) << "\n";
    }
    return ok;
}

int cmd_ics(const args& a) {
    const bool all = a.flags.count("--all") > 0;
    if (all == (a.opts.count("--room") > 0))
        throw usage_error("ics needs --room ID or --all (one of them)");
    auto src = open_source(a);
    sala::ical_options o;
    o.domain = src.domain;
    o.utc = a.flags.count("--utc") > 0;
    std::string text;
    if (all) {
        o.calendar_name = src.heading + " webinars";
        text = sala::ical_platform(src.view(), o);
    } else {
        const sala::room_id r{static_cast<std::uint32_t>(
            sala::cli::option_number(a, "--room", 1, std::numeric_limits<std::uint32_t>::max()))};
        o.calendar_name = src.heading + " " + sala::to_string(r);
        text = sala::ical_room(src.view(), r, o);
    }
    if (a.opts.count("--out")) {
        write_file(a.opts.at("--out"), text);
        std::cout << for_terminal(fs::absolute(a.opts.at("--out")).string()) << "\n";
    } else {
        std::cout << text;  // RFC 5545 data, not terminal text: its CRLFs stay
    }
    return ok;
}

std::string print_plan(const sala::platform& p, const sala::make_room_plan& plan) {
    std::ostringstream out;
    out << plan.explanation << "\n";
    for (std::size_t k = 0; k < plan.moves.size(); ++k) {
        const auto& m = plan.moves[k];
        out << "  " << k + 1 << ". reassign " << sala::to_string(m.request) << " '" << m.title
            << "' " << sala::to_string(m.from) << " -> " << sala::to_string(m.to)
            << "; cost: " << m.cost << "\n";
    }
    out << "  " << plan.moves.size() + 1 << ". assign " << sala::to_string(plan.request) << " to "
        << sala::to_string(plan.room) << " (" << p.get_room(plan.room).email << ")\n";
    return out.str();
}

int cmd_make_room(const args& a) {
    if (!a.opts.count("--request")) throw usage_error("make-room needs --request ID");
    const bool apply = a.flags.count("--apply") > 0;
    if (apply && a.opts.count("--scenario"))
        throw usage_error("--apply changes a store: use it with --db, not --scenario");
    const auto id = static_cast<std::uint64_t>(
        sala::cli::option_number(a, "--request", 1, std::numeric_limits<long long>::max()));
    std::size_t max_moves = 3;
    if (a.opts.count("--max-moves"))
        max_moves = static_cast<std::size_t>(
            sala::cli::option_number(a, "--max-moves", 0, sala::cli::max_make_room_moves));
    auto src = open_source(a);
    const auto& p = src.view();
    sala::make_room_options o;
    o.max_moves = max_moves;
    o.locked = [&p](sala::request_id x) { return sala::credentials_window_open(p, x); };
    std::optional<sala::make_room_plan> plan;
    try {
        plan = sala::find_make_room(p, sala::request_id{id}, o);
    } catch (const sala::error& e) {
        throw sala::cli::input_error("--request", 0, e.what());
    }
    if (!plan) {
        std::cout
            << "no plan frees a room for " << sala::to_string(sala::request_id{id}) << " within "
            << max_moves
            << " move(s): ask the organizer for another time, or license another host (R18)\n";
        return nothing;
    }
    std::cout << for_terminal(print_plan(p, *plan));
    if (!apply) return ok;
    const auto result =
        src.durable->run([&](sala::platform& pl) { return sala::apply_make_room(pl, *plan); });
    if (!result) {
        std::cout << "refused, nothing changed: " << for_terminal(result.reason) << "\n";
        return nothing;
    }
    std::cout << "applied: " << sala::to_string(plan->request) << " is in "
              << sala::to_string(*result.room) << "\n";
    return ok;
}

// ---- simulate ----------------------------------------------------------------------------

class durable_target final : public sala::cli::command_target {
  public:
    durable_target(std::shared_ptr<sala::store> st, std::shared_ptr<const sala::clock> clk,
                   const sala::settings& s)
        : d_(std::move(st), std::move(clk), s) {}
    void run(const std::function<void(sala::platform&)>& command) override { d_.run(command); }
    const sala::platform& view() const override { return d_.view(); }

  private:
    sala::durable_platform d_;
};

int cmd_simulate(const args& a) {
    if (a.positional.size() != 1) throw usage_error("simulate needs exactly one SCENARIO.json");
    const std::string file = a.positional[0];
    const bool quiet = a.flags.count("--quiet") > 0;
    const std::string text = sala::cli::read_input(file, sala::cli::max_json_bytes);
    sala::cli::target_factory make = sala::cli::memory_target;
    if (a.opts.count("--save-db")) {
        const std::string path = a.opts.at("--save-db");
        if (fs::exists(path)) throw io_error(path + " exists; --save-db writes a new store");
        make = [path](const sala::settings& s, std::shared_ptr<const sala::clock> clk) {
            std::shared_ptr<sala::store> st;
            try {
                st = sala::sqlite_store::open(path);
            } catch (const sala::error& e) {
                throw io_error("cannot create the store " + path + ": " + e.what());
            }
            return std::make_unique<durable_target>(st, std::move(clk), s);
        };
    }
    sala::cli::scenario_hooks hooks;
    if (!quiet) hooks.log = [](const std::string& l) { std::cout << for_terminal(l) << "\n"; };
    // Only a person watching a terminal wants a bar; pipes and files get none.
    const bool bar = ::isatty(STDOUT_FILENO) && ::isatty(STDERR_FILENO);
    if (bar)
        hooks.progress = [](std::size_t done, std::size_t total) {
            if (total < 200) return;
            if (done % 50 != 0 && done != total) return;
            const int w = 40, fill = static_cast<int>(w * done / total);
            std::fprintf(stderr, "\r[%s%s] %zu/%zu",
                         std::string(static_cast<std::size_t>(fill), '#').c_str(),
                         std::string(static_cast<std::size_t>(w - fill), ' ').c_str(), done, total);
            if (done == total) std::fprintf(stderr, "\n");
        };
    sala::cli::scenario_result r;
    try {
        r = sala::cli::run_scenario(file, text, make, hooks);
    } catch (...) {
        // A half-written store is worse than none: the user fixes the file and runs again.
        if (a.opts.count("--save-db"))
            for (const char* ext : {"", "-wal", "-shm", "-journal"})
                fs::remove(a.opts.at("--save-db") + ext);
        throw;
    }
    const auto& p = r.target->view();

    std::ostringstream out;
    out << "\n== " << r.name << " at " << sala::format(p.now(), r.zone) << " " << r.zone << "\n";
    for (const auto& rm : p.rooms()) {
        if (!rm.active && p.room_webinars(rm.id).empty()) continue;
        out << sala::to_string(rm.id) << " " << rm.email << " ("
            << (rm.active ? sala::to_string(rm.mode) : "inactive") << ")\n";
        for (const auto& e : p.room_webinars(rm.id))
            out << "  " << sala::format(e.request.window.blocked.begin(), e.request.zone) << " - "
                << sala::format(e.request.window.blocked.end(), e.request.zone).substr(11) << " "
                << e.request.zone << "  " << sala::to_string(e.request.id) << " '"
                << e.request.title << "' [" << sala::to_string(e.status) << "]\n";
    }
    const auto q = p.queue();
    out << "queue: " << q.size() << " request(s)\n";
    for (const auto& rq : q) {
        out << "  " << sala::to_string(rq.id) << " '" << rq.title << "' "
            << sala::format(rq.window.start, rq.zone) << " " << rq.zone << "\n";
        if (p.now() >= rq.window.start) continue;
        sala::make_room_options o;
        o.locked = [&p](sala::request_id x) { return sala::credentials_window_open(p, x); };
        const auto plan = sala::find_make_room(p, rq.id, o);
        out << "    make room: "
            << (plan ? plan->explanation : std::string("no plan within 3 moves")) << "\n";
    }
    std::vector<sala::plan_item> items;
    for (const auto& [id, rq] : p.state().requests)
        items.push_back({id, rq.title, rq.window.blocked});
    out << "\n" << sala::describe(sala::plan_licences(items), {});

    std::cout << for_terminal(out.str());

    if (a.opts.count("--out")) {
        const fs::path dir = a.opts.at("--out");
        std::error_code ec;
        fs::create_directories(dir, ec);
        if (ec) throw io_error("cannot create " + dir.string() + ": " + ec.message());
        std::set<std::pair<int, unsigned>> months;
        for (const auto& [id, rq] : p.state().requests) {
            const date::year_month_day d{
                date::floor<date::days>(sala::to_local(rq.window.start, r.zone))};
            months.insert({int(d.year()), unsigned(d.month())});
        }
        for (const auto& [y, m] : months) {
            char name[32];
            std::snprintf(name, sizeof name, "month-%04d-%02u.html", y, m);
            write_file(dir / name,
                       sala::render_month(p, date::year{y} / date::month{m}, {r.zone, r.name}));
            std::cout << for_terminal(fs::absolute(dir / name).string()) << "\n";
        }
        sala::ical_options o;
        o.domain = r.domain;
        o.calendar_name = r.name + " webinars";
        write_file(dir / "platform.ics", sala::ical_platform(p, o));
        std::cout << for_terminal(fs::absolute(dir / "platform.ics").string()) << "\n";
    }
    return ok;
}

}  // namespace

int main(int argc, char** argv) {
    if (argc < 2) {
        std::cerr << main_help;
        return usage;
    }
    const std::string cmd = argv[1];
    if (cmd == "--help" || cmd == "-h" || cmd == "help") {
        std::cout << main_help;
        return ok;
    }
    if (cmd == "--version" || cmd == "version") {
        std::cout << "sala " << SALA_CLI_VERSION << "\n";
        return ok;
    }
    // The service and the admin's commands on a store share the Python package
    // sala.server (its config, its JSON shapes): see serve.cpp.
    static const std::set<std::string> python_commands{
        "serve",    "token",  "accounts", "rooms",    "queue",       "requests", "submit", "assign",
        "reassign", "cancel", "retry",    "settings", "credentials", "problems", "report"};
    if (python_commands.count(cmd)) return sala::cli::exec_server(argc, argv);
    const std::set<std::string> source_opts{"--db", "--scenario", "--now"};
    std::map<std::string, std::pair<std::set<std::string>, std::set<std::string>>> spec{
        {"plan", {{"--preparation", "--courtesy", "--post"}, {}}},
        {"calendar", {{"--month", "--day", "--out", "--zone", "--heading"}, {}}},
        {"ics", {{"--room", "--out", "--domain"}, {"--all", "--utc"}}},
        {"make-room", {{"--request", "--max-moves"}, {"--apply"}}},
        {"simulate", {{"--out", "--save-db"}, {"--quiet"}}},
    };
    auto it = spec.find(cmd);
    if (it == spec.end()) {
        std::cerr << "sala: unknown command '" << one_line(cmd) << "'\n\n" << main_help;
        return usage;
    }
    const auto fail = [&cmd](const std::string& message, int code) {
        std::cerr << for_terminal("sala " + cmd + ": " + message) << "\n";
        return code;
    };
    auto with_value = it->second.first;
    if (cmd == "calendar" || cmd == "ics" || cmd == "make-room")
        with_value.insert(source_opts.begin(), source_opts.end());
    try {
        const args a = parse(argc, argv, with_value, it->second.second);
        if (a.flags.count("--help")) {
            std::cout << helps.at(cmd);
            return ok;
        }
        if (cmd != "plan" && cmd != "simulate" && !a.positional.empty())
            throw usage_error("unexpected argument '" + a.positional[0] + "'");
        if (cmd == "plan") return sala::cli::cmd_plan(a);
        if (cmd == "calendar") return cmd_calendar(a);
        if (cmd == "ics") return cmd_ics(a);
        if (cmd == "make-room") return cmd_make_room(a);
        return cmd_simulate(a);
    } catch (const usage_error& e) {
        std::cerr << for_terminal("sala " + cmd + ": " + e.what()) << "\n(try 'sala "
                  << for_terminal(cmd) << " --help')\n";
        return usage;
    } catch (const sala::cli::input_error& e) {
        return fail(e.what(), input);
    } catch (const io_error& e) {
        return fail(e.what(), io);
    } catch (const sala::backend_error& e) {
        return fail(std::string("store: ") + e.what(), io);
    } catch (const sala::error& e) {
        return fail(e.what(), input);
    } catch (const std::bad_alloc&) {
        return fail("out of memory", input);
    } catch (const std::exception& e) {
        // A bug, not the user's fault; still a message and an exit code, no abort.
        return fail(std::string("internal error: ") + e.what(), input);
    }
}
