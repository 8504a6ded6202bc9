#pragma once
// The lifecycle's steps by group, one file each in this folder; table.cpp
// joins the groups into the step table.

#include <span>
#include <string>

#include "lifecycle/engine.hpp"

namespace sala::detail {

std::span<const step_descriptor> room_steps();         // room.cpp
std::span<const step_descriptor> placement_steps();    // placement.cpp
std::span<const step_descriptor> credentials_steps();  // credentials.cpp
std::span<const step_descriptor> ending_steps();       // ending.cpp
std::span<const step_descriptor> report_steps();       // report.cpp
std::span<const step_descriptor> recordings_steps();   // recordings.cpp
std::span<const step_descriptor> notice_steps();       // notice.cpp

// Another webinar of the same room user holds a password not yet rotated (credentials.cpp).
bool password_in_use(const lifecycle_state& s, request_id id, room_id room);
// Expires the password given out for `w` (R11, cancellation) under `key`, once,
// unless the room's next webinar already holds its own.
void expire_password(step_run& s, const backend_webinar& w, const std::string& key);

}  // namespace sala::detail
