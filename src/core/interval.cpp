#include "sala/interval.hpp"

#include "sala/error.hpp"

namespace sala {

interval make_interval(instant begin, instant end, const char* field) {
    if (end < begin)
        throw invalid_argument(field, "ends (" + format_utc(end) + " UTC) before it begins (" +
                                          format_utc(begin) + " UTC)");
    return interval{begin, end};
}

}  // namespace sala
