// sala/lifecycle/templates.hpp: the e-mail templates (R10-R15, R18, R19) in Spanish and English.
#include "args.hpp"

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
    def_field(c, "language", &mail_context::language, "Language.");
    def_field(c, "platform_name", &mail_context::platform_name, "Shown in messages.");
    def_field(c, "recipient_name", &mail_context::recipient_name, "Greeting name.");
    def_field(c, "title", &mail_context::title, "Webinar title.");
    def_field(c, "event_id", &mail_context::event_id, "Event id.");
    def_field(c, "zone", &mail_context::zone, "The event's IANA zone.");
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
    def_field(c, "room_email", &mail_context::room_email,
              "The room user: the login name in credentials.");
    def_field(c, "previous_room_email", &mail_context::previous_room_email, "R11.");
    def_field(c, "password", &mail_context::password, "R12.");
    def_field(c, "join_url", &mail_context::join_url, "For attendees.");
    def_field(c, "start_url", &mail_context::start_url, "For the host.");
    def_field(c, "participants", &mail_context::participants, "report_ready: sessions.");
    def_field(c, "people", &mail_context::people, "report_ready: distinct people.");
    def_field(c, "report_location", &mail_context::report_location, "Where the report is.");
    def_field(c, "detail", &mail_context::detail, "backend_problem / wasted_licence detail.");
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
