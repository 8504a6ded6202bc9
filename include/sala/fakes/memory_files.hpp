#pragma once
// In-memory file sink for unit tests and demos: records every file written and
// fails on demand with sala::backend_error. Files a backend streams by path
// (stream_path, for recordings) go to a scratch folder the fake owns and
// removes when destroyed; read() returns them like written ones. Not thread-safe.

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <system_error>
#include <vector>

#include "sala/error.hpp"
#include "sala/ports/file_sink.hpp"

namespace sala {

class memory_files final : public file_sink {
  public:
    memory_files() = default;
    memory_files(const memory_files&) = delete;
    memory_files& operator=(const memory_files&) = delete;
    ~memory_files() override {
        std::error_code ec;
        if (!scratch_.empty()) std::filesystem::remove_all(scratch_, ec);
    }

    void write(const std::string& relative_path, std::string_view bytes) override {
        check(relative_path);
        fail_if_asked(relative_path);
        files_[relative_path] = std::string(bytes);
        log_.push_back(relative_path);
    }

    std::string stream_path(const std::string& relative_path) override {
        check(relative_path);
        fail_if_asked(relative_path);
        const auto path = scratch() / relative_path;
        std::filesystem::create_directories(path.parent_path());
        streamed_[relative_path] = path.string();
        log_.push_back(relative_path);
        return path.string();
    }

    std::string location(const std::string& relative_path) const override {
        return "memory:" + relative_path;
    }

    // The next `n` writes (or stream_path calls) throw.
    void fail_next(int n, bool retryable = true) {
        fail_next_ = n;
        retryable_ = retryable;
    }

    // The bytes of a written or streamed file; nullopt when there is none.
    std::optional<std::string> read(const std::string& relative_path) const {
        if (auto it = files_.find(relative_path); it != files_.end()) return it->second;
        auto it = streamed_.find(relative_path);
        if (it == streamed_.end()) return std::nullopt;
        std::ifstream in(it->second, std::ios::binary);
        if (!in) return std::nullopt;
        return std::string(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
    }
    bool exists(const std::string& relative_path) const { return read(relative_path).has_value(); }
    // Whole files written with write(), by relative path.
    const std::map<std::string, std::string>& written() const { return files_; }
    // Every successful write and stream_path, in order (a path may repeat).
    const std::vector<std::string>& log() const { return log_; }

  private:
    static void check(const std::string& relative_path) {
        if (const auto why = relative_path_problem(relative_path); !why.empty())
            throw invalid_argument("path", "'" + relative_path + "': " + why);
    }
    void fail_if_asked(const std::string& relative_path) {
        if (fail_next_ <= 0) return;
        --fail_next_;
        throw backend_error("memory files: injected failure (" + relative_path + ")", retryable_);
    }
    const std::filesystem::path& scratch() {
        if (scratch_.empty()) {
            std::string tmpl =
                (std::filesystem::temp_directory_path() / "sala-memory-files-XXXXXX").string();
            if (!::mkdtemp(tmpl.data()))
                throw backend_error("memory files: no scratch folder", false);
            scratch_ = tmpl;
        }
        return scratch_;
    }

    std::map<std::string, std::string> files_;
    std::map<std::string, std::string> streamed_;  // relative path -> scratch file
    std::vector<std::string> log_;
    std::filesystem::path scratch_;
    int fail_next_ = 0;
    bool retryable_ = true;
};

}  // namespace sala
