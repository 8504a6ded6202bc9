#pragma once
// File sink port: a folder the lifecycle hands files to (attendance reports,
// R15; downloaded recordings, R19), so the lifecycle itself does no file I/O.
// Adapters: folder_sink (sala/adapters/folder_sink.hpp), the in-memory fake
// (sala/fakes/memory_files.hpp). Failures throw sala::backend_error.

#include <string>
#include <string_view>

namespace sala {

class file_sink {
  public:
    virtual ~file_sink() = default;
    // Writes a whole file, replacing it; missing folders are created.
    virtual void write(const std::string& relative_path, std::string_view bytes) = 0;
    // A local file path that a backend downloading by path
    // (conferencing::download_recording) streams `relative_path` into; its
    // folder exists on return. Large files never pass through memory.
    virtual std::string stream_path(const std::string& relative_path) = 0;
    // Where `relative_path` is, as people are told (mails, logs).
    virtual std::string location(const std::string& relative_path) const = 0;
};

// Why `p` is not a relative path inside a sink ("" when it is): sinks refuse
// absolute paths, empty segments and "." or ".." so nothing lands outside.
inline std::string relative_path_problem(std::string_view p) {
    if (p.empty()) return "empty path";
    if (p.front() == '/') return "absolute path";
    std::size_t from = 0;
    for (;;) {
        const auto slash = p.find('/', from);
        const auto seg =
            p.substr(from, slash == std::string_view::npos ? std::string_view::npos : slash - from);
        if (seg.empty() || seg == "." || seg == "..")
            return "bad segment '" + std::string(seg) + "'";
        if (seg.find('\0') != std::string_view::npos) return "NUL in path";
        if (slash == std::string_view::npos) return {};
        from = slash + 1;
    }
}

}  // namespace sala
