// sala/settings.hpp: platform-wide settings (R7, R8, R12, R14) and the blocked window (R7).
#include "args.hpp"

namespace sala::python {

namespace {

template <class C>
void minutes_field(C& c, const char* name, minutes settings::*field, const char* doc) {
    c.def_property(
        name, [field](const settings& s) { return s.*field; },
        [field, name](settings& s, py::object v) { s.*field = minutes_arg(v, name); }, doc);
}

}  // namespace

void bind_settings(py::module_& m) {
    py::class_<settings> c(
        m, "Settings",
        "Platform-wide settings (mutable). Durations read back as datetime.timedelta "
        "and accept int minutes or a whole-minute timedelta. Checked by validate() and "
        "by Platform (InvalidSettingsError naming the field).");
    const settings d;
    c.def(py::init([](py::object min_days, py::object max_days, py::object min_dur,
                      py::object max_dur, py::object prep, py::object courtesy, py::object post,
                      py::object cred, py::object warn) {
              settings s;
              s.min_days_in_advance = arg_as<int>(min_days, "min_days_in_advance");
              s.max_days_in_advance = arg_as<int>(max_days, "max_days_in_advance");
              s.min_duration = minutes_arg(min_dur, "min_duration");
              s.max_duration = minutes_arg(max_dur, "max_duration");
              s.preparation = minutes_arg(prep, "preparation");
              s.courtesy = minutes_arg(courtesy, "courtesy");
              s.post_processing = minutes_arg(post, "post_processing");
              s.credentials_lead = minutes_arg(cred, "credentials_lead");
              s.end_warning_lead = minutes_arg(warn, "end_warning_lead");
              return s;
          }),
          py::kw_only(), py::arg("min_days_in_advance") = d.min_days_in_advance,
          py::arg("max_days_in_advance") = d.max_days_in_advance,
          py::arg("min_duration") = d.min_duration.count(),
          py::arg("max_duration") = d.max_duration.count(),
          py::arg("preparation") = d.preparation.count(), py::arg("courtesy") = d.courtesy.count(),
          py::arg("post_processing") = d.post_processing.count(),
          py::arg("credentials_lead") = d.credentials_lead.count(),
          py::arg("end_warning_lead") = d.end_warning_lead.count(),
          "Keyword-only; defaults are the library's (prep 30, courtesy 15, post 6 min ...).");
    def_field(c, "min_days_in_advance", &settings::min_days_in_advance,
              "R8: requests start at least this many calendar days from now (event's zone).");
    def_field(c, "max_days_in_advance", &settings::max_days_in_advance,
              "R8: and at most this many days ahead.");
    minutes_field(c, "min_duration", &settings::min_duration, "R8: shortest webinar.");
    minutes_field(c, "max_duration", &settings::max_duration, "R8: longest webinar.");
    minutes_field(c, "preparation", &settings::preparation, "R7: blocked before the start.");
    minutes_field(c, "courtesy", &settings::courtesy, "R7/R15: the webinar may overrun this long.");
    minutes_field(c, "post_processing", &settings::post_processing,
                  "R7/R15: blocked after the courtesy time.");
    minutes_field(c, "credentials_lead", &settings::credentials_lead,
                  "R12: credentials this long before the start.");
    minutes_field(c, "end_warning_lead", &settings::end_warning_lead,
                  "R14: end warning this long before the end.");
    c.def("validate", &settings::validate,
          "Raises InvalidSettingsError naming the first bad field.");
    c.def(
        "copy", [](const settings& s) { return s; }, "A copy.");
    c.def("__copy__", [](const settings& s) { return s; });
    c.def("__deepcopy__", [](const settings& s, py::handle) { return s; });
    value_methods(
        c,
        {"min_days_in_advance", "max_days_in_advance", "min_duration", "max_duration",
         "preparation", "courtesy", "post_processing", "credentials_lead", "end_warning_lead"},
        std::nullopt);

    py::class_<blocked_window> w(
        m, "BlockedWindow",
        "What a webinar occupies (R7), immutable; every instant an aware UTC datetime.");
    w.def_readonly("blocked", &blocked_window::blocked,
                   "[start - preparation, end + courtesy + post_processing).");
    w.def_readonly("start", &blocked_window::start, "Webinar start (aware UTC).");
    w.def_readonly("end", &blocked_window::end, "start + duration (aware UTC).");
    w.def_readonly("grace_end", &blocked_window::grace_end,
                   "end + courtesy: the platform ends it here (R15).");
    value_methods(w, {"blocked", "start", "end", "grace_end"},
                  std::vector<std::string>{"blocked", "start", "end", "grace_end"});

    m.def(
        "make_blocked_window",
        [](const settings& s, py::object start, py::object duration) {
            return make_blocked_window(s, instant_arg(start, "start"),
                                       minutes_arg(duration, "duration"));
        },
        py::arg("settings"), py::arg("start"), py::arg("duration"),
        "R7: the blocked window of a webinar starting at aware ``start`` lasting ``duration`` "
        "(int minutes or timedelta).");
}

}  // namespace sala::python
