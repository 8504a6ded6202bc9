// sala/lifecycle/templates.hpp: the e-mail templates (R10-R15, R18, R19) in Spanish and English.
#include "common.hpp"

namespace sala::python {

void bind_templates(py::module_& m) {
    make_enum<language>(m, "Language", "Language of the messages: ES (Spanish) or EN (English).",
                        enum_members<language>());
    make_enum<mail_kind>(m, "MailKind", "Every message the lifecycle sends.",
                         enum_members<mail_kind>());

    py::class_<mail_context> c(
        m, "MailContext",
        "The values a template may use (mutable). Instants are aware datetimes; times are "
        "shown in ``zone``.");
    c.def(py::init<>(), "Empty context (language ES).");
    c.def_readwrite("language", &mail_context::language, "Language.");
    c.def_readwrite("platform_name", &mail_context::platform_name, "Shown in messages.");
    c.def_readwrite("recipient_name", &mail_context::recipient_name, "Greeting name.");
    c.def_readwrite("title", &mail_context::title, "Webinar title.");
    c.def_readwrite("event_id", &mail_context::event_id, "Event id.");
    c.def_readwrite("zone", &mail_context::zone, "The event's IANA zone.");
    for (auto [name, field] :
         {std::pair{"start", &mail_context::start}, std::pair{"end", &mail_context::end},
          std::pair{"grace_end", &mail_context::grace_end},
          std::pair{"blocked_begin", &mail_context::blocked_begin},
          std::pair{"blocked_end", &mail_context::blocked_end}}) {
        c.def_property(
            name, [field = field](const mail_context& x) { return x.*field; },
            [field = field, n = std::string(name)](mail_context& x, py::object v) {
                x.*field = instant_arg(v, n);
            },
            "Aware datetime.");
    }
    c.def_readwrite("room_email", &mail_context::room_email,
                    "The room user: the login name in credentials.");
    c.def_readwrite("previous_room_email", &mail_context::previous_room_email, "R11.");
    c.def_readwrite("password", &mail_context::password, "R12.");
    c.def_readwrite("join_url", &mail_context::join_url, "For attendees.");
    c.def_readwrite("start_url", &mail_context::start_url, "For the host.");
    c.def_readwrite("participants", &mail_context::participants, "report_ready: sessions.");
    c.def_readwrite("people", &mail_context::people, "report_ready: distinct people.");
    c.def_readwrite("report_location", &mail_context::report_location, "Where the report is.");
    c.def_readwrite("detail", &mail_context::detail, "backend_problem / wasted_licence detail.");
    c.attr("__hash__") = py::none();

    py::class_<rendered_mail> r(
        m, "RenderedMail", "A rendered message: subject (one line), text and HTML (immutable).");
    r.def_readonly("subject", &rendered_mail::subject, "One line.");
    r.def_readonly("text", &rendered_mail::text, "Plain text.");
    r.def_readonly("html", &rendered_mail::html, "HTML (user values escaped).");
    value_methods(r, {"subject"}, std::vector<std::string>{"subject", "text", "html"});

    m.def("render_mail", &render_mail, py::arg("kind"), py::arg("context"),
          "Renders one MailKind with a MailContext.");
    m.def("one_line", &one_line, py::arg("text"),
          "CR, LF and control characters become spaces; runs collapse.");
    m.def("parse_language", &parse_language, py::arg("text"),
          "'es' / 'en' -> Language; InvalidArgumentError('language') otherwise.");
}

}  // namespace sala::python
