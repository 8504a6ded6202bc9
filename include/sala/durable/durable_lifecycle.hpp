#pragma once
// The lifecycle (sala/lifecycle/lifecycle.hpp) on a durable platform: its step state is
// saved in the store after every tick, one transaction, with the lifecycle's
// own row mapping (sala::changed_records / from_records in lifecycle.hpp: one
// JSON record per webinar, per room (R20) and per admin notice). A restarted host gets it back and
// catches up (R16): steps already done are not run again.
//
//   auto db = sala::sqlite_store::open("sala.db");
//   sala::durable_platform p(db);
//   sala::durable_lifecycle life(p, zoom, smtp, options);
//   life.tick(now);   // backend calls + mails, then the step state is saved
//
// What a crash can repeat: the lifecycle calls backends during tick() and
// saves afterwards, so a crash in between runs those steps again with the same
// idempotency keys. Mailers that honour the key (the SMTP and outbox adapters
// derive Message-ID from it) let the receiver drop the repeat; Zoom's create
// webinar has no idempotency key, so a crash right after a create can leave one
// duplicate webinar per crash (the lifecycle's own create step record is what
// keeps it from more). Credentials passwords are not saved (the lifecycle's
// decision): a credentials mail still pending after a restart makes a new one.

#include <string>
#include <vector>

#include "sala/durable/durable_platform.hpp"
#include "sala/lifecycle/lifecycle.hpp"

namespace sala {

// A lifecycle whose step state is saved after every tick (see the top).
class durable_lifecycle {
  public:
    durable_lifecycle(durable_platform& p, conferencing& c, mailer& m, lifecycle_options o = {})
        : platform_(p),
          engine_(p.inner(), c, m, std::move(o), from_records(p.backing_store().lifecycle())),
          saved_(engine_.state()) {}

    // Runs what is due, then saves the step state in one transaction.
    std::size_t tick(instant now) {
        const std::size_t n = engine_.tick(now);
        save();
        return n;
    }
    // R13, saved like a tick.
    bool generate_credentials_now(request_id id, instant now) {
        const bool done = engine_.generate_credentials_now(id, now);
        save();
        return done;
    }
    // Writes what changed since the last save (a failed save is retried by the next one).
    void save() {
        auto changes = changed_records(saved_, engine_.state());
        if (!changes.empty()) platform_.commit_step(std::move(changes), {});
        saved_ = engine_.state();
    }

    // Queries and callbacks. Link accounts with durable_platform::link_account
    // (users from conferencing::list_users()), not engine().link_account, so
    // the rooms are saved.
    lifecycle& engine() noexcept { return engine_; }
    const lifecycle& engine() const noexcept { return engine_; }

  private:
    durable_platform& platform_;
    lifecycle engine_;
    lifecycle_state saved_;
};

}  // namespace sala
