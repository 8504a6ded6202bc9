#include "core/zone.hpp"

#include <date/ptz.h>

#include "sala/error.hpp"

#include <algorithm>
#include <cstdlib>
#include <fstream>
#include <iterator>
#include <limits>
#include <map>
#include <memory>
#include <mutex>
#include <stdexcept>

namespace sala::detail {

struct zone_rules::footer_rule {
    Posix::time_zone rule;
};

namespace {

using std::chrono::seconds;

std::int64_t be(std::string_view s, std::size_t at, int bytes) {
    std::uint64_t v = 0;
    for (int k = 0; k < bytes; ++k) v = (v << 8) | static_cast<unsigned char>(s[at + k]);
    if (bytes == 4) return static_cast<std::int32_t>(static_cast<std::uint32_t>(v));
    return static_cast<std::int64_t>(v);
}

struct header {
    std::size_t isutcnt, isstdcnt, leapcnt, timecnt, typecnt, charcnt;
};

header read_header(std::string_view s, std::size_t at) {
    if (s.size() < at + 44 || s.substr(at, 4) != "TZif")
        throw std::runtime_error("not a TZif file");
    const auto n = [&](int k) { return static_cast<std::size_t>(be(s, at + 20 + 4 * k, 4)); };
    return {n(0), n(1), n(2), n(3), n(4), n(5)};
}

// Bytes of a data block whose times are `t` bytes wide (RFC 8536 §3.2).
std::size_t block_size(const header& h, std::size_t t) {
    return h.timecnt * t + h.timecnt + h.typecnt * 6 + h.charcnt + h.leapcnt * (t + 4) +
           h.isstdcnt + h.isutcnt;
}

constexpr std::int64_t far_past = std::numeric_limits<std::int32_t>::min() * 1000LL;
constexpr std::int64_t far_future = std::numeric_limits<std::int32_t>::max() * 1000LL;

bool plausible_name(std::string_view name) {
    if (name.empty() || name.front() == '/' || name.find("..") != std::string_view::npos)
        return false;
    return std::all_of(name.begin(), name.end(), [](char c) {
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
               c == '/' || c == '_' || c == '-' || c == '+';
    });
}

}  // namespace

zone_rules::zone_rules(std::string_view s) {
    const header h1 = read_header(s, 0);
    if (s[4] < '2') throw std::runtime_error("TZif version 1 has no 64-bit data or footer");
    const std::size_t v2 = 44 + block_size(h1, 4);
    const header h = read_header(s, v2);
    std::size_t at = v2 + 44;
    if (s.size() < at + block_size(h, 8)) throw std::runtime_error("TZif file is cut short");
    if (h.typecnt == 0) throw std::runtime_error("TZif file has no local time types");
    for (std::size_t k = 0; k < h.timecnt; ++k) transitions_.push_back(be(s, at + 8 * k, 8));
    at += 8 * h.timecnt;
    for (std::size_t k = 0; k < h.timecnt; ++k) {
        const auto idx = static_cast<unsigned char>(s[at + k]);
        if (idx >= h.typecnt) throw std::runtime_error("TZif transition names no type");
        transition_types_.push_back(idx);
    }
    at += h.timecnt;
    const std::size_t chars = at + 6 * h.typecnt;
    for (std::size_t k = 0; k < h.typecnt; ++k) {
        const auto off = static_cast<std::int32_t>(be(s, at + 6 * k, 4));
        const bool dst = s[at + 6 * k + 4] != 0;
        const auto ai = static_cast<unsigned char>(s[at + 6 * k + 5]);
        if (ai >= h.charcnt) throw std::runtime_error("TZif abbreviation out of range");
        const auto abbrev = s.substr(chars + ai, h.charcnt - ai);
        types_.push_back({off, dst, std::string(abbrev.substr(0, abbrev.find('\0')))});
    }
    at += block_size(h, 8) - 8 * h.timecnt - h.timecnt;
    // The footer: "\n" POSIX-TZ-string "\n" (RFC 8536 §3.3); empty means none.
    if (at < s.size() && s[at] == '\n') {
        const auto end = s.find('\n', at + 1);
        const auto rule = s.substr(at + 1, end == std::string_view::npos ? 0 : end - at - 1);
        if (!rule.empty()) {
            try {
                footer_ = std::make_shared<const footer_rule>(
                    footer_rule{Posix::time_zone(std::string(rule))});
            } catch (const std::exception&) {
                // A rule ptz cannot read: the listed transitions are all there is.
            }
        }
    }
}

const zone_rules* zone_rules::find(std::string_view name) {
    // Zones never change while a process runs; the cache keeps each one.
    static std::mutex m;
    static std::map<std::string, std::unique_ptr<zone_rules>, std::less<>> cache;
    thread_local std::string last_name;
    thread_local const zone_rules* last = nullptr;
    if (last && name == last_name) return last;
    if (!plausible_name(name)) return nullptr;
    std::lock_guard lock(m);
    auto it = cache.find(name);
    if (it == cache.end()) {
        const char* env = std::getenv("TZDIR");
        const std::string dir = env && *env ? env : "/usr/share/zoneinfo";
        std::ifstream in(dir + "/" + std::string(name), std::ios::binary);
        std::unique_ptr<zone_rules> z;
        if (in) {
            const std::string bytes{std::istreambuf_iterator<char>(in), {}};
            try {
                z = std::make_unique<zone_rules>(bytes);
            } catch (const std::exception&) {
                z = nullptr;  // a file that is not a zone ("zone.tab", a directory)
            }
        }
        it = cache.emplace(std::string(name), std::move(z)).first;
    }
    last_name = std::string(name);
    last = it->second.get();
    return last;
}

date::sys_info zone_rules::listed(std::size_t type_index, std::int64_t begin,
                                  std::int64_t end) const {
    const type& t = types_[type_index];
    date::sys_info i;
    i.begin = date::sys_seconds{seconds{begin}};
    i.end = date::sys_seconds{seconds{end}};
    i.offset = seconds{t.offset};
    i.save = t.dst ? std::chrono::minutes{60} : std::chrono::minutes{0};
    i.abbrev = t.abbrev;
    return i;
}

date::sys_info zone_rules::get_info(date::sys_seconds t) const {
    const std::int64_t x = t.time_since_epoch().count();
    if (transitions_.empty() || x >= transitions_.back()) {
        const std::int64_t from = transitions_.empty() ? far_past : transitions_.back();
        if (footer_) {
            auto i = footer_->rule.get_info(t);
            if (i.begin.time_since_epoch().count() < from)
                i.begin = date::sys_seconds{seconds{from}};
            return i;
        }
        return listed(transitions_.empty() ? 0 : transition_types_.back(), from, far_future);
    }
    if (x < transitions_.front()) return listed(0, far_past, transitions_.front());
    const auto k = static_cast<std::size_t>(
        std::upper_bound(transitions_.begin(), transitions_.end(), x) - transitions_.begin() - 1);
    return listed(transition_types_[k], transitions_[k], transitions_[k + 1]);
}

date::local_info zone_rules::get_info(date::local_seconds t) const {
    // Offsets stay within a day of UTC: the periods that can hold `t` begin
    // no earlier than a day before it, read as UTC.
    const auto as_sys = date::sys_seconds{t.time_since_epoch()};
    const auto day = seconds{86400};
    date::local_info r{};
    date::sys_info p = get_info(as_sys - day);
    std::optional<date::sys_info> prev;
    int found = 0;
    for (;;) {
        const auto lb = date::local_seconds{p.begin.time_since_epoch() + p.offset};
        const auto le = date::local_seconds{p.end.time_since_epoch() + p.offset};
        if (prev && t < lb) {
            const auto pe = date::local_seconds{prev->end.time_since_epoch() + prev->offset};
            if (found == 0 && t >= pe) {  // in the gap between prev and p
                r.result = date::local_info::nonexistent;
                r.first = *prev;
                r.second = p;
                return r;
            }
        }
        if (t >= lb && t < le) {
            if (found == 0) {
                r.first = p;
            } else {
                r.second = p;
            }
            ++found;
        }
        if (p.end > as_sys + day || p.end.time_since_epoch().count() >= far_future) break;
        prev = p;
        p = get_info(p.end);
    }
    r.result = found == 2 ? date::local_info::ambiguous : date::local_info::unique;
    return r;
}

date::sys_seconds zone_rules::to_sys(date::local_seconds t, date::choose how) const {
    const auto i = get_info(t);
    if (i.result == date::local_info::nonexistent) return i.first.end;
    const auto& use =
        i.result == date::local_info::ambiguous && how == date::choose::latest ? i.second : i.first;
    return date::sys_seconds{t.time_since_epoch() - use.offset};
}

zone_view zone_view::find(std::string_view name) {
    if (name.empty())
        throw invalid_argument("zone", "empty; give an IANA zone such as Europe/Madrid");
    zone_view v;
    v.rules_ = zone_rules::find(name);
    if (v.rules_) return v;
    const char* env = std::getenv("TZDIR");
    if (!(env && *env)) {
        try {
            v.tz_ = date::locate_zone(name);
            return v;
        } catch (const std::exception&) {
        }
    }
    throw invalid_argument("zone", "unknown IANA time zone '" + std::string(name) + "'");
}

}  // namespace sala::detail
