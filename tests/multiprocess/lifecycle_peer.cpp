// One process of a multi-process test (tests/multiprocess/two_processes.py):
// a durable_platform and a durable_lifecycle on a shared SQLite file or
// PostgreSQL schema, driven line by line on stdin, answering one line each on
// stdout. Its backend and mailer are fakes that append every call to a
// journal file shared by all peers (one write(2) per line, O_APPEND), so the
// harness counts backend calls and mails by idempotency key across processes.
//
//   sala_lifecycle_peer (--sqlite PATH | --postgres CONNINFO) --journal FILE
//       [--schema S] [--name A] [--slow-ms N] [--key HEX64] [--ticker-lease-ms N] [--claim-ttl-ms
//       N]
//
// Commands (times are UTC in May 2021; the clock is set to it first):
//   seed                            link the seed account, rooms 1-4 active and automatic
//   submit TITLE DAY HOUR MINUTES [MINUTE]  (Madrid time) -> "<request id> <room id or 0>"
//   cancel ID                       -> "ok" or "gone"
//   tick DAY HOUR MINUTE            -> "<steps attempted>"
//   generate ID DAY HOUR MINUTE     -> "true" / "false" / "error <kind>"
//   credentials ID                  -> the password or "-"
//   state ID                        -> "<request present 0/1> <reservation room or 0>"
//   reservations                    -> "id:room:begin:end ..." (minutes since the epoch) or "-"
//   quit
#include <fcntl.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <iostream>
#include <memory>
#include <sstream>
#include <string>
#include <thread>

#include "../unit/seed_fixture.hpp"
#include "sala/adapters/sqlite_store.hpp"
#ifdef SALA_PEER_POSTGRES
#include "sala/adapters/postgres_store.hpp"
#endif
#include "sala/durable/durable_lifecycle.hpp"

namespace {

std::string hex(const std::string& s) {
    static const char* d = "0123456789abcdef";
    std::string out;
    for (const unsigned char c : s) {
        out += d[c >> 4];
        out += d[c & 15];
    }
    return out;
}

class journal {
  public:
    journal(const std::string& path, std::string name) : name_(std::move(name)) {
        fd_ = ::open(path.c_str(), O_WRONLY | O_CREAT | O_APPEND, 0644);
        if (fd_ < 0) throw std::runtime_error("cannot open journal " + path);
    }
    ~journal() { ::close(fd_); }
    void line(const std::string& kind, const std::string& a, const std::string& b = "-") {
        const std::string l = name_ + " " + kind + " " + a + " " + (b.empty() ? "-" : b) + "\n";
        if (::write(fd_, l.data(), l.size()) != static_cast<ssize_t>(l.size()))
            throw std::runtime_error("journal write failed");
        ::fsync(fd_);  // a SIGKILL right after the call must not lose its line
    }

  private:
    std::string name_;
    int fd_ = -1;
};

// A backend that remembers nothing but the journal: every call succeeds.
class journal_conferencing final : public sala::conferencing {
  public:
    journal_conferencing(journal& j, std::string name, int slow_ms)
        : j_(j), name_(std::move(name)), slow_(slow_ms) {}
    std::vector<sala::account_user> list_users() override { return seed::symposium_users(); }
    sala::webinar_handle create_webinar(const sala::webinar_spec& spec) override {
        pause();
        const std::string id =
            name_ + "-" + std::to_string(::getpid()) + "-" + std::to_string(++n_);
        j_.line("create_webinar", hex(spec.topic), id);
        return {id, "https://zoom.example/j/" + id, "https://zoom.example/s/" + id};
    }
    void delete_webinar(const std::string& id) override { j_.line("delete_webinar", id); }
    void end_webinar(const std::string& id) override { j_.line("end_webinar", id); }
    void set_user_password(const std::string& user, const std::string& password) override {
        pause();
        j_.line("set_user_password", user, hex(password));
    }
    std::vector<sala::participant> participants_report(const std::string&) override { return {}; }
    std::vector<sala::recording_file> list_recordings(const std::string&) override { return {}; }
    void download_recording(const sala::recording_file&, const std::string&) override {}
    void trash_recordings(const std::string&) override {}
    void apply_room_settings(const std::string& user, const sala::room_settings&) override {
        j_.line("apply_room_settings", user);
    }

  private:
    void pause() const {
        if (slow_ > 0) std::this_thread::sleep_for(std::chrono::milliseconds(slow_));
    }
    journal& j_;
    std::string name_;
    int slow_;
    int n_ = 0;
};

class journal_mailer final : public sala::mailer {
  public:
    explicit journal_mailer(journal& j) : j_(j) {}
    void send(const sala::mail_message& m) override {
        j_.line("mail", m.idempotency_key, hex(m.text_body));
    }

  private:
    journal& j_;
};

sala::instant at(std::istream& in) {
    unsigned d = 1, h = 0, mi = 0;
    in >> d >> h >> mi;
    return sala::make_utc(2021, 5, d, h, mi);
}

}  // namespace

int main(int argc, char** argv) {
    std::string sqlite, postgres, pg_schema = "sala", journal_path, name = "A", key;
    int slow = 0;
    long ticker_lease = 0, claim_ttl = 0;
    for (int i = 1; i + 1 < argc; i += 2) {
        const std::string a = argv[i], v = argv[i + 1];
        if (a == "--sqlite")
            sqlite = v;
        else if (a == "--postgres")
            postgres = v;
        else if (a == "--schema")
            pg_schema = v;
        else if (a == "--journal")
            journal_path = v;
        else if (a == "--name")
            name = v;
        else if (a == "--slow-ms")
            slow = std::stoi(v);
        else if (a == "--key")
            key = v;
        else if (a == "--ticker-lease-ms")
            ticker_lease = std::stol(v);
        else if (a == "--claim-ttl-ms")
            claim_ttl = std::stol(v);
        else {
            std::cerr << "unknown option " << a << "\n";
            return 2;
        }
    }
    if ((sqlite.empty() == postgres.empty()) || journal_path.empty()) {
        std::cerr << "usage: sala_lifecycle_peer (--sqlite PATH | --postgres CONNINFO) "
                     "--journal FILE [options]\n";
        return 2;
    }
    try {
        std::shared_ptr<sala::store> db;
        if (!sqlite.empty())
            db = sala::sqlite_store::open(sqlite);
        else
#ifdef SALA_PEER_POSTGRES
            db = sala::postgres_store::open(postgres, {pg_schema});
#else
            throw std::runtime_error("built without PostgreSQL");
#endif
        auto clock = std::make_shared<sala::manual_clock>(sala::make_utc(2021, 5, 1));
        journal j(journal_path, name);
        journal_conferencing conf(j, name, slow);
        journal_mailer mail(j);
        sala::durable_platform p(db, clock);
        sala::lifecycle_options o;
        o.credentials_key = key;
        o.holder = name + ":" + std::to_string(::getpid());
        if (ticker_lease > 0) o.ticker_lease = std::chrono::milliseconds(ticker_lease);
        if (claim_ttl > 0) o.claim_ttl = std::chrono::milliseconds(claim_ttl);
        sala::durable_lifecycle life(p, conf, mail, o);
        std::cout << "ready" << std::endl;
        std::string line;
        while (std::getline(std::cin, line)) {
            std::istringstream in(line);
            std::string cmd;
            in >> cmd;
            try {
                if (cmd == "quit") break;
                if (cmd == "seed") {
                    p.link_account("symposium", sala::pool_kind::own, seed::symposium_users());
                    for (std::uint32_t r = 1; r <= 4; ++r) {
                        p.activate(sala::room_id{r});
                        p.set_mode(sala::room_id{r}, sala::room_mode::automatic);
                    }
                    std::cout << "ok" << std::endl;
                } else if (cmd == "submit") {
                    std::string title;
                    unsigned d = 1, h = 0, mi = 0;
                    int minutes = 60;
                    in >> title >> d >> h >> minutes >> mi;
                    auto w = seed::fixture::webinar(title, 2021, 5, d, h, mi, minutes);
                    const auto s = p.submit(w);
                    std::cout << s.id.value << " " << (s.assignment ? s.assignment.room->value : 0)
                              << std::endl;
                } else if (cmd == "cancel") {
                    std::uint64_t id = 0;
                    in >> id;
                    try {
                        p.cancel(sala::request_id{id});
                        std::cout << "ok" << std::endl;
                    } catch (const sala::not_found&) {
                        std::cout << "gone" << std::endl;
                    }
                } else if (cmd == "tick") {
                    clock->set(at(in));
                    std::cout << life.tick(clock->now()) << std::endl;
                } else if (cmd == "generate") {
                    std::uint64_t id = 0;
                    in >> id;
                    clock->set(at(in));
                    std::cout << (life.generate_credentials_now(sala::request_id{id}, clock->now())
                                      ? "true"
                                      : "false")
                              << std::endl;
                } else if (cmd == "credentials") {
                    std::uint64_t id = 0;
                    in >> id;
                    life.take_in();
                    const auto c = life.engine().credentials_of(sala::request_id{id});
                    std::cout << (c ? hex(c->password) : "-") << std::endl;
                } else if (cmd == "state") {
                    std::uint64_t id = 0;
                    in >> id;
                    p.refresh();
                    const auto& st = p.state();
                    const sala::request_id rid{id};
                    auto res = st.reservations.find(rid);
                    // A finished webinar archived after the retention window is still there,
                    // as history; a cancelled one is not.
                    const auto h = st.requests.count(rid) ? std::nullopt : p.history_of(rid);
                    const bool present = st.requests.count(rid) ||
                                         (h && h->status == sala::history_status::finished);
                    std::uint32_t room = res == st.reservations.end() ? 0 : res->second.room.value;
                    if (h && h->room) room = h->room->value;
                    std::cout << present << " " << room << std::endl;
                } else if (cmd == "reservations") {
                    p.refresh();
                    std::string out;
                    for (const auto& [rid, r] : p.state().reservations)
                        out += std::to_string(rid.value) + ":" + std::to_string(r.room.value) +
                               ":" + std::to_string(r.blocked.begin().time_since_epoch().count()) +
                               ":" + std::to_string(r.blocked.end().time_since_epoch().count()) +
                               " ";
                    std::cout << (out.empty() ? "-" : out) << std::endl;
                } else {
                    std::cout << "error unknown-command" << std::endl;
                }
            } catch (const sala::not_found&) {
                std::cout << "error not_found" << std::endl;
            } catch (const sala::rule_violation&) {
                std::cout << "error rule_violation" << std::endl;
            } catch (const sala::invalid_argument&) {
                std::cout << "error invalid_argument" << std::endl;
            }
        }
    } catch (const std::exception& e) {
        std::cerr << name << ": " << e.what() << "\n";
        return 1;
    }
    return 0;
}
