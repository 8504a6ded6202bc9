// Mail templates (R10-R15, R18, R19): text + HTML built side by side so every
// user-supplied value is escaped in the HTML part and never trusted as markup.
// Each mail's structure is written once (one function per kind, at the end);
// the languages differ only in their words (the `words` table before them).
#include "sala/lifecycle/templates.hpp"

#include <cstddef>
#include <string>
#include <string_view>

#include "common/text.hpp"
#include "sala/error.hpp"

namespace sala {

namespace {

std::string escape(std::string_view s) { return detail::html_escape(s); }

// A sentence in both languages, "{}" marking each place a value goes. The
// number of places is part of the type and checked when the table compiles, so
// a translation cannot lose or gain a value.
template <std::size_t Holes>
class phrase {
  public:
    consteval phrase(const char* es, const char* en) : es_(es), en_(en) {
        if (holes(es_) != Holes || holes(en_) != Holes) throw "phrase: wrong number of {} holes";
    }
    std::string_view in(language l) const { return l == language::es ? es_ : en_; }

  private:
    static constexpr std::size_t holes(std::string_view s) {
        std::size_t n = 0;
        for (auto at = s.find("{}"); at != std::string_view::npos; at = s.find("{}", at + 2)) ++n;
        return n;
    }
    std::string_view es_;
    std::string_view en_;
};

// A value for a hole, and how it shows in the HTML part (always escaped).
struct value {
    enum class look { plain, strong, link };
    std::string_view s;
    look how;
};
value val(std::string_view user) { return {user, value::look::plain}; }  // anything a user typed
value strong(std::string_view user) { return {user, value::look::strong}; }
value link(std::string_view url) { return {url, value::look::link}; }

// One body in one language, written once into both parts.
class body {
  public:
    explicit body(language l) : lang_(l) {}

    body& say(phrase<0> p) {
        literal(p.in(lang_));
        return *this;
    }
    // The phrase's words go in as they are, the values in order into its holes.
    template <std::size_t N>
    body& say(phrase<N> p, const value (&values)[N]) {
        std::string_view rest = p.in(lang_);
        for (const auto& v : values) {
            const auto at = rest.find("{}");
            literal(rest.substr(0, at));
            put(v);
            rest.remove_prefix(at + 2);
        }
        literal(rest);
        return *this;
    }
    body& put(const value& v) {
        t_ += v.s;
        switch (v.how) {
            case value::look::plain: h_ += escape(v.s); break;
            case value::look::strong: h_ += "<strong>" + escape(v.s) + "</strong>"; break;
            case value::look::link:
                h_ += "<a href=\"" + escape(v.s) + "\">" + escape(v.s) + "</a>";
                break;
        }
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
    // The subject has one hole, filled with `what` as it is (a header, not HTML).
    rendered_mail done(phrase<1> subject, std::string_view what) const {
        const auto s = subject.in(lang_);
        const auto at = s.find("{}");
        const std::string subject_line =
            std::string(s.substr(0, at)) + std::string(what) + std::string(s.substr(at + 2));
        std::string text = t_;
        while (!text.empty() && text.back() == '\n') text.pop_back();
        std::string html = h_;
        if (html.size() >= 3 && html.compare(html.size() - 3, 3, "<p>") == 0)
            html.resize(html.size() - 3);
        while (!html.empty() && html.back() == '\n') html.pop_back();
        return {one_line(subject_line), text + "\n",
                std::string("<!DOCTYPE html>\n<html lang=\"") + to_string(lang_) +
                    "\"><head><meta charset=\"utf-8\"></head><body>\n<p>" + html +
                    "\n</body></html>\n"};
    }

  private:
    void literal(std::string_view ours) {  // trusted, written by us: as it is in both parts
        t_ += ours;
        h_ += ours;
    }

    language lang_;
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

// The words of every mail, Spanish first, grouped by mail kind. Each "{}" is
// filled, in order, by the mail's function below. The words are ours, not a
// user's: they go into the HTML part unescaped, so keep them free of < and &.
namespace words {

constexpr phrase<1> hello{"Hola {}:", "Hello {},"};
constexpr phrase<0> hello_nameless{"Hola:", "Hello,"};
constexpr phrase<0> regards{"Un saludo,", "Regards,"};  // above the platform's name

namespace credentials {
constexpr phrase<1> subject{"Credenciales de la sala: {}", "Room credentials: {}"};
constexpr phrase<2> intro{
    // title, start
    "Estas son las credenciales de la sala para tu webinar {}, que empieza el {}. "
    "Son válidas sólo para este webinar.",
    "Here are the room credentials for your webinar {}, starting {}. "
    "They are valid for this webinar only."};
constexpr phrase<1> start_url{"Dirección para abrir Zoom como anfitrión: {}",
                              "Open Zoom as the host: {}"};
constexpr phrase<1> user{"Usuario: {}", "User name: {}"};
constexpr phrase<1> password{"Contraseña: {}", "Password: {}"};
constexpr phrase<1> join_url{"Enlace para los asistentes: {}", "Link for attendees: {}"};
constexpr phrase<0> expiry{"Al terminar el webinar la contraseña caduca y la sala queda libre.",
                           "When the webinar ends the password expires and the room is freed."};
}  // namespace credentials

namespace join_link {
constexpr phrase<1> subject{"Enlace para el webinar: {}", "Your link to the webinar: {}"};
constexpr phrase<2> intro{// title, start; the link follows
                          "El webinar {} empieza el {}. Puedes entrar con este enlace:",
                          "The webinar {} starts {}. Join with this link:"};
}  // namespace join_link

namespace end_warning {
constexpr phrase<1> subject{"Tu webinar termina pronto: {}", "Your webinar ends soon: {}"};
constexpr phrase<4> warning{
    // title, end, zone, grace end
    "Tu webinar {} termina a las {} ({}). Ve cerrando la sesión a tiempo: a las {} "
    "la plataforma finalizará el webinar sin más aviso.",
    "Your webinar {} ends at {} ({}). Please wrap up in time: at {} "
    "the platform ends the webinar without further notice."};
}  // namespace end_warning

namespace request_unassigned {
constexpr phrase<1> subject{"Solicitud de sala sin asignar: {}",
                            "Room request not assigned yet: {}"};
constexpr phrase<4> waiting{
    // title, start, blocked begin, blocked end
    "Hemos recibido tu solicitud de sala para {} ({}), pero no hay ninguna sala libre de {} a {}. "
    "La solicitud queda guardada a la espera de una sala.",
    "We received your room request for {} ({}), but no room is free from {} to {}. "
    "The request is kept and waits for a room."};
constexpr phrase<0> ask_admins{
    "Contacta con los administradores de la plataforma para que te proporcionen una sala.",
    "Please contact the platform's administrators so they can give you a room."};
}  // namespace request_unassigned

namespace reassigned {
constexpr phrase<1> subject{"Tu webinar ha cambiado de sala: invita de nuevo a los panelistas: {}",
                            "Your webinar moved to another room: invite your panelists again: {}"};
// One sentence: moved, then the previous room when known, then its end.
constexpr phrase<3> moved{
    // title, start, new room
    "Tu webinar {} ({}) se ha movido a la sala {}", "Your webinar {} ({}) moved to room {}"};
constexpr phrase<1> previous_room{" (antes {})", " (was {})"};
constexpr phrase<0> moved_end{".", "."};
constexpr phrase<0> invite_again{
    "IMPORTANTE: el webinar se ha borrado y creado de nuevo. Si tenía panelistas, "
    "tendrás que invitarles otra vez: el enlace que recibieron ya no sirve.",
    "IMPORTANT: the webinar was deleted and created again. If it had panelists, "
    "invite them again: the link they received no longer works."};
constexpr phrase<1> join_url{"Nuevo enlace para los asistentes: {}", "New link for attendees: {}"};
}  // namespace reassigned

namespace report_ready {
constexpr phrase<1> subject{"Informe de asistencia disponible: {}", "Attendance report ready: {}"};
constexpr phrase<4> ready{
    // title, start, people, sessions
    "El informe de asistencia del webinar {} ({}) ya está disponible: {} personas, {} conexiones.",
    "The attendance report of {} ({}) is ready: {} people, {} sessions."};
constexpr phrase<1> location{"Informe: {}", "Report: {}"};  // only when known
}  // namespace report_ready

namespace recording_stuck {
constexpr phrase<1> subject{"Grabación atascada: {}", "Recording stuck: {}"};
constexpr phrase<3> missing{
    // title, room, end
    "La grabación del webinar {} (sala {}) no ha llegado 6 horas después del final ({}). "
    "Recupérala a mano desde la cuenta de Zoom.",
    "The recording of {} (room {}) has not arrived 6 hours after the end ({}). "
    "Please retrieve it by hand from the Zoom account."};
}  // namespace recording_stuck

namespace backend_problem {
constexpr phrase<1> subject{"Problema con un webinar: {}", "Problem with a webinar: {}"};
constexpr phrase<1> failing{// title; the step and error follow
                            "Un paso del webinar {} sigue fallando y se seguirá reintentando:",
                            "A step of the webinar {} keeps failing; it will be retried:"};
}  // namespace backend_problem

namespace wasted_licence {
constexpr phrase<1> subject{"Licencia desperdiciada: {}", "Wasted licence: {}"};  // the owner
constexpr phrase<1> wasted{
    // the owner
    "El propietario de la cuenta, {}, tiene una licencia de Webinar. La plataforma nunca lo usa "
    "como sala: esa licencia se está desperdiciando. Pásala a otro usuario.",
    "The account owner, {}, holds a Webinar licence. The platform never uses the owner as a "
    "room, so that licence is wasted. Move it to another user."};
}  // namespace wasted_licence

}  // namespace words

// The structure of every mail, written once for all languages: which phrase,
// which values (and how they show in HTML), where paragraphs and lines break.
// Each mail starts with greet() and ends with sign().

void greet(body& b, const mail_context& c) {
    if (c.recipient_name.empty()) {
        b.say(words::hello_nameless);
    } else {
        b.say(words::hello, {val(c.recipient_name)});
    }
    b.end_para();
}

void sign(body& b, const mail_context& c) {
    b.say(words::regards).br().put(val(c.platform_name)).end_para();
}

rendered_mail credentials(body& b, const mail_context& c) {
    namespace w = words::credentials;
    b.say(w::intro, {strong(c.title), val(when(c.start, c.zone))}).end_para();
    b.say(w::start_url, {link(c.start_url)}).br();
    b.say(w::user, {val(c.room_email)}).br();
    b.say(w::password, {val(c.password)}).br();
    b.say(w::join_url, {link(c.join_url)}).end_para();
    b.say(w::expiry).end_para();
    sign(b, c);
    return b.done(w::subject, c.title);
}

rendered_mail join_link(body& b, const mail_context& c) {
    namespace w = words::join_link;
    b.say(w::intro, {strong(c.title), val(when(c.start, c.zone))}).end_para();
    b.put(link(c.join_url)).end_para();
    sign(b, c);
    return b.done(w::subject, c.title);
}

rendered_mail end_warning(body& b, const mail_context& c) {
    namespace w = words::end_warning;
    b.say(w::warning,
          {strong(c.title), val(hhmm(c.end, c.zone)), val(c.zone), val(hhmm(c.grace_end, c.zone))})
        .end_para();
    sign(b, c);
    return b.done(w::subject, c.title);
}

rendered_mail request_unassigned(body& b, const mail_context& c) {
    namespace w = words::request_unassigned;
    b.say(w::waiting, {strong(c.title), val(when(c.start, c.zone)),
                       val(hhmm(c.blocked_begin, c.zone)), val(hhmm(c.blocked_end, c.zone))})
        .end_para();
    b.say(w::ask_admins).end_para();
    sign(b, c);
    return b.done(w::subject, c.title);
}

rendered_mail reassigned(body& b, const mail_context& c) {
    namespace w = words::reassigned;
    b.say(w::moved, {strong(c.title), val(when(c.start, c.zone)), val(c.room_email)});
    if (!c.previous_room_email.empty()) b.say(w::previous_room, {val(c.previous_room_email)});
    b.say(w::moved_end).end_para();
    b.say(w::invite_again).end_para();
    b.say(w::join_url, {link(c.join_url)}).end_para();
    sign(b, c);
    return b.done(w::subject, c.title);
}

rendered_mail report_ready(body& b, const mail_context& c) {
    namespace w = words::report_ready;
    b.say(w::ready, {strong(c.title), val(when(c.start, c.zone)), val(std::to_string(c.people)),
                     val(std::to_string(c.participants))})
        .end_para();
    if (!c.report_location.empty()) b.say(w::location, {val(c.report_location)}).end_para();
    sign(b, c);
    return b.done(w::subject, c.title);
}

rendered_mail recording_stuck(body& b, const mail_context& c) {
    namespace w = words::recording_stuck;
    b.say(w::missing, {strong(c.title), val(c.room_email), val(when(c.end, c.zone))}).end_para();
    sign(b, c);
    return b.done(w::subject, c.title);
}

rendered_mail backend_problem(body& b, const mail_context& c) {
    namespace w = words::backend_problem;
    b.say(w::failing, {strong(c.title)}).end_para();
    b.put(val(c.detail)).end_para();
    sign(b, c);
    return b.done(w::subject, c.title);
}

rendered_mail wasted_licence(body& b, const mail_context& c) {
    namespace w = words::wasted_licence;
    b.say(w::wasted, {val(c.detail)}).end_para();
    sign(b, c);
    return b.done(w::subject, c.detail);
}

}  // namespace

rendered_mail render_mail(mail_kind kind, const mail_context& c) {
    // Anything but Spanish is English, as it always was.
    body b(c.language == language::es ? language::es : language::en);
    greet(b, c);
    switch (kind) {
        case mail_kind::credentials: return credentials(b, c);
        case mail_kind::join_link: return join_link(b, c);
        case mail_kind::end_warning: return end_warning(b, c);
        case mail_kind::request_unassigned: return request_unassigned(b, c);
        case mail_kind::reassigned: return reassigned(b, c);
        case mail_kind::report_ready: return report_ready(b, c);
        case mail_kind::recording_stuck: return recording_stuck(b, c);
        case mail_kind::backend_problem: return backend_problem(b, c);
        case mail_kind::wasted_licence: return wasted_licence(b, c);
    }
    throw invalid_argument("kind", "unknown mail kind");
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
