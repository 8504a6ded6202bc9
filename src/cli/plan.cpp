// `sala plan REQUESTS.csv`: the rooms and licences a set of webinars needs (R18).

#include <iostream>
#include <limits>
#include <map>
#include <set>

#include "cli.hpp"
#include "sala/error.hpp"
#include "sala/planning/planner.hpp"
#include "scenario.hpp"

namespace sala::cli {

namespace {

std::vector<std::string> csv_fields(std::string_view line, const std::string& file, int n) {
    std::vector<std::string> out;
    std::string cur;
    bool quoted = false, was_quoted = false;
    for (std::size_t i = 0; i < line.size(); ++i) {
        const char c = line[i];
        if (quoted) {
            if (c == '"' && i + 1 < line.size() && line[i + 1] == '"')
                cur += '"', ++i;
            else if (c == '"')
                quoted = false;
            else
                cur += c;
        } else if (c == '"' && cur.empty() && !was_quoted) {
            quoted = was_quoted = true;
        } else if (c == ',') {
            out.push_back(cur);
            cur.clear();
            was_quoted = false;
        } else if (c != '\r') {
            cur += c;
        }
    }
    if (quoted) throw input_error(file, n, "a quoted field is not closed");
    out.push_back(cur);
    return out;
}

std::string_view trim(std::string_view s) {
    const auto a = s.find_first_not_of(" \t");
    if (a == std::string_view::npos) return {};
    return s.substr(a, s.find_last_not_of(" \t") - a + 1);
}

// A value of the file quoted in a message: one line, escaped, cut short.
std::string quote(std::string_view v) {
    const std::string s = one_line(v.substr(0, 80));
    return "'" + s + (v.size() > 80 ? "...'" : "'");
}

}  // namespace

int cmd_plan(const args& a) {
    if (a.positional.size() != 1) throw usage_error("plan needs exactly one REQUESTS.csv");
    const std::string file = a.positional[0];
    settings s;
    const auto margin = [&](const char* opt, minutes& m) {
        if (a.opts.count(opt)) m = minutes{option_number(a, opt, 0, max_duration_minutes)};
    };
    margin("--preparation", s.preparation);
    margin("--courtesy", s.courtesy);
    margin("--post", s.post_processing);

    const std::string text = read_input(file, max_csv_bytes);
    std::string_view rest = text;
    if (rest.substr(0, 3) == "\xEF\xBB\xBF") rest.remove_prefix(3);  // a UTF-8 BOM is no title
    int n = 0;
    std::map<std::string, std::size_t> col;
    std::vector<plan_item> items;
    std::set<std::uint64_t> ids;
    while (!rest.empty()) {
        const std::size_t eol = rest.find('\n');
        const std::string_view line = rest.substr(0, eol);
        rest.remove_prefix(eol == std::string_view::npos ? rest.size() : eol + 1);
        ++n;
        if (trim(line).empty() || trim(line)[0] == '#') continue;
        const auto f = csv_fields(line, file, n);
        if (col.empty()) {
            for (std::size_t k = 0; k < f.size(); ++k) {
                const std::string name{trim(f[k])};
                if (const auto [it, fresh] = col.emplace(name, k); !fresh)
                    throw input_error(file, n,
                                      "header: column " + quote(name) + " appears twice (fields " +
                                          std::to_string(it->second + 1) + " and " +
                                          std::to_string(k + 1) + ")");
            }
            for (const char* need : {"title", "start", "zone", "duration"})
                if (!col.count(need))
                    throw input_error(file, n,
                                      std::string("header: missing column '") + need +
                                          "' (need title,start,zone,duration)");
            continue;
        }
        const auto get = [&](const std::string& c) -> std::string {
            auto it = col.find(c);
            if (it == col.end()) return {};
            if (it->second >= f.size())
                throw input_error(file, n,
                                  "column '" + c + "': missing (" + std::to_string(f.size()) +
                                      " field(s) on this line)");
            return std::string(trim(f[it->second]));
        };
        const auto bad = [&](const std::string& c, const std::string& why) {
            return input_error(file, n, "column '" + c + "': " + why);
        };
        const std::string title = get("title");
        if (title.empty()) throw bad("title", "is empty");
        const auto start = parse_local(get("start"));
        if (!start)
            throw bad("start", quote(get("start")) + " is not a time like 2021-05-13 13:10");
        const std::string zone = get("zone");
        const auto duration = whole_number(get("duration"));
        if (!duration)
            throw bad("duration", quote(get("duration")) + " is not a whole number of minutes");
        if (*duration <= 0 || *duration > max_duration_minutes)
            throw bad("duration", "must be from 1 to " + std::to_string(max_duration_minutes) +
                                      " minutes (366 days), got " + std::to_string(*duration));
        instant t;
        try {
            const std::string res = get("resolve");
            if (res.empty())
                t = to_instant(*start, zone);
            else if (res == "earliest" || res == "latest")
                t = to_instant(*start, zone, res == "earliest" ? choose::earliest : choose::latest);
            else
                throw bad("resolve", "must be earliest or latest, got " + quote(res));
        } catch (const sala::invalid_argument& e) {
            throw bad(e.field() == "zone" ? "zone" : "start", one_line(e.what()));
        }
        std::uint64_t id = items.size() + 1;
        if (const std::string text_id = get("id"); !text_id.empty()) {
            const auto v = whole_number(text_id);
            if (!v || *v < 1)
                throw bad("id", quote(text_id) + " is not a whole number from 1 to " +
                                    std::to_string(std::numeric_limits<long long>::max()));
            id = static_cast<std::uint64_t>(*v);
        }
        if (!ids.insert(id).second) throw bad("id", std::to_string(id) + " is used twice");
        // Titles reach the terminal through describe(): escaped here, once.
        items.push_back({request_id{id}, one_line(title),
                         make_blocked_window(s, t, minutes{*duration}).blocked});
    }
    if (col.empty())
        throw input_error(file, 0, "empty file: need a header line title,start,zone,duration");
    const auto report = plan_licences(items);
    std::cout << "margins: preparation " << s.preparation.count() << ", courtesy "
              << s.courtesy.count() << ", post-processing " << s.post_processing.count() << " min\n"
              << describe(report, items);
    return ok;
}

}  // namespace sala::cli
