#pragma once
// "Make room" (R10, R11): for a request waiting in the unassigned queue, the
// smallest set of moves of other webinars to other active rooms after which a
// room is free over the request's blocked interval, explained in words, with
// the cost of each move (R11: reassignment is delete + create on the backend,
// so join and panelist links change). Only webinars that have not started and
// that the caller does not lock (credentials sent, R12) may move.

#include <cstddef>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "sala/platform.hpp"

namespace sala {

struct room_move {
    request_id request;
    std::string title;
    room_id from;
    room_id to;
    interval blocked;
    std::size_t panelists = 0;  // panelists to re-invite
    std::string cost;           // in words
};

struct make_room_plan {
    request_id request;            // the queued request
    room_id room;                  // the room it gets once the moves are done
    std::vector<room_move> moves;  // in the order they must run
    std::string explanation;       // "move 'Taller 1' from room 3 to room 4, then ..."
};

struct make_room_options {
    // Most moves to consider (the search grows fast with it).
    std::size_t max_moves = 3;
    // True for a webinar that must stay where it is (e.g. its credentials were
    // sent). Webinars that have started never move, whatever this says.
    std::function<bool(request_id)> locked{};
};

// True once the webinar's credentials window has opened (its start minus the
// credentials lead has passed, R12): the organizer may already hold the room's
// details, so make-room should not move it. What `locked` usually says.
bool credentials_window_open(const platform& p, request_id id);

// The plan with the fewest moves (then the fewest panelists to re-invite, then
// the lowest room), or nullopt when no plan within max_moves exists. A plan
// with no moves means an active room (a manual one, say) is already free.
// Throws sala::rule_violation("R10") when the request is not in the queue.
std::optional<make_room_plan> find_make_room(const platform& p, request_id id,
                                             const make_room_options& o = {});

// Applies a plan as the usual commands: platform::reassign for each move, then
// platform::assign. All or nothing: when a step is refused or throws, the moves
// already made are reassigned back, in reverse order, and the result says why
// (the refused assignment, or the exception rethrown after the undo).
assignment apply_make_room(platform& p, const make_room_plan& plan);

}  // namespace sala
