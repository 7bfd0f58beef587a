/*
 * store.c - the checking wrappers around the store backends.
 *
 * Contents: fault injection; backend selection by location; parameter
 * counting and type-string binding; statements; named queries; ping;
 * transactions; migrations.
 *
 * Callers reach a backend only through these functions, which check their
 * arguments and handles, host the fault-injection hook and keep dialect
 * details in the backend descriptor (internal.h).
 */
#include "store/store.h"

#include <stdatomic.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "store/internal.h"
#include "store/queries.h"
#include "store/migrations.h"
#include "util/clock.h"
#include "util/err.h"
#include "util/log.h"

/* ---- fault injection ---------------------------------------------------- */

static atomic_int fail_countdown;

void tsr_store_fail_after(int n)
{
    atomic_store(&fail_countdown, n > 0 ? n : 0);
}

/* Counts one fallible call; true when this is the one that must fail. */
static int fault_hit(void)
{
    int v = atomic_load(&fail_countdown);
    while (v > 0) {
        if (atomic_compare_exchange_weak(&fail_countdown, &v, v - 1))
            return v == 1;
    }
    return 0;
}

/* ---- handles --------------------------------------------------------------- */

static int store_ok(const tsr_store *st)
{
    return st != NULL && st->magic == TSR_STORE_MAGIC;
}

static int stmt_ok(const tsr_stmt *stmt)
{
    return stmt != NULL && stmt->magic == TSR_STMT_MAGIC && store_ok(stmt->store);
}

static const struct tsr_store_ops *ops_of(const tsr_store *st)
{
    return st->backend->ops;
}

/* Logs a backend failure (never values: SQL carries only placeholders). */
static int report(tsr_store *st, int rc, const char *what, const char *sql)
{
    if (rc == TSR_ESTORE)
        tsr_log(TSR_LOG_ERROR, "store failure",
                json_pack("{s:s, s:s, s:s?, s:s?}", "backend", ops_of(st)->name, "op", what,
                          "error", ops_of(st)->errmsg(st), "sql", sql));
    return rc;
}

/* ---- open and close ------------------------------------------------------- */

static const struct {
    const char *scheme;
    const struct tsr_store_backend *backend;
} backends[] = {
    {"sqlite", &tsr_sqlite_backend},
};

/*
 * Picks the backend for a location: "NAME:REST" for a built-in backend
 * NAME; "scheme://..." for any other scheme is refused (not built in);
 * anything else is a SQLite path.
 */
static int pick_backend(const char *location, const struct tsr_store_backend **be,
                        const char **rest)
{
    for (size_t i = 0; i < sizeof backends / sizeof backends[0]; i++) {
        size_t n = strlen(backends[i].scheme);
        if (strncmp(location, backends[i].scheme, n) == 0 && location[n] == ':') {
            *be = backends[i].backend;
            *rest = location + n + 1;
            return 0;
        }
    }
    const char *p = location;
    if ((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z')) {
        while ((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9') ||
               *p == '+' || *p == '.' || *p == '-')
            p++;
        if (strncmp(p, "://", 3) == 0) {
            tsr_log(TSR_LOG_ERROR, "store backend not available",
                    json_pack("{s:s%}", "scheme", location, (size_t)(p - location)));
            return TSR_EINVAL;
        }
    }
    *be = &tsr_sqlite_backend;
    *rest = location;
    return 0;
}

int tsr_store_open(const char *location, tsr_store **out)
{
    const struct tsr_store_backend *be = NULL;
    const char *rest = NULL;
    tsr_store *st = NULL;
    int rc;

    if (out == NULL)
        return TSR_EINVAL;
    *out = NULL;
    if (location == NULL || location[0] == '\0')
        return TSR_EINVAL;
    if ((rc = pick_backend(location, &be, &rest)) != 0)
        return rc;
    if (rest[0] == '\0' || be->ops->version < 1)
        return TSR_EINVAL;
    if ((rc = be->ops->open(rest, &st)) != 0)
        return rc;
    st->magic = TSR_STORE_MAGIC;
    st->backend = be;
    *out = st;
    return 0;
}

void tsr_store_close(tsr_store *st)
{
    if (!store_ok(st))
        return;
    st->magic = TSR_DEAD_MAGIC;
    ops_of(st)->close(st);
}

const char *tsr_store_backend(const tsr_store *st)
{
    return store_ok(st) ? ops_of(st)->name : "none";
}

const char *tsr_store_errmsg(tsr_store *st)
{
    return store_ok(st) ? ops_of(st)->errmsg(st) : "invalid store handle";
}

/* ---- statements ------------------------------------------------------------ */

/*
 * Counts the parameters of sql: its '?' placeholders outside string
 * literals, quoted identifiers and comments, or, when it numbers them
 * (?1, ?2: one value used several times), the highest number.  A
 * statement uses one form or the other.
 */
static size_t count_params(const char *sql)
{
    size_t n = 0, numbered = 0;
    const char *p = sql;
    while (*p != '\0') {
        if (*p == '\'' || *p == '"') {
            char q = *p++;
            while (*p != '\0' && !(*p == q && p[1] != q)) /* '' and "" escape */
                p += (*p == q) ? 2 : 1;
            if (*p != '\0')
                p++;
        } else if (p[0] == '-' && p[1] == '-') {
            while (*p != '\0' && *p != '\n')
                p++;
        } else if (p[0] == '/' && p[1] == '*') {
            p += 2;
            while (*p != '\0' && !(p[0] == '*' && p[1] == '/'))
                p++;
            if (*p != '\0')
                p += 2;
        } else if (*p == '?' && p[1] >= '1' && p[1] <= '9') {
            size_t k = 0;
            for (p++; *p >= '0' && *p <= '9' && k < 1000; p++)
                k = k * 10 + (size_t)(*p - '0');
            numbered = k > numbered ? k : numbered;
        } else {
            n += *p == '?';
            p++;
        }
    }
    return numbered > 0 ? numbered : n;
}

static int prepare(tsr_store *st, const char *sql, const char *types, tsr_stmt **out)
{
    if (fault_hit())
        return TSR_ESTORE;
    const struct tsr_store_ops *ops = ops_of(st);
    int rc = ops->version >= 2 && ops->prepare_typed != NULL
                 ? ops->prepare_typed(st, sql, types, out)
                 : ops->prepare(st, sql, out);
    if (rc != 0)
        return report(st, rc, "prepare", sql);
    (*out)->magic = TSR_STMT_MAGIC;
    (*out)->store = st;
    return 0;
}

static int bind(tsr_stmt *stmt, int idx, char type, const void *ptr, int64_t ival, size_t len)
{
    if (fault_hit())
        return TSR_ESTORE;
    int rc = ops_of(stmt->store)->bind(stmt, idx, type, ptr, ival, len);
    return report(stmt->store, rc, "bind", NULL);
}

/*
 * borrow: the bound strings and blobs outlive every step of the statement
 * (tsr_store_vrun steps and finalizes before it returns), so the backend
 * may point at them instead of copying them ('S' and 'B' for 's' and 'b').
 */
static int vquery(tsr_store *st, tsr_stmt **out, const char *sql, const char *types, va_list ap,
                  bool borrow)
{
    tsr_stmt *stmt = NULL;
    int rc;

    if (out == NULL)
        return TSR_EINVAL;
    *out = NULL;
    if (!store_ok(st) || sql == NULL)
        return TSR_EINVAL;
    if (types == NULL)
        types = "";
    if (strspn(types, "sibn") != strlen(types) || count_params(sql) != strlen(types))
        return TSR_EINVAL;
    if ((rc = prepare(st, sql, types, &stmt)) != 0)
        goto out;
    for (int i = 0; types[i] != '\0'; i++) {
        const void *ptr = NULL;
        int64_t ival = 0;
        size_t len = 0;
        switch (types[i]) {
        case 's':
            ptr = va_arg(ap, const char *);
            break;
        case 'i':
            ival = va_arg(ap, int64_t);
            break;
        case 'b':
            ptr = va_arg(ap, const void *);
            len = va_arg(ap, size_t);
            break;
        default: /* 'n' */
            break;
        }
        char type = types[i];
        if (borrow && (type == 's' || type == 'b'))
            type = type == 's' ? 'S' : 'B';
        if ((rc = bind(stmt, i + 1, type, ptr, ival, len)) != 0)
            goto out;
    }
    *out = stmt;
    stmt = NULL;
out:
    tsr_stmt_finalize(stmt);
    return rc;
}

int tsr_store_vquery(tsr_store *st, tsr_stmt **out, const char *sql, const char *types, va_list ap)
{
    return vquery(st, out, sql, types, ap, false);
}

int tsr_store_query(tsr_store *st, tsr_stmt **out, const char *sql, const char *types, ...)
{
    va_list ap;
    va_start(ap, types);
    int rc = tsr_store_vquery(st, out, sql, types, ap);
    va_end(ap);
    return rc;
}

int tsr_store_vrun(tsr_store *st, int64_t *changes, const char *sql, const char *types, va_list ap)
{
    tsr_stmt *stmt = NULL;
    int rc;

    if (changes != NULL)
        *changes = 0;
    rc = vquery(st, &stmt, sql, types, ap, true);
    if (rc != 0)
        goto out;
    /* Rows (from RETURNING) are drained so that the statement completes. */
    while ((rc = tsr_stmt_step(stmt)) == TSR_STORE_ROW)
        ;
    if (rc != 0)
        goto out;
    if (changes != NULL)
        *changes = ops_of(st)->changes(st);
out:
    tsr_stmt_finalize(stmt);
    return rc;
}

int tsr_store_run(tsr_store *st, int64_t *changes, const char *sql, const char *types, ...)
{
    va_list ap;
    va_start(ap, types);
    int rc = tsr_store_vrun(st, changes, sql, types, ap);
    va_end(ap);
    return rc;
}

/* ---- named queries ---------------------------------------------------------- */

static const struct {
    const char *name;
    const char *types;
} query_info[] = {
#define Q(name, types) {#name, types},
#include "store/queries/all.def"
#undef Q
};

_Static_assert(sizeof query_info / sizeof query_info[0] == TSR_Q_COUNT,
               "one entry per named query");

static int query_known(enum tsr_query_id q)
{
    return (int)q >= 0 && q < TSR_Q_COUNT;
}

const char *tsr_query_types(enum tsr_query_id q)
{
    return query_known(q) ? query_info[q].types : "";
}

const char *tsr_query_name(enum tsr_query_id q)
{
    return query_known(q) ? query_info[q].name : "unknown";
}

/* The backend's statement for q, or NULL (logged: a build without it is broken). */
static const char *query_sql(tsr_store *st, enum tsr_query_id q)
{
    const struct tsr_store_ops *ops = ops_of(st);
    const char *sql = NULL;
    if (query_known(q) && ops->version >= 2 && ops->sql != NULL)
        sql = ops->sql(q);
    if (sql == NULL)
        tsr_log(TSR_LOG_ERROR, "store backend has no statement for a query",
                json_pack("{s:s, s:s}", "backend", ops->name, "query", tsr_query_name(q)));
    return sql;
}

int tsr_store_vq(tsr_store *st, tsr_stmt **out, enum tsr_query_id q, va_list ap)
{
    if (out == NULL)
        return TSR_EINVAL;
    *out = NULL;
    if (!store_ok(st))
        return TSR_EINVAL;
    const char *sql = query_sql(st, q);
    if (sql == NULL)
        return TSR_EINVAL;
    return tsr_store_vquery(st, out, sql, query_info[q].types, ap);
}

int tsr_store_q(tsr_store *st, tsr_stmt **out, enum tsr_query_id q, ...)
{
    va_list ap;
    va_start(ap, q);
    int rc = tsr_store_vq(st, out, q, ap);
    va_end(ap);
    return rc;
}

int tsr_store_vq_run(tsr_store *st, int64_t *changes, enum tsr_query_id q, va_list ap)
{
    if (changes != NULL)
        *changes = 0;
    if (!store_ok(st))
        return TSR_EINVAL;
    const char *sql = query_sql(st, q);
    if (sql == NULL)
        return TSR_EINVAL;
    return tsr_store_vrun(st, changes, sql, query_info[q].types, ap);
}

int tsr_store_q_run(tsr_store *st, int64_t *changes, enum tsr_query_id q, ...)
{
    va_list ap;
    va_start(ap, q);
    int rc = tsr_store_vq_run(st, changes, q, ap);
    va_end(ap);
    return rc;
}

int tsr_store_q_check(tsr_store *st, enum tsr_query_id q)
{
    tsr_stmt *stmt = NULL;
    if (!store_ok(st))
        return TSR_EINVAL;
    const char *sql = query_sql(st, q);
    if (sql == NULL || count_params(sql) != strlen(query_info[q].types))
        return TSR_EINVAL;
    int rc = prepare(st, sql, query_info[q].types, &stmt);
    tsr_stmt_finalize(stmt);
    return rc;
}

int tsr_stmt_step(tsr_stmt *stmt)
{
    if (!stmt_ok(stmt))
        return TSR_EINVAL;
    if (fault_hit())
        return TSR_ESTORE;
    int rc = ops_of(stmt->store)->step(stmt);
    return report(stmt->store, rc, "step", NULL);
}

int tsr_stmt_is_null(tsr_stmt *stmt, int col)
{
    if (!stmt_ok(stmt) || col < 0)
        return 1;
    return ops_of(stmt->store)->column_type_null(stmt, col);
}

const char *tsr_stmt_text(tsr_stmt *stmt, int col)
{
    if (!stmt_ok(stmt) || col < 0)
        return NULL;
    return ops_of(stmt->store)->column_text(stmt, col);
}

int64_t tsr_stmt_int64(tsr_stmt *stmt, int col)
{
    if (!stmt_ok(stmt) || col < 0)
        return 0;
    return ops_of(stmt->store)->column_int64(stmt, col);
}

const void *tsr_stmt_blob(tsr_stmt *stmt, int col, size_t *len)
{
    if (len != NULL)
        *len = 0;
    if (!stmt_ok(stmt) || col < 0)
        return NULL;
    return ops_of(stmt->store)->column_blob(stmt, col, len);
}

char *tsr_stmt_text_dup(tsr_stmt *stmt, int col)
{
    const char *s = tsr_stmt_text(stmt, col);
    return s != NULL ? strdup(s) : NULL;
}

void tsr_stmt_finalize(tsr_stmt *stmt)
{
    if (!stmt_ok(stmt))
        return;
    tsr_store *st = stmt->store;
    stmt->magic = TSR_DEAD_MAGIC; /* a cached statement gets it back on reuse */
    ops_of(st)->finalize(stmt);
}

int tsr_store_ping(tsr_store *st)
{
    tsr_stmt *stmt = NULL;
    int rc = tsr_store_query(st, &stmt, "SELECT 1", "");
    if (rc == 0) {
        rc = tsr_stmt_step(stmt);
        rc = rc == TSR_STORE_ROW ? 0 : rc == TSR_STORE_DONE ? TSR_ESTORE : rc;
    }
    tsr_stmt_finalize(stmt);
    return rc;
}

/* ---- exec and transactions ------------------------------------------------- */

static int exec_sql(tsr_store *st, const char *sql)
{
    if (fault_hit())
        return TSR_ESTORE;
    return report(st, ops_of(st)->exec(st, sql), "exec", sql);
}

int tsr_store_exec(tsr_store *st, const char *sql)
{
    if (!store_ok(st) || sql == NULL)
        return TSR_EINVAL;
    return exec_sql(st, sql);
}

int tsr_store_begin(tsr_store *st)
{
    if (!store_ok(st))
        return TSR_EINVAL;
    return exec_sql(st, st->backend->begin_sql);
}

int tsr_store_commit(tsr_store *st)
{
    if (!store_ok(st))
        return TSR_EINVAL;
    return exec_sql(st, "COMMIT");
}

/* Not subject to fault injection: it is what error paths call. */
int tsr_store_rollback(tsr_store *st)
{
    if (!store_ok(st))
        return TSR_EINVAL;
    if (!st->backend->in_transaction(st))
        return 0;
    return report(st, ops_of(st)->exec(st, "ROLLBACK"), "exec", "ROLLBACK");
}

int tsr_store_in_transaction(tsr_store *st)
{
    return store_ok(st) && st->backend->in_transaction(st);
}

int tsr_store_finish(tsr_store *st, int rc)
{
    if (rc == 0)
        rc = tsr_store_commit(st);
    if (rc != 0)
        tsr_store_rollback(st);
    return rc;
}

int tsr_store_begin_own(tsr_store *st, bool *own)
{
    *own = !tsr_store_in_transaction(st);
    return *own ? tsr_store_begin(st) : 0;
}

int tsr_store_finish_own(tsr_store *st, bool own, int rc)
{
    return own ? tsr_store_finish(st, rc) : rc;
}

/* ---- migrations ------------------------------------------------------------ */

static const char create_migrations_sql[] = "CREATE TABLE IF NOT EXISTS schema_migrations ("
                                            "version INTEGER PRIMARY KEY, "
                                            "name TEXT NOT NULL, "
                                            "applied_at BIGINT NOT NULL)";

int tsr_store_schema_latest(void)
{
    return tsr_migration_count > 0 ? tsr_migrations[tsr_migration_count - 1].version : 0;
}

/* Reads one integer from a one-row query. */
static int query_int(tsr_store *st, int64_t *out, const char *sql, const char *types,
                     const char *arg)
{
    tsr_stmt *stmt = NULL;
    int rc;

    *out = 0;
    /* arg is ignored when types is "". */
    if ((rc = tsr_store_query(st, &stmt, sql, types, arg)) != 0)
        goto out;
    rc = tsr_stmt_step(stmt);
    if (rc == TSR_STORE_ROW) {
        *out = tsr_stmt_int64(stmt, 0);
        rc = 0;
    } else if (rc == TSR_STORE_DONE) {
        rc = TSR_ESTORE;
    }
out:
    tsr_stmt_finalize(stmt);
    return rc;
}

static int read_version(tsr_store *st, int *out)
{
    int64_t v = 0;
    int rc = query_int(st, &v, "SELECT COALESCE(MAX(version), 0) FROM schema_migrations", "", NULL);
    *out = (int)v;
    return rc;
}

int tsr_store_schema_version(tsr_store *st, int *out)
{
    int64_t exists = 0;
    int rc;

    if (out == NULL)
        return TSR_EINVAL;
    *out = 0;
    if (!store_ok(st))
        return TSR_EINVAL;
    if ((rc = query_int(st, &exists, st->backend->table_exists_sql, "s", "schema_migrations")) != 0)
        return rc;
    return exists ? read_version(st, out) : 0;
}

/* Versions must be positive and strictly increasing. */
static int migrations_sane(void)
{
    for (int i = 0; i < tsr_migration_count; i++) {
        if (tsr_migrations[i].version <= 0 ||
            (i > 0 && tsr_migrations[i].version <= tsr_migrations[i - 1].version))
            return 0;
    }
    return 1;
}

/*
 * Applies the first migration newer than the database, in one
 * transaction with its schema_migrations row.  *done is 1 when nothing
 * was left to apply.  The version is read after BEGIN IMMEDIATE, so two
 * processes starting together never apply the same migration twice.
 */
static int migrate_one(tsr_store *st, int *done)
{
    const struct tsr_migration *next = NULL;
    int version = 0;
    int rc;

    *done = 0;
    if ((rc = tsr_store_begin(st)) != 0)
        goto out;
    if ((rc = exec_sql(st, create_migrations_sql)) != 0)
        goto out;
    if ((rc = read_version(st, &version)) != 0)
        goto out;
    if (version > tsr_store_schema_latest()) {
        tsr_log(TSR_LOG_ERROR, "database schema is newer than this program",
                json_pack("{s:i, s:i}", "database", version, "known", tsr_store_schema_latest()));
        rc = TSR_ESTORE;
        goto out;
    }
    for (int i = 0; i < tsr_migration_count && next == NULL; i++) {
        if (tsr_migrations[i].version > version)
            next = &tsr_migrations[i];
    }
    if (next == NULL) {
        *done = 1;
        rc = tsr_store_commit(st);
        goto out;
    }
    if ((rc = exec_sql(st, next->sql)) != 0)
        goto out;
    if ((rc = tsr_store_run(st, NULL,
                            "INSERT INTO schema_migrations (version, name, applied_at) "
                            "VALUES (?, ?, ?)",
                            "isi", (int64_t)next->version, next->name, tsr_clock_now())) != 0)
        goto out;
    if ((rc = tsr_store_commit(st)) != 0)
        goto out;
    tsr_log(TSR_LOG_INFO, "applied schema migration",
            json_pack("{s:i, s:s}", "version", next->version, "name", next->name));
out:
    if (rc != 0) {
        tsr_store_rollback(st);
        if (rc != TSR_ESTORE && rc != TSR_ENOMEM)
            rc = TSR_ESTORE;
    }
    return rc;
}

int tsr_store_migrate(tsr_store *st, int *applied)
{
    int n = 0;
    int done = 0;
    int rc = 0;

    if (applied != NULL)
        *applied = 0;
    if (!store_ok(st))
        return TSR_EINVAL;
    if (!migrations_sane()) {
        tsr_log(TSR_LOG_ERROR, "built-in migrations are out of order", NULL);
        return TSR_ESTORE;
    }
    while (!done) {
        if ((rc = migrate_one(st, &done)) != 0)
            break;
        n += !done;
    }
    if (applied != NULL)
        *applied = n;
    return rc;
}
