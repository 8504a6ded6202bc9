#pragma once
// The per-room Boost.ICL sets behind sala::schedule, and many inserts into
// many of them at once (schedule::book_first_fit). Not part of sala's API.

#include <cstddef>
#include <cstdint>

#include <boost/icl/interval_set.hpp>
#include <boost/icl/right_open_interval.hpp>

namespace sala::detail {

using icl_interval = boost::icl::right_open_interval<std::int32_t>;
using icl_set = boost::icl::interval_set<std::int32_t, std::less, icl_interval>;

// One insert of a batch: where it goes and what.
struct icl_insert_source {
    void* context;
    icl_set& (*set_of)(void* context, std::size_t j);
    icl_interval (*interval_of)(void* context, std::size_t j);
};

// set_of(j) += interval_of(j) for j in [0, n). Intervals must not overlap
// their set's contents; a set's intervals must come in ascending order.
// Compiled once (src/core/icl_batch.cpp): it walks the standard library's
// tree nodes, which no installed header may do.
void add_all(std::size_t n, const icl_insert_source& src);

// The same with callables, for callers in headers.
template <class SetOf, class IntervalOf>
void add_all(std::size_t n, SetOf&& set_of, IntervalOf&& interval_of) {
    struct both {
        SetOf& s;
        IntervalOf& i;
    } ctx{set_of, interval_of};
    const icl_insert_source src{
        &ctx, [](void* c, std::size_t j) -> icl_set& { return static_cast<both*>(c)->s(j); },
        [](void* c, std::size_t j) { return static_cast<both*>(c)->i(j); }};
    add_all(n, src);
}

}  // namespace sala::detail
