// sala/ports/conferencing.hpp: the video-conferencing backend port (Zoom API v2).
// Python classes may implement Conferencing.
#include "args.hpp"
#include "sala/ports/conferencing.hpp"

namespace sala::python {

namespace {

// Struct arguments are passed to Python as copies, never references.
class py_conferencing : public conferencing {
  public:
    std::vector<account_user> list_users() override {
        return call_port("Conferencing.list_users", [&] {
            PYBIND11_OVERRIDE_PURE(std::vector<account_user>, conferencing, list_users, );
        });
    }
    webinar_handle create_webinar(const webinar_spec& spec) override {
        return call_port("Conferencing.create_webinar", [&] {
            webinar_spec copy = spec;
            PYBIND11_OVERRIDE_PURE(webinar_handle, conferencing, create_webinar, copy);
        });
    }
    void delete_webinar(const std::string& id) override {
        call_port("Conferencing.delete_webinar",
                  [&] { PYBIND11_OVERRIDE_PURE(void, conferencing, delete_webinar, id); });
    }
    void end_webinar(const std::string& id) override {
        call_port("Conferencing.end_webinar",
                  [&] { PYBIND11_OVERRIDE_PURE(void, conferencing, end_webinar, id); });
    }
    void set_user_password(const std::string& user_id, const std::string& password) override {
        call_port("Conferencing.set_user_password", [&] {
            PYBIND11_OVERRIDE_PURE(void, conferencing, set_user_password, user_id, password);
        });
    }
    std::vector<participant> participants_report(const std::string& id) override {
        return call_port("Conferencing.participants_report", [&] {
            PYBIND11_OVERRIDE_PURE(std::vector<participant>, conferencing, participants_report, id);
        });
    }
    std::vector<recording_file> list_recordings(const std::string& id) override {
        return call_port("Conferencing.list_recordings", [&] {
            PYBIND11_OVERRIDE_PURE(std::vector<recording_file>, conferencing, list_recordings, id);
        });
    }
    void download_recording(const recording_file& file,
                            const std::string& destination_path) override {
        call_port("Conferencing.download_recording", [&] {
            recording_file copy = file;
            PYBIND11_OVERRIDE_PURE(void, conferencing, download_recording, copy, destination_path);
        });
    }
    void trash_recordings(const std::string& id) override {
        call_port("Conferencing.trash_recordings",
                  [&] { PYBIND11_OVERRIDE_PURE(void, conferencing, trash_recordings, id); });
    }
    void apply_room_settings(const std::string& user_id, const room_settings& s) override {
        call_port("Conferencing.apply_room_settings", [&] {
            room_settings copy = s;
            PYBIND11_OVERRIDE_PURE(void, conferencing, apply_room_settings, user_id, copy);
        });
    }
};

template <class T, class C>
void instant_field(C& c, const char* name, instant T::*field, const char* doc) {
    c.def_property(
        name, [field](const T& x) { return x.*field; },
        [field, name](T& x, py::object v) { x.*field = instant_arg(v, name, /*floor=*/true); },
        doc);
}

}  // namespace

void bind_conferencing(py::module_& m) {
    py::class_<webinar_spec> ws(m, "WebinarSpec",
                                "What sala asks the backend to create (mutable value).");
    ws.def(py::init<>(), "An empty spec.");
    def_field(ws, "host_user_id", &webinar_spec::host_user_id, "The room's backend user.");
    def_field(ws, "topic", &webinar_spec::topic, "Title.");
    instant_field<webinar_spec>(ws, "start", &webinar_spec::start, "Aware UTC datetime.");
    ws.def_property(
        "duration", [](const webinar_spec& s) { return s.duration; },
        [](webinar_spec& s, py::object v) { s.duration = minutes_arg(v, "duration"); },
        "timedelta.");
    def_field(ws, "zone", &webinar_spec::zone, "IANA zone shown to attendees.");
    def_field(ws, "admission", &webinar_spec::admission, "Admission.");
    def_field(ws, "passcode", &webinar_spec::passcode, "Webinar passcode (docs/zoom.md §3).");
    def_field(ws, "agenda", &webinar_spec::agenda, "Agenda text.");
    value_methods(ws, {"host_user_id", "topic", "start", "duration", "zone", "admission"},
                  std::nullopt);

    py::class_<webinar_handle> wh(m, "WebinarHandle", "What the backend created (mutable value).");
    wh.def(py::init([](std::string id, std::string join, std::string start) {
               return webinar_handle{std::move(id), std::move(join), std::move(start)};
           }),
           py::arg("webinar_id") = "", py::arg("join_url") = "", py::arg("start_url") = "",
           "WebinarHandle(id, join, start).");
    def_field(wh, "webinar_id", &webinar_handle::webinar_id, "Backend webinar id.");
    def_field(wh, "join_url", &webinar_handle::join_url, "For attendees.");
    def_field(wh, "start_url", &webinar_handle::start_url, "For the host.");
    value_methods(wh, {"webinar_id", "join_url", "start_url"}, std::nullopt);

    py::class_<participant> pa(m, "Participant",
                               "One join/leave session of one person (mutable value).");
    pa.def(py::init([](std::string name, std::string email, py::object join, py::object leave,
                       std::int64_t secs) {
               participant p;
               p.name = std::move(name);
               p.email = std::move(email);
               p.join_time = instant_arg(join, "join_time", true);
               p.leave_time = instant_arg(leave, "leave_time", true);
               p.duration_seconds = secs;
               return p;
           }),
           py::arg("name"), py::arg("email"), py::arg("join_time"), py::arg("leave_time"),
           py::arg("duration_seconds") = 0, "Times are aware datetimes (floored to the minute).");
    def_field(pa, "name", &participant::name, "Name.");
    def_field(pa, "email", &participant::email, "E-mail.");
    instant_field<participant>(pa, "join_time", &participant::join_time, "Aware UTC datetime.");
    instant_field<participant>(pa, "leave_time", &participant::leave_time, "Aware UTC datetime.");
    def_field(pa, "duration_seconds", &participant::duration_seconds, "Seconds in this session.");
    value_methods(pa, {"name", "email", "join_time", "leave_time", "duration_seconds"},
                  std::nullopt);

    py::class_<recording_file> rf(m, "RecordingFile",
                                  "One cloud recording file (mutable value, R19).");
    rf.def(py::init([](std::string id, std::string type, std::string url, std::int64_t size) {
               return recording_file{std::move(id), std::move(type), std::move(url), size};
           }),
           py::arg("id") = "", py::arg("file_type") = "", py::arg("download_url") = "",
           py::arg("size_bytes") = 0, "RecordingFile(id, file_type, download_url, size_bytes).");
    def_field(rf, "id", &recording_file::id, "Backend file id.");
    def_field(rf, "file_type", &recording_file::file_type, "MP4, M4A, CHAT, TRANSCRIPT, ...");
    def_field(rf, "download_url", &recording_file::download_url, "Where to fetch it.");
    def_field(rf, "size_bytes", &recording_file::size_bytes, "Size.");
    value_methods(rf, {"id", "file_type", "download_url", "size_bytes"}, std::nullopt);

    py::class_<room_settings> rs(m, "RoomSettings",
                                 "R20: what sala relies on in each room (mutable value).");
    rs.def(py::init([](bool w, bool c) {
               return room_settings{w, c};
           }),
           py::arg("waiting_room") = false, py::arg("auto_save_chat") = true,
           "Defaults are what sala needs.");
    def_field(rs, "waiting_room", &room_settings::waiting_room, "Off.");
    def_field(rs, "auto_save_chat", &room_settings::auto_save_chat, "On.");
    value_methods(rs, {"waiting_room", "auto_save_chat"}, std::nullopt);
    py::class_<conferencing, py_conferencing, std::shared_ptr<conferencing>> c(
        m, "Conferencing",
        "Conferencing port (what sala needs from Zoom). Subclass it in Python (call "
        "super().__init__()) and "
        "implement every method. Raise sala.BackendError(retryable=...) on failure; any other "
        "exception "
        "counts as a retryable BackendError.");
    c.def(py::init<>(), "For subclasses.");
    def_call(c, "list_users", &conferencing::list_users,
             "The account's users (list of AccountUser), every page (R2).");
    def_call(c, "create_webinar", &conferencing::create_webinar, py::arg("spec"),
             "WebinarSpec -> WebinarHandle.");
    def_call(c, "delete_webinar", &conferencing::delete_webinar, py::arg("webinar_id"),
             "Deleting one already gone is not an error.");
    def_call(c, "end_webinar", &conferencing::end_webinar, py::arg("webinar_id"),
             "R15: ends a live webinar.");
    def_call(c, "set_user_password", &conferencing::set_user_password, py::arg("user_id"),
             py::arg("password"), "R12/R15: the room user's login password.");
    def_call(c, "participants_report", &conferencing::participants_report, py::arg("webinar_id"),
             "Attendance report (list of Participant).");
    def_call(c, "list_recordings", &conferencing::list_recordings, py::arg("webinar_id"),
             "R19: cloud recordings (list of RecordingFile); empty when none yet.");
    def_call(c, "download_recording", &conferencing::download_recording, py::arg("file"),
             py::arg("destination_path"), "Downloads one file to ``destination_path``.");
    def_call(c, "trash_recordings", &conferencing::trash_recordings, py::arg("webinar_id"),
             "Moves a webinar's recordings to the backend's trash.");
    def_call(c, "apply_room_settings", &conferencing::apply_room_settings, py::arg("user_id"),
             py::arg("settings"), "R20.");
}

}  // namespace sala::python
