// RFC 5322 / MIME rendering shared by the outbox and SMTP mailers.
#include <algorithm>
#include <array>
#include <cctype>
#include <cstdint>
#include <cstdio>
#include <ctime>
#include <random>
#include <string>
#include <string_view>

#include "outbox_detail.hpp"
#include "sala/adapters/outbox_mailer.hpp"
#include "sala/detail/utf8.hpp"
#include "sala/error.hpp"
#include "sala/text.hpp"

namespace sala {
namespace detail {

void check_header_field(const std::string& value, const std::string& field) {
    if (value.find_first_of("\r\n") != std::string::npos)
        throw invalid_argument(field,
                               "contains a line break (CR/LF), which could inject a mail header");
    check_text(value, field, value.size(), false);
}

std::uint64_t fnv1a(std::string_view s, std::uint64_t seed) {
    std::uint64_t h = seed;
    for (const char c : s) {
        h ^= static_cast<unsigned char>(c);
        h *= 0x100000001b3ULL;
    }
    return h;
}

std::string hex64(std::uint64_t v) {
    static constexpr char digits[] = "0123456789abcdef";
    std::string out(16, '0');
    for (int i = 15; i >= 0; --i) {
        out[static_cast<std::size_t>(i)] = digits[v & 15];
        v >>= 4;
    }
    return out;
}

std::string random_hex() {
    std::random_device rd;
    const std::uint64_t v = (static_cast<std::uint64_t>(rd()) << 32) ^ rd();
    return hex64(v);
}

std::string encode_key(const std::string& key) {
    static constexpr char digits[] = "0123456789ABCDEF";
    std::string out;
    for (const char ch : key) {
        const auto c = static_cast<unsigned char>(ch);
        if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
            c == '-' || c == '_') {
            out += ch;
        } else {
            out += '%';
            out += digits[c >> 4];
            out += digits[c & 15];
        }
    }
    // Long keys keep a readable prefix plus a hash of the whole key, so the
    // name stays unique and within file-name and header-line limits.
    if (out.size() > 120) {
        out.resize(80);
        while (!out.empty() &&
               (out.back() == '%' || (out.size() >= 2 && out[out.size() - 2] == '%')))
            out.pop_back();
        out += "~" + hex64(fnv1a(key, 0xcbf29ce484222325ULL)) +
               hex64(fnv1a(key, 0x84222325cbf29ce4ULL));
    }
    return out;
}

void check_idempotency_key(const std::string& key) { check_header_field(key, "idempotency_key"); }

}  // namespace detail

namespace {

using detail::check_header_field;

bool is_atext(unsigned char c) {
    if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')) return true;
    return std::string_view("!#$%&'*+-/=?^_`{|}~").find(static_cast<char>(c)) !=
           std::string_view::npos;
}

bool is_ascii(const std::string& s) {
    for (const char ch : s)
        if (static_cast<unsigned char>(ch) >= 0x80) return false;
    return true;
}

// UTF-8 text as "=?UTF-8?B?...?=" words of at most 39 source bytes (64
// characters), so a header line with one word stays within 78 characters
// (RFC 2047 §2). A chunk ends after a blank when it can: readers that wrongly
// keep the folding blank between two words (Python's phrase parser) then only
// widen an existing gap instead of splitting a word.
std::string encoded_words(const std::string& s) {
    std::string out;
    std::size_t i = 0;
    while (i < s.size()) {
        std::size_t end = std::min(s.size(), i + 39);
        // Never split a UTF-8 sequence between two words (RFC 2047 §5).
        while (end < s.size() && (static_cast<unsigned char>(s[end]) & 0xC0) == 0x80) --end;
        if (end < s.size()) {
            const auto blank = s.rfind(' ', end - 1);
            if (blank != std::string::npos && blank > i + 12) end = blank + 1;
        }
        if (!out.empty()) out += "\r\n ";
        out += "=?UTF-8?B?" + detail::base64(std::string_view(s).substr(i, end - i)) + "?=";
        i = end;
    }
    return out;
}

// RFC 5322 display-name (phrase): atoms as is, other ASCII quoted, the rest encoded.
std::string phrase(const std::string& raw_name, const std::string& field) {
    check_header_field(raw_name, field);
    // Readers treat the blanks of a phrase as one separator (Python's email
    // package collapses them even inside encoded words): normalise here so
    // every reader sees the same name.
    std::string name;
    for (const char ch : raw_name)
        if (ch != ' ' || (!name.empty() && name.back() != ' ')) name += ch;
    while (!name.empty() && name.back() == ' ') name.pop_back();
    if (name.empty()) return name;
    if (!is_ascii(name) || name.find("=?") != std::string::npos) return encoded_words(name);
    bool plain = !name.empty() && name.front() != ' ' && name.back() != ' ' &&
                 name.find("  ") == std::string::npos;
    for (const char ch : name)
        if (ch != ' ' && !is_atext(static_cast<unsigned char>(ch))) plain = false;
    if (plain && name.size() < 60) return name;
    if (name.size() > 60) return encoded_words(name);
    std::string q = "\"";
    for (const char ch : name) {
        if (ch == '"' || ch == '\\') q += '\\';
        q += ch;
    }
    return q + "\"";
}

void check_address(const std::string& email, const std::string& field) {
    validate_email(email, field);
}

std::string mailbox(const mail_address& a, const std::string& field) {
    check_address(a.email, field + ".email");
    if (a.name.empty()) {
        check_header_field(a.name, field + ".name");
        return a.email;
    }
    const std::string p = phrase(a.name, field + ".name");
    if (p.empty()) return a.email;
    // Fold before the address when the phrase's last line would grow past 78.
    const auto last_line = p.size() - (p.rfind('\n') == std::string::npos ? 0 : p.rfind('\n') + 1);
    return p + (last_line + a.email.size() + 8 > 78 ? "\r\n <" : " <") + a.email + ">";
}

std::string rfc5322_date(std::chrono::system_clock::time_point date) {
    const std::time_t t = std::chrono::system_clock::to_time_t(date);
    std::tm tm{};
    gmtime_r(&t, &tm);
    static constexpr std::array<const char*, 7> days{"Sun", "Mon", "Tue", "Wed",
                                                     "Thu", "Fri", "Sat"};
    static constexpr std::array<const char*, 12> months{"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                                        "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
    char buf[64];
    std::snprintf(buf, sizeof buf, "%s, %02d %s %04d %02d:%02d:%02d +0000",
                  days[static_cast<std::size_t>(tm.tm_wday)], tm.tm_mday,
                  months[static_cast<std::size_t>(tm.tm_mon)], tm.tm_year + 1900, tm.tm_hour,
                  tm.tm_min, tm.tm_sec);
    return buf;
}

// Quoted-printable (RFC 2045 §6.7) with CRLF line ends. Also encodes a '.' or
// "From " at the start of a line, so neither SMTP dot-stuffing nor mbox
// quoting can alter the body.
std::string quoted_printable(const std::string& body) {
    static constexpr char digits[] = "0123456789ABCDEF";
    std::string out;
    std::size_t line_len = 0;
    auto emit = [&](const std::string& token) {
        if (line_len + token.size() > 75) {
            out += "=\r\n";
            line_len = 0;
        }
        out += token;
        line_len += token.size();
    };
    auto hex = [&](unsigned char c) { return std::string{'=', digits[c >> 4], digits[c & 15]}; };
    std::size_t i = 0;
    while (i <= body.size()) {
        std::size_t eol = body.find_first_of("\r\n", i);
        if (eol == std::string::npos) eol = body.size();
        const std::string_view line(body.data() + i, eol - i);
        for (std::size_t k = 0; k < line.size(); ++k) {
            const auto c = static_cast<unsigned char>(line[k]);
            const bool last = k + 1 == line.size();
            const bool line_start = line_len == 0;
            if ((c == ' ' || c == '\t') && last)
                emit(hex(c));
            else if (c == ' ' || c == '\t')
                emit(std::string(1, static_cast<char>(c)));
            else if (c == '=' || c < 33 || c > 126)
                emit(hex(c));
            else if (c == '.' && line_start)
                emit(hex(c));
            else if (c == 'F' && line_start && line.substr(k, 5) == "From ")
                emit(hex(c));
            else
                emit(std::string(1, static_cast<char>(c)));
        }
        if (eol == body.size()) break;
        out += "\r\n";
        line_len = 0;
        i = eol + ((body[eol] == '\r' && eol + 1 < body.size() && body[eol + 1] == '\n') ? 2 : 1);
    }
    return out;
}

void check_body(const std::string& body, const std::string& field) {
    if (!detail::valid_utf8(body)) throw invalid_argument(field, "is not valid UTF-8");
}

}  // namespace

std::string encode_header_text(const std::string& value, const std::string& field) {
    check_header_field(value, field);
    if (is_ascii(value) && value.find("=?") == std::string::npos && value.size() <= 68)
        return value;
    return encoded_words(value);
}

std::string rfc5322_message_id(const mail_message& m) {
    const auto at = m.from.email.find('@');
    std::string domain = at == std::string::npos ? "sala.invalid" : m.from.email.substr(at + 1);
    for (auto& c : domain) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    if (m.idempotency_key.empty()) return "<sala.once." + detail::random_hex() + "@" + domain + ">";
    return "<sala." + detail::encode_key(m.idempotency_key) + "@" + domain + ">";
}

std::string format_rfc5322(const mail_message& m, std::chrono::system_clock::time_point date) {
    if (m.to.empty()) throw invalid_argument("to", "has no recipients");
    detail::check_idempotency_key(m.idempotency_key);
    check_body(m.text_body, "text_body");
    check_body(m.html_body, "html_body");

    std::string h;
    h += "Date: " + rfc5322_date(date) + "\r\n";
    h += "From: " + mailbox(m.from, "from") + "\r\n";
    h += "To: ";
    for (std::size_t i = 0; i < m.to.size(); ++i) {
        if (i > 0) h += ",\r\n ";
        h += mailbox(m.to[i], "to[" + std::to_string(i) + "]");
    }
    h += "\r\n";
    h += "Subject: " + encode_header_text(m.subject, "subject") + "\r\n";
    h += "Message-ID: " + rfc5322_message_id(m) + "\r\n";
    h += "MIME-Version: 1.0\r\n";

    const std::string text_part =
        "Content-Type: text/plain; charset=UTF-8\r\n"
        "Content-Transfer-Encoding: quoted-printable\r\n\r\n" +
        quoted_printable(m.text_body) + "\r\n";
    if (m.html_body.empty()) return h + text_part;

    // "=_" never occurs in quoted-printable output, so the boundary cannot
    // collide with either body (RFC 2045 §6.7 / RFC 2046 §5.1.1).
    const std::string boundary =
        "=_sala_" + detail::hex64(detail::fnv1a(m.idempotency_key, 0xcbf29ce484222325ULL));
    std::string out = h;
    out += "Content-Type: multipart/alternative; boundary=\"" + boundary + "\"\r\n\r\n";
    out += "This is a MIME message in text and HTML.\r\n";
    out += "--" + boundary + "\r\n" + text_part;
    out += "--" + boundary + "\r\n";
    out +=
        "Content-Type: text/html; charset=UTF-8\r\n"
        "Content-Transfer-Encoding: quoted-printable\r\n\r\n" +
        quoted_printable(m.html_body) + "\r\n";
    out += "--" + boundary + "--\r\n";
    return out;
}

}  // namespace sala
