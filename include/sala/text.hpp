#pragma once
// One definition of acceptable text and of an acceptable e-mail address. Every
// door (requests, linked accounts, the CLI, the Python module) checks with
// these, and the mail formatter accepts whatever passes them, so a value that
// was accepted can always be mailed, shown and stored.

#include <cstddef>
#include <string>
#include <string_view>

namespace sala {

// Why `value` is not acceptable one-line text, or "" when it is. Refused:
// invalid UTF-8; C0 and C1 control characters and DEL; the line and paragraph
// separators U+2028/U+2029; bidirectional overrides and isolates (U+202A-U+202E,
// U+2066-U+2069), which make text read differently from what it is; more than
// `max_chars` characters (code points); and, when `required`, text with no
// visible character (only blanks such as NBSP, or zero-width characters).
std::string text_problem(std::string_view value, std::size_t max_chars, bool required);

// Throws sala::invalid_argument(field, text_problem(...)) when there is a problem.
void check_text(std::string_view value, const std::string& field, std::size_t max_chars,
                bool required);

// Text from a backend made acceptable: invalid UTF-8 becomes U+FFFD, refused
// characters become a space, runs of blanks become one space, the ends are
// trimmed and the result is cut to `max_chars` characters.
std::string sanitize_text(std::string_view value, std::size_t max_chars);

// Checks an address the way the mail formatter needs it: at most 254 ASCII
// characters, local@domain, the local part a dot-atom (RFC 5322 §3.2.3) of at
// most 64 characters, the domain dot-separated labels of letters, digits and
// inner hyphens. Internationalised addresses (SMTPUTF8) are refused here,
// not later at the mail server. Throws sala::invalid_argument(field).
void validate_email(std::string_view address, const std::string& field);
// Why validate_email would refuse `address` (starting with the quoted address), or "".
std::string email_problem(std::string_view address);

}  // namespace sala
