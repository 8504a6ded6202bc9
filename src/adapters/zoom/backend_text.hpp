#pragma once
// Reply bodies from a backend made parseable without losing them. What is
// taken out of them (names, e-mail addresses, error messages) goes through
// sala/text.hpp: sanitize_text and email_problem.

#include <cstddef>
#include <string>
#include <string_view>

#include "sala/detail/utf8.hpp"

namespace sala::detail {

// Invalid UTF-8 sequences replaced by U+FFFD, everything else kept: makes a
// reply body parseable as JSON (whose structure is ASCII) without losing it.
inline std::string repair_utf8(std::string_view s) {
    std::string out;
    out.reserve(s.size());
    for (std::size_t i = 0; i < s.size();) {
        const std::size_t at = i;
        if (next_code_point(s, i) == bad_code_point)
            out += "\xEF\xBF\xBD";
        else
            out.append(s.substr(at, i - at));
    }
    return out;
}

}  // namespace sala::detail
