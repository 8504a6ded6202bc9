#pragma once
// The seed's platform (docs/rules.md, "The seed platform's examples"): an own Zoom account whose
// users symposiumwebinar09..12@symposium.events become rooms 1..4.

#include <memory>
#include <string>

#include "sala/platform.hpp"

namespace seed {

using namespace std::chrono_literals;

inline const std::string madrid = "Europe/Madrid";

inline std::vector<sala::account_user> symposium_users() {
    return {
        {"owner", "admin@symposium.events", "Symposium admin", true, true, 100},
        {"u09", "symposiumwebinar09@symposium.events", "Webinar 100 pax", false, true, 100},
        {"u10", "symposiumwebinar10@symposium.events", "Webinar 100 pax", false, true, 100},
        {"u11", "symposiumwebinar11@symposium.events", "Webinar 100 pax", false, true, 100},
        {"u12", "symposiumwebinar12@symposium.events", "Webinar 500 pax", false, true, 500},
    };
}

// Margins of the seed's event 2086 listings: blocked 15:02-16:01 for a 50-minute
// webinar at 15:05 means preparation 3, courtesy 0, post-processing 6.
inline sala::settings seed_2086_settings() {
    sala::settings s;
    s.preparation = 3min;
    s.courtesy = 0min;
    s.post_processing = 6min;
    s.credentials_lead = 3min;
    return s;
}

struct fixture {
    std::shared_ptr<sala::manual_clock> clock =
        std::make_shared<sala::manual_clock>(sala::make_utc(2021, 5, 1));
    sala::platform p;
    sala::room_id r09{1}, r10{2}, r11{3}, r12{4};

    explicit fixture(sala::settings s = {}) : p(s, clock) {
        p.link_account("symposium", sala::pool_kind::own, symposium_users());
    }

    // All four rooms active; 09 and 10 automatic, 11 and 12 manual.
    void activate_all() {
        for (auto r : {r09, r10, r11, r12}) p.activate(r);
        p.set_mode(r09, sala::room_mode::automatic);
        p.set_mode(r10, sala::room_mode::automatic);
    }

    static sala::request_input webinar(std::string title, int y, unsigned mo, unsigned d,
                                       unsigned h, unsigned mi, int minutes,
                                       std::string event = "2086") {
        sala::request_input in;
        in.title = std::move(title);
        in.start = sala::make_local(y, mo, d, h, mi);
        in.zone = madrid;
        in.duration = sala::minutes{minutes};
        in.event_id = std::move(event);
        in.organizer = {"Soporte Técnico", "support@symposium.events"};
        return in;
    }
};

}  // namespace seed
