// R12: passwords and passcodes from the kernel's CSPRNG.
#include "sala/lifecycle/credentials.hpp"

#include <cctype>
#include <cerrno>
#include <cstdint>
#include <cstring>
#include <limits>
#include <string>

#include <fcntl.h>
#include <sys/random.h>
#include <unistd.h>

#include "sala/error.hpp"

namespace sala {

namespace {

// The kernel's device, read with the system calls (no stream buffering of secrets).
void urandom_fill(std::span<unsigned char> out) {
    const int fd = ::open("/dev/urandom", O_RDONLY | O_CLOEXEC);
    if (fd < 0) throw error("secure random: cannot read /dev/urandom");
    std::size_t got = 0;
    while (got < out.size()) {
        const ssize_t n = ::read(fd, out.data() + got, out.size() - got);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) break;
        got += static_cast<std::size_t>(n);
    }
    ::close(fd);
    if (got < out.size()) throw error("secure random: cannot read /dev/urandom");
}

constexpr std::string_view upper = "ABCDEFGHIJKLMNOPQRSTUVWXYZ";
constexpr std::string_view lower = "abcdefghijklmnopqrstuvwxyz";
constexpr std::string_view digits = "0123456789";

bool is_in(char c, std::string_view set) { return set.find(c) != std::string_view::npos; }

// Runs of three equal characters or of three consecutive codes, up or down.
std::string pattern_problem(std::string_view p) {
    for (std::size_t i = 2; i < p.size(); ++i) {
        const int a = static_cast<unsigned char>(p[i - 2]);
        const int b = static_cast<unsigned char>(p[i - 1]);
        const int c = static_cast<unsigned char>(p[i]);
        if (a == b && b == c) return "three equal characters in a row";
        const bool alnum = std::isalnum(a) && std::isalnum(b) && std::isalnum(c);
        if (alnum && ((b == a + 1 && c == b + 1) || (b == a - 1 && c == b - 1)))
            return "three sequential characters";
    }
    return {};
}

std::string draw(std::size_t length, std::string_view alphabet) {
    std::string s(length, '\0');
    for (auto& c : s) c = alphabet[secure_random_below(alphabet.size())];
    return s;
}

}  // namespace

void secure_random_bytes(std::span<unsigned char> out) {
    std::size_t done = 0;
    while (done < out.size()) {
        const ssize_t n = ::getrandom(out.data() + done, out.size() - done, 0);
        if (n < 0) {
            if (errno == EINTR) continue;
            if (errno == ENOSYS) return urandom_fill(out.subspan(done));
            throw error(std::string("secure random: getrandom failed: ") + std::strerror(errno));
        }
        done += static_cast<std::size_t>(n);
    }
}

std::size_t secure_random_below(std::size_t bound) {
    if (bound == 0) throw invalid_argument("bound", "must be positive");
    // Rejection sampling: drop the top slice that would bias small values.
    const std::uint64_t limit = std::numeric_limits<std::uint64_t>::max() -
                                std::numeric_limits<std::uint64_t>::max() % bound;
    for (;;) {
        std::uint64_t v = 0;
        secure_random_bytes({reinterpret_cast<unsigned char*>(&v), sizeof v});
        if (v < limit) return static_cast<std::size_t>(v % bound);
    }
}

std::string room_password_problem(std::string_view p) {
    if (p.size() < 8) return "shorter than 8 characters";
    if (p.size() > 31) return "longer than 31 characters";
    bool up = false, lo = false, dig = false, spec = false;
    for (char c : p) {
        const auto u = static_cast<unsigned char>(c);
        if (u <= 0x20 || u >= 0x7f) return "contains a space, control or non-ASCII character";
        up |= is_in(c, upper);
        lo |= is_in(c, lower);
        dig |= is_in(c, digits);
        spec |= !std::isalnum(u);
    }
    if (!up || !lo) return "needs both upper and lower case letters";
    if (!dig) return "needs a digit";
    if (!spec) return "needs a special character";
    if (p.find_first_not_of(p[0]) == std::string_view::npos) return "one character throughout";
    return pattern_problem(p);
}

std::string passcode_problem(std::string_view p) {
    if (p.empty()) return "empty";
    if (p.size() > 10) return "longer than 10 characters";
    for (char c : p)
        if (!is_in(c, passcode_alphabet)) return "character outside [a-zA-Z0-9@-_*!]";
    return {};
}

std::string generate_room_password(std::size_t length) {
    if (length < 12 || length > 31)
        throw invalid_argument("length", "room passwords have 12 to 31 characters");
    std::string alphabet;
    alphabet.append(upper).append(lower).append(digits).append(room_password_specials);
    for (;;) {
        auto s = draw(length, alphabet);
        if (room_password_problem(s).empty()) return s;
    }
}

std::string generate_webinar_passcode(std::size_t length) {
    if (length < 6 || length > 10)
        throw invalid_argument("length", "passcodes have 6 to 10 characters");
    for (;;) {
        auto s = draw(length, passcode_alphabet);
        bool letter = false, digit = false;
        for (char c : s) {
            letter |= std::isalpha(static_cast<unsigned char>(c)) != 0;
            digit |= std::isdigit(static_cast<unsigned char>(c)) != 0;
        }
        if (letter && digit && passcode_problem(s).empty() && pattern_problem(s).empty()) return s;
    }
}

}  // namespace sala
