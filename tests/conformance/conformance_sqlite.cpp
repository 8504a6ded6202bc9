// The store conformance suite on sala::sqlite_store, real files (label sqlite).
#include <sqlite3.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <iterator>

#include "../support/sqlite_exec.hpp"
#include "sala/adapters/sqlite_store.hpp"
#include "store_conformance.hpp"

namespace {

namespace fs = std::filesystem;

using test_support::raw_exec;

struct sqlite_backend {
    static constexpr const char* name = "sqlite";
    // SQLite's dispatcher lock is a no-op: run the dispatcher in the process that owns the file.
    static constexpr bool exclusive_dispatcher = false;

    fs::path dir;
    std::string path;

    sqlite_backend() {
        std::string t = (fs::temp_directory_path() / "sala-conformance-XXXXXX").string();
        dir = ::mkdtemp(t.data());
        path = (dir / "sala.db").string();
    }
    ~sqlite_backend() { fs::remove_all(dir); }
    sqlite_backend(const sqlite_backend&) = delete;
    sqlite_backend& operator=(const sqlite_backend&) = delete;

    std::string unavailable() { return ""; }
    std::shared_ptr<sala::store> open() { return sala::sqlite_store::open(path); }
    void make_at_version(int v) { sala::sqlite_store::create_at_version(path, v); }
    void make_foreign() {
        raw_exec(path,
                 "CREATE TABLE invoices(id INTEGER PRIMARY KEY, total REAL);"
                 "INSERT INTO invoices VALUES (1, 9.5);");
    }
    void make_newer() {
        open();
        raw_exec(path, "PRAGMA user_version = 99;");
    }
    // The file's bytes.
    std::string fingerprint() {
        std::ifstream in(path, std::ios::binary);
        return {std::istreambuf_iterator<char>(in), {}};
    }
};

}  // namespace

INSTANTIATE_TYPED_TEST_SUITE_P(Sqlite, StoreConformance, sqlite_backend,
                               conformance::backend_names);
