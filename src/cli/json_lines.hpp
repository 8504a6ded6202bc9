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

}  // namespace sala::cli
