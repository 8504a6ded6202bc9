// The store conformance suite on sala::memory_store (label unit).
#include "sala/fakes/memory_store.hpp"
#include "store_conformance.hpp"

namespace {

struct memory_backend {
    static constexpr const char* name = "memory";
    static constexpr bool exclusive_dispatcher = true;

    std::shared_ptr<sala::memory_database> db = std::make_shared<sala::memory_database>();

    std::string unavailable() { return ""; }
    std::shared_ptr<sala::store> open() { return std::make_shared<sala::memory_store>(db); }
    void make_at_version(int v) { db = sala::memory_store::create_at_version(v); }
    void make_foreign() {
        db = std::make_shared<sala::memory_database>();
        db->application = "billing";
        db->schema = 4;
        db->committed.version = 12;
    }
    void make_newer() {
        open();
        db->schema = 99;
    }
    std::string fingerprint() {
        std::lock_guard lock(db->mutex);
        return db->application + "/" + std::to_string(db->schema) + "/" +
               std::to_string(db->committed.version) + "/" +
               std::to_string(db->committed.rooms.size());
    }
};

}  // namespace

INSTANTIATE_TYPED_TEST_SUITE_P(Memory, StoreConformance, memory_backend,
                               conformance::backend_names);
