// sala/lifecycle/lifecycle.hpp: the life of a webinar on the backend (R10-R16, R19, R20),
// driven by tick(now); its ports may be Python classes.
#include "args.hpp"
#include "lifecycle_surface.hpp"
#include "sala/lifecycle/lifecycle.hpp"

namespace sala::python {

namespace {

// A Python callable used as a C++ callback that must not throw Python errors
// into C++: failures become backend_error (the lifecycle retries the step).
template <class R, class... Args>
std::function<R(Args...)> port_callback(py::object f, const char* where) {
    auto held = hold_callable(std::move(f));
    return [held, where](Args... args) -> R {
        return call_port(where, [&]() -> R {
            if constexpr (std::is_void_v<R>)
                (*held)(std::decay_t<Args>(args)...);
            else
                return (*held)(std::decay_t<Args>(args)...).template cast<R>();
        });
    };
}

template <class T, class C>
void minutes_prop(C& c, const char* name, minutes T::*field, const char* doc) {
    c.def_property(
        name, [field](const T& x) { return x.*field; },
        [field, name](T& x, py::object v) { x.*field = minutes_arg(v, name); }, doc);
}

}  // namespace

void bind_lifecycle(py::module_& m) {
    make_enum<step_kind>(m, "StepKind",
                         "The lifecycle's steps, in the order they run at the same moment.",
                         enum_members<step_kind>());
    make_enum<step_outcome>(m, "StepOutcome", "DONE, FAILED (retried later) or WAITING (polling).",
                            enum_members<step_outcome>());

    py::class_<effect> ef(m, "Effect", "One external effect (a mail, a backend call), immutable.");
    ef.def_readonly("kind", &effect::kind, "'mail', 'create_webinar', ...");
    ef.def_readonly("idempotency_key", &effect::idempotency_key,
                    "Stable key ('credentials/42/1').");
    ef.def_readonly("payload", &effect::payload, "JSON text.");
    ef.def_readonly("request", &effect::request, "RequestId or None.");
    value_methods(ef, {"kind", "idempotency_key", "request"},
                  std::vector<std::string>{"kind", "idempotency_key", "payload", "request"});

    py::class_<step_record> sr(m, "StepRecord", "Progress of one step (immutable snapshot).");
    sr.def_readonly("done", &step_record::done, "Finished.");
    sr.def_readonly("attempts", &step_record::attempts, "Every try.");
    sr.def_readonly("failures", &step_record::failures, "Consecutive failed tries.");
    sr.def_property_readonly(
        "next_attempt", [](const step_record& s) { return time_or_none(s.next_attempt); },
        "Not before (aware UTC), after a failure; None when the step need not wait.");
    sr.def_readonly("last_error", &step_record::last_error, "Last failure's message.");
    sr.def_readonly("surfaced", &step_record::surfaced, "Reported to the admin.");
    sr.def_readonly("done_at", &step_record::done_at, "Aware UTC or None.");
    sr.def_readonly("progress", &step_record::progress, "Items already handled (set of str).");
    value_methods(sr, {"done", "attempts", "failures", "last_error"}, std::nullopt);

    py::class_<backend_webinar> bw(m, "BackendWebinar",
                                   "A webinar as it exists on the backend (immutable).");
    bw.def_readonly("room", &backend_webinar::room, "RoomId.");
    bw.def_readonly("host_user_id", &backend_webinar::host_user_id, "Room user.");
    bw.def_readonly("room_email", &backend_webinar::room_email, "Room e-mail.");
    bw.def_readonly("handle", &backend_webinar::handle, "WebinarHandle.");
    bw.def_readonly("passcode", &backend_webinar::passcode, "Webinar passcode.");
    bw.def_readonly("generation", &backend_webinar::generation,
                    "1 for the first create, +1 per reassignment.");
    bw.def_readonly("password_given", &backend_webinar::password_given,
                    "A credentials password was set.");
    value_methods(bw, {"room", "host_user_id", "handle", "generation"}, std::nullopt);

    py::class_<webinar_record> wr(m, "WebinarRecord",
                                  "What the lifecycle remembers about one request (immutable).");
    wr.def_readonly("request", &webinar_record::request, "RequestId.");
    wr.def_readonly("title", &webinar_record::title, "Title.");
    wr.def_readonly("webinar", &webinar_record::webinar, "BackendWebinar or None.");
    wr.def_readonly("replaced", &webinar_record::replaced, "R11: old ones still to delete.");
    wr.def_readonly("generation", &webinar_record::generation, "Creates so far.");
    wr.def_readonly("previous_room_email", &webinar_record::previous_room_email, "R11.");
    wr.def_readonly("credentials_requested", &webinar_record::credentials_requested,
                    "R13: aware UTC or None.");
    wr.def_readonly("steps", &webinar_record::steps, "dict StepKind -> StepRecord.");
    wr.def_readonly("report", &webinar_record::report, "R15: list of Participant.");
    wr.def_readonly("recordings", &webinar_record::recordings, "R19: list of RecordingFile.");
    wr.def_readonly("recording_stuck", &webinar_record::recording_stuck, "R19.");
    wr.def_readonly("started_at", &webinar_record::started_at,
                    "When Zoom said it started (webinar.started), or None.");
    value_methods(wr, {"request", "title", "webinar", "generation"}, std::nullopt);

    py::class_<admin_notice> an(m, "AdminNotice", "An admin notice, sent or waiting (immutable).");
    an.def_readonly("message", &admin_notice::message, "MailMessage.");
    an.def_readonly("queued", &admin_notice::queued, "Aware UTC.");
    an.def_readonly("step", &admin_notice::step, "StepRecord.");
    value_methods(an, {"message", "queued"}, std::nullopt);

    py::class_<lifecycle_state> ls(m, "LifecycleState",
                                   "The lifecycle's persistent state (a copy).");
    ls.def(py::init<>(), "Empty.");
    ls.def_readonly("webinars", &lifecycle_state::webinars, "dict RequestId -> WebinarRecord.");
    ls.def_readonly("room_settings", &lifecycle_state::room_settings,
                    "dict RoomId -> StepRecord (R20).");
    ls.def_readonly("admin_notices", &lifecycle_state::admin_notices, "list of AdminNotice.");
    value_methods(ls, {"webinars", "admin_notices"}, std::nullopt);

    py::class_<lifecycle_options> lo(
        m, "LifecycleOptions",
        "How the lifecycle behaves (mutable). Durations: int minutes or timedelta.");
    lo.def(py::init<>(),
           "Defaults: Spanish, 3 failures before the admin hears, backoff 1..60 min, recordings "
           "trashed.");
    def_field(lo, "language", &lifecycle_options::language, "Language of the messages.");
    def_field(lo, "platform_name", &lifecycle_options::platform_name, "Shown in messages.");
    def_field(lo, "sender", &lifecycle_options::from,
              "MailAddress messages come from (C++ ``from``).");
    def_field(lo, "admin", &lifecycle_options::admin, "MailAddress of the admin.");
    def_field(lo, "failure_threshold", &lifecycle_options::failure_threshold,
              "Consecutive failures before the admin hears of it.");
    minutes_prop<lifecycle_options>(lo, "backoff_base", &lifecycle_options::backoff_base,
                                    "1, 2, 4, ... times this.");
    minutes_prop<lifecycle_options>(lo, "backoff_max", &lifecycle_options::backoff_max,
                                    "Backoff cap.");
    def_field(lo, "keep_recordings", &lifecycle_options::keep_recordings,
              "R19: else trashed after download.");
    def_field(lo, "recordings_dir", &lifecycle_options::recordings_dir, "R19: '' lists only.");
    def_field(lo, "reports_dir", &lifecycle_options::reports_dir,
              "R15: '' keeps reports in memory only.");
    minutes_prop<lifecycle_options>(lo, "recordings_poll", &lifecycle_options::recordings_poll,
                                    "R19 polling period.");
    minutes_prop<lifecycle_options>(lo, "recording_stuck_after",
                                    &lifecycle_options::recording_stuck_after,
                                    "R19: 6 h by default, from the end.");
    minutes_prop<lifecycle_options>(lo, "recordings_give_up_after",
                                    &lifecycle_options::recordings_give_up_after,
                                    "R19: stop polling after this.");
    def_field(lo, "room_settings", &lifecycle_options::room_settings,
              "R20: RoomSettings to apply.");
    lo.def_property(
        "attendees", [](const lifecycle_options& o) { return static_cast<bool>(o.attendees); },
        [](lifecycle_options& o, py::object f) {
            if (f.is_none()) {
                o.attendees = nullptr;
                return;
            }
            o.attendees =
                port_callback<std::vector<mail_address>, const request&>(std::move(f), "attendees");
        },
        "Set a callable(Request) -> list[MailAddress] of registered attendees (R12); reads back as "
        "whether "
        "one is set. Exceptions it raises count as a retryable BackendError.");
    def_field(lo, "retention", &lifecycle_options::retention,
              "DurableLifecycle: finished webinars with nothing left to do leave memory as "
              "history this long after their grace end (timedelta or minutes; 0 = never).");
    // Several processes on one store (docs/lifecycle.md, "Several processes").
    lo.def_property(
        "credentials_key", [](const lifecycle_options& o) { return !o.credentials_key.empty(); },
        [](lifecycle_options& o, std::string key) { o.credentials_key = std::move(key); },
        "Set 64 hex digits (AES-256-GCM key) sealing the credentials password in the store; "
        "reads back as whether one is set (the key is never echoed). Checked when a Lifecycle "
        "is built.");
    const auto millis_prop =
        [&lo](const char* name, std::chrono::milliseconds lifecycle_options::*f, const char* doc) {
            lo.def_property(
                name,
                [f](const lifecycle_options& o) {
                    return py::module_::import("datetime")
                        .attr("timedelta")(py::arg("milliseconds") = (o.*f).count());
                },
                [f, name](lifecycle_options& o, py::object v) {
                    double seconds = 0;
                    if (py::isinstance(v, py::module_::import("datetime").attr("timedelta")))
                        seconds = v.attr("total_seconds")().cast<double>();
                    else if (!py::isinstance<py::bool_>(v) &&
                             (py::isinstance<py::float_>(v) || py::isinstance<py::int_>(v)))
                        seconds = v.cast<double>();
                    else
                        throw invalid_argument(name, "must be a timedelta or a number of seconds");
                    o.*f = std::chrono::milliseconds(static_cast<long long>(seconds * 1000.0));
                },
                doc);
        };
    millis_prop("claim_ttl", &lifecycle_options::claim_ttl,
                "timedelta (set: timedelta or seconds): how long a step's claim holds before "
                "another process may take it over. Default 5 minutes.");
    millis_prop("ticker_lease", &lifecycle_options::ticker_lease,
                "timedelta (set: timedelta or seconds): 0 = every process ticks; positive = only "
                "the holder of the store's ticker lease runs steps, taken over after this long.");
    def_field(lo, "holder", &lifecycle_options::holder,
              "This process's name in leases ('' = 'sala-' and 16 random hex digits).");
    lo.attr("__hash__") = py::none();

    py::class_<webinar_credentials> wc(m, "WebinarCredentials",
                                       "What the organizer's view shows (R12), immutable.");
    wc.def_readonly("start_url", &webinar_credentials::start_url, "Host start URL.");
    wc.def_readonly("join_url", &webinar_credentials::join_url, "Attendee join URL.");
    wc.def_readonly("user_name", &webinar_credentials::user_name, "The room's e-mail.");
    wc.def_readonly("password", &webinar_credentials::password, "Valid for this webinar only.");
    wc.def_property_readonly(
        "valid_until", [](const webinar_credentials& c) { return time_or_none(c.valid_until); },
        "Grace end (aware UTC), then rotated (R15); None once the request is gone.");
    wc.def("__repr__", [](const webinar_credentials& c) {
        return "WebinarCredentials(user_name='" + c.user_name + "', join_url='" + c.join_url +
               "', password=<hidden>)";
    });

    py::class_<attendance_report> ar(m, "AttendanceReport",
                                     "R15: the attendance report (immutable).");
    ar.def_readonly("request", &attendance_report::request, "RequestId.");
    ar.def_readonly("title", &attendance_report::title, "Title.");
    ar.def_readonly("sessions", &attendance_report::sessions,
                    "list of Participant, one per join/leave.");
    ar.def("people", &attendance_report::people,
           "Distinct people (by e-mail, or name without one).");
    ar.def(
        "csv",
        [](const attendance_report& r, py::object zone) {
            return r.csv(zone.is_none() ? std::string() : zone_arg(zone, "zone"));
        },
        py::arg("zone") = py::none(), "CSV text; times in ``zone`` (name or ZoneInfo) or UTC.");

    py::class_<about_to_start_entry> ab(m, "AboutToStartEntry",
                                        "R13: a webinar inside its credentials window.");
    ab.def_readonly("request", &about_to_start_entry::request, "RequestId.");
    ab.def_readonly("title", &about_to_start_entry::title, "Title.");
    ab.def_readonly("room", &about_to_start_entry::room, "RoomId.");
    ab.def_readonly("start", &about_to_start_entry::start, "Aware UTC.");
    ab.def_readonly("credentials_due", &about_to_start_entry::credentials_due, "Aware UTC.");
    ab.def_readonly("status", &about_to_start_entry::status, "'pending' or the last error.");
    ab.def("__repr__", [](py::handle self) {
        return "AboutToStartEntry(request=" + py::repr(self.attr("request")).cast<std::string>() +
               ", title=" + py::repr(self.attr("title")).cast<std::string>() + ")";
    });

    py::class_<problem> pr(m, "Problem", "Something an admin should look at.");
    pr.def_readonly("request", &problem::request, "RequestId or None.");
    pr.def_readonly("room", &problem::room, "RoomId or None.");
    pr.def_readonly("step", &problem::step, "StepKind.");
    pr.def_readonly("title", &problem::title, "Title.");
    pr.def_readonly("failures", &problem::failures, "Consecutive failures.");
    pr.def_readonly("last_error", &problem::last_error, "Last error.");
    pr.def_readonly("next_attempt", &problem::next_attempt, "Aware UTC.");
    pr.def("__repr__", [](py::handle self) {
        return "Problem(step=" + py::repr(self.attr("step")).cast<std::string>() +
               ", failures=" + py::repr(self.attr("failures")).cast<std::string>() +
               ", last_error=" + py::repr(self.attr("last_error")).cast<std::string>() + ")";
    });

    py::class_<step_event> se(m, "StepEvent", "One attempt at one step, for timelines and logs.");
    se.def_readonly("at", &step_event::at, "The tick's now (aware UTC).");
    se.def_property_readonly(
        "due", [](const step_event& e) { return time_or_none(e.due); },
        "The step's moment (aware UTC), or None for a step that runs as soon as possible "
        "(placement, deletes, room settings).");
    se.def_readonly("step", &step_event::step, "StepKind.");
    se.def_readonly("outcome", &step_event::outcome, "StepOutcome.");
    se.def_readonly("request", &step_event::request, "RequestId or None.");
    se.def_readonly("room", &step_event::room, "RoomId or None.");
    se.def_readonly("title", &step_event::title, "Title.");
    se.def_readonly("zone", &step_event::zone, "The event's zone, when known.");
    se.def_readonly("detail", &step_event::detail, "What happened.");
    se.def("__repr__", [](py::handle self) {
        return "StepEvent(step=" + py::repr(self.attr("step")).cast<std::string>() +
               ", outcome=" + py::repr(self.attr("outcome")).cast<std::string>() +
               ", detail=" + py::repr(self.attr("detail")).cast<std::string>() + ")";
    });

    py::class_<bound_lifecycle> l(
        m, "Lifecycle",
        "Drives each webinar's life (R10-R16, R19, R20) from the platform's state: tick(now) "
        "runs every due step once, in moment order, catching up after an outage (R16). The "
        "conferencing and mailer may be Python classes; their exceptions are retried like any "
        "backend failure. Keeps the platform and ports alive.");
    l.def(py::init([](py::object po, py::object co, py::object mo, py::object oo, py::object so) {
              if (py::isinstance<durable_platform>(po))
                  throw wrong_type("platform",
                                   "is a DurablePlatform: use DurableLifecycle, which saves the "
                                   "steps in the platform's store");
              auto& p = held_arg<platform&>(po, "platform");
              auto ports = lifecycle_ports_arg(co, mo, oo);
              auto st = arg_as<std::optional<lifecycle_state>>(so, "state");
              return unlocked([&] {
                  auto life = std::make_unique<lifecycle>(p, ports.conf, ports.mail,
                                                          std::move(ports.options),
                                                          st.value_or(lifecycle_state{}));
                  return std::make_unique<bound_lifecycle>(bound_lifecycle{p, std::move(life)});
              });
          }),
          py::arg("platform"), py::arg("conferencing"), py::arg("mailer"),
          py::arg("options") = py::none(), py::arg("state") = py::none(), py::keep_alive<1, 2>(),
          py::keep_alive<1, 3>(), py::keep_alive<1, 4>(),
          "Subscribes to ``platform``; ``state`` restores a saved LifecycleState.");
    bind_lifecycle_surface(l);
}

}  // namespace sala::python
