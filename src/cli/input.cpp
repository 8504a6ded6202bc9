#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <charconv>
#include <cstring>

#include "cli.hpp"
#include "scenario.hpp"

namespace sala::cli {

namespace {

std::string mib(std::size_t bytes) { return std::to_string(bytes >> 20) + " MiB"; }

// Closes the descriptor on every way out.
struct descriptor {
    int fd;
    ~descriptor() {
        if (fd >= 0) ::close(fd);
    }
};

}  // namespace

std::string read_input(const std::string& path, std::size_t limit) {
    const descriptor d{::open(path.c_str(), O_RDONLY | O_CLOEXEC)};
    if (d.fd < 0) throw io_error("cannot read " + path + ": " + std::strerror(errno));
    struct stat st {};
    if (::fstat(d.fd, &st) != 0)
        throw io_error("cannot read " + path + ": " + std::strerror(errno));
    if (S_ISDIR(st.st_mode)) throw io_error("cannot read " + path + ": is a directory");
    const auto too_big = [&] {
        return input_error(path, 0, "larger than " + mib(limit) + ", the limit for this input");
    };
    // A regular file says its size up front; pipes and devices are read up
    // to one byte past the limit, never further.
    if (S_ISREG(st.st_mode) && static_cast<std::size_t>(st.st_size) > limit) throw too_big();
    std::string text;
    char buf[1 << 16];
    for (;;) {
        const ::ssize_t n = ::read(d.fd, buf, sizeof buf);
        if (n < 0 && errno == EINTR) continue;
        if (n < 0) throw io_error("cannot read " + path + ": " + std::strerror(errno));
        if (n == 0) break;
        text.append(buf, static_cast<std::size_t>(n));
        if (text.size() > limit) throw too_big();
    }
    return text;
}

std::optional<long long> whole_number(std::string_view text) {
    long long v = 0;
    const char* end = text.data() + text.size();
    const auto [p, ec] = std::from_chars(text.data(), end, v);
    if (text.empty() || ec != std::errc{} || p != end) return std::nullopt;
    return v;
}

long long option_number(const args& a, const std::string& opt, long long lo, long long hi) {
    const std::string& text = a.opts.at(opt);
    const auto v = whole_number(text);
    if (!v || *v < lo || *v > hi)
        throw usage_error(opt + ": '" + one_line(text) + "' is not a whole number from " +
                          std::to_string(lo) + " to " + std::to_string(hi));
    return *v;
}

}  // namespace sala::cli
