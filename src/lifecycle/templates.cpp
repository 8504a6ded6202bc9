// Mail templates (R10-R15, R18, R19): text + HTML built side by side so every
// user-supplied value is escaped in the HTML part and never trusted as markup.
#include "sala/lifecycle/templates.hpp"

#include <vector>

#include "common/text.hpp"
#include "sala/error.hpp"

namespace sala {

namespace {

std::string escape(std::string_view s) { return detail::html_escape(s); }

// One body, written once into both parts.
class body {
public:
    body& text(std::string_view literal) {  // trusted, written by us
        t_ += literal;
        h_ += literal;
        return *this;
    }
    body& val(std::string_view user) {  // anything a user typed
        t_ += user;
        h_ += escape(user);
        return *this;
    }
    body& strong(std::string_view user) {
        t_ += user;
        h_ += "<strong>" + escape(user) + "</strong>";
        return *this;
    }
    body& link(std::string_view url) {
        t_ += url;
        h_ += "<a href=\"" + escape(url) + "\">" + escape(url) + "</a>";
        return *this;
    }
    body& end_para() {
        t_ += "\n\n";
        h_ += "</p>\n<p>";
        return *this;
    }
    body& br() {
        t_ += "\n";
        h_ += "<br>\n";
        return *this;
    }
    rendered_mail done(std::string_view subject, std::string_view lang) const {
        std::string text = t_;
        while (!text.empty() && text.back() == '\n') text.pop_back();
        std::string html = h_;
        if (html.size() >= 3 && html.compare(html.size() - 3, 3, "<p>") == 0) html.resize(html.size() - 3);
        while (!html.empty() && html.back() == '\n') html.pop_back();
        return {one_line(subject), text + "\n",
                std::string("<!DOCTYPE html>\n<html lang=\"") + std::string(lang) +
                    "\"><head><meta charset=\"utf-8\"></head><body>\n<p>" + html + "\n</body></html>\n"};
    }

private:
    std::string t_;
    std::string h_;
};

std::string when(instant t, const std::string& zone) {
    if (zone.empty()) return format_utc(t) + " UTC";
    return format(t, zone) + " (" + zone + ")";
}

std::string hhmm(instant t, const std::string& zone) {
    const auto s = zone.empty() ? format_utc(t) : format(t, zone);
    return s.size() >= 5 ? s.substr(s.size() - 5) : s;
}

rendered_mail es(mail_kind k, const mail_context& c) {
    body b;
    const auto greet = [&] {
        b.text("Hola");
        if (!c.recipient_name.empty()) b.text(" ").val(c.recipient_name);
        b.text(":").end_para();
    };
    const auto sign = [&] { b.text("Un saludo,").br().val(c.platform_name).end_para(); };
    switch (k) {
        case mail_kind::credentials:
            greet();
            b.text("Estas son las credenciales de la sala para tu webinar ").strong(c.title)
                .text(", que empieza el ").val(when(c.start, c.zone)).text(". Son válidas sólo para este webinar.")
                .end_para();
            b.text("Dirección para abrir Zoom como anfitrión: ").link(c.start_url).br();
            b.text("Usuario: ").val(c.room_email).br();
            b.text("Contraseña: ").val(c.password).br();
            b.text("Enlace para los asistentes: ").link(c.join_url).end_para();
            b.text("Al terminar el webinar la contraseña caduca y la sala queda libre.").end_para();
            sign();
            return b.done("Credenciales de la sala: " + c.title, "es");
        case mail_kind::join_link:
            greet();
            b.text("El webinar ").strong(c.title).text(" empieza el ").val(when(c.start, c.zone))
                .text(". Puedes entrar con este enlace:").end_para();
            b.link(c.join_url).end_para();
            sign();
            return b.done("Enlace para el webinar: " + c.title, "es");
        case mail_kind::end_warning:
            greet();
            b.text("Tu webinar ").strong(c.title).text(" termina a las ").val(hhmm(c.end, c.zone))
                .text(" (").val(c.zone).text("). Ve cerrando la sesión a tiempo: a las ")
                .val(hhmm(c.grace_end, c.zone)).text(" la plataforma finalizará el webinar sin más aviso.")
                .end_para();
            sign();
            return b.done("Tu webinar termina pronto: " + c.title, "es");
        case mail_kind::request_unassigned:
            greet();
            b.text("Hemos recibido tu solicitud de sala para ").strong(c.title).text(" (")
                .val(when(c.start, c.zone)).text("), pero no hay ninguna sala libre de ")
                .val(hhmm(c.blocked_begin, c.zone)).text(" a ").val(hhmm(c.blocked_end, c.zone))
                .text(". La solicitud queda guardada a la espera de una sala.").end_para();
            b.text("Contacta con los administradores de la plataforma para que te proporcionen una sala.")
                .end_para();
            sign();
            return b.done("Solicitud de sala sin asignar: " + c.title, "es");
        case mail_kind::reassigned:
            greet();
            b.text("Tu webinar ").strong(c.title).text(" (").val(when(c.start, c.zone))
                .text(") se ha movido a la sala ").val(c.room_email);
            if (!c.previous_room_email.empty()) b.text(" (antes ").val(c.previous_room_email).text(")");
            b.text(".").end_para();
            b.text("IMPORTANTE: el webinar se ha borrado y creado de nuevo. Si tenía panelistas, "
                   "tendrás que invitarles otra vez: el enlace que recibieron ya no sirve.")
                .end_para();
            b.text("Nuevo enlace para los asistentes: ").link(c.join_url).end_para();
            sign();
            return b.done("Tu webinar ha cambiado de sala: invita de nuevo a los panelistas: " + c.title, "es");
        case mail_kind::report_ready:
            greet();
            b.text("El informe de asistencia del webinar ").strong(c.title).text(" (")
                .val(when(c.start, c.zone)).text(") ya está disponible: ")
                .val(std::to_string(c.people)).text(" personas, ").val(std::to_string(c.participants))
                .text(" conexiones.").end_para();
            if (!c.report_location.empty()) b.text("Informe: ").val(c.report_location).end_para();
            sign();
            return b.done("Informe de asistencia disponible: " + c.title, "es");
        case mail_kind::recording_stuck:
            greet();
            b.text("La grabación del webinar ").strong(c.title).text(" (sala ").val(c.room_email)
                .text(") no ha llegado 6 horas después del final (").val(when(c.end, c.zone))
                .text("). Recupérala a mano desde la cuenta de Zoom.").end_para();
            sign();
            return b.done("Grabación atascada: " + c.title, "es");
        case mail_kind::backend_problem:
            greet();
            b.text("Un paso del webinar ").strong(c.title).text(" sigue fallando y se seguirá reintentando:")
                .end_para();
            b.val(c.detail).end_para();
            sign();
            return b.done("Problema con un webinar: " + c.title, "es");
        case mail_kind::wasted_licence:
            greet();
            b.text("El propietario de la cuenta, ").val(c.detail)
                .text(", tiene una licencia de Webinar. La plataforma nunca lo usa como sala: "
                      "esa licencia se está desperdiciando. Pásala a otro usuario.")
                .end_para();
            sign();
            return b.done("Licencia desperdiciada: " + c.detail, "es");
    }
    throw invalid_argument("kind", "unknown mail kind");
}

rendered_mail en(mail_kind k, const mail_context& c) {
    body b;
    const auto greet = [&] {
        b.text("Hello");
        if (!c.recipient_name.empty()) b.text(" ").val(c.recipient_name);
        b.text(",").end_para();
    };
    const auto sign = [&] { b.text("Regards,").br().val(c.platform_name).end_para(); };
    switch (k) {
        case mail_kind::credentials:
            greet();
            b.text("Here are the room credentials for your webinar ").strong(c.title)
                .text(", starting ").val(when(c.start, c.zone)).text(". They are valid for this webinar only.")
                .end_para();
            b.text("Open Zoom as the host: ").link(c.start_url).br();
            b.text("User name: ").val(c.room_email).br();
            b.text("Password: ").val(c.password).br();
            b.text("Link for attendees: ").link(c.join_url).end_para();
            b.text("When the webinar ends the password expires and the room is freed.").end_para();
            sign();
            return b.done("Room credentials: " + c.title, "en");
        case mail_kind::join_link:
            greet();
            b.text("The webinar ").strong(c.title).text(" starts ").val(when(c.start, c.zone))
                .text(". Join with this link:").end_para();
            b.link(c.join_url).end_para();
            sign();
            return b.done("Your link to the webinar: " + c.title, "en");
        case mail_kind::end_warning:
            greet();
            b.text("Your webinar ").strong(c.title).text(" ends at ").val(hhmm(c.end, c.zone)).text(" (")
                .val(c.zone).text("). Please wrap up in time: at ").val(hhmm(c.grace_end, c.zone))
                .text(" the platform ends the webinar without further notice.").end_para();
            sign();
            return b.done("Your webinar ends soon: " + c.title, "en");
        case mail_kind::request_unassigned:
            greet();
            b.text("We received your room request for ").strong(c.title).text(" (").val(when(c.start, c.zone))
                .text("), but no room is free from ").val(hhmm(c.blocked_begin, c.zone)).text(" to ")
                .val(hhmm(c.blocked_end, c.zone)).text(". The request is kept and waits for a room.")
                .end_para();
            b.text("Please contact the platform's administrators so they can give you a room.").end_para();
            sign();
            return b.done("Room request not assigned yet: " + c.title, "en");
        case mail_kind::reassigned:
            greet();
            b.text("Your webinar ").strong(c.title).text(" (").val(when(c.start, c.zone))
                .text(") moved to room ").val(c.room_email);
            if (!c.previous_room_email.empty()) b.text(" (was ").val(c.previous_room_email).text(")");
            b.text(".").end_para();
            b.text("IMPORTANT: the webinar was deleted and created again. If it had panelists, "
                   "invite them again: the link they received no longer works.")
                .end_para();
            b.text("New link for attendees: ").link(c.join_url).end_para();
            sign();
            return b.done("Your webinar moved to another room: invite your panelists again: " + c.title, "en");
        case mail_kind::report_ready:
            greet();
            b.text("The attendance report of ").strong(c.title).text(" (").val(when(c.start, c.zone))
                .text(") is ready: ").val(std::to_string(c.people)).text(" people, ")
                .val(std::to_string(c.participants)).text(" sessions.").end_para();
            if (!c.report_location.empty()) b.text("Report: ").val(c.report_location).end_para();
            sign();
            return b.done("Attendance report ready: " + c.title, "en");
        case mail_kind::recording_stuck:
            greet();
            b.text("The recording of ").strong(c.title).text(" (room ").val(c.room_email)
                .text(") has not arrived 6 hours after the end (").val(when(c.end, c.zone))
                .text("). Please retrieve it by hand from the Zoom account.").end_para();
            sign();
            return b.done("Recording stuck: " + c.title, "en");
        case mail_kind::backend_problem:
            greet();
            b.text("A step of the webinar ").strong(c.title).text(" keeps failing; it will be retried:")
                .end_para();
            b.val(c.detail).end_para();
            sign();
            return b.done("Problem with a webinar: " + c.title, "en");
        case mail_kind::wasted_licence:
            greet();
            b.text("The account owner, ").val(c.detail)
                .text(", holds a Webinar licence. The platform never uses the owner as a room, so "
                      "that licence is wasted. Move it to another user.")
                .end_para();
            sign();
            return b.done("Wasted licence: " + c.detail, "en");
    }
    throw invalid_argument("kind", "unknown mail kind");
}

}  // namespace

rendered_mail render_mail(mail_kind kind, const mail_context& c) {
    return c.language == language::es ? es(kind, c) : en(kind, c);
}

std::string one_line(std::string_view s) {
    std::string out;
    bool space = false;
    for (char ch : s) {
        const auto u = static_cast<unsigned char>(ch);
        if (u < 0x20 || u == 0x7f) {
            space = true;
            continue;
        }
        if (space && !out.empty()) out += ' ';
        space = false;
        out += ch;
    }
    return out;
}

language parse_language(std::string_view s) {
    if (const auto l = parse_enum<language>(s)) return *l;
    throw invalid_argument("language", "'" + std::string(s) + "' is not one of es, en");
}

}  // namespace sala
