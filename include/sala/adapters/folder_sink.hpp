#pragma once
// A file sink over one folder of the local file system: relative paths are
// resolved under `root`, folders are made as needed. Compiled into the core
// target (it needs only the standard library); the lifecycle builds one from
// lifecycle_options::reports_dir / recordings_dir when no sink is given.

#include <string>
#include <string_view>

#include "sala/ports/file_sink.hpp"

namespace sala {

class folder_sink final : public file_sink {
  public:
    // Throws sala::invalid_argument("root") for an empty root.
    explicit folder_sink(std::string root);

    // Throws sala::invalid_argument("path") for a path relative_path_problem()
    // refuses, sala::backend_error (retryable) when the file cannot be written.
    void write(const std::string& relative_path, std::string_view bytes) override;
    // `root/relative_path`, its folder created (sala::backend_error, retryable, if it cannot be).
    std::string stream_path(const std::string& relative_path) override;
    // `root/relative_path`.
    std::string location(const std::string& relative_path) const override;

    const std::string& root() const noexcept { return root_; }

  private:
    std::string root_;
};

}  // namespace sala
