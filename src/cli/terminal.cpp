#include <cstdint>
#include <cstdio>

#include "cli.hpp"

namespace sala::cli {

namespace {

// Length of the well-formed UTF-8 sequence at s[i] and its code point; 0 when
// the byte there starts none (stray continuation, overlong form, surrogate,
// past U+10FFFF, cut short).
std::size_t utf8_at(std::string_view s, std::size_t i, std::uint32_t& cp) {
    const auto c = static_cast<unsigned char>(s[i]);
    std::size_t n = 0;
    if (c < 0x80) {
        cp = c;
        return 1;
    }
    if ((c & 0xE0) == 0xC0)
        n = 2, cp = c & 0x1Fu;
    else if ((c & 0xF0) == 0xE0)
        n = 3, cp = c & 0x0Fu;
    else if ((c & 0xF8) == 0xF0)
        n = 4, cp = c & 0x07u;
    else
        return 0;
    if (i + n > s.size()) return 0;
    for (std::size_t k = 1; k < n; ++k) {
        const auto cc = static_cast<unsigned char>(s[i + k]);
        if ((cc & 0xC0) != 0x80) return 0;
        cp = (cp << 6) | (cc & 0x3Fu);
    }
    static constexpr std::uint32_t least[] = {0, 0, 0x80, 0x800, 0x10000};
    if (cp < least[n] || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) return 0;
    return n;
}

std::string escape(std::string_view s, bool keep_layout) {
    std::string out;
    out.reserve(s.size());
    char hex[16];
    for (std::size_t i = 0; i < s.size();) {
        std::uint32_t cp = 0;
        const std::size_t n = utf8_at(s, i, cp);
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
