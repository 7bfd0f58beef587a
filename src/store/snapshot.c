/*
 * snapshot.c - copies and checks of whole SQLite database files
 * (snapshot.h), for `tessera backup` and `tessera restore`.
 *
 * Contents: opening a file read-only; the copy (VACUUM INTO); the checks
 * (SQLite's own, then Tessera's schema_migrations) and the counts.
 *
 * The copy is VACUUM INTO rather than the online backup API in steps: a
 * stepped sqlite3_backup restarts from the first page whenever another
 * process writes between two steps, so under a server's steady writes it
 * may never finish; in one step it holds the same single read transaction
 * VACUUM INTO does.  On a WAL database that read transaction blocks no
 * writer (only checkpoints wait for it, so the WAL grows while it runs).
 * VACUUM INTO also leaves a compact file with no WAL of its own, reading
 * every row through the b-trees on the way.
 */
#include "store/snapshot.h"

#include <errno.h>
#include <sqlite3.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include "store/migrations.h"
#include "store/snapshot_schema.h"
#include "store/store.h"
#include "util/err.h"

#define BUSY_TIMEOUT_MS 5000
#define SQ_PATH_MAX 4200

/* path as SQLite must be given it: this build reads "file:..." as a URI. */
static int sqlite_path(const char *path, char *out, size_t outlen)
{
    const char *prefix = strncmp(path, "file:", 5) == 0 ? "./" : "";
    int n = snprintf(out, outlen, "%s%s", prefix, path);
    return n < 0 || (size_t)n >= outlen ? TSR_ETOOBIG : 0;
}

/* Maps an SQLite failure on path to a code and one line in err. */
static int sq_fail(sqlite3 *db, int sqrc, const char *path, const char *what, char *err,
                   size_t errlen)
{
    const char *msg = db != NULL ? sqlite3_errmsg(db) : sqlite3_errstr(sqrc);
    switch (sqrc & 0xff) {
    case SQLITE_NOTADB:
        snprintf(err, errlen, "%s is not an SQLite database", path);
        return TSR_EFORMAT;
    case SQLITE_CORRUPT:
        snprintf(err, errlen, "%s is damaged: %s", path, msg);
        return TSR_EFORMAT;
    case SQLITE_NOMEM:
        snprintf(err, errlen, "%s: out of memory", path);
        return TSR_ENOMEM;
    default:
        snprintf(err, errlen, "%s: %s: %s", path, what, msg);
        return TSR_ESTORE;
    }
}

/* Opens an existing regular file read-only, with nothing in it trusted. */
static int open_ro(const char *path, sqlite3 **out, char *err, size_t errlen)
{
    char sqpath[SQ_PATH_MAX];
    struct stat sb;
    sqlite3 *db = NULL;
    int rc;

    *out = NULL;
    if (stat(path, &sb) != 0) {
        int e = errno;
        snprintf(err, errlen, "%s: %s", path, strerror(e));
        return e == ENOENT || e == ENOTDIR ? TSR_ENOTFOUND : TSR_EIO;
    }
    if (!S_ISREG(sb.st_mode)) {
        snprintf(err, errlen, "%s is not a regular file", path);
        return TSR_EFORMAT;
    }
    if (sqlite_path(path, sqpath, sizeof sqpath) != 0) {
        snprintf(err, errlen, "%s: path too long", path);
        return TSR_ETOOBIG;
    }
    rc = sqlite3_open_v2(sqpath, &db, SQLITE_OPEN_READONLY | SQLITE_OPEN_NOMUTEX, NULL);
    if (rc != SQLITE_OK) {
        rc = sq_fail(db, rc, path, "cannot open", err, errlen);
        sqlite3_close_v2(db);
        return rc;
    }
    sqlite3_extended_result_codes(db, 1);
    sqlite3_busy_timeout(db, BUSY_TIMEOUT_MS);
    sqlite3_db_config(db, SQLITE_DBCONFIG_DEFENSIVE, 1, (int *)NULL);
    sqlite3_db_config(db, SQLITE_DBCONFIG_TRUSTED_SCHEMA, 0, (int *)NULL);
    *out = db;
    return 0;
}

int tsr_store_snapshot(const char *src, const char *dst, char *err, size_t errlen)
{
    char sqdst[SQ_PATH_MAX];
    sqlite3 *db = NULL;
    sqlite3_stmt *stmt = NULL;
    int rc;

    err[0] = '\0';
    if (sqlite_path(dst, sqdst, sizeof sqdst) != 0) {
        snprintf(err, errlen, "%s: path too long", dst);
        return TSR_ETOOBIG;
    }
    if ((rc = open_ro(src, &db, err, errlen)) != 0)
        goto out;
    rc = sqlite3_prepare_v2(db, "VACUUM INTO ?", -1, &stmt, NULL);
    if (rc == SQLITE_OK)
        rc = sqlite3_bind_text(stmt, 1, sqdst, -1, SQLITE_STATIC);
    if (rc == SQLITE_OK)
        rc = sqlite3_step(stmt);
    if (rc != SQLITE_DONE) {
        rc = sq_fail(db, rc, src, "cannot copy", err, errlen);
        goto out;
    }
    rc = 0;
out:
    sqlite3_finalize(stmt);
    sqlite3_close_v2(db);
    return rc;
}

/* Runs quick_check or integrity_check; a first message other than "ok" is damage. */
static int run_check(sqlite3 *db, const char *path, enum tsr_store_check check, char *err,
                     size_t errlen)
{
    const char *sql = check == TSR_STORE_CHECK_QUICK ? "PRAGMA quick_check(1)"
                                                     : "PRAGMA integrity_check(1)";
    sqlite3_stmt *stmt = NULL;
    int rc = sqlite3_prepare_v2(db, sql, -1, &stmt, NULL);
    if (rc == SQLITE_OK)
        rc = sqlite3_step(stmt);
    if (rc != SQLITE_ROW) {
        rc = sq_fail(db, rc, path, "cannot check", err, errlen);
        goto out;
    }
    const char *verdict = (const char *)sqlite3_column_text(stmt, 0);
    if (verdict == NULL || strcmp(verdict, "ok") != 0) {
        snprintf(err, errlen, "%s is damaged: %s", path, verdict ? verdict : "no verdict");
        rc = TSR_EFORMAT;
        goto out;
    }
    rc = 0;
out:
    sqlite3_finalize(stmt);
    return rc;
}

/* One integer from a query with an optional text parameter; *found = 0 when no row. */
static int query_int(sqlite3 *db, const char *sql, const char *arg, int64_t *out, int *found)
{
    sqlite3_stmt *stmt = NULL;
    *out = 0;
    *found = 0;
    int rc = sqlite3_prepare_v2(db, sql, -1, &stmt, NULL);
    if (rc == SQLITE_OK && arg != NULL)
        rc = sqlite3_bind_text(stmt, 1, arg, -1, SQLITE_STATIC);
    if (rc == SQLITE_OK)
        rc = sqlite3_step(stmt);
    if (rc == SQLITE_ROW) {
        *out = sqlite3_column_int64(stmt, 0);
        *found = 1;
        rc = SQLITE_OK;
    } else if (rc == SQLITE_DONE) {
        rc = SQLITE_OK;
    }
    sqlite3_finalize(stmt);
    return rc;
}

static int table_exists(sqlite3 *db, const char *table, int *exists)
{
    int64_t n = 0;
    int found = 0;
    int rc = query_int(db, "SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = ?",
                       table, &n, &found);
    *exists = n > 0;
    return rc;
}

/* Rows of a table, 0 when an older schema has no such table. */
static int count_rows(sqlite3 *db, const char *table, const char *count_sql, int64_t *out)
{
    int exists = 0, found = 0;
    int rc = table_exists(db, table, &exists);
    *out = 0;
    if (rc != SQLITE_OK || !exists)
        return rc;
    return query_int(db, count_sql, NULL, out, &found);
}

/* The name this binary gives migration version, or NULL when it has none. */
static const char *known_migration(int version)
{
    for (int i = 0; i < tsr_migration_count; i++) {
        if (tsr_migrations[i].version == version)
            return tsr_migrations[i].name;
    }
    return NULL;
}

/* Reads the newest schema_migrations row and judges it against this binary's migrations. */
static int check_schema(sqlite3 *db, const char *path, enum tsr_store_check check,
                        struct tsr_store_file_info *info, char *err, size_t errlen)
{
    sqlite3_stmt *stmt = NULL;
    int exists = 0;
    int rc = table_exists(db, "schema_migrations", &exists);
    if (rc != SQLITE_OK)
        return sq_fail(db, rc, path, "cannot read the schema", err, errlen);
    if (!exists) {
        snprintf(err, errlen, "%s is not a Tessera database (it has no schema_migrations table)",
                 path);
        return TSR_EFORMAT;
    }
    rc = sqlite3_prepare_v2(db,
                            "SELECT version, name FROM schema_migrations "
                            "ORDER BY version DESC LIMIT 1",
                            -1, &stmt, NULL);
    if (rc == SQLITE_OK)
        rc = sqlite3_step(stmt);
    if (rc == SQLITE_DONE) {
        snprintf(err, errlen, "%s is not a Tessera database (no schema version is recorded)", path);
        rc = TSR_EFORMAT;
        goto out;
    }
    if (rc != SQLITE_ROW) {
        rc = sq_fail(db, rc, path, "cannot read the schema version", err, errlen);
        goto out;
    }
    int64_t version = sqlite3_column_int64(stmt, 0);
    const char *name = (const char *)sqlite3_column_text(stmt, 1);
    if (version > info->schema_latest) {
        snprintf(err, errlen,
                 "%s has schema version %lld, newer than this tessera knows (%d); use a newer "
                 "tessera",
                 path, (long long)version, info->schema_latest);
        rc = TSR_ECONFLICT;
        goto out;
    }
    const char *expected = version > 0 ? known_migration((int)version) : NULL;
    if (expected == NULL || name == NULL || strcmp(expected, name) != 0) {
        snprintf(err, errlen,
                 "%s is not a Tessera database (schema version %lld is not one this tessera "
                 "knows)",
                 path, (long long)version);
        rc = TSR_EFORMAT;
        goto out;
    }
    info->schema_version = (int)version;
    rc = 0;
    if (check == TSR_STORE_CHECK_RESTORE)
        rc = tsr_snapshot_schema_check(db, path, (int)version, err, errlen);
out:
    sqlite3_finalize(stmt);
    return rc;
}

int tsr_store_inspect(const char *path, enum tsr_store_check check,
                      struct tsr_store_file_info *info, char *err, size_t errlen)
{
    sqlite3 *db = NULL;
    struct stat sb;
    int rc;

    memset(info, 0, sizeof *info);
    info->schema_latest = tsr_store_schema_latest();
    err[0] = '\0';
    if ((rc = open_ro(path, &db, err, errlen)) != 0)
        goto out;
    /* One read transaction, so the counts and the version describe the same moment. */
    if ((rc = sqlite3_exec(db, "BEGIN", NULL, NULL, NULL)) != SQLITE_OK) {
        rc = sq_fail(db, rc, path, "cannot read", err, errlen);
        goto out;
    }
    if ((rc = run_check(db, path, check, err, errlen)) != 0)
        goto out;
    if ((rc = check_schema(db, path, check, info, err, errlen)) != 0)
        goto out;
    if ((rc = count_rows(db, "tenants", "SELECT count(*) FROM tenants", &info->tenants)) !=
            SQLITE_OK ||
        (rc = count_rows(db, "users", "SELECT count(*) FROM users", &info->users)) != SQLITE_OK) {
        rc = sq_fail(db, rc, path, "cannot count rows", err, errlen);
        goto out;
    }
    if (stat(path, &sb) != 0) {
        snprintf(err, errlen, "%s: %s", path, strerror(errno));
        rc = TSR_EIO;
        goto out;
    }
    info->bytes = (int64_t)sb.st_size;
    rc = 0;
out:
    sqlite3_close_v2(db); /* ends the read transaction */
    return rc;
}
