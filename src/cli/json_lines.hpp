#pragma once
// Line numbers for the values of a JSON text, by JSON pointer ("/requests/2/start"),
// so the CLI can say "scenario.json:14: requests[2].start: ...".

#include <map>
#include <string>
#include <string_view>

namespace sala::cli {

// Text must be valid JSON (parse it first); keys are taken verbatim (no
// unescaping), which is enough for sala's own scenario format.
std::map<std::string, int> json_lines(std::string_view text);

// 1-based line of byte offset `byte` in `text`.
int line_of_offset(std::string_view text, std::size_t byte);

// Line where objects and arrays first nest deeper than `limit` (outside
// strings); 0 if they never do. Text need not be valid JSON.
int line_of_depth(std::string_view text, int limit);

// Line of the first number token spelt `token` (outside strings); 0 if none.
int line_of_number(std::string_view text, std::string_view token);

}  // namespace sala::cli
