// sala_store_bench: a durable command's latency against the webinars a store
// already holds (docs/performance.md, "Several processes on one store").
//
// For each backend and each N, a fresh store is seeded with N held webinars
// on 200 automatic rooms (one bulk transaction), then `iters` submits are
// timed one by one. Backends:
//   sqlite_normal / sqlite_full  one process, synchronous=NORMAL / FULL
//   pg                           one process on PostgreSQL
//   pg_two                       two store connections alternating, each
//                                taking in the other's commit first (what two
//                                processes do; one OS process keeps it simple)
// and `open`: a store holding N webinars of which 1 % are live (the rest
// history) opened cold, with the heap it took.
//
// Environment: SALA_STORE_BENCH_N (default 1000,10000,100000,1000000),
// SALA_STORE_BENCH_ITERS (default 2000), SALA_PG_CONNINFO (PostgreSQL
// backends run only when set; tests/support/pg_cluster.py run -- ... sets it).
// Counters: p50_us, p99_us, cold_us (the first command), cmds_per_s, and for
// `open` ready_ms and heap_mb.

#include <benchmark/benchmark.h>
#include <malloc.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <memory>
#include <sstream>
#include <string>
#include <vector>

#include "sala/adapters/sqlite_store.hpp"
#include "sala/durable/durable_platform.hpp"
#ifdef SALA_BENCH_POSTGRES
#include "sala/adapters/postgres_store.hpp"
#endif

namespace {

using clk = std::chrono::steady_clock;
constexpr std::uint32_t rooms = 200;

std::vector<std::size_t> sizes() {
    const char* e = std::getenv("SALA_STORE_BENCH_N");
    std::vector<std::size_t> out;
    std::stringstream in(e ? e : "1000,10000,100000,1000000");
    for (std::string x; std::getline(in, x, ',');) out.push_back(std::stoull(x));
    return out;
}
std::size_t iterations() {
    const char* e = std::getenv("SALA_STORE_BENCH_ITERS");
    return e ? std::stoull(e) : 2000;
}

sala::settings bench_settings() {
    sala::settings s;
    s.min_days_in_advance = 0;
    s.max_days_in_advance = 5 * 366;
    return s;
}

std::shared_ptr<sala::manual_clock> bench_clock() {
    return std::make_shared<sala::manual_clock>(sala::make_utc(2026, 1, 1));
}

// 200 automatic rooms of one own account.
void link_rooms(sala::durable_platform& p) {
    std::vector<sala::account_user> users;
    for (std::uint32_t k = 1; k <= rooms; ++k)
        users.push_back({"u" + std::to_string(k), "room" + std::to_string(k) + "@example.org",
                         "Room " + std::to_string(k), false, true, 100});
    p.link_account("bench", sala::pool_kind::own, users);
    for (std::uint32_t r = 1; r <= rooms; ++r) {
        p.activate(sala::room_id{r});
        p.set_mode(sala::room_id{r}, sala::room_mode::automatic);
    }
}

sala::request held(std::uint64_t id, sala::instant start) {
    sala::request q;
    q.id = sala::request_id{id};
    q.title = "held " + std::to_string(id);
    q.zone = "UTC";
    q.local_start = sala::local_minutes{start.time_since_epoch()};
    q.duration = sala::minutes{60};
    q.event_id = "bench";
    q.organizer = {"Org", "org@example.org"};
    q.window = sala::make_blocked_window(bench_settings(), start, q.duration);
    return q;
}

// N webinars held before the clock's now (room by room, back to back), `live`
// of them in the live state and the rest as history; one transaction.
void seed(sala::store& db, std::size_t n, std::size_t live) {
    sala::change_set c;
    const sala::minutes step = held(1, {}).window.blocked.length();
    const std::size_t per_room = (n + rooms - 1) / rooms;
    const sala::instant first = sala::make_utc(2026, 1, 1) - step * static_cast<int>(per_room + 1);
    for (std::size_t k = 0; k < n; ++k) {
        const auto room = sala::room_id{static_cast<std::uint32_t>(k % rooms + 1)};
        const auto q = held(k + 1, first + step * static_cast<int>(k / rooms));
        if (k < live) {
            c.requests.push_back(q);
            c.reservations.push_back({q.id, room, q.window.blocked});
        } else {
            c.history.push_back(
                {q, sala::history_status::finished, q.window.grace_end, "archive", room, ""});
        }
    }
    c.next_request = n + 1;
    db.begin_write();
    db.write(c);
    db.commit();
}

sala::request_input submit_input(std::size_t k) {
    sala::request_input in;
    in.title = "W" + std::to_string(k);
    // Each on its own slot after the held ones: first-fit gives room 1.
    in.start = sala::make_local(2026, 1, 2, 0, 0) + sala::minutes{90} * static_cast<int>(k);
    in.zone = "UTC";
    in.duration = sala::minutes{30};
    in.event_id = "bench";
    in.organizer = {"Org", "org@example.org"};
    return in;
}

struct backend {
    std::string name;
    std::function<std::shared_ptr<sala::store>(const std::string& tag)> open;
};

std::string temp_dir() {
    std::string t = (std::filesystem::temp_directory_path() / "sala-store-bench-XXXXXX").string();
    return ::mkdtemp(t.data());
}

void report(benchmark::State& st, std::vector<double>& us, double cold_us) {
    std::sort(us.begin(), us.end());
    auto pct = [&](double p) { return us[static_cast<std::size_t>(p * (us.size() - 1))]; };
    double sum = 0;
    for (double x : us) sum += x;
    st.counters["p50_us"] = pct(0.50);
    st.counters["p99_us"] = pct(0.99);
    st.counters["mean_us"] = sum / static_cast<double>(us.size());
    st.counters["cold_us"] = cold_us;
    st.counters["cmds_per_s"] = 1e6 * static_cast<double>(us.size()) / sum;
}

// One process (or two connections alternating) submitting against N held webinars.
void bm_command(benchmark::State& st, const backend& b, std::size_t n, bool two) {
    const std::string tag = b.name + "_" + std::to_string(n);
    auto clock = bench_clock();
    {
        auto db = b.open(tag);
        sala::durable_platform p(db, clock, bench_settings());
        link_rooms(p);
        seed(*db, n, n);
    }  // closed: SQLite checkpoints the bulk write away before the timed part
    auto db_a = b.open(tag);
    sala::durable_platform a(db_a, clock);
    auto db_b = two ? b.open(tag) : nullptr;
    std::unique_ptr<sala::durable_platform> pb;
    if (two) pb = std::make_unique<sala::durable_platform>(db_b, clock);
    std::vector<double> us;
    double cold = 0;
    std::size_t k = 0;
    for (auto _ : st) {
        sala::durable_platform& p = (two && k % 2) ? *pb : a;
        const auto t0 = clk::now();
        const auto s = p.submit(submit_input(k));
        const double d = std::chrono::duration<double, std::micro>(clk::now() - t0).count();
        if (!s.assignment) st.SkipWithError("a submit found no room");
        st.SetIterationTime(d / 1e6);
        if (k == 0)
            cold = d;
        else
            us.push_back(d);
        ++k;
    }
    if (two && a.reloads() + pb->reloads() > 2) st.SkipWithError("a sync fell back to a reload");
    if (!us.empty()) report(st, us, cold);
    st.counters["held"] = static_cast<double>(n);
}

// Heap bytes in use (resident size would not show it: freed seeding memory stays mapped).
double heap_mb() { return static_cast<double>(::mallinfo2().uordblks) / (1024.0 * 1024.0); }

// Opening a store holding N webinars of which 1 % are live.
void bm_open(benchmark::State& st, const backend& b, std::size_t n) {
    const std::string tag = b.name + "_open_" + std::to_string(n);
    auto clock = bench_clock();
    {
        auto db = b.open(tag);
        sala::durable_platform p(db, clock, bench_settings());
        link_rooms(p);
        seed(*db, n, n / 100);
    }
    for (auto _ : st) {
        const double before = heap_mb();
        const auto t0 = clk::now();
        sala::durable_platform p(b.open(tag), clock);
        const double ms = std::chrono::duration<double, std::milli>(clk::now() - t0).count();
        st.SetIterationTime(ms / 1e3);
        st.counters["ready_ms"] = ms;
        st.counters["heap_mb"] = heap_mb() - before;
        st.counters["live"] = static_cast<double>(p.state().requests.size());
        benchmark::DoNotOptimize(p.state().requests.size());
    }
    st.counters["held"] = static_cast<double>(n);
}

}  // namespace

int main(int argc, char** argv) {
    const std::string dir = temp_dir();
    std::vector<backend> backends;
    for (const auto& [name, mode] :
         {std::pair{std::string("sqlite_normal"), sala::sqlite_store::durability::normal},
          std::pair{std::string("sqlite_full"), sala::sqlite_store::durability::full}}) {
        const auto m = mode;
        backends.push_back({name, [dir, m](const std::string& tag) {
                                sala::sqlite_store::options o;
                                o.sync = m;
                                o.quick_check = false;
                                return sala::sqlite_store::open(dir + "/" + tag + ".db", o);
                            }});
    }
#ifdef SALA_BENCH_POSTGRES
    const char* pg = std::getenv("SALA_PG_CONNINFO");
    const std::string run = std::to_string(::getpid());
    if (pg) {
        const std::string conninfo = pg;
        backends.push_back({"pg", [conninfo, run](const std::string& tag) {
                                sala::postgres_store::options o;
                                o.schema = "bench_" + run + "_" + tag;
                                return sala::postgres_store::open(conninfo, o);
                            }});
    }
#endif
    const std::size_t iters = iterations();
    for (const auto& b : backends) {
        for (const std::size_t n : sizes()) {
            // FULL fsyncs every commit: fewer iterations, the same figures.
            const std::size_t it =
                b.name == "sqlite_full" ? std::max<std::size_t>(iters / 10, 20) : iters;
            benchmark::RegisterBenchmark(
                ("command/" + b.name + "/" + std::to_string(n)).c_str(),
                [b, n](benchmark::State& st) { bm_command(st, b, n, false); })
                ->Iterations(static_cast<benchmark::IterationCount>(it))
                ->UseManualTime()
                ->Unit(benchmark::kMicrosecond);
            if (b.name == "pg")
                benchmark::RegisterBenchmark(
                    ("command/pg_two/" + std::to_string(n)).c_str(),
                    [b, n](benchmark::State& st) { bm_command(st, b, n, true); })
                    ->Iterations(static_cast<benchmark::IterationCount>(it))
                    ->UseManualTime()
                    ->Unit(benchmark::kMicrosecond);
        }
        if (b.name != "sqlite_full")
            for (const std::size_t n : sizes())
                benchmark::RegisterBenchmark(("open/" + b.name + "/" + std::to_string(n)).c_str(),
                                             [b, n](benchmark::State& st) { bm_open(st, b, n); })
                    ->Iterations(1)
                    ->UseManualTime()
                    ->Unit(benchmark::kMillisecond);
    }
    benchmark::Initialize(&argc, argv);
    benchmark::RunSpecifiedBenchmarks();
    benchmark::Shutdown();
    std::filesystem::remove_all(dir);
}
