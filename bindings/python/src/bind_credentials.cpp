// sala/lifecycle/credentials.hpp: passwords and passcodes from the kernel's CSPRNG (R12).
#include "common.hpp"
#include "sala/lifecycle/credentials.hpp"

namespace sala::python {

void bind_credentials(py::module_& m) {
    m.def("generate_room_password", &generate_room_password, py::arg("length") = 16,
          "A fresh room-user password meeting Zoom's rules (docs/zoom.md §4), length 12-31.");
    m.def("generate_webinar_passcode", &generate_webinar_passcode, py::arg("length") = 10,
          "A fresh webinar passcode (docs/zoom.md §3), length 6-10.");
    m.def(
        "room_password_problem", [](const std::string& p) { return room_password_problem(p); },
        py::arg("password"),
        "'' when ``password`` meets the room-password rules, else the first reason.");
    m.def(
        "passcode_problem", [](const std::string& p) { return passcode_problem(p); },
        py::arg("passcode"),
        "'' when ``passcode`` meets the webinar passcode rules, else the first reason.");
}

}  // namespace sala::python
