#pragma once
// Test helper: runs a loopback peer (a Python server script) as a child
// process, reads its "PORT <n>" line, and stops it on destruction.
#include <csignal>
#include <cstdio>
#include <stdexcept>
#include <string>
#include <vector>

#include <sys/prctl.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

namespace sala::test {

class child_process {
  public:
    explicit child_process(std::vector<std::string> argv) {
        int fds[2];
        if (pipe(fds) != 0) throw std::runtime_error("pipe failed");
        const pid_t parent = getpid();
        pid_ = fork();
        if (pid_ < 0) throw std::runtime_error("fork failed");
        if (pid_ == 0) {
            // The peer dies with the test, even if the test crashes.
            prctl(PR_SET_PDEATHSIG, SIGTERM);
            if (getppid() != parent) _exit(1);
            dup2(fds[1], STDOUT_FILENO);
            close(fds[0]);
            close(fds[1]);
            std::vector<char*> args;
            for (auto& a : argv) args.push_back(a.data());
            args.push_back(nullptr);
            execv(args[0], args.data());
            _exit(127);
        }
        close(fds[1]);
        out_ = fdopen(fds[0], "r");
        char line[256];
        while (out_ && std::fgets(line, sizeof line, out_)) {
            int p = 0;
            if (std::sscanf(line, "PORT %d", &p) == 1) {
                port_ = p;
                break;
            }
        }
        if (port_ == 0) {
            stop();
            throw std::runtime_error("peer " + argv[0] + " did not report a port");
        }
    }
    ~child_process() { stop(); }
    child_process(const child_process&) = delete;
    child_process& operator=(const child_process&) = delete;

    int port() const { return port_; }

    void stop() {
        if (pid_ > 0) {
            kill(pid_, SIGTERM);
            int status = 0;
            waitpid(pid_, &status, 0);
            pid_ = -1;
        }
        if (out_) {
            std::fclose(out_);
            out_ = nullptr;
        }
    }

  private:
    pid_t pid_ = -1;
    FILE* out_ = nullptr;
    int port_ = 0;
};

}  // namespace sala::test
