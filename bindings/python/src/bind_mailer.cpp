// sala/ports/mailer.hpp: send one message. Python classes may implement Mailer.
#include "args.hpp"
#include "sala/ports/mailer.hpp"

namespace sala::python {

namespace {

class py_mailer : public mailer {
  public:
    void send(const mail_message& msg) override {
        call_port("Mailer.send", [&] {
            mail_message copy = msg;  // Python may keep it: never a reference into C++ state
            PYBIND11_OVERRIDE_PURE(void, mailer, send, copy);
        });
    }
};

}  // namespace

void bind_mailer(py::module_& m) {
    py::class_<mail_address> a(m, "MailAddress", "A display name and an e-mail (mutable value).");
    a.def(py::init([](std::string email, std::string name) {
              return mail_address{std::move(name), std::move(email)};
          }),
          py::arg("email"), py::arg("name") = "", "MailAddress(email, name='').");
    def_field(a, "name", &mail_address::name, "Display name, any UTF-8.");
    def_field(a, "email", &mail_address::email, "Address.");
    value_methods(a, {"name", "email"}, std::nullopt);

    py::class_<mail_message> msg(
        m, "MailMessage",
        "One e-mail (mutable value). List fields are copies: assign a new list to change them.");
    msg.def(py::init([](mail_address from, std::vector<mail_address> to, std::string subject,
                        std::string text_body, std::string html_body, std::string key) {
                return mail_message{std::move(from),      std::move(to),        std::move(subject),
                                    std::move(text_body), std::move(html_body), std::move(key)};
            }),
            py::kw_only(), py::arg("sender") = mail_address{},
            py::arg("to") = std::vector<mail_address>{}, py::arg("subject") = "",
            py::arg("text_body") = "", py::arg("html_body") = "", py::arg("idempotency_key") = "",
            "Keyword-only; ``sender`` is C++'s ``from``.");
    def_field(msg, "sender", &mail_message::from, "From (``from`` is a Python keyword).");
    def_field(msg, "to", &mail_message::to, "list of MailAddress.");
    def_field(msg, "subject", &mail_message::subject, "UTF-8 subject.");
    def_field(msg, "text_body", &mail_message::text_body, "Plain text.");
    def_field(msg, "html_body", &mail_message::html_body,
              "HTML alternative; empty means text only.");
    def_field(msg, "idempotency_key", &mail_message::idempotency_key,
              "Stable per logical message ('credentials/42'); Message-IDs derive from it.");
    value_methods(msg, {"sender", "to", "subject", "idempotency_key"}, std::nullopt);

    py::class_<mailer, py_mailer, std::shared_ptr<mailer>> p(
        m, "Mailer",
        "Mail port. Subclass it in Python (call super().__init__()) and implement send(message: "
        "MailMessage). "
        "Raise sala.BackendError(retryable=...) on failure; any other exception counts as a "
        "retryable "
        "BackendError.");
    p.def(py::init<>(), "For subclasses.");
    def_call(p, "send", &mailer::send, py::arg("message"), "Sends one message.");
}

}  // namespace sala::python
