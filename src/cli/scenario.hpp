#pragma once
// `sala simulate`: runs a scenario a user writes in JSON (rooms, settings,
// requests, admin actions) through the platform on a simulated clock.

#include <functional>
#include <memory>
#include <stdexcept>
#include <string>
#include <vector>

#include "sala/platform.hpp"
#include "sala/ports/clock.hpp"

namespace sala::cli {

// A bad input file: where and why. The CLI prints "FILE:LINE: message" and exits 1.
class input_error : public std::runtime_error {
  public:
    input_error(const std::string& file, int line, const std::string& message)
        : std::runtime_error(file + (line > 0 ? ":" + std::to_string(line) : std::string()) + ": " +
                             message),
          line_(line) {}
    int line() const noexcept { return line_; }

  private:
    int line_;
};

// Where the commands go: a platform in memory, or a durable one on a store.
class command_target {
  public:
    virtual ~command_target() = default;
    virtual void run(const std::function<void(platform&)>& command) = 0;
    virtual const platform& view() const = 0;
};

using target_factory =
    std::function<std::unique_ptr<command_target>(const settings&, std::shared_ptr<const clock>)>;

// An in-memory platform.
std::unique_ptr<command_target> memory_target(const settings& s, std::shared_ptr<const clock> clk);

struct scenario_result {
    std::unique_ptr<command_target> target;
    std::shared_ptr<manual_clock> clock;
    std::string zone = "UTC";             // "zone": display zone for pages
    std::string domain = "sala.invalid";  // "domain": UID domain for .ics
    std::string name = "sala";            // "name": heading of pages
    std::vector<request_id> request_ids;  // the platform id of requests[k]
    std::size_t steps = 0;
};

struct scenario_hooks {
    std::function<void(const std::string&)> log;                        // one line per step
    std::function<void(std::size_t done, std::size_t total)> progress;  // after each step
};

// Parses and runs `text` (the contents of `file`, used in messages). Throws
// input_error with the line of the offending value.
scenario_result run_scenario(const std::string& file, const std::string& text,
                             const target_factory& make = memory_target,
                             const scenario_hooks& hooks = {});

// "2021-05-13 13:10" or "2021-05-13T13:10" (a trailing Z is allowed); nullopt if malformed.
std::optional<local_minutes> parse_local(const std::string& text);

}  // namespace sala::cli
