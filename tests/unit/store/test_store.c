/*
 * test_store.c - the store wrappers and the SQLite backend: opening,
 * migrations, binding, errors, transactions, fault injection and the
 * statement cache.
 */
#include <errno.h>
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "store/like.h"
#include "store/store.h"
#include "util/err.h"
#include "util/log.h"

/* ---- helpers ------------------------------------------------------------- */

struct tmpdb {
    char dir[512];
    char path[600];
};

static void tmpdb_make(struct tmpdb *t)
{
    const char *base = getenv("TSR_TEST_TMPDIR");
    if (base == NULL || base[0] == '\0')
        base = "/tmp";
    if (mkdir(base, 0700) != 0)
        assert_int_equal(errno, EEXIST);
    int n = snprintf(t->dir, sizeof t->dir, "%s/tsr-store-XXXXXX", base);
    assert_true(n > 0 && (size_t)n < sizeof t->dir);
    assert_non_null(mkdtemp(t->dir));
    n = snprintf(t->path, sizeof t->path, "%s/tessera.db", t->dir);
    assert_true(n > 0 && (size_t)n < sizeof t->path);
}

static void tmpdb_remove(struct tmpdb *t)
{
    static const char *const suffixes[] = {"", "-wal", "-shm", "-journal"};
    char p[700];
    for (size_t i = 0; i < sizeof suffixes / sizeof suffixes[0]; i++) {
        snprintf(p, sizeof p, "%s%s", t->path, suffixes[i]);
        unlink(p);
    }
    assert_int_equal(rmdir(t->dir), 0);
}

static tsr_store *open_memory(void)
{
    tsr_store *st = NULL;
    assert_int_equal(tsr_store_open("sqlite::memory:", &st), 0);
    assert_non_null(st);
    return st;
}

static tsr_store *open_migrated(void)
{
    tsr_store *st = open_memory();
    int applied = -1;
    assert_int_equal(tsr_store_migrate(st, &applied), 0);
    assert_int_equal(applied, tsr_store_schema_latest());
    return st;
}

static int64_t count_rows(tsr_store *st, const char *sql)
{
    tsr_stmt *stmt = NULL;
    assert_int_equal(tsr_store_query(st, &stmt, sql, ""), 0);
    assert_int_equal(tsr_stmt_step(stmt), TSR_STORE_ROW);
    int64_t n = tsr_stmt_int64(stmt, 0);
    assert_int_equal(tsr_stmt_step(stmt), TSR_STORE_DONE);
    tsr_stmt_finalize(stmt);
    return n;
}

static int table_exists(tsr_store *st, const char *name)
{
    tsr_stmt *stmt = NULL;
    assert_int_equal(tsr_store_query(st, &stmt,
                                     "SELECT COUNT(*) FROM sqlite_master "
                                     "WHERE type = 'table' AND name = ?",
                                     "s", name),
                     0);
    assert_int_equal(tsr_stmt_step(stmt), TSR_STORE_ROW);
    int found = tsr_stmt_int64(stmt, 0) == 1;
    tsr_stmt_finalize(stmt);
    return found;
}

static int insert_tenant(tsr_store *st, const char *id, const char *issuer)
{
    return tsr_store_run(st, NULL,
                         "INSERT INTO tenants (id, name, issuer, created_at, updated_at) "
                         "VALUES (?1, ?1, ?2, ?3, ?4)",
                         "ssii", id, issuer, (int64_t)1700000000, (int64_t)1700000000);
}

static int insert_client(tsr_store *st, const char *tenant, const char *client_id)
{
    return tsr_store_run(st, NULL,
                         "INSERT INTO clients (tenant_id, client_id, name, created_at, updated_at) "
                         "VALUES (?, ?, ?, ?, ?)",
                         "sssii", tenant, client_id, "App", (int64_t)1, (int64_t)1);
}

/* ---- opening -------------------------------------------------------------- */

static void test_open_memory(void **state)
{
    (void)state;
    tsr_store *st = open_memory();
    int version = -1;
    assert_string_equal(tsr_store_backend(st), "sqlite");
    assert_int_equal(tsr_store_schema_version(st, &version), 0);
    assert_int_equal(version, 0);
    tsr_store_close(st);

    assert_int_equal(tsr_store_open(":memory:", &st), 0);
    assert_string_equal(tsr_store_backend(st), "sqlite");
    tsr_store_close(st);
    tsr_store_close(NULL);
}

static void test_open_invalid(void **state)
{
    (void)state;
    tsr_store *st = (tsr_store *)&st;
    assert_int_equal(tsr_store_open(NULL, &st), TSR_EINVAL);
    assert_null(st);
    assert_int_equal(tsr_store_open("", &st), TSR_EINVAL);
    assert_int_equal(tsr_store_open("sqlite:", &st), TSR_EINVAL);
    assert_int_equal(tsr_store_open("postgres://db/tessera", &st), TSR_EINVAL);
    assert_null(st);
    assert_int_equal(tsr_store_open("sqlite::memory:", NULL), TSR_EINVAL);
    assert_int_equal(tsr_store_open("/nonexistent-dir/sub/x.db", &st), TSR_ESTORE);
    assert_null(st);
    assert_int_equal(tsr_store_exec(NULL, "SELECT 1"), TSR_EINVAL);
    assert_int_equal(tsr_store_begin(NULL), TSR_EINVAL);
    assert_int_equal(tsr_stmt_step(NULL), TSR_EINVAL);
    tsr_stmt_finalize(NULL);
}

static void test_file_migrate_reopen(void **state)
{
    (void)state;
    struct tmpdb t;
    char loc[700];
    tsr_store *st = NULL;
    int applied = -1;
    int version = -1;
    struct stat sb;

    tmpdb_make(&t);
    snprintf(loc, sizeof loc, "sqlite:%s", t.path);
    assert_int_equal(tsr_store_open(loc, &st), 0);
    assert_int_equal(stat(t.path, &sb), 0);
    assert_int_equal(sb.st_mode & 0777, 0600);

    assert_int_equal(tsr_store_migrate(st, &applied), 0);
    assert_int_equal(applied, tsr_store_schema_latest());
    assert_true(tsr_store_schema_latest() >= 1);
    assert_int_equal(tsr_store_schema_version(st, &version), 0);
    assert_int_equal(version, tsr_store_schema_latest());
    static const char *const tables[] = {"schema_migrations", "tenants",          "signing_keys",
                                         "clients",           "resource_servers", "client_grants"};
    for (size_t i = 0; i < sizeof tables / sizeof tables[0]; i++)
        assert_true(table_exists(st, tables[i]));
    assert_int_equal(insert_tenant(st, "t1", "https://a.example/"), 0);
    tsr_store_close(st);

    /* A plain path selects SQLite too. */
    st = NULL;
    assert_int_equal(tsr_store_open(t.path, &st), 0);
    assert_int_equal(tsr_store_migrate(st, &applied), 0);
    assert_int_equal(applied, 0);
    assert_int_equal(count_rows(st, "SELECT COUNT(*) FROM tenants WHERE id = 't1'"), 1);
    assert_int_equal(count_rows(st, "SELECT COUNT(*) FROM schema_migrations"),
                     tsr_store_schema_latest());
    tsr_store_close(st);
    tmpdb_remove(&t);
}

static void test_future_schema_refused(void **state)
{
    (void)state;
    tsr_store *st = open_migrated();
    int applied = -1;
    int version = 0;
    int future = tsr_store_schema_latest() + 1;
    assert_int_equal(tsr_store_run(st, NULL,
                                   "INSERT INTO schema_migrations (version, name, applied_at) "
                                   "VALUES (?, ?, ?)",
                                   "isi", (int64_t)future, "999_future", (int64_t)0),
                     0);
    assert_int_equal(tsr_store_migrate(st, &applied), TSR_ESTORE);
    assert_int_equal(applied, 0);
    assert_int_equal(tsr_store_schema_version(st, &version), 0);
    assert_int_equal(version, future);
    tsr_store_close(st);
}

struct race {
    const char *path;
    int rc;
    int applied;
};

static void *race_migrate(void *arg)
{
    struct race *r = arg;
    tsr_store *st = NULL;
    r->rc = tsr_store_open(r->path, &st);
    if (r->rc == 0)
        r->rc = tsr_store_migrate(st, &r->applied);
    tsr_store_close(st);
    return NULL;
}

static void test_concurrent_migrate(void **state)
{
    (void)state;
    struct tmpdb t;
    enum { N = 4 };
    pthread_t th[N];
    struct race r[N];
    int total = 0;

    tmpdb_make(&t);
    for (int i = 0; i < N; i++) {
        r[i] = (struct race){t.path, -100, -1};
        assert_int_equal(pthread_create(&th[i], NULL, race_migrate, &r[i]), 0);
    }
    for (int i = 0; i < N; i++) {
        assert_int_equal(pthread_join(th[i], NULL), 0);
        assert_int_equal(r[i].rc, 0);
        total += r[i].applied;
    }
    assert_int_equal(total, tsr_store_schema_latest());
    tmpdb_remove(&t);
}

/*
 * Writers on one file take turns through the shared busy handler: every
 * increment lands, in transactions and in autocommit statements alike,
 * and none of them runs into the busy timeout.
 */
struct writer {
    const char *path;
    int rc;
};

enum { WRITERS = 4, WRITES = 40 };

static void *write_turns(void *arg)
{
    struct writer *w = arg;
    tsr_store *st = NULL;
    w->rc = tsr_store_open(w->path, &st);
    for (int i = 0; w->rc == 0 && i < WRITES; i++) {
        if (i % 2 == 0) {
            w->rc = tsr_store_begin(st);
            if (w->rc == 0)
                w->rc = tsr_store_run(st, NULL, "UPDATE counter SET n = n + 1", "");
            w->rc = tsr_store_finish(st, w->rc);
        } else {
            w->rc = tsr_store_run(st, NULL, "UPDATE counter SET n = n + 1", "");
        }
    }
    tsr_store_close(st);
    return NULL;
}

static void test_concurrent_writers(void **state)
{
    (void)state;
    struct tmpdb t;
    pthread_t th[WRITERS];
    struct writer w[WRITERS];
    tmpdb_make(&t);
    tsr_store *st = NULL;
    assert_int_equal(tsr_store_open(t.path, &st), 0);
    assert_int_equal(tsr_store_exec(st, "CREATE TABLE counter (n BIGINT NOT NULL); "
                                        "INSERT INTO counter (n) VALUES (0)"),
                     0);
    for (int i = 0; i < WRITERS; i++) {
        w[i] = (struct writer){t.path, -100};
        assert_int_equal(pthread_create(&th[i], NULL, write_turns, &w[i]), 0);
    }
    for (int i = 0; i < WRITERS; i++) {
        assert_int_equal(pthread_join(th[i], NULL), 0);
        assert_int_equal(w[i].rc, 0);
    }
    tsr_stmt *stmt = NULL;
    assert_int_equal(tsr_store_query(st, &stmt, "SELECT n FROM counter", ""), 0);
    assert_int_equal(tsr_stmt_step(stmt), TSR_STORE_ROW);
    assert_int_equal(tsr_stmt_int64(stmt, 0), WRITERS * WRITES);
    tsr_stmt_finalize(stmt);
    tsr_store_close(st);
    tmpdb_remove(&t);
}

/* ---- binding and reading -------------------------------------------------- */

static void test_types(void **state)
{
    (void)state;
    tsr_store *st = open_memory();
    tsr_stmt *stmt = NULL;
    int64_t changes = -1;
    static const unsigned char blob[] = {0, 1, 2, 0, 255};
    size_t len = 99;

    assert_int_equal(tsr_store_exec(st, "CREATE TABLE t (id INTEGER PRIMARY KEY, s TEXT, "
                                        "i BIGINT, b BLOB, n TEXT); CREATE INDEX t_s ON t (s)"),
                     0);
    assert_int_equal(
        tsr_store_run(st, &changes, "INSERT INTO t (id, s, i, b, n) VALUES (?, ?, ?, ?, ?)",
                      "isibn", (int64_t)1, "h\xc3\xa9llo 'quoted' ?", INT64_MIN, blob, sizeof blob),
        0);
    assert_int_equal(changes, 1);
    assert_int_equal(tsr_store_run(st, NULL,
                                   "INSERT INTO t (id, s, i, b, n) VALUES (?, ?, ?, ?, ?)", "isibs",
                                   (int64_t)2, (const char *)NULL, INT64_MAX, (const void *)NULL,
                                   (size_t)0, (const char *)NULL),
                     0);

    assert_int_equal(
        tsr_store_query(st, &stmt, "SELECT s, i, b, n FROM t WHERE id = ?", "i", (int64_t)1), 0);
    assert_int_equal(tsr_stmt_step(stmt), TSR_STORE_ROW);
    assert_string_equal(tsr_stmt_text(stmt, 0), "h\xc3\xa9llo 'quoted' ?");
    char *dup = tsr_stmt_text_dup(stmt, 0);
    assert_non_null(dup);
    assert_string_equal(dup, "h\xc3\xa9llo 'quoted' ?");
    free(dup);
    assert_true(tsr_stmt_int64(stmt, 1) == INT64_MIN);
    const void *p = tsr_stmt_blob(stmt, 2, &len);
    assert_int_equal(len, sizeof blob);
    assert_memory_equal(p, blob, sizeof blob);
    assert_false(tsr_stmt_is_null(stmt, 0));
    assert_true(tsr_stmt_is_null(stmt, 3));
    assert_null(tsr_stmt_text(stmt, 3));
    assert_null(tsr_stmt_text_dup(stmt, 3));
    assert_int_equal(tsr_stmt_step(stmt), TSR_STORE_DONE);
    tsr_stmt_finalize(stmt);

    assert_int_equal(
        tsr_store_query(st, &stmt, "SELECT s, i, b FROM t WHERE id = ?", "i", (int64_t)2), 0);
    assert_int_equal(tsr_stmt_step(stmt), TSR_STORE_ROW);
    assert_true(tsr_stmt_is_null(stmt, 0));
    assert_null(tsr_stmt_text(stmt, 0));
    assert_true(tsr_stmt_int64(stmt, 1) == INT64_MAX);
    assert_true(tsr_stmt_is_null(stmt, 2));
    assert_null(tsr_stmt_blob(stmt, 2, &len));
    assert_int_equal(len, 0);
    tsr_stmt_finalize(stmt);

    /* '?' inside literals and comments is not a parameter. */
    assert_int_equal(count_rows(st, "SELECT COUNT(*) FROM t WHERE s <> '?''?' -- ?\n /* ? */"), 1);

    /* Update reports the rows changed; RETURNING rows are drained. */
    assert_int_equal(
        tsr_store_run(st, &changes, "UPDATE t SET n = ? WHERE id > ?", "si", "x", (int64_t)0), 0);
    assert_int_equal(changes, 2);
    assert_int_equal(
        tsr_store_run(st, &changes, "DELETE FROM t WHERE id = ? RETURNING id", "i", (int64_t)2), 0);
    assert_int_equal(changes, 1);
    tsr_store_close(st);
}

static void test_bad_arguments(void **state)
{
    (void)state;
    tsr_store *st = open_memory();
    tsr_stmt *stmt = (tsr_stmt *)&stmt;

    assert_int_equal(tsr_store_exec(st, "CREATE TABLE t (a TEXT)"), 0);
    /* Unknown letter. */
    assert_int_equal(tsr_store_query(st, &stmt, "SELECT ?", "x", "v"), TSR_EINVAL);
    assert_null(stmt);
    /* Letters and placeholders disagree. */
    assert_int_equal(tsr_store_run(st, NULL, "INSERT INTO t (a) VALUES (?)", ""), TSR_EINVAL);
    assert_int_equal(tsr_store_run(st, NULL, "INSERT INTO t (a) VALUES (?)", "ss", "a", "b"),
                     TSR_EINVAL);
    assert_int_equal(count_rows(st, "SELECT COUNT(*) FROM t"), 0);
    /* Numbered placeholders count by their highest number: one value used twice. */
    assert_int_equal(tsr_store_run(st, NULL, "INSERT INTO t (a) VALUES (?1 || ?1)", "ss", "a", "b"),
                     TSR_EINVAL);
    assert_int_equal(tsr_store_run(st, NULL, "INSERT INTO t (a) VALUES (?1 || ?1 || ?2)", "ss",
                                   "a", "b"),
                     0);
    assert_int_equal(count_rows(st, "SELECT COUNT(*) FROM t WHERE a = 'aab'"), 1);
    assert_int_equal(tsr_store_exec(st, "DELETE FROM t"), 0);
    /* Syntax errors and several statements. */
    assert_int_equal(tsr_store_query(st, &stmt, "SELEC 1", ""), TSR_ESTORE);
    assert_null(stmt);
    assert_true(strlen(tsr_store_errmsg(st)) > 0);
    assert_int_equal(tsr_store_query(st, &stmt, "SELECT 1; SELECT 2", ""), TSR_EINVAL);
    assert_int_equal(tsr_store_query(st, &stmt, "  ", ""), TSR_EINVAL);
    assert_int_equal(tsr_store_exec(st, "NOT SQL"), TSR_ESTORE);
    assert_int_equal(tsr_store_query(st, NULL, "SELECT 1", ""), TSR_EINVAL);
    tsr_store_close(st);
}

/* ---- constraints ---------------------------------------------------------- */

static void test_unique_conflict(void **state)
{
    (void)state;
    tsr_store *st = open_migrated();
    assert_int_equal(insert_tenant(st, "t1", "https://a.example/"), 0);
    assert_int_equal(insert_tenant(st, "t1", "https://b.example/"), TSR_ECONFLICT);
    assert_int_equal(insert_tenant(st, "t2", "https://a.example/"), TSR_ECONFLICT);
    assert_int_equal(insert_client(st, "t1", "c1"), 0);
    assert_int_equal(insert_client(st, "t1", "c1"), TSR_ECONFLICT);
    assert_int_equal(count_rows(st, "SELECT COUNT(*) FROM tenants"), 1);
    tsr_store_close(st);
}

static void test_foreign_keys(void **state)
{
    (void)state;
    tsr_store *st = open_migrated();
    const char *grant = "INSERT INTO client_grants (tenant_id, id, client_id, audience, "
                        "created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?)";

    assert_int_equal(insert_client(st, "missing", "c1"), TSR_ECONFLICT);
    assert_int_equal(insert_tenant(st, "t1", "https://a.example/"), 0);
    assert_int_equal(tsr_store_run(st, NULL,
                                   "INSERT INTO resource_servers (tenant_id, id, identifier, "
                                   "name, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?)",
                                   "ssssii", "t1", "rs1", "https://api.example/", "API", (int64_t)1,
                                   (int64_t)1),
                     0);
    assert_int_equal(tsr_store_run(st, NULL, grant, "ssssii", "t1", "cg1", "nope",
                                   "https://api.example/", (int64_t)1, (int64_t)1),
                     TSR_ECONFLICT);
    assert_int_equal(insert_client(st, "t1", "c1"), 0);
    assert_int_equal(tsr_store_run(st, NULL, grant, "ssssii", "t1", "cg1", "c1",
                                   "https://api.example/", (int64_t)1, (int64_t)1),
                     0);
    /* Cascades follow the tenant. */
    assert_int_equal(tsr_store_run(st, NULL, "DELETE FROM tenants WHERE id = ?", "s", "t1"), 0);
    assert_int_equal(count_rows(st, "SELECT COUNT(*) FROM client_grants"), 0);
    assert_int_equal(count_rows(st, "SELECT COUNT(*) FROM clients"), 0);
    tsr_store_close(st);
}

/* ---- transactions --------------------------------------------------------- */

static void test_transactions(void **state)
{
    (void)state;
    tsr_store *st = open_migrated();

    assert_int_equal(tsr_store_rollback(st), 0); /* none open */
    assert_int_equal(tsr_store_begin(st), 0);
    assert_int_equal(insert_tenant(st, "t1", "https://a.example/"), 0);
    assert_int_equal(tsr_store_commit(st), 0);
    assert_int_equal(count_rows(st, "SELECT COUNT(*) FROM tenants"), 1);

    assert_int_equal(tsr_store_begin(st), 0);
    assert_int_equal(tsr_store_begin(st), TSR_ESTORE); /* no nesting */
    assert_int_equal(insert_tenant(st, "t2", "https://b.example/"), 0);
    assert_int_equal(count_rows(st, "SELECT COUNT(*) FROM tenants"), 2);
    assert_int_equal(tsr_store_rollback(st), 0);
    assert_int_equal(tsr_store_rollback(st), 0);
    assert_int_equal(count_rows(st, "SELECT COUNT(*) FROM tenants"), 1);
    assert_int_equal(tsr_store_commit(st), TSR_ESTORE); /* none open */

    /* A conflict inside a transaction leaves it open for the caller. */
    assert_int_equal(tsr_store_begin(st), 0);
    assert_int_equal(insert_tenant(st, "t3", "https://c.example/"), 0);
    assert_int_equal(insert_tenant(st, "t3", "https://d.example/"), TSR_ECONFLICT);
    assert_int_equal(tsr_store_rollback(st), 0);
    assert_int_equal(count_rows(st, "SELECT COUNT(*) FROM tenants"), 1);
    tsr_store_close(st);
}

/* ---- fault injection ------------------------------------------------------ */

/* Two inserts in one transaction: all or nothing, whichever call fails. */
static void test_fault_injection_transaction(void **state)
{
    (void)state;
    tsr_store *st = open_migrated();
    int failures = 0;

    for (int k = 1; k < 100; k++) {
        assert_int_equal(tsr_store_run(st, NULL, "DELETE FROM tenants", ""), 0);
        tsr_store_fail_after(k);
        int rc = tsr_store_begin(st);
        if (rc == 0)
            rc = insert_tenant(st, "t1", "https://a.example/");
        if (rc == 0)
            rc = insert_tenant(st, "t2", "https://b.example/");
        if (rc == 0)
            rc = tsr_store_commit(st);
        tsr_store_fail_after(0);
        int64_t n = count_rows(st, "SELECT COUNT(*) FROM tenants");
        if (rc == 0) {
            assert_int_equal(n, 2);
            break;
        }
        assert_int_equal(rc, TSR_ESTORE);
        assert_int_equal(tsr_store_rollback(st), 0);
        assert_int_equal(count_rows(st, "SELECT COUNT(*) FROM tenants"), 0);
        failures++;
    }
    /* begin, 2 x (prepare, 4 binds, step), commit */
    assert_int_equal(failures, 14);

    /* A failed query leaves no statement behind. */
    tsr_stmt *stmt = (tsr_stmt *)&stmt;
    tsr_store_fail_after(2); /* the bind */
    assert_int_equal(tsr_store_query(st, &stmt, "SELECT ?", "s", "x"), TSR_ESTORE);
    assert_null(stmt);
    tsr_store_fail_after(0);
    tsr_store_close(st);
}

/* A migration interrupted anywhere leaves the database as it was. */
static void test_fault_injection_migrate(void **state)
{
    (void)state;
    int k;
    for (k = 1; k < 200; k++) {
        tsr_store *st = open_memory();
        int applied = -1;
        int version = -1;
        tsr_store_fail_after(k);
        int rc = tsr_store_migrate(st, &applied);
        tsr_store_fail_after(0);
        if (rc == 0) {
            assert_int_equal(applied, tsr_store_schema_latest());
            tsr_store_close(st);
            break;
        }
        assert_int_equal(rc, TSR_ESTORE);
        assert_int_equal(tsr_store_schema_version(st, &version), 0);
        assert_int_equal(version, applied);
        if (version == 0)
            assert_false(table_exists(st, "tenants"));
        assert_int_equal(tsr_store_migrate(st, &applied), 0);
        assert_int_equal(tsr_store_schema_version(st, &version), 0);
        assert_int_equal(version, tsr_store_schema_latest());
        tsr_store_close(st);
    }
    assert_true(k > 1 && k < 200);
}

/* ---- statement cache ------------------------------------------------------ */

static void test_cache_reuse(void **state)
{
    (void)state;
    tsr_store *st = open_memory();
    assert_int_equal(tsr_store_exec(st, "CREATE TABLE t (id INTEGER PRIMARY KEY, v TEXT)"), 0);
    for (int64_t i = 0; i < 1000; i++) {
        char v[32];
        snprintf(v, sizeof v, "value-%lld", (long long)i);
        assert_int_equal(tsr_store_run(st, NULL, "INSERT INTO t (id, v) VALUES (?, ?)", "is", i, v),
                         0);
    }
    assert_int_equal(count_rows(st, "SELECT COUNT(*) FROM t"), 1000);

    /* The same SQL opened again while the first statement is mid-way. */
    const char *sql = "SELECT id, v FROM t WHERE id < ? ORDER BY id";
    tsr_stmt *outer = NULL;
    assert_int_equal(tsr_store_query(st, &outer, sql, "i", (int64_t)3), 0);
    for (int64_t i = 0; i < 3; i++) {
        assert_int_equal(tsr_stmt_step(outer), TSR_STORE_ROW);
        assert_int_equal(tsr_stmt_int64(outer, 0), i);
        tsr_stmt *inner = NULL;
        assert_int_equal(tsr_store_query(st, &inner, sql, "i", (int64_t)2), 0);
        assert_ptr_not_equal(inner, outer);
        assert_int_equal(tsr_stmt_step(inner), TSR_STORE_ROW);
        assert_string_equal(tsr_stmt_text(inner, 1), "value-0");
        assert_int_equal(tsr_stmt_step(inner), TSR_STORE_ROW);
        assert_int_equal(tsr_stmt_step(inner), TSR_STORE_DONE);
        tsr_stmt_finalize(inner);
        assert_int_equal(tsr_stmt_int64(outer, 0), i); /* outer row untouched */
    }
    assert_int_equal(tsr_stmt_step(outer), TSR_STORE_DONE);
    tsr_stmt_finalize(outer);

    /* A finalized statement comes back clean (no stale bindings or row). */
    tsr_stmt *again = NULL;
    assert_int_equal(tsr_store_query(st, &again, sql, "i", (int64_t)1), 0);
    assert_int_equal(tsr_stmt_step(again), TSR_STORE_ROW);
    assert_int_equal(tsr_stmt_step(again), TSR_STORE_DONE);
    tsr_stmt_finalize(again);

    /* More distinct statements than the cache holds, twice over. */
    for (int round = 0; round < 2; round++) {
        for (int i = 0; i < 150; i++) {
            char q[96];
            snprintf(q, sizeof q, "SELECT COUNT(*) + %d FROM t WHERE id >= ?", i);
            tsr_stmt *stmt = NULL;
            assert_int_equal(tsr_store_query(st, &stmt, q, "i", (int64_t)990), 0);
            assert_int_equal(tsr_stmt_step(stmt), TSR_STORE_ROW);
            assert_int_equal(tsr_stmt_int64(stmt, 0), 10 + i);
            tsr_stmt_finalize(stmt);
        }
    }

    /* Many statements open at once (more than the cache holds). */
    tsr_stmt *open[80] = {0};
    for (int i = 0; i < 80; i++) {
        char q[96];
        snprintf(q, sizeof q, "SELECT %d, ? FROM t WHERE id = 5", i % 40);
        assert_int_equal(tsr_store_query(st, &open[i], q, "i", (int64_t)i), 0);
        assert_int_equal(tsr_stmt_step(open[i]), TSR_STORE_ROW);
    }
    for (int i = 0; i < 80; i++) {
        assert_int_equal(tsr_stmt_int64(open[i], 0), i % 40);
        assert_int_equal(tsr_stmt_int64(open[i], 1), i);
        tsr_stmt_finalize(open[i]);
    }
    tsr_store_close(st);
}

/* ---- ping and LIKE patterns ---------------------------------------------- */

static void test_ping(void **state)
{
    (void)state;
    assert_int_equal(tsr_store_ping(NULL), TSR_EINVAL);
    tsr_store *st = open_memory();
    assert_int_equal(tsr_store_ping(st), 0);
    /* The ping's prepare, then its step, each fail like a lost database. */
    for (int n = 1; n <= 2; n++) {
        tsr_store_fail_after(n);
        assert_int_equal(tsr_store_ping(st), TSR_ESTORE);
        tsr_store_fail_after(0);
    }
    assert_int_equal(tsr_store_ping(st), 0);
    tsr_store_close(st);
}

static void check_pattern(const char *text, size_t len, unsigned wild, const char *want)
{
    char *p = tsr_store_like_pattern(text, len, wild);
    assert_non_null(p);
    assert_string_equal(p, want);
    free(p);
}

static void test_like_pattern(void **state)
{
    (void)state;
    check_pattern("", 0, 0, "");
    check_pattern("", 0, TSR_LIKE_CONTAINS, "%%");
    check_pattern("abc", 3, 0, "abc");
    check_pattern("abc", 3, TSR_LIKE_ANY_BEFORE, "%abc");
    check_pattern("abc", 3, TSR_LIKE_ANY_AFTER, "abc%");
    check_pattern("abc", 3, TSR_LIKE_CONTAINS, "%abc%");
    check_pattern("a%b_c\\d", 7, 0, "a\\%b\\_c\\\\d");
    check_pattern("%_\\", 3, TSR_LIKE_CONTAINS, "%\\%\\_\\\\%");
    /* Only len bytes count: a caller drops a trailing '*' this way. */
    check_pattern("ab*", 2, TSR_LIKE_ANY_AFTER, "ab%");
    assert_null(tsr_store_like_pattern(NULL, 0, 0));
    assert_null(tsr_store_like_pattern("x", SIZE_MAX, 0));
}

/* Whether value LIKE the pattern made from text, as SQLite evaluates it. */
static bool like(tsr_store *st, const char *value, const char *text, unsigned wild)
{
    char *p = tsr_store_like_pattern(text, strlen(text), wild);
    assert_non_null(p);
    tsr_stmt *stmt = NULL;
    assert_int_equal(
        tsr_store_query(st, &stmt, "SELECT ? LIKE ? " TSR_STORE_LIKE_ESCAPE, "ss", value, p), 0);
    assert_int_equal(tsr_stmt_step(stmt), TSR_STORE_ROW);
    bool m = tsr_stmt_int64(stmt, 0) != 0;
    tsr_stmt_finalize(stmt);
    free(p);
    return m;
}

static void test_like_matches_literally(void **state)
{
    (void)state;
    tsr_store *st = open_memory();
    assert_true(like(st, "50% off", "50%", TSR_LIKE_ANY_AFTER));
    assert_false(like(st, "500 off", "50%", TSR_LIKE_ANY_AFTER));
    assert_true(like(st, "a_b", "a_b", 0));
    assert_false(like(st, "axb", "a_b", 0));
    assert_true(like(st, "c:\\dir", "\\", TSR_LIKE_CONTAINS));
    assert_false(like(st, "c:/dir", "\\", TSR_LIKE_CONTAINS));
    assert_true(like(st, "user@example.com", "@example.com", TSR_LIKE_ANY_BEFORE));
    assert_false(like(st, "user@example.com.evil", "@example.com", TSR_LIKE_ANY_BEFORE));
    assert_true(like(st, "anything", "", TSR_LIKE_CONTAINS));
    assert_false(like(st, "anything", "", 0));
    tsr_store_close(st);
}

int main(void)
{
    tsr_log_set_level(TSR_LOG_ERROR);
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_open_memory),
        cmocka_unit_test(test_open_invalid),
        cmocka_unit_test(test_file_migrate_reopen),
        cmocka_unit_test(test_future_schema_refused),
        cmocka_unit_test(test_concurrent_migrate),
        cmocka_unit_test(test_concurrent_writers),
        cmocka_unit_test(test_types),
        cmocka_unit_test(test_bad_arguments),
        cmocka_unit_test(test_unique_conflict),
        cmocka_unit_test(test_foreign_keys),
        cmocka_unit_test(test_transactions),
        cmocka_unit_test(test_fault_injection_transaction),
        cmocka_unit_test(test_fault_injection_migrate),
        cmocka_unit_test(test_cache_reuse),
        cmocka_unit_test(test_ping),
        cmocka_unit_test(test_like_pattern),
        cmocka_unit_test(test_like_matches_literally),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
