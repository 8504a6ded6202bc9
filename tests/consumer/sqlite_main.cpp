// Built against the installed sala::sqlite component: a store in memory,
// one submitted request, read back.
#include <sala/adapters/sqlite_store.hpp>
#include <sala/durable/durable_platform.hpp>

#include <iostream>

int main() {
    using namespace std::chrono_literals;
    auto clock = std::make_shared<sala::manual_clock>(sala::make_utc(2021, 5, 1));
    sala::durable_platform p(sala::sqlite_store::open(":memory:"), clock);
    const auto link =
        p.link_account("symposium", sala::pool_kind::own,
                       {{"u9", "symposiumwebinar09@symposium.events", "Webinar 100 pax"}});
    p.activate(link.new_rooms.at(0));
    p.set_mode(link.new_rooms.at(0), sala::room_mode::automatic);
    sala::request_input in{.title = "Taller 1",
                           .start = sala::make_local(2021, 5, 13, 9, 0),
                           .zone = "Europe/Madrid",
                           .duration = 60min,
                           .event_id = "2086",
                           .organizer = {"Ana", "ana@example.org"}};
    const auto s = p.submit(in);
    std::cout << (s.assignment ? "assigned" : "queued") << "\n";
    return s.assignment ? 0 : 1;
}
