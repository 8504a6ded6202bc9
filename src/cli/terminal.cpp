#include <cstdint>
#include <cstdio>

#include "cli.hpp"
#include "sala/detail/utf8.hpp"

namespace sala::cli {

namespace {

std::string escape(std::string_view s, bool keep_layout) {
    std::string out;
    out.reserve(s.size());
    char hex[16];
    for (std::size_t i = 0; i < s.size();) {
        std::size_t next = i;
        const std::uint32_t cp = detail::next_code_point(s, next);
        const std::size_t n = cp == detail::bad_code_point ? 0 : next - i;
        if (n == 0) {  // not UTF-8: show the byte
            std::snprintf(hex, sizeof hex, "\\x%02x", static_cast<unsigned char>(s[i]));
            out += hex;
            ++i;
            continue;
        }
        const bool layout = cp == '\n' || cp == '\t';
        if ((cp < 0x20 && !(layout && keep_layout)) || cp == 0x7F) {
            std::snprintf(hex, sizeof hex, "\\x%02x", static_cast<unsigned>(cp));
            out += hex;
        } else if (cp >= 0x80 && cp <= 0x9F) {
            std::snprintf(hex, sizeof hex, "\\u{%x}", static_cast<unsigned>(cp));
            out += hex;
        } else {
            out.append(s.substr(i, n));
        }
        i += n;
    }
    return out;
}

}  // namespace

std::string for_terminal(std::string_view text) { return escape(text, true); }
std::string one_line(std::string_view text) { return escape(text, false); }

}  // namespace sala::cli
