// Label crash: a child process runs a random command sequence on a
// SQLite file and is killed with SIGKILL at random moments, hundreds of times.
// After every kill the parent checks the file against its own replay of the
// commands the child acknowledged:
//  - every acknowledged command is there, nothing half-done is: the stored
//    state equals the replay, or the replay plus the one command the child had
//    started (logged as intent) but not acknowledged;
//  - no room has overlapping blocks (R1);
//  - no effect reached the sink twice (the sink honours idempotency keys like
//    an SMTP server de-duplicating Message-IDs), every effect it received was
//    committed first, and retries after a crash are at most one per kill.
//
// Child log (intent lines are written before the command, acks after it
// returned, fdatasync'ed):  I <seq> <command...> / A <seq> / R <seq> (rejected).

#include <fcntl.h>
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <random>
#include <set>
#include <sstream>
#include <thread>

#include "sala/adapters/sqlite_store.hpp"
#include "sala/durable/durable_platform.hpp"

namespace fs = std::filesystem;
using namespace std::chrono_literals;

namespace {

std::string self_exe;

const sala::instant t0 = sala::make_utc(2021, 5, 1);

std::shared_ptr<sala::manual_clock> fixed_clock() {
    return std::make_shared<sala::manual_clock>(t0);
}

void append_line(const std::string& path, const std::string& line, bool sync) {
    const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_APPEND, 0644);
    if (fd < 0) std::abort();
    const std::string l = line + "\n";
    if (::write(fd, l.data(), l.size()) != static_cast<ssize_t>(l.size())) std::abort();
    if (sync) ::fdatasync(fd);
    ::close(fd);
}

std::vector<std::string> read_lines(const std::string& path) {
    std::vector<std::string> out;
    std::ifstream in(path);
    for (std::string l; std::getline(in, l);)
        if (!l.empty()) out.push_back(l);
    return out;
}

// Applies one logged command; throws what the platform throws.
template <class P>
void run_command(P& p, const std::string& cmd) {
    std::istringstream in(cmd);
    std::string op;
    in >> op;
    if (op == "submit") {
        unsigned day, hour, minute;
        int dur;
        std::string title;
        in >> title >> day >> hour >> minute >> dur;
        sala::request_input r;
        r.title = title;
        r.start = sala::make_local(2021, 6, day, hour, minute);
        r.zone = "Europe/Madrid";
        r.duration = sala::minutes{dur};
        r.event_id = "crash";
        r.organizer = {"Org", "org@example.org"};
        p.submit(r);
    } else if (op == "cancel") {
        std::uint64_t id;
        in >> id;
        p.cancel(sala::request_id{id});
    } else if (op == "assign" || op == "reassign") {
        std::uint64_t id;
        std::uint32_t room;
        in >> id >> room;
        if (op == "assign")
            p.assign(sala::request_id{id}, sala::room_id{room});
        else
            p.reassign(sala::request_id{id}, sala::room_id{room});
    } else if (op == "retry_queue") {
        p.retry_queue();
    } else if (op == "mode") {
        std::uint32_t room;
        int automatic;
        in >> room >> automatic;
        p.set_mode(sala::room_id{room},
                   automatic ? sala::room_mode::automatic : sala::room_mode::manual);
    } else if (op == "step") {
        // Platform state unchanged; only the durable platform writes anything.
    } else {
        throw std::logic_error("unknown logged command " + cmd);
    }
}

std::vector<sala::effect> plan(const sala::event& e, const sala::platform&) {
    const std::string id = e.request ? std::to_string(e.request->value) : "";
    switch (e.kind) {
        case sala::event_kind::assigned:
            return {{"create_webinar", "assigned/" + id + "/" + std::to_string(e.room->value), "{}",
                     e.request}};
        case sala::event_kind::reassigned:
            return {{"create_webinar", "reassigned/" + id + "/" + std::to_string(e.room->value),
                     "{}", e.request}};
        case sala::event_kind::queued: return {{"mail", "queued/" + id, "{}", e.request}};
        case sala::event_kind::cancelled: return {{"mail", "cancelled/" + id, "{}", e.request}};
        default: return {};
    }
}

// The recording sink: every attempt is logged; a key already delivered is
// recognised and dropped (a backend that honours the idempotency key).
struct sink {
    std::string attempts_path, delivered_path;
    std::set<std::string> delivered;
    sink(std::string a, std::string d) : attempts_path(std::move(a)), delivered_path(std::move(d)) {
        for (const auto& l : read_lines(delivered_path)) delivered.insert(l);
    }
    void send(const sala::effect& e) {
        append_line(attempts_path, e.idempotency_key, true);
        if (delivered.insert(e.idempotency_key).second)
            append_line(delivered_path, e.idempotency_key, true);
    }
};

void attach(sala::outbox_dispatcher& d, sink& s) {
    d.on("mail", [&](const sala::effect& e) { s.send(e); });
    d.on("create_webinar", [&](const sala::effect& e) { s.send(e); });
}

// ---- the child -----------------------------------------------------------------------------

[[noreturn]] void child(const std::string& dir, unsigned seed) {
    const std::string log = dir + "/log";
    std::uint64_t seq = 0;
    for (const auto& l : read_lines(log)) {
        std::istringstream in(l);
        std::string kind;
        std::uint64_t s;
        in >> kind >> s;
        seq = std::max(seq, s);
    }
    // A SIGKILL loses no commit at synchronous=NORMAL in WAL mode (FULL adds
    // power-loss safety, which a process kill cannot test); NORMAL lets each
    // child life run more commands.
    sala::sqlite_store::options o;
    o.sync = sala::sqlite_store::durability::normal;
    auto db = sala::sqlite_store::open(dir + "/sala.db", o);
    auto clock = fixed_clock();
    sala::durable_platform p(db, clock);
    p.set_effect_planner(plan);
    sink out(dir + "/attempts", dir + "/delivered");
    sala::outbox_dispatcher d(db, clock);
    attach(d, out);
    std::mt19937 rng(seed);
    auto pick = [&](int n) { return static_cast<int>(rng() % static_cast<unsigned>(n)); };
    const auto rooms = static_cast<int>(p.state().rooms.size());
    for (;;) {
        ++seq;
        std::ostringstream cmd;
        const int what = pick(100);
        const auto& st = p.state();
        auto any_request = [&]() -> std::uint64_t {
            if (st.requests.empty()) return 1;
            auto it = st.requests.begin();
            std::advance(it, pick(static_cast<int>(st.requests.size())));
            return it->first.value;
        };
        if (what < 45 || st.requests.size() < 20) {
            cmd << "submit T" << seq << ' ' << 1 + pick(4) << ' ' << 8 + pick(10) << ' '
                << 15 * pick(4) << ' ' << 30 + 15 * pick(12);
        } else if (what < 65) {
            cmd << "cancel " << any_request();
        } else if (what < 75) {
            cmd << "reassign " << any_request() << ' ' << 1 + pick(rooms);
        } else if (what < 82) {
            cmd << "assign " << (st.queue.empty() ? any_request() : st.queue[0].value) << ' '
                << 1 + pick(rooms);
        } else if (what < 87) {
            cmd << "retry_queue";
        } else if (what < 90) {
            cmd << "mode " << 1 + pick(rooms) << ' ' << pick(2);
        } else {
            cmd << "step " << seq;
        }
        append_line(log, "I " + std::to_string(seq) + " " + cmd.str(), false);
        bool ok = true;
        try {
            if (cmd.str().rfind("step", 0) == 0) {
                const std::string key = "step/" + std::to_string(seq);
                std::vector<sala::lifecycle_record> steps{sala::lifecycle_record{
                    key, std::nullopt, "{\"seq\":" + std::to_string(seq) + "}"}};
                std::vector<sala::effect> effects{sala::effect{"mail", key, "{}", std::nullopt}};
                p.commit_step(std::move(steps), std::move(effects));
            } else
                run_command(p, cmd.str());
        } catch (const sala::backend_error& e) {
            std::fprintf(stderr, "child: store failure: %s\n", e.what());
            std::_Exit(3);
        } catch (const sala::error&) {
            ok = false;  // rejected by a rule; nothing written
        }
        append_line(log, (ok ? "A " : "R ") + std::to_string(seq), true);
        if (seq % 3 == 0) d.dispatch(10);
    }
}

// ---- the parent ----------------------------------------------------------------------------

struct replay {
    sala::platform model;
    std::size_t consumed = 0;         // log lines applied
    std::set<std::string> step_keys;  // acknowledged lifecycle steps
};

// Reads the log from `consumed`; applies acknowledged commands to the model
// and checks rejected ones are rejected by the model too. Returns the trailing
// intent without an ack or reject (the command the kill interrupted), if any.
std::optional<std::pair<std::uint64_t, std::string>> advance(
    replay& r, const std::vector<std::string>& lines) {
    std::optional<std::pair<std::uint64_t, std::string>> pending;
    for (; r.consumed < lines.size(); ++r.consumed) {
        std::istringstream in(lines[r.consumed]);
        std::string kind;
        std::uint64_t seq;
        in >> kind >> seq;
        if (kind == "I") {
            EXPECT_FALSE(pending) << "two intents in a row at line " << r.consumed;
            std::string rest;
            std::getline(in, rest);
            pending = {{seq, rest.substr(1)}};
            continue;
        }
        if (!pending || pending->first != seq) {
            ADD_FAILURE() << "log out of order at line " << r.consumed << ": " << lines[r.consumed];
            continue;
        }
        if (kind == "A") {
            run_command(r.model, pending->second);
            if (pending->second.rfind("step", 0) == 0)
                r.step_keys.insert("step/" + std::to_string(seq));
        } else {
            EXPECT_THROW(run_command(r.model, pending->second), sala::error)
                << "child rejected " << pending->second;
        }
        pending.reset();
    }
    return pending;
}

void check_no_overlap(const sala::platform_state& st) {
    std::map<std::uint32_t, std::vector<sala::interval>> by_room;
    for (const auto& [id, res] : st.reservations) by_room[res.room.value].push_back(res.blocked);
    for (auto& [room, v] : by_room) {
        std::sort(v.begin(), v.end());
        for (std::size_t k = 1; k < v.size(); ++k)
            ASSERT_LE(v[k - 1].end(), v[k].begin()) << "room " << room << " has overlapping blocks";
    }
}

int kills_wanted() {
    if (const char* k = std::getenv("SALA_CRASH_KILLS")) return std::max(1, std::atoi(k));
    return 220;
}

}  // namespace

// R1, R9-R11, R16: SIGKILL at random instants never loses an acknowledged
// command, never leaves half a command, never double-books, never sends an
// effect twice.
TEST(Crash, SigkillAtRandomMomentsKeepsEveryInvariant_R1_R16) {
    std::string t = (fs::temp_directory_path() / "sala-crash-XXXXXX").string();
    const std::string dir = ::mkdtemp(t.data());
    const std::string dbpath = dir + "/sala.db";
    {
        sala::durable_platform p(sala::sqlite_store::open(dbpath), fixed_clock());
        std::vector<sala::account_user> users;
        for (int k = 1; k <= 4; ++k)
            users.push_back({"u" + std::to_string(k), "room" + std::to_string(k) + "@example.org",
                             "Room " + std::to_string(k), false, true, 100});
        p.link_account("crash", sala::pool_kind::own, users);
        for (std::uint32_t r = 1; r <= 4; ++r) p.activate(sala::room_id{r});
        for (std::uint32_t r = 1; r <= 3; ++r)
            p.set_mode(sala::room_id{r}, sala::room_mode::automatic);
    }
    replay r{
        sala::platform::restore(sala::sqlite_store::open(dbpath)->load(), fixed_clock()), 0, {}};

    std::mt19937 rng(20210501);
    const int wanted = kills_wanted();
    int kills = 0, settled_unacked = 0, exits = 0;
    while (kills < wanted) {
        const pid_t pid = ::fork();
        ASSERT_GE(pid, 0);
        if (pid == 0) {
            const std::string seed = std::to_string(rng());
            ::execl(self_exe.c_str(), self_exe.c_str(), "--crash-child", dir.c_str(), seed.c_str(),
                    static_cast<char*>(nullptr));
            std::_Exit(127);
        }
        std::this_thread::sleep_for(std::chrono::microseconds(5000 + rng() % 195000));
        ::kill(pid, SIGKILL);
        int status = 0;
        ::waitpid(pid, &status, 0);
        if (WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL)
            ++kills;
        else {
            ++exits;
            ASSERT_LT(exits, 3) << "child exited by itself with status " << status;
        }

        // Invariants after the restart (opening the file is the restart).
        auto db = sala::sqlite_store::open(dbpath);
        const auto stored = db->load();
        const auto lines = read_lines(dir + "/log");
        const auto pending = advance(r, lines);
        if (!(stored == r.model.state())) {
            ASSERT_TRUE(pending) << "after kill " << kills
                                 << " the file differs from every acknowledged command";
            // The one started-but-unacknowledged command may have committed.
            run_command(r.model, pending->second);
            ASSERT_TRUE(stored == r.model.state())
                << "after kill " << kills << " the file holds half of '" << pending->second << "'";
            ++settled_unacked;
        }
        // An interrupted intent is settled either way; the next child starts a new sequence number.
        check_no_overlap(stored);
        ASSERT_NO_THROW(sala::platform::restore(stored, fixed_clock()));
        std::set<std::string> outbox_keys;
        for (const auto& e : db->outbox()) outbox_keys.insert(e.effect.idempotency_key);
        std::set<std::string> lifecycle_keys;
        for (const auto& l : db->lifecycle()) lifecycle_keys.insert(l.key);
        for (const auto& k : r.step_keys) {
            ASSERT_TRUE(outbox_keys.count(k)) << "acknowledged step lost its effect " << k;
            ASSERT_TRUE(lifecycle_keys.count(k)) << "acknowledged step lost its state " << k;
        }
        std::set<std::string> seen;
        for (const auto& k : read_lines(dir + "/delivered")) {
            ASSERT_TRUE(seen.insert(k).second) << "effect " << k << " delivered twice";
            ASSERT_TRUE(outbox_keys.count(k)) << "effect " << k << " was sent but never committed";
        }
    }

    // Drain the outbox: every committed effect reaches the sink exactly once.
    auto db = sala::sqlite_store::open(dbpath);
    sink out(dir + "/attempts", dir + "/delivered");
    sala::outbox_dispatcher d(db, fixed_clock());
    attach(d, out);
    while (d.dispatch(1000).sent > 0) {
    }
    std::map<std::string, int> delivered, attempts;
    for (const auto& k : read_lines(dir + "/delivered")) ++delivered[k];
    for (const auto& k : read_lines(dir + "/attempts")) ++attempts[k];
    std::size_t effects = 0;
    for (const auto& e : db->outbox()) {
        ++effects;
        EXPECT_EQ(e.status, sala::effect_status::done) << e.effect.idempotency_key;
        EXPECT_EQ(delivered[e.effect.idempotency_key], 1) << e.effect.idempotency_key;
    }
    EXPECT_EQ(delivered.size(), effects);
    int repeats = 0;
    for (const auto& [k, n] : attempts) repeats += n - 1;
    EXPECT_LE(repeats, kills) << "more resends than crashes";

    std::size_t acked = 0;
    for (const auto& l : read_lines(dir + "/log"))
        if (l[0] == 'A') ++acked;
    std::printf(
        "crash: %d kills, %zu acknowledged commands, %d committed-but-unacknowledged settled, "
        "%zu effects delivered once each, %d resends caught by idempotency keys, %zu requests at "
        "the end\n",
        kills, acked, settled_unacked, effects, repeats, r.model.state().requests.size());
    EXPECT_GE(kills, wanted);
    EXPECT_GT(acked, static_cast<std::size_t>(wanted));  // the children did real work between kills
    fs::remove_all(dir);
}

int main(int argc, char** argv) {
    self_exe = fs::canonical("/proc/self/exe").string();
    if (argc == 4 && std::string(argv[1]) == "--crash-child")
        child(argv[2], static_cast<unsigned>(std::strtoul(argv[3], nullptr, 10)));
    ::testing::InitGoogleTest(&argc, argv);
    return RUN_ALL_TESTS();
}
