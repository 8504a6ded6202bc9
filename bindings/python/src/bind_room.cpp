// sala/room.hpp: rooms, pools and account users (R1-R5).
#include "args.hpp"

namespace sala::python {

void bind_room(py::module_& m) {
    make_enum<room_mode>(
        m, "RoomMode",
        "R3: AUTOMATIC rooms are given out by the allocator, MANUAL ones only by an admin.",
        enum_members<room_mode>());
    make_enum<pool_kind>(
        m, "PoolKind", "R5: LENT rooms (the platform's) vs OWN rooms (the institution's account).",
        enum_members<pool_kind>());

    py::class_<account_user> u(
        m, "AccountUser",
        "A user of a linked account as the backend lists it (mutable input value).");
    u.def(py::init([](py::object user_id, py::object email, py::object display_name,
                      py::object owner, py::object licensed, py::object capacity) {
              return account_user{arg_as<std::string>(user_id, "user_id"),
                                  arg_as<std::string>(email, "email"),
                                  arg_as<std::string>(display_name, "display_name"),
                                  arg_as<bool>(owner, "owner"),
                                  arg_as<bool>(licensed, "licensed"),
                                  arg_as<int>(capacity, "capacity")};
          }),
          py::arg("user_id"), py::arg("email"), py::arg("display_name") = "", py::kw_only(),
          py::arg("owner") = false, py::arg("licensed") = true, py::arg("capacity") = 100,
          "A user; owner=True is never a room (R1).");
    def_field(u, "user_id", &account_user::user_id, "Backend id (Zoom user id).");
    def_field(u, "email", &account_user::email, "The user's e-mail.");
    def_field(u, "display_name", &account_user::display_name, "Display name.");
    def_field(u, "owner", &account_user::owner, "The account owner is never a room (R1).");
    def_field(u, "licensed", &account_user::licensed, "Holds a webinar licence.");
    def_field(u, "capacity", &account_user::capacity, "Attendees the licence allows.");
    value_methods(u, {"user_id", "email", "display_name", "owner", "licensed", "capacity"},
                  std::nullopt);

    py::class_<pool> p(m, "Pool",
                       "A linked account whose users became candidate rooms (immutable snapshot).");
    p.def_readonly("id", &pool::id, "PoolId.");
    p.def_readonly("name", &pool::name, "The name it was linked under.");
    p.def_readonly("kind", &pool::kind, "PoolKind (R5).");
    value_methods(p, {"id", "name", "kind"}, std::vector<std::string>{"id", "name", "kind"});

    py::class_<room> r(m, "Room",
                       "A room: one licensed host user (R1), immutable snapshot (a copy).");
    r.def_readonly("id", &room::id, "RoomId: its fixed first-fit position (R9).");
    r.def_readonly("pool", &room::pool, "PoolId of its linked account.");
    r.def_readonly("user_id", &room::user_id, "Backend user id.");
    r.def_readonly("email", &room::email, "The host user's e-mail (credentials user name, R12).");
    r.def_readonly("display_name", &room::display_name, "Display name.");
    r.def_readonly("capacity", &room::capacity, "Attendees.");
    r.def_readonly("active", &room::active, "R2: rooms start inactive.");
    r.def_readonly("mode", &room::mode, "RoomMode (R3).");
    value_methods(r,
                  {"id", "pool", "user_id", "email", "display_name", "capacity", "active", "mode"},
                  std::vector<std::string>{"id", "pool", "user_id", "email", "display_name",
                                           "capacity", "active", "mode"});
}

}  // namespace sala::python
