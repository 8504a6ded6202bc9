// The file sink over a local folder (reports, recordings).
#include "sala/adapters/folder_sink.hpp"

#include <filesystem>
#include <fstream>
#include <system_error>

#include "sala/error.hpp"

namespace sala {

namespace {

std::filesystem::path resolve(const std::string& root, const std::string& relative_path) {
    if (const auto why = relative_path_problem(relative_path); !why.empty())
        throw invalid_argument("path", "'" + relative_path + "': " + why);
    return std::filesystem::path(root) / relative_path;
}

}  // namespace

folder_sink::folder_sink(std::string root) : root_(std::move(root)) {
    if (root_.empty()) throw invalid_argument("root", "a folder sink needs a folder");
}

void folder_sink::write(const std::string& relative_path, std::string_view bytes) {
    const auto path = resolve(root_, relative_path);
    std::error_code ec;  // a folder that cannot be made shows up as a failed write below
    std::filesystem::create_directories(path.parent_path(), ec);
    std::ofstream out(path, std::ios::binary | std::ios::trunc);
    out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
    if (!out.flush()) throw backend_error("cannot write " + path.string(), true);
}

std::string folder_sink::stream_path(const std::string& relative_path) {
    const auto path = resolve(root_, relative_path);
    std::error_code ec;
    std::filesystem::create_directories(path.parent_path(), ec);
    if (ec)
        throw backend_error("cannot create " + path.parent_path().string() + ": " + ec.message(),
                            true);
    return path.string();
}

std::string folder_sink::location(const std::string& relative_path) const {
    return resolve(root_, relative_path).string();
}

}  // namespace sala
