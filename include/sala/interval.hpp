#pragma once
// A half-open interval of UTC instants, [begin, end), with the relations a
// scheduler needs. Two blocks that only meet (one ends at 10:00, the next
// starts at 10:00) do not overlap (R7).

#include <compare>

#include "sala/enum_names.hpp"
#include "sala/time.hpp"

namespace sala {

// Allen's thirteen interval relations, read as "a <relation> b".
// clang-format off
enum class allen {
    precedes, meets, overlaps, finished_by, contains, starts, equals,
    started_by, during, finishes, overlapped_by, met_by, preceded_by
};
// clang-format on
template <>
struct enum_names<allen> {
    static constexpr enum_table<allen, 13> entries{
        {SALA_ENUM_NAME(allen, precedes), SALA_ENUM_NAME(allen, meets),
         SALA_ENUM_NAME(allen, overlaps), SALA_ENUM_NAME(allen, finished_by),
         SALA_ENUM_NAME(allen, contains), SALA_ENUM_NAME(allen, starts),
         SALA_ENUM_NAME(allen, equals), SALA_ENUM_NAME(allen, started_by),
         SALA_ENUM_NAME(allen, during), SALA_ENUM_NAME(allen, finishes),
         SALA_ENUM_NAME(allen, overlapped_by), SALA_ENUM_NAME(allen, met_by),
         SALA_ENUM_NAME(allen, preceded_by)}};
};

class interval {
  public:
    constexpr interval() = default;
    // Precondition: begin <= end (checked by make_interval, which throws).
    constexpr interval(instant begin, instant end) noexcept : begin_(begin), end_(end) {}

    constexpr instant begin() const noexcept { return begin_; }
    constexpr instant end() const noexcept { return end_; }
    constexpr minutes length() const noexcept { return end_ - begin_; }
    constexpr bool empty() const noexcept { return !(begin_ < end_); }

    constexpr bool contains(instant t) const noexcept { return begin_ <= t && t < end_; }
    constexpr bool contains(const interval& o) const noexcept {
        return begin_ <= o.begin_ && o.end_ <= end_;
    }
    // True when they share at least one minute; meeting ends do not count.
    constexpr bool overlaps(const interval& o) const noexcept {
        return begin_ < o.end_ && o.begin_ < end_;
    }
    // True when one ends exactly where the other begins.
    constexpr bool meets(const interval& o) const noexcept {
        return end_ == o.begin_ || o.end_ == begin_;
    }
    constexpr bool before(const interval& o) const noexcept { return end_ <= o.begin_; }
    constexpr bool after(const interval& o) const noexcept { return o.end_ <= begin_; }

    // The shared part; empty (at max(begin)) when they do not overlap.
    constexpr interval intersection(const interval& o) const noexcept {
        const instant b = begin_ < o.begin_ ? o.begin_ : begin_;
        const instant e = end_ < o.end_ ? end_ : o.end_;
        return e < b ? interval{b, b} : interval{b, e};
    }

    constexpr allen relation(const interval& o) const noexcept {
        if (end_ < o.begin_) return allen::precedes;
        if (end_ == o.begin_)
            return begin_ == end_ && o.begin_ == o.end_ ? allen::equals : allen::meets;
        if (o.end_ < begin_) return allen::preceded_by;
        if (o.end_ == begin_) return allen::met_by;
        if (begin_ == o.begin_) {
            if (end_ == o.end_) return allen::equals;
            return end_ < o.end_ ? allen::starts : allen::started_by;
        }
        if (end_ == o.end_) return begin_ < o.begin_ ? allen::finished_by : allen::finishes;
        if (begin_ < o.begin_) return end_ < o.end_ ? allen::overlaps : allen::contains;
        return end_ < o.end_ ? allen::during : allen::overlapped_by;
    }

    friend constexpr bool operator==(const interval&, const interval&) = default;
    friend constexpr auto operator<=>(const interval&, const interval&) = default;

  private:
    instant begin_{};
    instant end_{};
};

// [begin, end); throws sala::invalid_argument(field) when end < begin.
interval make_interval(instant begin, instant end, const char* field = "interval");

}  // namespace sala
