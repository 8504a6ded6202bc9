#include "scenario.hpp"

#include <algorithm>
#include <cstdio>
#include <limits>
#include <set>

#include <nlohmann/json.hpp>

#include "cli.hpp"
#include "json_lines.hpp"
#include "sala/error.hpp"
#include "sala/planning/make_room.hpp"

namespace sala::cli {

using json = nlohmann::json;

namespace {

class memory final : public command_target {
  public:
    memory(const settings& s, std::shared_ptr<const clock> clk) : p_(s, std::move(clk)) {}
    void run(const std::function<void(platform&)>& command) override { command(p_); }
    const platform& view() const override { return p_; }

  private:
    platform p_;
};

// "organizer.email" / "panelists[1]" -> "/organizer/email" / "/panelists/1".
std::string field_pointer(const std::string& field) {
    std::string out = "/";
    for (const char c : field) {
        if (c == '.' || c == '[')
            out += '/';
        else if (c != ']')
            out += c;
    }
    return out;
}

// Reads typed fields and turns every problem into "file:line: path: reason".
struct reader {
    std::string file;
    std::map<std::string, int> lines;

    int line(std::string ptr) const {
        for (;;) {
            if (auto it = lines.find(ptr); it != lines.end()) return it->second;
            if (ptr.empty()) return 0;
            ptr.erase(ptr.rfind('/'));
        }
    }
    static std::string dotted(const std::string& ptr) {
        // "/requests/2/start" -> "requests[2].start"
        std::string out;
        std::size_t i = 1;
        while (i <= ptr.size()) {
            const std::size_t j = std::min(ptr.find('/', i), ptr.size());
            const std::string part = ptr.substr(i, j - i);
            if (!part.empty() && part.find_first_not_of("0123456789") == std::string::npos)
                out += "[" + part + "]";
            else
                out += (out.empty() ? "" : ".") + part;
            i = j + 1;
        }
        return out;
    }
    [[noreturn]] void fail(const std::string& ptr, const std::string& why) const {
        throw input_error(file, line(ptr),
                          (ptr.empty() ? std::string("document") : dotted(ptr)) + ": " + why);
    }
    // An enum spelled as sala spells it (its name table); `why` when it is not one.
    template <class E>
    E enum_value(const std::string& text, const std::string& ptr, const std::string& why) const {
        if (const auto v = parse_enum<E>(text)) return *v;
        fail(ptr, why);
    }
    const json* find(const json& obj, const std::string& ptr, const char* key,
                     bool required) const {
        if (!obj.is_object()) fail(ptr, "must be an object");
        auto it = obj.find(key);
        if (it == obj.end() || it->is_null()) {
            if (required) fail(ptr, std::string("missing field '") + key + "'");
            return nullptr;
        }
        return &*it;
    }
    std::string str(const json& obj, const std::string& ptr, const char* key, bool required = true,
                    std::string fallback = {}) const {
        const json* v = find(obj, ptr, key, required);
        if (!v) return fallback;
        if (!v->is_string()) fail(ptr + "/" + key, "must be a string");
        return v->get<std::string>();
    }
    // A whole number from lo to hi (default: what an int holds), so that no
    // value wraps around on its way into sala's types.
    long long integer(const json& obj, const std::string& ptr, const char* key,
                      bool required = true, long long fallback = 0,
                      long long lo = std::numeric_limits<int>::min(),
                      long long hi = std::numeric_limits<int>::max()) const {
        const json* v = find(obj, ptr, key, required);
        if (!v) return fallback;
        if (!v->is_number_integer()) fail(ptr + "/" + key, "must be a whole number");
        const bool huge = v->is_number_unsigned() &&
                          v->get<std::uint64_t>() >
                              static_cast<std::uint64_t>(std::numeric_limits<long long>::max());
        const long long x = huge ? 0 : v->get<long long>();
        if (huge || x < lo || x > hi)
            fail(ptr + "/" + key, "must be a whole number from " + std::to_string(lo) + " to " +
                                      std::to_string(hi) + ", got " + v->dump());
        return x;
    }
    // Unknown fields are errors: a misspelt one ("panelist") would otherwise
    // be dropped without a word.
    void only(const json& obj, const std::string& ptr,
              std::initializer_list<std::string_view> known) const {
        if (!obj.is_object()) fail(ptr, "must be an object");
        for (const auto& [k, v] : obj.items()) {
            if (std::find(known.begin(), known.end(), k) != known.end()) continue;
            std::string list;
            for (const auto f : known) list += (list.empty() ? "" : ", ") + std::string(f);
            fail(ptr + "/" + k, "unknown field (known: " + list + ")");
        }
    }
    bool boolean(const json& obj, const std::string& ptr, const char* key, bool fallback) const {
        const json* v = find(obj, ptr, key, false);
        if (!v) return fallback;
        if (!v->is_boolean()) fail(ptr + "/" + key, "must be true or false");
        return v->get<bool>();
    }
    local_minutes when(const json& obj, const std::string& ptr, const char* key) const {
        const std::string s = str(obj, ptr, key);
        const auto t = parse_local(s);
        if (!t) fail(ptr + "/" + key, "'" + s + "' is not a time like 2021-05-13 13:10");
        return *t;
    }
    // Runs f; a sala::error becomes an input error at `ptr`.
    template <class F>
    auto guard(const std::string& ptr, F&& f) const {
        try {
            return f();
        } catch (const input_error&) {
            throw;
        } catch (const sala::invalid_argument& e) {
            // Point at the field the core named when the file has it.
            const std::string at = ptr + field_pointer(e.field());
            fail(lines.count(at) ? at : ptr, e.what());
        } catch (const sala::error& e) {
            fail(ptr, e.what());
        }
    }
};

}  // namespace

std::unique_ptr<command_target> memory_target(const settings& s, std::shared_ptr<const clock> clk) {
    return std::make_unique<memory>(s, std::move(clk));
}

std::optional<local_minutes> parse_local(const std::string& text) {
    int y = 0;
    unsigned mo = 0, d = 0, h = 0, mi = 0;
    char sep = 0;
    int used = 0;
    if (std::sscanf(text.c_str(), "%4d-%2u-%2u%c%2u:%2u%n", &y, &mo, &d, &sep, &h, &mi, &used) != 6)
        return std::nullopt;
    if (sep != ' ' && sep != 'T') return std::nullopt;
    const std::string rest = text.substr(static_cast<std::size_t>(used));
    if (!rest.empty() && rest != "Z") return std::nullopt;
    try {
        return make_local(y, mo, d, h, mi);
    } catch (const sala::error&) {
        return std::nullopt;
    }
}

scenario_result run_scenario(const std::string& file, const std::string& text,
                             const target_factory& make, const scenario_hooks& hooks) {
    json doc;
    // Depth and size are checked while parsing, so a hostile file stops
    // before it builds a huge tree.
    struct too_deep {};
    struct too_many {};
    std::size_t values = 0;
    const auto bounds = [&values](int depth, json::parse_event_t ev, json&) {
        using event = json::parse_event_t;
        const bool opens = ev == event::object_start || ev == event::array_start;
        if (opens && depth >= max_json_depth) throw too_deep{};
        if ((opens || ev == event::value) && ++values > max_json_values) throw too_many{};
        return true;
    };
    // nlohmann reports "[json.exception.parse_error.101] parse error at line 3, column 5: ..."
    const auto bare = [](const json::exception& e) {
        std::string what = e.what();
        if (auto k = what.find("] "); k != std::string::npos) what = what.substr(k + 2);
        return what;
    };
    try {
        doc = json::parse(text, bounds);
    } catch (const json::parse_error& e) {
        throw input_error(file, line_of_offset(text, e.byte > 0 ? e.byte - 1 : 0),
                          "not valid JSON: " + bare(e));
    } catch (const json::out_of_range& e) {
        // A number past what a double holds ("1e400"): the message quotes it.
        const std::string what = bare(e);
        const auto q = what.find('\'');
        const std::string token =
            q == std::string::npos ? std::string() : what.substr(q + 1, what.rfind('\'') - q - 1);
        throw input_error(file, line_of_number(text, token), "not valid JSON: " + what);
    } catch (const json::exception& e) {
        throw input_error(file, 0, "not valid JSON: " + bare(e));
    } catch (const too_deep&) {
        throw input_error(file, line_of_depth(text, max_json_depth),
                          "nested deeper than " + std::to_string(max_json_depth) +
                              " objects and arrays (the limit for a scenario)");
    } catch (const too_many&) {
        throw input_error(
            file, 0,
            "more than " + std::to_string(max_json_values) + " values (the limit for a scenario)");
    }
    reader r{file, json_lines(text)};
    if (!doc.is_object()) r.fail("", "a scenario is a JSON object");
    static const std::set<std::string> known{"name",   "now",      "zone",  "domain",   "settings",
                                             "policy", "accounts", "rooms", "requests", "actions"};
    for (const auto& [k, v] : doc.items())
        if (!known.count(k))
            r.fail("/" + k,
                   "unknown field (known: name, now, zone, domain, settings, "
                   "policy, accounts, rooms, requests, actions)");

    scenario_result out;
    out.name = r.str(doc, "", "name", false, "sala");
    out.zone = r.str(doc, "", "zone", false, "UTC");
    r.guard("/zone", [&] { check_zone(out.zone); });
    out.domain = r.str(doc, "", "domain", false, "sala.invalid");
    const local_minutes now = r.when(doc, "", "now");
    out.clock = std::make_shared<manual_clock>(instant{now.time_since_epoch()});

    settings s;
    if (const json* js = r.find(doc, "", "settings", false)) {
        const std::string p = "/settings";
        static const std::set<std::string> fields{
            "preparation",         "courtesy",     "post_processing", "min_days_in_advance",
            "max_days_in_advance", "min_duration", "max_duration",    "credentials_lead",
            "end_warning_lead"};
        if (!js->is_object()) r.fail(p, "must be an object");
        for (const auto& [k, v] : js->items())
            if (!fields.count(k)) r.fail(p + "/" + k, "unknown setting");
        const auto m = [&](const char* k, minutes d) {
            return minutes{r.integer(*js, p, k, false, d.count())};
        };
        s.preparation = m("preparation", s.preparation);
        s.courtesy = m("courtesy", s.courtesy);
        s.post_processing = m("post_processing", s.post_processing);
        s.min_duration = m("min_duration", s.min_duration);
        s.max_duration = m("max_duration", s.max_duration);
        s.credentials_lead = m("credentials_lead", s.credentials_lead);
        s.end_warning_lead = m("end_warning_lead", s.end_warning_lead);
        s.min_days_in_advance = static_cast<int>(
            r.integer(*js, p, "min_days_in_advance", false, s.min_days_in_advance));
        s.max_days_in_advance = static_cast<int>(
            r.integer(*js, p, "max_days_in_advance", false, s.max_days_in_advance));
        r.guard(p, [&] { s.validate(); });
    }
    out.target = r.guard("/settings", [&] { return make(s, out.clock); });
    auto& t = *out.target;

    const json empty = json::array();
    const auto list = [&](const char* key) -> const json& {
        const json* v = r.find(doc, "", key, false);
        if (!v) return empty;
        if (!v->is_array()) r.fail(std::string("/") + key, "must be a list");
        return *v;
    };
    const json& accounts = list("accounts");
    const json& rooms = list("rooms");
    const json& requests = list("requests");
    const json& actions = list("actions");
    const std::size_t total = accounts.size() + rooms.size() + requests.size() + actions.size();
    const auto step = [&](const std::string& line) {
        ++out.steps;
        if (hooks.log && !line.empty()) hooks.log(line);
        if (hooks.progress) hooks.progress(out.steps, total);
    };
    const auto at_line = [&](const std::string& ptr) {
        return file + ":" + std::to_string(r.line(ptr)) + ": ";
    };

    if (const json* pol = r.find(doc, "", "policy", false)) {
        if (!pol->is_string()) r.fail("/policy", "must be a string");
        const std::string name = pol->get<std::string>();
        const auto k = r.enum_value<policy_kind>(
            name, "/policy", "'" + name + "' is not first_fit, best_fit or smallest_capacity");
        t.run([&](platform& p) { p.set_policy(k); });
    }

    for (std::size_t a = 0; a < accounts.size(); ++a) {
        const std::string p = "/accounts/" + std::to_string(a);
        const json& acc = accounts[a];
        r.only(acc, p, {"name", "kind", "users"});
        const std::string name = r.str(acc, p, "name");
        const auto kind = r.enum_value<pool_kind>(r.str(acc, p, "kind", false, "own"), p + "/kind",
                                                  "must be 'own' or 'lent'");
        const json* users = r.find(acc, p, "users", true);
        if (!users->is_array()) r.fail(p + "/users", "must be a list");
        std::vector<account_user> us;
        for (std::size_t k = 0; k < users->size(); ++k) {
            const std::string up = p + "/users/" + std::to_string(k);
            const json& u = (*users)[k];
            r.only(u, up, {"id", "email", "name", "owner", "licensed", "capacity"});
            us.push_back({r.str(u, up, "id"), r.str(u, up, "email"), r.str(u, up, "name", false),
                          r.boolean(u, up, "owner", false), r.boolean(u, up, "licensed", true),
                          static_cast<int>(r.integer(u, up, "capacity", false, 100))});
        }
        link_report rep;
        r.guard(p, [&] { t.run([&](platform& pl) { rep = pl.link_account(name, kind, us); }); });
        std::string msg = at_line(p) + "linked '" + name +
                          "': " + std::to_string(rep.new_rooms.size()) + " room(s)";
        for (const auto& w : rep.wasted_licences)
            msg += "; owner " + w.email + " holds a licence: wasted (R1)";
        step(msg);
    }

    for (std::size_t k = 0; k < rooms.size(); ++k) {
        const std::string p = "/rooms/" + std::to_string(k);
        const json& rm = rooms[k];
        r.only(rm, p, {"room", "active", "mode"});
        const room_id id{static_cast<std::uint32_t>(
            r.integer(rm, p, "room", true, 0, 1, std::numeric_limits<std::uint32_t>::max()))};
        const bool active = r.boolean(rm, p, "active", true);
        const auto mode = r.enum_value<room_mode>(r.str(rm, p, "mode", false, "manual"),
                                                  p + "/mode", "must be 'manual' or 'automatic'");
        r.guard(p, [&] {
            t.run([&](platform& pl) {
                if (active) {
                    pl.activate(id);
                    pl.set_mode(id, mode);
                } else {
                    pl.deactivate(id);
                }
            });
        });
        step(at_line(p) + to_string(id) +
             (active ? " active, " + std::string(to_string(mode)) : std::string(" inactive")));
    }

    const auto set_at = [&](const json& obj, const std::string& p) {
        if (r.find(obj, p, "at", false)) {
            const auto at = r.when(obj, p, "at");
            out.clock->set(instant{at.time_since_epoch()});
        }
    };

    for (std::size_t k = 0; k < requests.size(); ++k) {
        const std::string p = "/requests/" + std::to_string(k);
        const json& q = requests[k];
        r.only(q, p,
               {"at", "title", "start", "zone", "duration", "event", "admission", "organizer",
                "attendees", "panelists", "resolve"});
        set_at(q, p);
        request_input in;
        in.title = r.str(q, p, "title");
        in.start = r.when(q, p, "start");
        in.zone = r.str(q, p, "zone", false, out.zone);
        in.duration = minutes{r.integer(q, p, "duration")};
        in.event_id = r.str(q, p, "event", false, "-");
        in.admission = r.enum_value<admission>(r.str(q, p, "admission", false, "automatic"),
                                               p + "/admission", "must be 'automatic' or 'manual'");
        if (const json* org = r.find(q, p, "organizer", true)) {
            r.only(*org, p + "/organizer", {"name", "email"});
            in.organizer.name = r.str(*org, p + "/organizer", "name", false);
            in.organizer.email = r.str(*org, p + "/organizer", "email");
        }
        if (r.find(q, p, "attendees", false))
            in.expected_attendees = static_cast<int>(r.integer(q, p, "attendees"));
        if (const json* pan = r.find(q, p, "panelists", false)) {
            if (!pan->is_array()) r.fail(p + "/panelists", "must be a list of e-mail addresses");
            for (std::size_t j = 0; j < pan->size(); ++j) {
                if (!(*pan)[j].is_string())
                    r.fail(p + "/panelists/" + std::to_string(j), "must be a string");
                in.panelists.push_back((*pan)[j].get<std::string>());
            }
        }
        const std::string res = r.str(q, p, "resolve", false);
        if (res == "earliest")
            in.resolve = choose::earliest;
        else if (res == "latest")
            in.resolve = choose::latest;
        else if (!res.empty())
            r.fail(p + "/resolve", "must be 'earliest' or 'latest'");
        submission sub;
        try {
            t.run([&](platform& pl) { sub = pl.submit(in); });
        } catch (const sala::invalid_argument& e) {
            // Point at the field the core named when the scenario has it.
            const std::string f = field_pointer(e.field() == "event_id" ? "event" : e.field());
            r.fail(r.lines.count(p + f) ? p + f : p, e.what());
        } catch (const sala::error& e) {
            r.fail(p, e.what());
        }
        out.request_ids.push_back(sub.id);
        step(at_line(p) + "submit '" + in.title + "' -> " + to_string(sub.id) + ": " +
             (sub.assignment ? "assigned " + to_string(*sub.assignment.room)
                             : "queued (" + sub.assignment.reason + ")"));
    }

    const auto request_ref = [&](const json& a, const std::string& p) {
        const long long n =
            r.integer(a, p, "request", true, 0, std::numeric_limits<long long>::min(),
                      std::numeric_limits<long long>::max());
        if (n < 1 || static_cast<std::size_t>(n) > out.request_ids.size())
            r.fail(p + "/request", "must be 1.." + std::to_string(out.request_ids.size()) +
                                       " (the position in 'requests')");
        return out.request_ids[static_cast<std::size_t>(n - 1)];
    };
    const auto room_ref = [&](const json& a, const std::string& p) {
        return room_id{static_cast<std::uint32_t>(
            r.integer(a, p, "room", true, 0, 1, std::numeric_limits<std::uint32_t>::max()))};
    };

    static const std::map<std::string, std::vector<std::string>> action_fields{
        {"assign", {"request", "room"}}, {"reassign", {"request", "room"}},
        {"retry", {"request"}},          {"retry_queue", {}},
        {"cancel", {"request"}},         {"activate", {"room"}},
        {"deactivate", {"room"}},        {"mode", {"room", "mode"}},
        {"advance", {"minutes"}},        {"make_room", {"request", "apply", "max_moves"}},
    };
    for (std::size_t k = 0; k < actions.size(); ++k) {
        const std::string p = "/actions/" + std::to_string(k);
        const json& a = actions[k];
        set_at(a, p);
        const std::string what = r.str(a, p, "do");
        if (const auto f = action_fields.find(what); f != action_fields.end()) {
            // "at" and "do" go with every action.
            for (const auto& [key, v] : a.items())
                if (key != "at" && key != "do" &&
                    std::find(f->second.begin(), f->second.end(), key) == f->second.end()) {
                    std::string list = "at, do";
                    for (const auto& x : f->second) list += ", " + x;
                    r.fail(p + "/" + key, "unknown field for '" + what + "' (known: " + list + ")");
                }
        }
        std::string msg = at_line(p) + what;
        const auto said = [&](const assignment& x, request_id id) {
            msg += " " + to_string(id) + ": " +
                   (x ? "ok, " + to_string(*x.room)
                      : std::string(to_string(x.status)) + " (" + x.reason + ")");
        };
        r.guard(p, [&] {
            if (what == "assign" || what == "reassign") {
                const auto id = request_ref(a, p);
                const auto rm = room_ref(a, p);
                assignment x;
                t.run([&](platform& pl) {
                    x = what == "assign" ? pl.assign(id, rm) : pl.reassign(id, rm);
                });
                said(x, id);
            } else if (what == "retry") {
                const auto id = request_ref(a, p);
                assignment x;
                t.run([&](platform& pl) { x = pl.retry(id); });
                said(x, id);
            } else if (what == "retry_queue") {
                std::size_t n = 0;
                t.run([&](platform& pl) { n = pl.retry_queue(); });
                msg += ": " + std::to_string(n) + " got a room";
            } else if (what == "cancel") {
                const auto id = request_ref(a, p);
                t.run([&](platform& pl) { pl.cancel(id); });
                msg += " " + to_string(id);
            } else if (what == "activate" || what == "deactivate") {
                const auto rm = room_ref(a, p);
                t.run([&](platform& pl) {
                    what == "activate" ? pl.activate(rm) : pl.deactivate(rm);
                });
                msg += " " + to_string(rm);
            } else if (what == "mode") {
                const auto rm = room_ref(a, p);
                const auto m = r.enum_value<room_mode>(r.str(a, p, "mode"), p + "/mode",
                                                       "must be 'manual' or 'automatic'");
                t.run([&](platform& pl) { pl.set_mode(rm, m); });
                msg += " " + to_string(rm) + " " + to_string(m);
            } else if (what == "advance") {
                const minutes m{r.integer(a, p, "minutes", true, 0, 0, max_advance_minutes)};
                // Past year 9999 dates no longer print (nor parse) as YYYY-MM-DD.
                const auto last = make_local(9999, 12, 31, 23, 59).time_since_epoch();
                if (out.clock->now().time_since_epoch() + m > last)
                    r.fail(p + "/minutes", "would move the clock past 9999-12-31 23:59");
                out.clock->advance(m);
                msg += " to " + format_utc(out.clock->now()) + " UTC";
            } else if (what == "make_room") {
                const auto id = request_ref(a, p);
                const bool apply = r.boolean(a, p, "apply", true);
                make_room_options o;
                o.max_moves = static_cast<std::size_t>(
                    r.integer(a, p, "max_moves", false, 3, 0, max_make_room_moves));
                const platform& v = t.view();
                o.locked = [&v](request_id x) { return credentials_window_open(v, x); };
                const auto plan = find_make_room(v, id, o);
                if (!plan) {
                    msg += " " + to_string(id) + ": no plan within " + std::to_string(o.max_moves) +
                           " move(s)";
                } else {
                    msg += " " + to_string(id) + ": " + plan->explanation;
                    if (apply) {
                        assignment x;
                        t.run([&](platform& pl) { x = apply_make_room(pl, *plan); });
                        msg += x ? std::string(" [applied]") : " [refused: " + x.reason + "]";
                    }
                }
            } else {
                r.fail(p + "/do", "'" + what +
                                      "' is not one of assign, reassign, retry, retry_queue, "
                                      "cancel, activate, deactivate, mode, advance, make_room");
            }
        });
        step(msg);
    }
    return out;
}

}  // namespace sala::cli
