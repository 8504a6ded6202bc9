#pragma once
// Credentials for a webinar (R12): the room user's login password (docs/zoom.md
// §4) and the webinar passcode (docs/zoom.md §3), drawn from the kernel's
// cryptographic RNG (getrandom(2), falling back to /dev/urandom); never from
// std::random_device, which the standard does not promise to be cryptographic.

#include <cstddef>
#include <span>
#include <string>
#include <string_view>

namespace sala {

// Fills `out` with cryptographically secure random bytes; throws sala::error
// when the kernel cannot provide them.
void secure_random_bytes(std::span<unsigned char> out);

// A uniformly drawn integer in [0, bound) from secure_random_bytes (no modulo bias).
std::size_t secure_random_below(std::size_t bound);

// The special characters a generated room password may contain.
inline constexpr std::string_view room_password_specials = "!@#$%*-_+=?";
// The characters Zoom accepts in a webinar passcode (§3).
inline constexpr std::string_view passcode_alphabet =
    "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789@-_*!";

// Zoom's user-password rules (§4, codes 1124-1131) as sala applies them to the
// passwords it generates: 8 to 31 characters, an upper-case and a lower-case
// letter, a digit and a special character, only printable ASCII without
// spaces, no character used throughout, no three equal characters in a row,
// no three-character ascending or descending sequence ("abc", "321").
// Returns an empty string when `p` passes, else the first reason.
std::string room_password_problem(std::string_view p);
inline bool meets_room_password_rules(std::string_view p) {
    return room_password_problem(p).empty();
}

// Webinar passcode rules (§3): 1 to 10 characters of [a-zA-Z0-9@-_*!].
// Generated ones also hold a letter and a digit (accounts may require both).
std::string passcode_problem(std::string_view p);
inline bool meets_passcode_rules(std::string_view p) { return passcode_problem(p).empty(); }

// A fresh room-user password, `length` in [12, 31] (throws sala::invalid_argument
// "length" otherwise). Default 16.
std::string generate_room_password(std::size_t length = 16);

// A fresh webinar passcode, `length` in [6, 10]. Default 10.
std::string generate_webinar_passcode(std::size_t length = 10);

}  // namespace sala
