#pragma once
// Runs SQL on a SQLite file behind sala's back (to age, damage or foreign-ise a
// store in a test). Shared by the SQLite store tests and the conformance suite.

#include <gtest/gtest.h>
#include <sqlite3.h>

#include <string>

namespace test_support {

inline void raw_exec(const std::string& path, const std::string& sql) {
    sqlite3* db = nullptr;
    ASSERT_EQ(sqlite3_open(path.c_str(), &db), SQLITE_OK);
    char* err = nullptr;
    const int rc = sqlite3_exec(db, sql.c_str(), nullptr, nullptr, &err);
    const std::string msg = err ? err : "";
    sqlite3_free(err);
    sqlite3_close(db);
    ASSERT_EQ(rc, SQLITE_OK) << msg;
}

}  // namespace test_support
