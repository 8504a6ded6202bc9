// Admin notices (backend problems, wasted licences): queued by the engine or a
// command, sent by this step, retried like any step but never surfaced.
#include "lifecycle/steps/steps.hpp"

namespace sala::detail {

namespace {

struct admin_mail {
    static constexpr step_kind kind = step_kind::admin_mail;
    static constexpr step_scope scope = step_scope::notice;
    // The notice's own key ("problem/...", "wasted-licence/<pool>/<user>").
    static std::string key(request_id, std::uint32_t, const std::string& item) { return item; }
    static std::optional<instant> due(const due_view& v) {
        if (v.self.done) return std::nullopt;
        return v.notice->queued;
    }
    static bool execute(step_run& s) {
        const mail_message m = s.engine.state.admin_notices.at(s.notice).message;
        s.engine.send(m, std::nullopt, "admin");
        s.detail = "to " + m.to.front().email + ": " + m.subject;
        return true;
    }
};

constexpr step_descriptor steps[] = {describe<admin_mail>()};

}  // namespace

std::span<const step_descriptor> notice_steps() { return steps; }

}  // namespace sala::detail
