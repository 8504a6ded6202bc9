#pragma once
// Text that arrives from a backend (names, e-mail addresses, error messages)
// made safe to keep, show and log: valid UTF-8, one line, bounded. Private to
// the Zoom adapter until sala has one shared definition of acceptable text.

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <utility>

namespace sala::detail {

// The code point at s[i] and its length in bytes; length 0 for a malformed,
// overlong, surrogate or out-of-range sequence (one byte of it is then skipped).
inline std::pair<std::uint32_t, std::size_t> utf8_at(std::string_view s, std::size_t i) noexcept {
    const auto c = static_cast<unsigned char>(s[i]);
    if (c < 0x80) return {c, 1};
    std::size_t n = 0;
    std::uint32_t cp = 0;
    if ((c & 0xE0) == 0xC0) {
        n = 2;
        cp = c & 0x1F;
    } else if ((c & 0xF0) == 0xE0) {
        n = 3;
        cp = c & 0x0F;
    } else if ((c & 0xF8) == 0xF0) {
        n = 4;
        cp = c & 0x07;
    } else {
        return {0, 0};
    }
    if (i + n > s.size()) return {0, 0};
    for (std::size_t k = 1; k < n; ++k) {
        const auto cc = static_cast<unsigned char>(s[i + k]);
        if ((cc & 0xC0) != 0x80) return {0, 0};
        cp = (cp << 6) | (cc & 0x3F);
    }
    static constexpr std::uint32_t min_for_length[] = {0, 0, 0x80, 0x800, 0x10000};
    if (cp < min_for_length[n] || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) return {0, 0};
    return {cp, n};
}

// Characters that must not reach a one-line text: C0/C1 controls and DEL, the
// line/paragraph separators, and the bidirectional overrides and isolates
// (they make text read differently from what it is).
inline bool refused_code_point(std::uint32_t cp) noexcept {
    return cp < 0x20 || (cp >= 0x7F && cp <= 0x9F) || cp == 0x2028 || cp == 0x2029 ||
           (cp >= 0x202A && cp <= 0x202E) || (cp >= 0x2066 && cp <= 0x2069);
}

// Invalid UTF-8 becomes U+FFFD, refused characters a space, runs of spaces one
// space; the ends are trimmed and the result cut to `max_chars` code points.
inline std::string sanitize_backend_text(std::string_view s, std::size_t max_chars) {
    std::string out;
    out.reserve(std::min(s.size(), max_chars * 4));
    std::size_t chars = 0;
    for (std::size_t i = 0; i < s.size() && chars < max_chars;) {
        auto [cp, n] = utf8_at(s, i);
        std::string_view piece = s.substr(i, n);
        if (n == 0) {
            piece = "\xEF\xBF\xBD";  // U+FFFD
            n = 1;
        } else if (refused_code_point(cp) || cp == ' ') {
            piece = " ";
        }
        i += n;
        if (piece == " " && (out.empty() || out.back() == ' ')) continue;
        out += piece;
        ++chars;
    }
    while (!out.empty() && out.back() == ' ') out.pop_back();
    return out;
}

// Invalid UTF-8 sequences replaced by U+FFFD, everything else kept: makes a
// reply body parseable as JSON (whose structure is ASCII) without losing it.
inline std::string repair_utf8(std::string_view s) {
    std::string out;
    out.reserve(s.size());
    for (std::size_t i = 0; i < s.size();) {
        const auto n = utf8_at(s, i).second;
        if (n == 0) {
            out += "\xEF\xBF\xBD";
            ++i;
        } else {
            out.append(s.substr(i, n));
            i += n;
        }
    }
    return out;
}

}  // namespace sala::detail
