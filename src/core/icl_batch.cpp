// Many inserts into many per-room Boost.ICL sets at once (schedule::book_first_fit).
//
// At thousands of rooms each room's tree is cold in cache, so one insert
// costs a chain of cache misses, one per tree level. Walking a group of trees
// in step, prefetching each next node, keeps a group's misses in flight
// together; each insert then gets its walk's result as a hint and costs O(1)
// amortized. The walk reads libstdc++'s red-black tree nodes (the layout of
// its public node type); with another standard library the inserts are
// plain ones.

#include <algorithm>
#include <set>

#include "sala/detail/icl_set.hpp"

namespace sala::detail {

void add_all(std::size_t n, const icl_insert_source& src) {
    const auto set_of = [&](std::size_t j) -> icl_set& { return src.set_of(src.context, j); };
    const auto interval_of = [&](std::size_t j) { return src.interval_of(src.context, j); };
#if defined(__GLIBCXX__)
    using node_base = std::_Rb_tree_node_base;
    using node = std::_Rb_tree_node<icl_interval>;
    constexpr std::size_t group = 32;
    const node_base* cur[group];
    const node_base* next[group];  // the first node after the interval: the insert's hint
    std::int32_t lower[group];
    for (std::size_t g0 = 0; g0 < n; g0 += group) {
        const std::size_t m = std::min(group, n - g0);
        for (std::size_t j = 0; j < m; ++j) {
            next[j] = set_of(g0 + j).end()._M_node;  // the header: "none"
            cur[j] = next[j]->_M_parent;             // the root
            lower[j] = interval_of(g0 + j).lower();
            __builtin_prefetch(cur[j]);
        }
        for (bool walking = true; walking;) {
            walking = false;
            for (std::size_t j = 0; j < m; ++j) {
                const node_base* x = cur[j];
                if (!x) continue;
                // Intervals in a set never overlap: "ends after our lower" means "lies after us".
                if (static_cast<const node*>(x)->_M_valptr()->upper() > lower[j]) {
                    next[j] = x;
                    x = x->_M_left;
                } else {
                    x = x->_M_right;
                }
                cur[j] = x;
                if (x) {
                    __builtin_prefetch(x);
                    __builtin_prefetch(reinterpret_cast<const char*>(x) + sizeof(node) - 1);
                    walking = true;
                }
            }
        }
        // In order: an earlier insert into the same set only adds or joins
        // nodes before a later interval's hint, which stays valid.
        for (std::size_t j = 0; j < m; ++j)
            set_of(g0 + j).add(icl_set::iterator(next[j]), interval_of(g0 + j));
    }
#else
    for (std::size_t j = 0; j < n; ++j) set_of(j) += interval_of(j);
#endif
}

}  // namespace sala::detail
