// The store conformance suite on sala::postgres_store (label postgres): the
// whole binary runs under one throw-away cluster (tests/support/pg_cluster.py,
// SALA_PG_CONNINFO); each test works in a PostgreSQL schema of its own.
#include <libpq-fe.h>

#include <cctype>
#include <cstdlib>

#include "sala/adapters/postgres_store.hpp"
#include "store_conformance.hpp"

namespace {

std::string conninfo() {
    const char* c = std::getenv("SALA_PG_CONNINFO");
    return c ? c : "";
}

// Rows of plain SQL, outside sala, one line per row, columns separated by '|'.
std::string sql(const std::string& q) {
    PGconn* c = PQconnectdb(conninfo().c_str());
    PGresult* r = PQexec(c, q.c_str());
    std::string out;
    const auto st = PQresultStatus(r);
    if (st != PGRES_TUPLES_OK && st != PGRES_COMMAND_OK)
        ADD_FAILURE() << q << ": " << PQerrorMessage(c);
    for (int k = 0; k < PQntuples(r); ++k) {
        for (int f = 0; f < PQnfields(r); ++f)
            out += std::string(f ? "|" : "") + PQgetvalue(r, k, f);
        out += "\n";
    }
    PQclear(r);
    PQfinish(c);
    return out;
}

struct postgres_backend {
    static constexpr const char* name = "postgres";
    static constexpr bool exclusive_dispatcher = true;  // a session advisory lock

    std::string schema;

    postgres_backend() {
        // The test's own name, as a PostgreSQL identifier.
        schema = "conf_";
        for (const char ch :
             std::string(::testing::UnitTest::GetInstance()->current_test_info()->name()))
            schema += std::isalnum(static_cast<unsigned char>(ch))
                          ? static_cast<char>(std::tolower(ch))
                          : '_';
        schema = schema.substr(0, 60);
    }

    sala::postgres_store::options options() const {
        sala::postgres_store::options o;
        o.schema = schema;
        return o;
    }
    std::string unavailable() {
        return conninfo().empty()
                   ? "run through tests/support/pg_cluster.py (SALA_PG_CONNINFO unset)"
                   : "";
    }
    std::shared_ptr<sala::store> open() {
        return sala::postgres_store::open(conninfo(), options());
    }
    void make_at_version(int v) {
        sala::postgres_store::create_at_version(conninfo(), options(), v);
    }
    void make_foreign() {
        sql("CREATE SCHEMA " + schema + "; CREATE TABLE " + schema +
            ".invoices(id int primary key, total numeric); INSERT INTO " + schema +
            ".invoices VALUES (1, 9.5)");
    }
    void make_newer() {
        open();
        sql("UPDATE " + schema + ".sala_meta SET value = '7' WHERE key = 'schema_version'");
    }
    // The schema's tables, and the rows of sala_meta or invoices.
    std::string fingerprint() {
        std::string out =
            sql("SELECT table_name FROM information_schema.tables WHERE table_schema = '" + schema +
                "' ORDER BY table_name");
        if (out.find("sala_meta") != std::string::npos)
            out += sql("SELECT key, value FROM " + schema + ".sala_meta ORDER BY key");
        if (out.find("invoices") != std::string::npos)
            out += sql("SELECT * FROM " + schema + ".invoices");
        return out;
    }
};

}  // namespace

INSTANTIATE_TYPED_TEST_SUITE_P(Postgres, StoreConformance, postgres_backend,
                               conformance::backend_names);
