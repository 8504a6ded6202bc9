// R20: the room settings the platform relies on, applied once a room is active.
#include "lifecycle/steps/steps.hpp"

namespace sala::detail {

namespace {

struct apply_room_settings {
    static constexpr step_kind kind = step_kind::apply_room_settings;
    static constexpr step_scope scope = step_scope::room;
    static std::string key(request_id, std::uint32_t, const std::string& room) {
        return "room-settings/" + room;
    }
    // Not re-applied on re-activation (docs/lifecycle.md).
    static std::optional<instant> due(const due_view& v) {
        if (!v.rm->active || v.self.done) return std::nullopt;
        return asap;
    }
    static bool execute(step_run& s) {
        auto& e = s.engine;
        const room rm = e.plat.get_room(*s.room);
        const auto& want = e.options.room_settings;
        e.conf.apply_room_settings(rm.user_id, want);
        e.record_effect("apply_room_settings", key({}, 0, std::to_string(rm.id.value)),
                        "{\"user\":" + json_str(rm.user_id) +
                            ",\"waiting_room\":" + (want.waiting_room ? "true" : "false") +
                            ",\"auto_save_chat\":" + (want.auto_save_chat ? "true" : "false") + "}",
                        std::nullopt);
        s.detail = rm.email + ": waiting room off, chat auto-save on";
        return true;
    }
};

constexpr step_descriptor steps[] = {describe<apply_room_settings>()};

}  // namespace

std::span<const step_descriptor> room_steps() { return steps; }

}  // namespace sala::detail
