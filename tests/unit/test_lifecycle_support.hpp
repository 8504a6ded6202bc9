#pragma once
// Shared by the lifecycle tests: the seed's platform with the recording fakes
// and a lifecycle, on a manual clock.

#include <map>
#include <memory>
#include <string>
#include <vector>

#include "sala/fakes/fake_conferencing.hpp"
#include "sala/fakes/fake_mailer.hpp"
#include "sala/lifecycle/lifecycle.hpp"
#include "seed_fixture.hpp"

namespace lc {

using namespace std::chrono_literals;
using method = sala::fake_conferencing::method;

inline sala::instant madrid(int y, unsigned mo, unsigned d, unsigned h, unsigned mi) {
    return sala::to_instant(sala::make_local(y, mo, d, h, mi), seed::madrid);
}

struct world {
    seed::fixture f;
    sala::fake_conferencing conf;
    sala::fake_mailer mail;
    std::unique_ptr<sala::lifecycle> life;
    std::vector<sala::step_event> steps;

    explicit world(sala::settings s = seed::seed_2086_settings(),
                   sala::lifecycle_options o = options())
        : f(s), conf(seed::symposium_users(), f.clock) {
        f.activate_all();
        start(std::move(o));
    }

    static sala::lifecycle_options options() {
        sala::lifecycle_options o;
        o.from = {"Symposium", "no-reply@symposium.events"};
        o.admin = {"Admin", "admin@symposium.events"};
        o.platform_name = "Symposium";
        return o;
    }

    void start(sala::lifecycle_options o, sala::lifecycle_state st = {}) {
        life.reset();
        life = std::make_unique<sala::lifecycle>(f.p, conf, mail, std::move(o), std::move(st));
        life->on_step([this](const sala::step_event& e) { steps.push_back(e); });
    }

    // The seed's two webinars of event 2086 (panelists get join links).
    std::pair<sala::request_id, sala::request_id> book_seed_webinars() {
        auto a = seed::fixture::webinar("webinar sesión turno de tarde", 2021, 5, 12, 15, 5, 50);
        a.panelists = {"panelista@example.org"};
        auto b = seed::fixture::webinar("webinar sesión turno de mañana", 2021, 5, 13, 9, 0, 50);
        const auto sa = f.p.submit(a);
        const auto sb = f.p.submit(b);
        return {sa.id, sb.id};
    }

    void at(sala::instant t) {
        f.clock->set(t);
        life->tick(t);
    }
    // Ticks every minute in [from, to].
    void every_minute(sala::instant from, sala::instant to) {
        for (auto t = from; t <= to; t += 1min) at(t);
    }

    std::vector<sala::step_kind> done_steps_of(sala::request_id id) const {
        std::vector<sala::step_kind> out;
        for (const auto& e : steps)
            if (e.request == id && e.outcome == sala::step_outcome::done) out.push_back(e.step);
        return out;
    }
    // When a step of a request was done (first time).
    std::optional<sala::instant> done_at(sala::request_id id, sala::step_kind k) const {
        for (const auto& e : steps)
            if (e.request == id && e.step == k && e.outcome == sala::step_outcome::done)
                return e.at;
        return std::nullopt;
    }
    std::size_t times_done(sala::request_id id, sala::step_kind k) const {
        std::size_t n = 0;
        for (const auto& e : steps)
            n += (e.request == id && e.step == k && e.outcome == sala::step_outcome::done);
        return n;
    }
    // Every effect key at most once.
    std::map<std::string, int> duplicate_effects() const {
        std::map<std::string, int> seen, dup;
        for (const auto& e : life->effects()) ++seen[e.idempotency_key];
        for (const auto& [k, n] : seen)
            if (n > 1) dup[k] = n;
        return dup;
    }
    std::map<std::string, int> duplicate_mails() const {
        std::map<std::string, int> seen, dup;
        for (const auto& m : mail.sent()) ++seen[m.idempotency_key];
        for (const auto& [k, n] : seen)
            if (n > 1) dup[k] = n;
        return dup;
    }
};

}  // namespace lc
