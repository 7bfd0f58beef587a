/*
 * sqlite.c - the SQLite backend of the store (struct tsr_store_ops).
 *
 * Contents: error mapping; the per-handle statement cache; open and close
 * (file mode, pragmas); the method table.
 *
 * A handle belongs to one thread, so connections are opened with
 * SQLITE_OPEN_NOMUTEX.  Files run in WAL mode with synchronous=NORMAL:
 * a committed transaction survives the process being killed (it is in the
 * WAL, which the next open replays); only a power loss or OS crash can
 * lose the last commits, and never corrupts the database.  See
 * docs/internals/store.md.
 */
#include <errno.h>
#include <fcntl.h>
#include <sqlite3.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "store/internal.h"
#include "store/sqlite/queries.h"
#include "store/sqlite_wait.h"
#include "util/err.h"
#include "util/ipnet.h"
#include "util/log.h"

/* Prepared statements kept per handle, keyed by SQL text. */
#define CACHE_SIZE 64
#define BUSY_TIMEOUT_MS 5000
#define WAL_RETRY_MS 10

struct cache_entry;

struct sq_stmt {
    struct tsr_stmt base;
    sqlite3_stmt *stmt;
    struct cache_entry *entry; /* NULL: not cached, freed on finalize */
};

struct cache_entry {
    struct sq_stmt s; /* s.stmt == NULL: the slot is free */
    char *sql;
    size_t len;
    uint64_t hash;
    uint64_t last_used;
    int in_use;
};

struct sq_store {
    struct tsr_store base;
    sqlite3 *db;
    struct tsr_sq_wait wait;
    uint64_t tick;
    struct cache_entry cache[CACHE_SIZE];
};

/* Maps an SQLite result code to TSR_STORE_ROW, TSR_STORE_DONE or TSR_E*. */
static int map_rc(int rc)
{
    switch (rc & 0xff) {
    case SQLITE_OK:
    case SQLITE_DONE:
        return TSR_STORE_DONE;
    case SQLITE_ROW:
        return TSR_STORE_ROW;
    case SQLITE_CONSTRAINT:
        return TSR_ECONFLICT;
    case SQLITE_RANGE:
        return TSR_EINVAL;
    default:
        return TSR_ESTORE;
    }
}

static uint64_t hash_sql(const char *sql, size_t len)
{
    uint64_t h = 14695981039346656037u; /* FNV-1a */
    for (size_t i = 0; i < len; i++) {
        h ^= (unsigned char)sql[i];
        h *= 1099511628211u;
    }
    return h;
}

static void entry_clear(struct cache_entry *e)
{
    sqlite3_finalize(e->s.stmt);
    free(e->sql);
    e->s.stmt = NULL;
    e->sql = NULL;
    e->len = 0;
    e->hash = 0;
    e->in_use = 0;
}

/* True when the text after a prepared statement is only blanks and ';'. */
static int tail_is_empty(const char *tail)
{
    for (; tail != NULL && *tail != '\0'; tail++) {
        if (*tail != ';' && *tail != ' ' && *tail != '\t' && *tail != '\n' && *tail != '\r')
            return 0;
    }
    return 1;
}

/* Prepares one statement; more than one statement in sql is TSR_EINVAL. */
static int prepare_raw(sqlite3 *db, const char *sql, size_t len, unsigned flags, sqlite3_stmt **out)
{
    const char *tail = NULL;
    *out = NULL;
    if (len > INT32_MAX)
        return TSR_EINVAL;
    int rc = sqlite3_prepare_v3(db, sql, (int)len + 1, flags, out, &tail);
    if (rc != SQLITE_OK) {
        sqlite3_finalize(*out);
        *out = NULL;
        return TSR_ESTORE;
    }
    if (*out == NULL || !tail_is_empty(tail)) {
        /* Empty SQL, or several statements: use exec for those. */
        sqlite3_finalize(*out);
        *out = NULL;
        return TSR_EINVAL;
    }
    return 0;
}

static int sq_prepare(tsr_store *st, const char *sql, tsr_stmt **out)
{
    struct sq_store *s = (struct sq_store *)st;
    size_t len = strlen(sql);
    uint64_t h = hash_sql(sql, len);
    struct cache_entry *slot = NULL;
    int busy = 0;
    int rc;

    *out = NULL;
    for (int i = 0; i < CACHE_SIZE; i++) {
        struct cache_entry *e = &s->cache[i];
        if (e->s.stmt == NULL) {
            if (slot == NULL || slot->s.stmt != NULL)
                slot = e; /* prefer a free slot */
            continue;
        }
        if (e->hash == h && e->len == len && memcmp(e->sql, sql, len) == 0) {
            if (e->in_use) {
                busy = 1; /* in use by an open statement: prepare a private one */
                break;
            }
            e->in_use = 1;
            e->last_used = ++s->tick;
            *out = &e->s.base;
            return 0;
        }
        if (!e->in_use &&
            (slot == NULL || (slot->s.stmt != NULL && e->last_used < slot->last_used)))
            slot = e; /* least recently used idle entry */
    }

    if (!busy && slot != NULL) {
        char *copy = malloc(len + 1);
        if (copy == NULL)
            return TSR_ENOMEM;
        memcpy(copy, sql, len + 1);
        entry_clear(slot);
        rc = prepare_raw(s->db, sql, len, SQLITE_PREPARE_PERSISTENT, &slot->s.stmt);
        if (rc != 0) {
            free(copy);
            return rc;
        }
        slot->s.base.store = st;
        slot->s.entry = slot;
        slot->sql = copy;
        slot->len = len;
        slot->hash = h;
        slot->in_use = 1;
        slot->last_used = ++s->tick;
        *out = &slot->s.base;
        return 0;
    }

    struct sq_stmt *one = calloc(1, sizeof *one);
    if (one == NULL)
        return TSR_ENOMEM;
    rc = prepare_raw(s->db, sql, len, 0, &one->stmt);
    if (rc != 0) {
        free(one);
        return rc;
    }
    one->base.store = st;
    *out = &one->base;
    return 0;
}

/* SQLite types its values, not its parameters: the type string is not needed. */
static int sq_prepare_typed(tsr_store *st, const char *sql, const char *types, tsr_stmt **out)
{
    (void)types;
    return sq_prepare(st, sql, out);
}

static void sq_finalize(tsr_stmt *stmt)
{
    struct sq_stmt *s = (struct sq_stmt *)stmt;
    if (s->entry != NULL) {
        /* Back to the cache: the error of the last step is already reported. */
        sqlite3_reset(s->stmt);
        sqlite3_clear_bindings(s->stmt);
        s->entry->in_use = 0;
        return;
    }
    sqlite3_finalize(s->stmt);
    free(s);
}

static int sq_bind(tsr_stmt *stmt, int idx, char type, const void *ptr, int64_t ival, size_t len)
{
    sqlite3_stmt *s = ((struct sq_stmt *)stmt)->stmt;
    int rc;

    switch (type) {
    case 's':
        rc = ptr == NULL ? sqlite3_bind_null(s, idx)
                         : sqlite3_bind_text(s, idx, ptr, -1, SQLITE_TRANSIENT);
        break;
    case 'S': /* outlives the statement's steps: SQLite points at it, no copy */
        rc = ptr == NULL ? sqlite3_bind_null(s, idx)
                         : sqlite3_bind_text(s, idx, ptr, -1, SQLITE_STATIC);
        break;
    case 'B':
        rc = ptr == NULL ? sqlite3_bind_null(s, idx)
                         : sqlite3_bind_blob64(s, idx, ptr, len, SQLITE_STATIC);
        break;
    case 'i':
        rc = sqlite3_bind_int64(s, idx, ival);
        break;
    case 'b':
        rc = ptr == NULL ? sqlite3_bind_null(s, idx)
                         : sqlite3_bind_blob64(s, idx, ptr, len, SQLITE_TRANSIENT);
        break;
    case 'n':
        rc = sqlite3_bind_null(s, idx);
        break;
    default:
        return TSR_EINVAL;
    }
    return map_rc(rc);
}

static int sq_step(tsr_stmt *stmt)
{
    sqlite3_stmt *s = ((struct sq_stmt *)stmt)->stmt;
    int rc = sqlite3_step(s);
    /* An autocommit write has let go of the write lock once it stops. */
    if (rc != SQLITE_ROW && !sqlite3_stmt_readonly(s) && sqlite3_get_autocommit(sqlite3_db_handle(s)))
        tsr_sq_wait_released();
    return map_rc(rc);
}

static int sq_column_type_null(tsr_stmt *stmt, int col)
{
    return sqlite3_column_type(((struct sq_stmt *)stmt)->stmt, col) == SQLITE_NULL;
}

static const char *sq_column_text(tsr_stmt *stmt, int col)
{
    return (const char *)sqlite3_column_text(((struct sq_stmt *)stmt)->stmt, col);
}

static int64_t sq_column_int64(tsr_stmt *stmt, int col)
{
    return sqlite3_column_int64(((struct sq_stmt *)stmt)->stmt, col);
}

static const void *sq_column_blob(tsr_stmt *stmt, int col, size_t *len)
{
    sqlite3_stmt *s = ((struct sq_stmt *)stmt)->stmt;
    const void *p = sqlite3_column_blob(s, col);
    int n = sqlite3_column_bytes(s, col); /* after _blob, as SQLite requires */
    if (len != NULL)
        *len = n > 0 ? (size_t)n : 0;
    return p;
}

static int sq_exec(tsr_store *st, const char *sql)
{
    sqlite3 *db = ((struct sq_store *)st)->db;
    int rc = sqlite3_exec(db, sql, NULL, NULL, NULL);
    /* COMMIT, ROLLBACK and statements outside a transaction end with no lock held. */
    if (sqlite3_get_autocommit(db))
        tsr_sq_wait_released();
    return map_rc(rc);
}

static int64_t sq_changes(tsr_store *st)
{
    return sqlite3_changes64(((struct sq_store *)st)->db);
}

static const char *sq_errmsg(tsr_store *st)
{
    return sqlite3_errmsg(((struct sq_store *)st)->db);
}

static int sq_in_transaction(tsr_store *st)
{
    return !sqlite3_get_autocommit(((struct sq_store *)st)->db);
}

static void sq_close(tsr_store *st)
{
    struct sq_store *s = (struct sq_store *)st;
    int leaked = 0;
    for (int i = 0; i < CACHE_SIZE; i++) {
        leaked += s->cache[i].in_use;
        entry_clear(&s->cache[i]);
    }
    if (leaked)
        tsr_log(TSR_LOG_WARN, "store closed with statements still open",
                json_pack("{s:i}", "statements", leaked));
    /* close_v2 defers the close while private statements are unfinalized. */
    sqlite3_close_v2(s->db);
    free(s);
}

/* Callback for PRAGMA journal_mode: records the mode SQLite reports. */
static int journal_mode_cb(void *arg, int ncol, char **vals, char **names)
{
    (void)names;
    if (ncol > 0 && vals[0] != NULL)
        *(int *)arg = strcmp(vals[0], "wal") == 0;
    return 0;
}

/*
 * Switches the file to WAL.  That takes an exclusive lock, and SQLite may
 * answer SQLITE_BUSY at once, without its busy handler, while another
 * connection is opening the same new file; so this retries for as long as
 * the busy timeout.
 */
static bool set_wal(sqlite3 *db)
{
    for (int waited = 0;; waited += WAL_RETRY_MS) {
        int wal = 0;
        int rc = sqlite3_exec(db, "PRAGMA journal_mode=WAL", journal_mode_cb, &wal, NULL);
        if (rc == SQLITE_OK)
            return wal;
        int primary = rc & 0xff;
        if ((primary != SQLITE_BUSY && primary != SQLITE_LOCKED) || waited >= BUSY_TIMEOUT_MS)
            return false;
        sqlite3_sleep(WAL_RETRY_MS);
    }
}

/*
 * Creates the database file with mode 0600 unless it exists, so that
 * SQLite (which copies the database's mode to its -wal and -shm files)
 * never makes it readable by others.  An existing file is only stat()ed:
 * opening and closing it here would drop the POSIX locks that this
 * process's other connections hold on it (close(2) releases every lock
 * of the process on the file), and another process could then delete the
 * WAL under them.
 */
static int create_private(const char *path)
{
    struct stat sb;
    int fd = open(path, O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
    if (fd >= 0) {
        close(fd); /* a new file: no connection of ours has it open yet */
        return 0;
    }
    if (errno != EEXIST || stat(path, &sb) != 0) {
        tsr_log(TSR_LOG_ERROR, "cannot open database file",
                json_pack("{s:s, s:s}", "path", path, "error", strerror(errno)));
        return TSR_ESTORE;
    }
    if ((sb.st_mode & 077) != 0)
        tsr_log(TSR_LOG_WARN, "database file is readable by other users",
                json_pack("{s:s, s:i}", "path", path, "mode", (int)(sb.st_mode & 0777)));
    return 0;
}

/* SQL tsr_ip_net(ip): the network an address counts as (util/ipnet.h); NULL stays NULL. */
static void sql_ip_net(sqlite3_context *ctx, int argc, sqlite3_value **argv)
{
    (void)argc;
    const unsigned char *ip = sqlite3_value_text(argv[0]);
    if (ip == NULL) {
        sqlite3_result_null(ctx);
        return;
    }
    char net[TSR_IP_NET_MAX];
    tsr_ip_net((const char *)ip, net, sizeof net);
    sqlite3_result_text(ctx, net, -1, SQLITE_TRANSIENT);
}

static int sq_open(const char *location, tsr_store **out)
{
    struct sq_store *s = NULL;
    char *path = NULL;
    int memory = strcmp(location, ":memory:") == 0;
    int rc;

    *out = NULL;
    if (location[0] == '\0')
        return TSR_EINVAL;
    /* Never let a path be read as a URI, whatever SQLite's build defaults. */
    size_t len = strlen(location);
    path = malloc(len + 3);
    if (path == NULL)
        return TSR_ENOMEM;
    size_t skip = strncmp(location, "file:", 5) == 0 ? 2 : 0;
    memcpy(path, "./", skip);
    memcpy(path + skip, location, len + 1);

    if (!memory && (rc = create_private(path)) != 0)
        goto out;

    s = calloc(1, sizeof *s);
    if (s == NULL) {
        rc = TSR_ENOMEM;
        goto out;
    }
    int flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX;
    if (sqlite3_open_v2(path, &s->db, flags, NULL) != SQLITE_OK) {
        tsr_log(TSR_LOG_ERROR, "cannot open database",
                json_pack("{s:s, s:s}", "path", path, "error",
                          s->db ? sqlite3_errmsg(s->db) : "out of memory"));
        rc = TSR_ESTORE;
        goto out;
    }
    sqlite3_extended_result_codes(s->db, 1);
    tsr_sq_wait_install(s->db, &s->wait, BUSY_TIMEOUT_MS);
    sqlite3_db_config(s->db, SQLITE_DBCONFIG_DEFENSIVE, 1, (int *)NULL);
    sqlite3_db_config(s->db, SQLITE_DBCONFIG_TRUSTED_SCHEMA, 0, (int *)NULL);
    if (sqlite3_create_function(s->db, "tsr_ip_net", 1,
                                SQLITE_UTF8 | SQLITE_DETERMINISTIC | SQLITE_DIRECTONLY, NULL,
                                sql_ip_net, NULL, NULL) != SQLITE_OK) {
        rc = TSR_ESTORE;
        goto out;
    }

    if (!memory) {
        if (!set_wal(s->db)) {
            tsr_log(TSR_LOG_ERROR, "cannot switch database to WAL mode",
                    json_pack("{s:s, s:s}", "path", path, "error", sqlite3_errmsg(s->db)));
            rc = TSR_ESTORE;
            goto out;
        }
    }
    if (sqlite3_exec(s->db, "PRAGMA foreign_keys=ON; PRAGMA synchronous=NORMAL", NULL, NULL,
                     NULL) != SQLITE_OK) {
        tsr_log(TSR_LOG_ERROR, "cannot configure database",
                json_pack("{s:s, s:s}", "path", path, "error", sqlite3_errmsg(s->db)));
        rc = TSR_ESTORE;
        goto out;
    }
    *out = &s->base;
    s = NULL;
    rc = 0;
out:
    if (s != NULL) {
        sqlite3_close_v2(s->db);
        free(s);
    }
    free(path);
    return rc;
}

static const struct tsr_store_ops sqlite_ops = {
    .version = 2,
    .name = "sqlite",
    .open = sq_open,
    .close = sq_close,
    .exec = sq_exec,
    .prepare = sq_prepare,
    .bind = sq_bind,
    .step = sq_step,
    .column_type_null = sq_column_type_null,
    .column_text = sq_column_text,
    .column_int64 = sq_column_int64,
    .column_blob = sq_column_blob,
    .finalize = sq_finalize,
    .changes = sq_changes,
    .errmsg = sq_errmsg,
    .sql = tsr_sq_sql,
    .prepare_typed = sq_prepare_typed,
};

const struct tsr_store_backend tsr_sqlite_backend = {
    .ops = &sqlite_ops,
    .begin_sql = "BEGIN IMMEDIATE",
    .in_transaction = sq_in_transaction,
    .table_exists_sql = "SELECT COUNT(*) FROM sqlite_master WHERE type = 'table' AND name = ?",
};
