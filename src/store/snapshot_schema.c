/*
 * snapshot_schema.c - a database file's schema objects against the ones
 * this binary's migrations create (snapshot_schema.h).
 *
 * A file can pass SQLite's checks and name a known schema version yet
 * carry objects of its own: a trigger runs inside the server on every
 * write it matches (one that puts back a user's old password hash is a
 * back door no API shows), a view or table the server never reads is at
 * best clutter.  SQLite's statistics tables (sqlite_stat1, ...) count too:
 * the server never runs ANALYZE, and made-up statistics steer its query
 * plans (a full scan where an index serves).  So a file restored from
 * elsewhere must hold exactly what the migrations make, object for object;
 * only the indexes SQLite makes for a table's constraints are left to the
 * table's SQL.
 */
#include "store/snapshot_schema.h"

#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "store/migrations.h"
#include "util/err.h"

#define OBJECTS_SQL                                                                                \
    "SELECT type, name, tbl_name, sql FROM sqlite_master "                                         \
    "WHERE name NOT LIKE 'sqlite!_autoindex!_%' ESCAPE '!' "                                       \
    "AND NOT (type = 'table' AND name = 'schema_migrations') ORDER BY type, name"
#define ONE_SQL "SELECT tbl_name, sql FROM sqlite_master WHERE type = ? AND name = ?"

static int sq_error(int sqrc, const char *path, char *err, size_t errlen)
{
    snprintf(err, errlen, "%s: cannot compare the schema: %s", path, sqlite3_errstr(sqrc));
    return (sqrc & 0xff) == SQLITE_NOMEM ? TSR_ENOMEM : TSR_ESTORE;
}

/* An empty in-memory database with the migrations up to version applied. */
static int expected_schema(int version, sqlite3 **out, const char *path, char *err, size_t errlen)
{
    sqlite3 *mem = NULL;
    int rc = sqlite3_open_v2(":memory:", &mem, SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX, NULL);
    for (int i = 0; rc == SQLITE_OK && i < tsr_migration_count; i++) {
        if (tsr_migrations[i].version <= version)
            rc = sqlite3_exec(mem, tsr_migrations[i].sql, NULL, NULL, NULL);
    }
    if (rc != SQLITE_OK) {
        sqlite3_close_v2(mem);
        return sq_error(rc, path, err, errlen);
    }
    *out = mem;
    return 0;
}

static bool same_text(const unsigned char *a, const unsigned char *b)
{
    return a == NULL ? b == NULL : b != NULL && strcmp((const char *)a, (const char *)b) == 0;
}

/*
 * Looks up each object of `have` in `want`: *odd names the first that is
 * missing there (*found = 0) or differs (*found = 1).  *odd is empty when
 * every object matches.
 */
static int compare(sqlite3 *have, sqlite3 *want, char *odd, size_t oddlen, int *found)
{
    sqlite3_stmt *all = NULL, *one = NULL;
    int rc = sqlite3_prepare_v2(have, OBJECTS_SQL, -1, &all, NULL);
    if (rc == SQLITE_OK)
        rc = sqlite3_prepare_v2(want, ONE_SQL, -1, &one, NULL);
    odd[0] = '\0';
    while (rc == SQLITE_OK && odd[0] == '\0' && (rc = sqlite3_step(all)) == SQLITE_ROW) {
        const unsigned char *type = sqlite3_column_text(all, 0);
        const unsigned char *name = sqlite3_column_text(all, 1);
        sqlite3_reset(one);
        sqlite3_bind_text(one, 1, (const char *)type, -1, SQLITE_TRANSIENT);
        sqlite3_bind_text(one, 2, (const char *)name, -1, SQLITE_TRANSIENT);
        int step = sqlite3_step(one);
        if (step == SQLITE_ROW) {
            *found = 1;
            if (!same_text(sqlite3_column_text(all, 2), sqlite3_column_text(one, 0)) ||
                !same_text(sqlite3_column_text(all, 3), sqlite3_column_text(one, 1)))
                snprintf(odd, oddlen, "%s %.64s", type, name);
        } else if (step == SQLITE_DONE) {
            *found = 0;
            snprintf(odd, oddlen, "%s %.64s", type, name);
        } else {
            rc = step;
        }
        if (rc == SQLITE_OK || rc == SQLITE_ROW)
            rc = SQLITE_OK;
    }
    if (rc == SQLITE_DONE || rc == SQLITE_ROW)
        rc = SQLITE_OK;
    sqlite3_finalize(all);
    sqlite3_finalize(one);
    return rc;
}

int tsr_snapshot_schema_check(sqlite3 *db, const char *path, int version, char *err, size_t errlen)
{
    sqlite3 *mem = NULL;
    char odd[160];
    int found = 0;
    int rc = expected_schema(version, &mem, path, err, errlen);
    if (rc != 0)
        return rc;
    if ((rc = compare(db, mem, odd, sizeof odd, &found)) != SQLITE_OK) {
        rc = sq_error(rc, path, err, errlen);
    } else if (odd[0] != '\0') {
        snprintf(err, errlen, "%s is not a Tessera database: its %s is not %s schema version %d",
                 path, odd, found ? "the one of" : "part of", version);
        rc = TSR_EFORMAT;
    } else if ((rc = compare(mem, db, odd, sizeof odd, &found)) != SQLITE_OK) {
        rc = sq_error(rc, path, err, errlen);
    } else if (odd[0] != '\0') {
        snprintf(err, errlen, "%s is not a Tessera database: it lacks the %s of schema version %d",
                 path, odd, version);
        rc = TSR_EFORMAT;
    }
    sqlite3_close_v2(mem);
    return rc;
}
