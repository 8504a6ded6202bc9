// Built against the *installed* sala: proves find_package(sala) works.
#include <sala/sala.hpp>

#include <iostream>

int main() {
    const sala::settings s;  // prep 30, courtesy 15, post 6
    const auto start = sala::to_instant(sala::make_local(2021, 6, 1, 9, 0), "Europe/Madrid");
    const auto w = sala::make_blocked_window(s, start, sala::minutes{240});
    const auto text = sala::format(w.blocked.begin(), "Europe/Madrid") + " - " +
                      sala::format(w.blocked.end(), "Europe/Madrid");
    std::cout << text << "\n";
    return text == "2021-06-01 08:30 - 2021-06-01 13:21" ? 0 : 1;
}
