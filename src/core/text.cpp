#include "sala/text.hpp"

#include <cstdint>
#include <cstdio>
#include <string>

#include "sala/detail/utf8.hpp"
#include "sala/error.hpp"

namespace sala {

namespace {

using detail::bad_code_point;

bool refused(std::uint32_t cp) {
    return cp < 0x20 || (cp >= 0x7F && cp <= 0x9F) || cp == 0x2028 || cp == 0x2029 ||
           (cp >= 0x202A && cp <= 0x202E) || (cp >= 0x2066 && cp <= 0x2069);
}

// Blanks and zero-width characters: allowed inside text, but text made only
// of them looks empty on every screen.
bool invisible(std::uint32_t cp) {
    return cp == 0x20 || cp == 0xA0 || cp == 0xAD || cp == 0x034F || cp == 0x061C || cp == 0x115F ||
           cp == 0x1160 || cp == 0x1680 || cp == 0x180E || (cp >= 0x2000 && cp <= 0x200F) ||
           cp == 0x202F || (cp >= 0x205F && cp <= 0x2064) || cp == 0x3000 || cp == 0x3164 ||
           cp == 0xFEFF || cp == 0xFFA0;
}

std::string code_point_name(std::uint32_t cp) {
    char buf[16];
    std::snprintf(buf, sizeof buf, "U+%04X", static_cast<unsigned>(cp));
    return buf;
}

std::string what_is(std::uint32_t cp) {
    if (cp == '\r' || cp == '\n' || cp == 0x85 || cp == 0x2028 || cp == 0x2029)
        return "a line break (" + code_point_name(cp) + ")";
    if (cp >= 0x202A) return "a bidirectional control (" + code_point_name(cp) + ")";
    return "a control character (" + code_point_name(cp) + ")";
}

void append_utf8(std::string& out, std::uint32_t cp) {
    if (cp < 0x80) {
        out += static_cast<char>(cp);
    } else if (cp < 0x800) {
        out += static_cast<char>(0xC0 | (cp >> 6));
        out += static_cast<char>(0x80 | (cp & 0x3F));
    } else if (cp < 0x10000) {
        out += static_cast<char>(0xE0 | (cp >> 12));
        out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
        out += static_cast<char>(0x80 | (cp & 0x3F));
    } else {
        out += static_cast<char>(0xF0 | (cp >> 18));
        out += static_cast<char>(0x80 | ((cp >> 12) & 0x3F));
        out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
        out += static_cast<char>(0x80 | (cp & 0x3F));
    }
}

bool is_atext(char c) {
    if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')) return true;
    return std::string_view("!#$%&'*+-/=?^_`{|}~").find(c) != std::string_view::npos;
}

bool is_let_dig(char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
}

// Why `local` is not a dot-atom, or "".
std::string local_problem(std::string_view local) {
    if (local.size() > 64) return "has a local part longer than 64 characters";
    if (local.front() == '.' || local.back() == '.' || local.find("..") != std::string_view::npos)
        return "has a misplaced dot before the '@'";
    for (const char c : local)
        if (c != '.' && !is_atext(c))
            return std::string("contains '") + c + "', not allowed in an address";
    return {};
}

std::string domain_problem(std::string_view domain) {
    std::size_t start = 0;
    while (start <= domain.size()) {
        const auto dot = domain.find('.', start);
        const auto label = domain.substr(
            start, dot == std::string_view::npos ? std::string_view::npos : dot - start);
        if (label.empty()) return "has an empty label in the domain";
        if (label.size() > 63) return "has a domain label longer than 63 characters";
        if (label.front() == '-' || label.back() == '-')
            return "has a domain label starting or ending with '-'";
        for (const char c : label)
            if (c != '-' && !is_let_dig(c))
                return std::string("contains '") + c + "' in the domain";
        if (dot == std::string_view::npos) break;
        start = dot + 1;
    }
    return {};
}

}  // namespace

std::string text_problem(std::string_view value, std::size_t max_chars, bool required) {
    std::size_t chars = 0;
    bool visible = false;
    std::size_t i = 0;
    while (i < value.size()) {
        const std::size_t at = i;
        const auto cp = detail::next_code_point(value, i);
        if (cp == bad_code_point) return "is not valid UTF-8 (byte " + std::to_string(at) + ")";
        if (refused(cp)) return "contains " + what_is(cp);
        if (!invisible(cp)) visible = true;
        ++chars;
    }
    if (required && !visible)
        return value.empty() ? "is empty" : "is empty (only blank or invisible characters)";
    if (chars > max_chars) return "is longer than " + std::to_string(max_chars) + " characters";
    return {};
}

void check_text(std::string_view value, const std::string& field, std::size_t max_chars,
                bool required) {
    auto problem = text_problem(value, max_chars, required);
    if (!problem.empty()) throw invalid_argument(field, problem);
}

std::string sanitize_text(std::string_view value, std::size_t max_chars) {
    std::string out;
    std::size_t chars = 0;
    bool pending_blank = false;
    std::size_t i = 0;
    while (i < value.size() && chars < max_chars) {
        auto cp = detail::next_code_point(value, i);
        if (cp == bad_code_point) cp = 0xFFFD;
        if (refused(cp) || cp == ' ') {
            pending_blank = !out.empty();
            continue;
        }
        if (pending_blank) {
            out += ' ';
            ++chars;
            pending_blank = false;
            if (chars == max_chars) break;
        }
        append_utf8(out, cp);
        ++chars;
    }
    return out;
}

std::string email_problem(std::string_view address) {
    if (auto p = text_problem(address, 254, true); !p.empty()) return p;
    const std::string quoted = "'" + std::string(address) + "'";
    for (const char c : address)
        if (static_cast<unsigned char>(c) >= 0x80)
            return quoted +
                   " is not ASCII; internationalised addresses (SMTPUTF8) are not supported";
    const auto at = address.find('@');
    if (at == std::string_view::npos || at == 0 || at + 1 >= address.size() ||
        address.find('@', at + 1) != std::string_view::npos)
        return quoted + " is not an e-mail address (name@domain)";
    auto problem = local_problem(address.substr(0, at));
    if (problem.empty()) problem = domain_problem(address.substr(at + 1));
    return problem.empty() ? problem : quoted + " " + problem;
}

void validate_email(std::string_view address, const std::string& field) {
    auto problem = email_problem(address);
    if (!problem.empty()) throw invalid_argument(field, problem);
}

}  // namespace sala
