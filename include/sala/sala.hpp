#pragma once
// Everything in the core, for hosts that want one include.

#include "sala/error.hpp"
#include "sala/ids.hpp"
#include "sala/interval.hpp"
#include "sala/platform.hpp"
#include "sala/policy.hpp"
#include "sala/ports/clock.hpp"
#include "sala/request.hpp"
#include "sala/room.hpp"
#include "sala/schedule.hpp"
#include "sala/settings.hpp"
#include "sala/time.hpp"
