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

}  // namespace sala::cli
