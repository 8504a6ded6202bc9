#pragma once
// A tiny aligned-text table for the examples (UTF-8 aware: counts code points).

#include <algorithm>
#include <ostream>
#include <string>
#include <vector>

namespace demo {

inline std::size_t width(const std::string& s) {
    return static_cast<std::size_t>(std::count_if(
        s.begin(), s.end(), [](char c) { return (static_cast<unsigned char>(c) & 0xC0) != 0x80; }));
}

class table {
  public:
    explicit table(std::vector<std::string> header) : rows_{std::move(header)} {}
    void add(std::vector<std::string> row) { rows_.push_back(std::move(row)); }
    void print(std::ostream& out, const std::string& indent = "  ") const {
        std::vector<std::size_t> w;
        for (const auto& r : rows_)
            for (std::size_t i = 0; i < r.size(); ++i) {
                if (w.size() <= i) w.push_back(0);
                w[i] = std::max(w[i], width(r[i]));
            }
        for (std::size_t k = 0; k < rows_.size(); ++k) {
            out << indent;
            for (std::size_t i = 0; i < rows_[k].size(); ++i) {
                out << rows_[k][i];
                if (i + 1 < rows_[k].size()) out << std::string(w[i] - width(rows_[k][i]) + 2, ' ');
            }
            out << "\n";
            if (k == 0) {
                out << indent;
                for (std::size_t i = 0; i < w.size(); ++i)
                    out << std::string(w[i], '-') << (i + 1 < w.size() ? "  " : "");
                out << "\n";
            }
        }
    }

  private:
    std::vector<std::vector<std::string>> rows_;
};

}  // namespace demo
