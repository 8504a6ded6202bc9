#pragma once
// What the `sala` commands share: exit codes, errors, parsed arguments, the
// input bounds and reading input files within them.

#include <cstddef>
#include <cstdint>
#include <map>
#include <optional>
#include <set>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

namespace sala::cli {

enum exit_code { ok = 0, input = 1, usage = 2, io = 3, nothing = 4 };

struct usage_error : std::runtime_error {
    using std::runtime_error::runtime_error;
};
struct io_error : std::runtime_error {
    using std::runtime_error::runtime_error;
};

struct args {
    std::string command;
    std::vector<std::string> positional;
    std::map<std::string, std::string> opts;
    std::set<std::string> flags;
};

// Bounds on what sala reads (docs/cli.md, "Limits"): past them an input is
// refused with exit 1 before it can cost unbounded time or memory.
inline constexpr std::size_t max_csv_bytes = 64u << 20;
inline constexpr std::size_t max_json_bytes = 16u << 20;
inline constexpr int max_json_depth = 64;                  // nested objects and arrays
inline constexpr std::size_t max_json_values = 1'000'000;  // every value, keys not counted
inline constexpr long long max_duration_minutes = 366LL * 24 * 60;
inline constexpr long long max_advance_minutes = 3660LL * 24 * 60;  // ten years a step
inline constexpr long long max_make_room_moves = 10;                // the search is exponential

// The whole file, at most `limit` bytes. A directory or an unreadable path
// throws io_error; anything longer (a device like /dev/zero included) throws
// input_error without reading past the limit.
std::string read_input(const std::string& path, std::size_t limit);

// A whole number in plain decimal ("-12", "7"; no '+', spaces or exponent),
// nullopt if malformed or out of long long.
std::optional<long long> whole_number(std::string_view text);

// A whole number between lo and hi for an option; usage_error naming it otherwise.
long long option_number(const args& a, const std::string& opt, long long lo, long long hi);

// Text safe to print on a terminal: control characters (C0 but newline and
// tab, DEL) as \xHH, C1 controls (U+0080-U+009F) as \u{HH}, bytes that are not
// UTF-8 as \xHH. one_line also escapes newline and tab.
std::string for_terminal(std::string_view text);
std::string one_line(std::string_view text);

int cmd_plan(const args& a);
// `sala serve` / `sala token`: execs the Python service (serve.cpp); returns only on failure.
int exec_server(int argc, char** argv);

}  // namespace sala::cli
