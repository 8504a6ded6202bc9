// Datetime, zone and minutes conversion between Python and sala (see docs/python.md).
#include <date/date.h>

#include <algorithm>
#include <climits>

#include "args.hpp"

namespace sala::python {

namespace {

py::object& cached(const char* module, const char* attr) {
    // Leaked on purpose: freeing Python objects after interpreter shutdown crashes.
    return *new py::object(py::module_::import(module).attr(attr));
}

}  // namespace

std::string type_name(py::handle v) {
    return py::str(py::type::handle_of(v).attr("__qualname__")).cast<std::string>();
}

std::string str_arg(py::handle value, const std::string& field) {
    if (!PyUnicode_Check(value.ptr()))
        throw wrong_type(field, "must be a str, got " + type_name(value));
    Py_ssize_t size = 0;
    const char* data = PyUnicode_AsUTF8AndSize(value.ptr(), &size);
    if (!data) {
        PyErr_Clear();
        throw invalid_argument(field, "is not valid text: it contains a lone surrogate");
    }
    return {data, static_cast<std::size_t>(size)};
}

py::handle utc() {
    static py::object& o = *new py::object(cached("datetime", "timezone").attr("utc"));
    return o;
}
py::handle datetime_type() {
    static py::object& o = cached("datetime", "datetime");
    return o;
}
py::handle timedelta_type() {
    static py::object& o = cached("datetime", "timedelta");
    return o;
}

py::object zone_info(const std::string& zone) {
    static py::object& cls = cached("zoneinfo", "ZoneInfo");
    check_zone(zone);
    return cls(zone);
}

py::object to_py(instant t) {
    const auto day = std::chrono::floor<date::days>(t);
    const date::year_month_day ymd{day};
    const auto hm = t - day;
    const int y = static_cast<int>(ymd.year());
    if (y < 1 || y > 9999)
        throw invalid_argument("datetime", "instant outside the years 1-9999 Python can show");
    return datetime_type()(y, static_cast<unsigned>(ymd.month()), static_cast<unsigned>(ymd.day()),
                           hm.count() / 60, hm.count() % 60, 0, 0, utc());
}

py::object to_py_in(instant t, const std::string& zone) {
    return to_py(t).attr("astimezone")(zone_info(zone));
}

instant instant_arg(py::handle value, const std::string& field, bool floor) {
    if (!py::isinstance(value, datetime_type()))
        throw invalid_argument(
            field, "expected a timezone-aware datetime.datetime, got " + type_name(value));
    if (value.attr("utcoffset")().is_none())
        throw invalid_argument(field, "naive datetime " + py::str(value).cast<std::string>() +
                                          " has no time zone; sala never guesses local time: pass "
                                          "tzinfo=datetime.timezone.utc or a zoneinfo.ZoneInfo");
    if (!floor &&
        (value.attr("second").cast<int>() != 0 || value.attr("microsecond").cast<int>() != 0))
        throw invalid_argument(field, py::str(value).cast<std::string>() +
                                          " has seconds; sala works in whole minutes");
    py::object u = value.attr("astimezone")(utc());
    return make_utc(u.attr("year").cast<int>(), u.attr("month").cast<unsigned>(),
                    u.attr("day").cast<unsigned>(), u.attr("hour").cast<unsigned>(),
                    u.attr("minute").cast<unsigned>());
}

std::optional<instant> optional_instant_arg(py::handle value, const std::string& field) {
    if (value.is_none()) return std::nullopt;
    return instant_arg(value, field);
}

py::object to_py(minutes m) { return timedelta_type()(py::arg("minutes") = m.count()); }

minutes minutes_arg(py::handle value, const std::string& field) {
    if (PyBool_Check(value.ptr()))
        throw wrong_type(field, "expected minutes (int) or datetime.timedelta, got bool");
    if (PyLong_Check(value.ptr())) {
        int overflow = 0;
        const long long v = PyLong_AsLongLongAndOverflow(value.ptr(), &overflow);
        if (overflow != 0 || v < -(1LL << 40) || v > (1LL << 40))
            throw invalid_argument(field, "must be between -2**40 and 2**40 minutes, got " +
                                              py::str(value).cast<std::string>());
        return minutes{v};
    }
    if (py::isinstance(value, timedelta_type())) {
        const long long days = value.attr("days").cast<long long>();
        const long long secs = value.attr("seconds").cast<long long>();
        const long long us = value.attr("microseconds").cast<long long>();
        if (secs % 60 != 0 || us != 0)
            throw invalid_argument(
                field, py::str(value).cast<std::string>() + " is not a whole number of minutes");
        if (days < -(1LL << 30) || days > (1LL << 30))
            throw invalid_argument(field, "must be between -2**30 and 2**30 days, got " +
                                              py::str(value).cast<std::string>());
        return minutes{days * 1440 + secs / 60};
    }
    throw wrong_type(field,
                     "expected minutes (int) or datetime.timedelta, got " + type_name(value));
}

std::string zone_arg(py::handle value, const std::string& field) {
    std::string zone;
    if (py::isinstance<py::str>(value)) {
        zone = value.cast<std::string>();
    } else if (value.is(utc())) {
        zone = "UTC";
    } else if (py::hasattr(value, "key") && py::isinstance<py::str>(value.attr("key"))) {
        zone = value.attr("key").cast<std::string>();  // zoneinfo.ZoneInfo
    } else {
        throw invalid_argument(
            field, "expected an IANA zone name or zoneinfo.ZoneInfo, got " + type_name(value));
    }
    try {
        check_zone(zone);
    } catch (const invalid_argument& e) {
        // Same reason, but under the caller's field name.
        const std::string what = e.what();
        throw invalid_argument(field, what.substr(what.find(": ") + 2));
    }
    return zone;
}

local_start start_arg(py::handle start, py::handle zone, std::optional<choose> how) {
    if (!py::isinstance(start, datetime_type()))
        throw invalid_argument("start", "expected a datetime.datetime, got " + type_name(start));
    if (start.attr("second").cast<int>() != 0 || start.attr("microsecond").cast<int>() != 0)
        throw invalid_argument("start", py::str(start).cast<std::string>() +
                                            " has seconds; sala works in whole minutes");
    local_start out;
    out.resolve = how;
    const py::object tz = start.attr("tzinfo");
    const bool naive = start.attr("utcoffset")().is_none();
    const bool zoned = !naive && py::hasattr(tz, "key") && py::isinstance<py::str>(tz.attr("key"));
    py::object wall = py::reinterpret_borrow<py::object>(start);
    if (naive) {
        // Wall-clock time in a named zone: the only place a naive datetime is accepted.
        if (zone.is_none())
            throw invalid_argument("start", "naive datetime " + py::str(start).cast<std::string>() +
                                                " needs zone= (the event's IANA zone); sala never "
                                                "reads it as this machine's local time");
        out.zone = zone_arg(zone, "zone");
    } else if (zoned) {
        // A zoneinfo datetime is wall-clock time + zone. Its fold is not read:
        // Python sets fold=0 by default, which would silently pick the earlier
        // of two times (R8 wants the caller to say so with choose=).
        out.zone = zone_arg(tz, "start");
        if (!zone.is_none() && zone_arg(zone, "zone") != out.zone)
            throw invalid_argument("zone", "'" + zone_arg(zone, "zone") +
                                               "' disagrees with start's tzinfo '" + out.zone +
                                               "'");
    } else {
        // An exact instant (UTC or a fixed offset): read it in the event's zone.
        if (zone.is_none()) {
            if (!tz.is(utc()))
                throw invalid_argument("zone",
                                       "start has a fixed UTC offset but no IANA zone; pass "
                                       "zone= (the event's zone) or a zoneinfo.ZoneInfo start");
            out.zone = "UTC";
        } else {
            out.zone = zone_arg(zone, "zone");
        }
        try {
            wall = start.attr("astimezone")(zone_info(out.zone));
        } catch (py::error_already_set& e) {
            if (!e.matches(PyExc_OverflowError)) throw;
            throw invalid_argument("start", py::str(start).cast<std::string>() + " in " + out.zone +
                                                " falls outside years 1 to 9999");
        }
        // The instant is exact: in a DST overlap its fold says which of the two it is.
        if (!how) out.resolve = wall.attr("fold").cast<int>() ? choose::latest : choose::earliest;
    }
    out.wall = make_local(wall.attr("year").cast<int>(), wall.attr("month").cast<unsigned>(),
                          wall.attr("day").cast<unsigned>(), wall.attr("hour").cast<unsigned>(),
                          wall.attr("minute").cast<unsigned>());
    return out;
}

py::object wall_to_py(local_minutes wall, const std::string& zone) {
    const auto day = std::chrono::floor<date::days>(wall);
    const date::year_month_day ymd{day};
    const auto hm = wall - day;
    return datetime_type()(static_cast<int>(ymd.year()), static_cast<unsigned>(ymd.month()),
                           static_cast<unsigned>(ymd.day()), hm.count() / 60, hm.count() % 60, 0, 0,
                           zone_info(zone));
}

std::recursive_mutex& call_mutex() {
    static std::recursive_mutex m;
    return m;
}

std::shared_ptr<py::object> hold_callable(py::object f) {
    return std::shared_ptr<py::object>(new py::object(std::move(f)), [](py::object* p) {
        if (!Py_IsInitialized()) return;
        py::gil_scoped_acquire gil;
        delete p;
    });
}

void rethrow_as_backend_error(const std::string& where) {
    try {
        throw;
    } catch (py::error_already_set& e) {
        if (!e.matches(PyExc_Exception))
            throw;  // KeyboardInterrupt, SystemExit: not a backend failure
        bool retryable = true;
        int retry_after = 0;
        const py::module_ sala_mod = py::module_::import("sala._sala");
        if (e.matches(sala_mod.attr("BackendError"))) {
            retryable = py::bool_(e.value().attr("retryable"));
            // Any Python int: clamped here, capped again by the lifecycle.
            const py::object ra = e.value().attr("retry_after_seconds");
            if (PyLong_Check(ra.ptr())) {
                int overflow = 0;
                const long long v = PyLong_AsLongLongAndOverflow(ra.ptr(), &overflow);
                retry_after = overflow > 0 ? INT_MAX
                              : overflow < 0 || v < 0
                                  ? 0
                                  : static_cast<int>(std::min<long long>(v, INT_MAX));
            }
        } else if (e.matches(sala_mod.attr("ReentrantCommandError"))) {
            retryable = false;  // a bug in the port: trying again does the same
        }
        const std::string kind = py::str(e.type().attr("__name__")).cast<std::string>();
        const std::string msg = py::str(e.value()).cast<std::string>();
        throw backend_error(where + " raised " + kind + ": " + msg, retryable, retry_after);
    } catch (const sala::backend_error&) {
        throw;
    } catch (const std::exception& e) {
        // Wrong return type and the like: a bug in the Python port, not worth retrying.
        throw backend_error(where + " failed: " + e.what(), false);
    }
}

}  // namespace sala::python
