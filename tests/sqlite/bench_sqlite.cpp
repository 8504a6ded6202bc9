// Throughput of durable commands on SQLite (WAL): `sala_sqlite_bench [N] [full|normal]`.
// Not a timed test: docs/deployment.md quotes its output.
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <string>

#include "sala/adapters/sqlite_store.hpp"
#include "sala/durable/durable_platform.hpp"

int main(int argc, char** argv) {
    const int n = argc > 1 ? std::atoi(argv[1]) : 2000;
    const bool full = !(argc > 2 && std::string(argv[2]) == "normal");
    std::string t = (std::filesystem::temp_directory_path() / "sala-bench-XXXXXX").string();
    const std::string dir = ::mkdtemp(t.data());
    sala::sqlite_store::options o;
    o.sync = full ? sala::sqlite_store::durability::full : sala::sqlite_store::durability::normal;
    auto clock = std::make_shared<sala::manual_clock>(sala::make_utc(2021, 5, 1));
    sala::durable_platform p(sala::sqlite_store::open(dir + "/sala.db", o), clock);
    std::vector<sala::account_user> users;
    for (int k = 1; k <= 20; ++k)
        users.push_back({"u" + std::to_string(k), "room" + std::to_string(k) + "@example.org", "R",
                         false, true, 100});
    p.link_account("bench", sala::pool_kind::own, users);
    for (std::uint32_t r = 1; r <= 20; ++r) {
        p.activate(sala::room_id{r});
        p.set_mode(sala::room_id{r}, sala::room_mode::automatic);
    }
    const auto start = std::chrono::steady_clock::now();
    std::size_t assigned = 0;
    for (int k = 0; k < n; ++k) {
        sala::request_input in;
        in.title = "W" + std::to_string(k);
        in.start = sala::make_local(2021, 6, 1 + static_cast<unsigned>(k % 28),
                                    8 + static_cast<unsigned>(k % 10), 0);
        in.zone = "Europe/Madrid";
        in.duration = sala::minutes{60};
        in.event_id = "bench";
        in.organizer = {"Org", "org@example.org"};
        if (p.submit(in).assignment) ++assigned;
    }
    const double s =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    std::printf("sqlite %s: %d submits in %.2f s = %.0f commands/s (%zu assigned, %zu queued)\n",
                full ? "synchronous=FULL" : "synchronous=NORMAL", n, s, n / s, assigned,
                n - assigned);
    std::filesystem::remove_all(dir);
}
