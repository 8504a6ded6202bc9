// The README's example: two rooms, three requests, one waits in the queue.
#include <sala/sala.hpp>

#include <iostream>

int main() {
    using namespace std::chrono_literals;
    auto clock = std::make_shared<sala::manual_clock>(sala::make_utc(2021, 5, 1));
    sala::platform p({}, clock);  // default settings: prep 30, courtesy 15, post 6
    const auto link =
        p.link_account("symposium", sala::pool_kind::own,
                       {{"u9", "symposiumwebinar09@symposium.events", "Webinar 100 pax"},
                        {"u10", "symposiumwebinar10@symposium.events", "Webinar 500 pax"}});
    for (auto r : link.new_rooms) {
        p.activate(r);
        p.set_mode(r, sala::room_mode::automatic);
    }

    sala::request_input in{.title = "Taller 1",
                           .start = sala::make_local(2021, 5, 13, 9, 0),
                           .zone = "Europe/Madrid",
                           .duration = 60min,
                           .event_id = "2086",
                           .organizer = {"Ana", "ana@example.org"}};
    for (int i = 0; i < 3; ++i) {
        const auto s = p.submit(in);
        std::cout << in.title << " -> "
                  << (s.assignment ? p.get_room(*s.assignment.room).email : s.assignment.reason)
                  << "\n";
    }
    return p.queue().size() == 1 ? 0 : 1;
}
