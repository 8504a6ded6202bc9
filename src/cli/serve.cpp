// `sala serve` and `sala token`: the HTTP service is the Python package
// sala.server (FastAPI over the sala module, docs/server.md), so these two
// commands replace this process with the interpreter the module was built for.

#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <iostream>
#include <string>
#include <system_error>
#include <vector>

#include "cli.hpp"

namespace sala::cli {

int exec_server(int argc, char** argv) {
#if defined(SALA_SERVER_PYTHON)
    std::vector<std::string> words{SALA_SERVER_PYTHON, "-m", "sala.server"};
    for (int i = 1; i < argc; ++i) words.emplace_back(argv[i]);
#if defined(SALA_SERVER_BUILD_EXE) && defined(SALA_SERVER_PYTHONPATH)
    // Run from the build tree: import the build tree's package, not an installed one.
    std::error_code ec;
    const auto self = std::filesystem::canonical("/proc/self/exe", ec);
    const auto built = std::filesystem::weakly_canonical(SALA_SERVER_BUILD_EXE, ec);
    if (!ec && self == built) {
        std::string path = SALA_SERVER_PYTHONPATH;
        if (const char* old = std::getenv("PYTHONPATH"); old && *old)
            path += std::string(":") + old;
        ::setenv("PYTHONPATH", path.c_str(), 1);
    }
#endif
    std::vector<char*> cargv;
    for (auto& w : words) cargv.push_back(w.data());
    cargv.push_back(nullptr);
    ::execv(cargv[0], cargv.data());
    std::cerr << "sala " << argv[1] << ": cannot run " << SALA_SERVER_PYTHON << ": "
              << std::strerror(errno) << "\n";
    return io;
#else
    std::cerr << "sala " << argv[1]
              << ": this sala was built without the Python module (SALA_WITH_PYTHON), which the "
                 "HTTP service needs\n";
    (void)argc;
    return usage;
#endif
}

}  // namespace sala::cli
