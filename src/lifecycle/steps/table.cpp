// The step table: every group's descriptors, indexed by step_kind.
#include <array>
#include <initializer_list>
#include <stdexcept>

#include "lifecycle/steps/steps.hpp"

namespace sala::detail {

std::span<const step_descriptor> step_table() {
    static const auto table = [] {
        constexpr std::size_t n = enum_count<step_kind>();
        std::array<step_descriptor, n> t{};
        std::array<bool, n> seen{};
        for (const auto group :
             {room_steps(), placement_steps(), credentials_steps(), ending_steps(), report_steps(),
              recordings_steps(), notice_steps()})
            for (const step_descriptor& d : group) {
                const auto i = static_cast<std::size_t>(d.kind);
                if (i >= n || seen[i])
                    throw std::logic_error(std::string("lifecycle: step described twice: ") +
                                           to_string(d.kind));
                t[i] = d;
                seen[i] = true;
            }
        for (std::size_t i = 0; i < n; ++i)
            if (!seen[i])
                throw std::logic_error(std::string("lifecycle: step without a descriptor: ") +
                                       to_string(static_cast<step_kind>(i)));
        return t;
    }();
    return table;
}

}  // namespace sala::detail
