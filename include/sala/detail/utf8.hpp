#pragma once
// UTF-8 decoding shared by the text rules (sala/text.hpp) and the mail formatter.

#include <cstddef>
#include <cstdint>
#include <string_view>

namespace sala::detail {

inline constexpr std::uint32_t bad_code_point = 0xFFFFFFFF;

// Decodes the code point at s[i] and advances i past it. A malformed
// sequence, an overlong form, a UTF-16 surrogate or a value past U+10FFFF
// yields bad_code_point and advances i by one byte.
inline std::uint32_t next_code_point(std::string_view s, std::size_t& i) noexcept {
    const auto c = static_cast<unsigned char>(s[i]);
    std::size_t n = 0;
    std::uint32_t cp = 0;
    if (c < 0x80) {
        ++i;
        return c;
    }
    if ((c & 0xE0) == 0xC0) {
        n = 1;
        cp = c & 0x1F;
    } else if ((c & 0xF0) == 0xE0) {
        n = 2;
        cp = c & 0x0F;
    } else if ((c & 0xF8) == 0xF0) {
        n = 3;
        cp = c & 0x07;
    } else {
        ++i;
        return bad_code_point;
    }
    if (i + n >= s.size()) {
        ++i;
        return bad_code_point;
    }
    for (std::size_t k = 1; k <= n; ++k) {
        const auto cc = static_cast<unsigned char>(s[i + k]);
        if ((cc & 0xC0) != 0x80) {
            ++i;
            return bad_code_point;
        }
        cp = (cp << 6) | (cc & 0x3F);
    }
    static constexpr std::uint32_t min_for_length[] = {0, 0x80, 0x800, 0x10000};
    if (cp < min_for_length[n] || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) {
        ++i;
        return bad_code_point;
    }
    i += n + 1;
    return cp;
}

inline bool valid_utf8(std::string_view s) noexcept {
    std::size_t i = 0;
    while (i < s.size())
        if (next_code_point(s, i) == bad_code_point) return false;
    return true;
}

}  // namespace sala::detail
