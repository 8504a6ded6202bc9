#pragma once
// The SQL stores' schema, written once: the tables both stores share, with
// column types as tokens each store spells in its own SQL, and the part that
// differs (the reservations table with the store's own R1 guard) given by the
// store. The scripts are those of schema versions 1 and 2, unchanged, and 3.

#include <string>

namespace sala::detail {

struct sql_schema {
    // How the store spells the column types.
    const char* int32;
    const char* int64;
    const char* text;
    const char* boolean;
    const char* serial_key;  // an auto-numbered primary key
    // Version 1 only: what comes before the tables (extensions), and after
    // `requests` the reservations table with its indexes and overlap guard.
    const char* extensions;
    const char* reservations;
};

// The version the scripts below reach.
constexpr int sql_schema_version = 3;

// The script taking a store from version to - 1 to version `to` (1..sql_schema_version).
std::string sql_migration(int to, const sql_schema& s);

}  // namespace sala::detail
