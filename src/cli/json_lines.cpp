#include "json_lines.hpp"

namespace sala::cli {

namespace {

struct scanner {
    std::string_view t;
    std::size_t i = 0;
    int line = 1;
    std::map<std::string, int> out;

    void ws() {
        while (i < t.size() && (t[i] == ' ' || t[i] == '\t' || t[i] == '\r' || t[i] == '\n')) {
            if (t[i] == '\n') ++line;
            ++i;
        }
    }
    std::string string() {
        std::string s;
        ++i;  // opening quote
        while (i < t.size() && t[i] != '"') {
            if (t[i] == '\\' && i + 1 < t.size()) s += t[i++];
            s += t[i++];
        }
        ++i;
        return s;
    }
    void value(const std::string& path) {
        ws();
        out.emplace(path, line);
        if (i >= t.size()) return;
        if (t[i] == '{') {
            ++i;
            for (;;) {
                ws();
                if (i >= t.size() || t[i] == '}') {
                    ++i;
                    return;
                }
                if (t[i] == ',') {
                    ++i;
                    continue;
                }
                const std::string key = string();
                ws();
                ++i;  // ':'
                value(path + "/" + key);
            }
        }
        if (t[i] == '[') {
            ++i;
            for (int k = 0;;) {
                ws();
                if (i >= t.size() || t[i] == ']') {
                    ++i;
                    return;
                }
                if (t[i] == ',') {
                    ++i;
                    continue;
                }
                value(path + "/" + std::to_string(k++));
            }
        }
        if (t[i] == '"') {
            string();
            return;
        }
        while (i < t.size() && t[i] != ',' && t[i] != ']' && t[i] != '}' && t[i] != ' ' &&
               t[i] != '\n' && t[i] != '\r' && t[i] != '\t')
            ++i;
    }
};

}  // namespace

std::map<std::string, int> json_lines(std::string_view text) {
    scanner s;
    s.t = text;
    s.value("");
    return std::move(s.out);
}

int line_of_offset(std::string_view text, std::size_t byte) {
    int line = 1;
    for (std::size_t k = 0; k < byte && k < text.size(); ++k)
        if (text[k] == '\n') ++line;
    return line;
}

namespace {

// Calls fn(i) for every byte outside string literals until it returns true;
// the byte offset where it did, or npos.
template <class Fn>
std::size_t outside_strings(std::string_view t, Fn&& fn) {
    bool in_string = false;
    for (std::size_t i = 0; i < t.size(); ++i) {
        if (in_string) {
            if (t[i] == '\\')
                ++i;
            else if (t[i] == '"')
                in_string = false;
        } else if (t[i] == '"') {
            in_string = true;
        } else if (fn(i)) {
            return i;
        }
    }
    return std::string_view::npos;
}

}  // namespace

int line_of_depth(std::string_view text, int limit) {
    int depth = 0;
    const std::size_t at = outside_strings(text, [&](std::size_t i) {
        if (text[i] == '{' || text[i] == '[') return ++depth > limit;
        if (text[i] == '}' || text[i] == ']') --depth;
        return false;
    });
    return at == std::string_view::npos ? 0 : line_of_offset(text, at);
}

int line_of_number(std::string_view text, std::string_view token) {
    if (token.empty()) return 0;
    const auto part = [](char c) {
        return (c >= '0' && c <= '9') || c == '.' || c == 'e' || c == 'E' || c == '+' || c == '-';
    };
    const std::size_t at = outside_strings(text, [&](std::size_t i) {
        return text.substr(i, token.size()) == token && (i == 0 || !part(text[i - 1])) &&
               (i + token.size() >= text.size() || !part(text[i + token.size()]));
    });
    return at == std::string_view::npos ? 0 : line_of_offset(text, at);
}

}  // namespace sala::cli
