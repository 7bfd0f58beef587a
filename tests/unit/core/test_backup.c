/*
 * test_backup.c - backup and restore of a data directory's database:
 * copies taken while a connection holds uncheckpointed writes, the checks
 * a restore makes of its file, the data directory lock (held by a forked
 * process, since POSIX locks never conflict within one), the old database
 * kept with its WAL, and stale companion files.
 */
#define _XOPEN_SOURCE 700 /* nftw */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>

#include "fixture_tmp.h"

#include "jose/jose.h"
#include "rsa_keys.h"

#include "config/settings.h"
#include "core/app.h"
#include "core/backup.h"
#include "core/connection.h"
#include "core/datadir.h"
#include "core/tenant.h"
#include "core/user.h"
#include "store/migrations.h"
#include "store/snapshot.h"
#include "store/store.h"
#include "util/err.h"
#include "util/fsync.h"
#include "util/log.h"

/*
 * mkstemp as the library calls it, with an attacker who can write the
 * directory waiting: when swap_to is set, the file just made is replaced
 * by a symbolic link to swap_to, as a watcher (inotify) would do; when
 * move_from is set, it is renamed onto move_to first (a file swapped
 * between a check and its use).
 */
static const char *swap_to, *move_from, *move_to;

int mkstemp(char *template)
{
    /* libc's own is not reachable from here: the same O_EXCL loop. */
    static const char chars[] = "abcdefghijklmnopqrstuvwxyz0123456789";
    size_t len = strlen(template);
    int fd = -1;
    if (len < 6 || strcmp(template + len - 6, "XXXXXX") != 0) {
        errno = EINVAL;
        return -1;
    }
    for (int tries = 0; fd < 0 && tries < 1000; tries++) {
        for (size_t i = len - 6; i < len; i++)
            template[i] = chars[(size_t)random() % (sizeof chars - 1)];
        fd = open(template, O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
        if (fd < 0 && errno != EEXIST)
            return -1;
    }
    if (fd >= 0 && move_from != NULL && rename(move_from, move_to) != 0)
        abort();
    if (fd >= 0 && swap_to != NULL) {
        unlink(template);
        if (symlink(swap_to, template) != 0)
            abort();
    }
    return fd;
}

struct fx {
    char root[512]; /* scratch directory, removed by teardown */
    char data[600]; /* root/data: the live data directory */
    char db[640];   /* data/tessera.db */
    tsr_store *st;  /* the "server's" connection, open with writes in its WAL */
    char *tenant_id;
    char *conn_id;
};

static const char *no_env(const char *name)
{
    (void)name;
    return NULL;
}

static void path_in(char *out, size_t len, const char *dir, const char *name)
{
    int n = snprintf(out, len, "%s/%s", dir, name);
    assert_true(n > 0 && (size_t)n < len);
}

static int exists(const char *path)
{
    struct stat sb;
    return lstat(path, &sb) == 0;
}

static int file_mode(const char *path)
{
    struct stat sb;
    assert_int_equal(stat(path, &sb), 0);
    return (int)(sb.st_mode & 0777);
}

static void add_users(tsr_store *st, const char *tenant_id, const char *conn_id, int n,
                      const char *prefix)
{
    for (int i = 0; i < n; i++) {
        struct tsr_user u = {0};
        char email[128];
        snprintf(email, sizeof email, "%s%d@example.com", prefix, i);
        assert_int_equal(tsr_user_init_new(&u, tenant_id, conn_id), 0);
        u.email = strdup(email);
        assert_int_equal(tsr_user_fill_defaults(&u), 0);
        assert_int_equal(tsr_user_insert(st, &u), 0);
        tsr_user_cleanup(&u);
    }
}

static int setup(void **state)
{
    struct fx *f = calloc(1, sizeof *f);
    assert_non_null(f);
    tsr_log_set_level(TSR_LOG_ERROR);
    fixture_mkdtemp(f->root, sizeof f->root, "tsr-backup");
    path_in(f->data, sizeof f->data, f->root, "data");
    assert_int_equal(mkdir(f->data, 0700), 0);
    path_in(f->db, sizeof f->db, f->data, "tessera.db");

    assert_int_equal(tsr_store_open(f->db, &f->st), 0);
    assert_int_equal(tsr_store_migrate(f->st, NULL), 0);
    struct tsr_tenant t = {.issuer = "https://id.example.com/",
                           .friendly_name = "test",
                           .default_audience = "",
                           .is_default = true};
    assert_int_equal(tsr_tenant_insert(f->st, &t), 0);
    f->tenant_id = t.id;
    assert_int_equal(tsr_connection_ensure_default(f->st, f->tenant_id), 0);
    struct tsr_connection c = {0};
    assert_int_equal(tsr_connection_get_by_name(f->st, f->tenant_id, TSR_DEFAULT_CONNECTION, &c),
                     0);
    f->conn_id = strdup(c.id);
    tsr_connection_cleanup(&c);
    add_users(f->st, f->tenant_id, f->conn_id, 3, "user");
    *state = f;
    return 0;
}

static int rm_entry(const char *path, const struct stat *sb, int flag, struct FTW *ftw)
{
    (void)sb;
    (void)flag;
    (void)ftw;
    return remove(path);
}

static int teardown(void **state)
{
    struct fx *f = *state;
    tsr_store_close(f->st);
    nftw(f->root, rm_entry, 16, FTW_DEPTH | FTW_PHYS);
    free(f->tenant_id);
    free(f->conn_id);
    free(f);
    return 0;
}

/* Number of directory entries of dir whose name contains needle. */
static int count_named(const char *dir, const char *needle)
{
    DIR *d = opendir(dir);
    assert_non_null(d);
    int n = 0;
    for (struct dirent *e = readdir(d); e != NULL; e = readdir(d))
        n += strstr(e->d_name, needle) != NULL;
    closedir(d);
    return n;
}

/* ---- forked holders of the data directory lock -------------------------- */

struct holder {
    pid_t pid;
    int release; /* write end: closing it lets the child exit */
};

/* Forks a process that takes dir's lock in mode and holds it until released. */
static struct holder hold_lock(const char *dir, enum tsr_datadir_lock_mode mode)
{
    int ready[2], release[2];
    assert_int_equal(pipe(ready), 0);
    assert_int_equal(pipe(release), 0);
    pid_t pid = fork();
    assert_true(pid >= 0);
    if (pid == 0) {
        char err[256], c = 0;
        int fd = -1;
        long other = 0;
        close(ready[0]);
        close(release[1]);
        int rc = tsr_datadir_lock(dir, mode, &fd, &other, err, sizeof err);
        c = rc == 0 ? 'y' : 'n';
        if (write(ready[1], &c, 1) != 1)
            _exit(2);
        if (read(release[0], &c, 1) < 0) /* EOF when the parent closes its end */
            _exit(3);
        _exit(rc == 0 ? 0 : 1);
    }
    close(ready[1]);
    close(release[0]);
    char c = 0;
    assert_int_equal(read(ready[0], &c, 1), 1);
    close(ready[0]);
    assert_int_equal(c, 'y');
    return (struct holder){.pid = pid, .release = release[1]};
}

static void release_lock(struct holder *h)
{
    int status = 0;
    close(h->release);
    assert_int_equal(waitpid(h->pid, &status, 0), h->pid);
    assert_true(WIFEXITED(status) && WEXITSTATUS(status) == 0);
}

/* ---- backup ------------------------------------------------------------- */

static void test_backup_while_written(void **state)
{
    struct fx *f = *state;
    char to[700], err[1024];
    struct tsr_backup_result res;
    path_in(to, sizeof to, f->root, "backup.db");

    /* The writes are still in the live WAL: the copy must carry them. */
    assert_int_equal(tsr_backup_write(f->data, to, false, &res, err, sizeof err), 0);
    assert_int_equal(res.info.tenants, 1);
    assert_int_equal(res.info.users, 3);
    assert_int_equal(res.info.schema_version, tsr_store_schema_latest());
    assert_true(res.info.bytes > 0);
    assert_int_equal(file_mode(to), 0600);
    assert_int_equal(count_named(f->root, ".tmp-"), 0);

    /* A later write is not in it; the full check passes. */
    add_users(f->st, f->tenant_id, f->conn_id, 2, "later");
    struct tsr_store_file_info info;
    assert_int_equal(tsr_store_inspect(to, TSR_STORE_CHECK_FULL, &info, err, sizeof err), 0);
    assert_int_equal(info.users, 3);

    /* An existing file only with force, and then it has the new content. */
    assert_int_equal(tsr_backup_write(f->data, to, false, &res, err, sizeof err), TSR_ECONFLICT);
    assert_non_null(strstr(err, "exists; pass --force"));
    assert_int_equal(tsr_backup_write(f->data, to, true, &res, err, sizeof err), 0);
    assert_int_equal(res.info.users, 5);
    assert_int_equal(file_mode(to), 0600);
    assert_int_equal(count_named(f->root, ".tmp-"), 0);
}

static void test_backup_refusals(void **state)
{
    struct fx *f = *state;
    char to[700], err[1024], missing[700];
    struct tsr_backup_result res;

    /* Never over a file the server owns, by any name or with force. */
    assert_int_equal(tsr_backup_write(f->data, f->db, true, &res, err, sizeof err), TSR_EINVAL);
    path_in(to, sizeof to, f->data, "master.key");
    assert_int_equal(tsr_backup_write(f->data, to, true, &res, err, sizeof err), TSR_EINVAL);
    assert_false(exists(to));
    path_in(to, sizeof to, f->data, "bootstrap-client-dev.json");
    assert_int_equal(tsr_backup_write(f->data, to, true, &res, err, sizeof err), TSR_EINVAL);
    assert_false(exists(to));
    snprintf(to, sizeof to, "%s/../data/tessera.db-wal", f->data);
    assert_int_equal(tsr_backup_write(f->data, to, true, &res, err, sizeof err), TSR_EINVAL);
    path_in(to, sizeof to, f->root, "linked.db");
    assert_int_equal(link(f->db, to), 0);
    assert_int_equal(tsr_backup_write(f->data, to, true, &res, err, sizeof err), TSR_EINVAL);

    /* A directory, a missing directory, no database. */
    assert_int_equal(tsr_backup_write(f->data, f->root, true, &res, err, sizeof err), TSR_EINVAL);
    assert_non_null(strstr(err, "is a directory"));
    path_in(to, sizeof to, f->root, "no/such/dir/b.db");
    assert_int_equal(tsr_backup_write(f->data, to, false, &res, err, sizeof err), TSR_EIO);
    assert_non_null(strstr(err, "cannot create"));
    path_in(missing, sizeof missing, f->root, "nodata");
    path_in(to, sizeof to, f->root, "b.db");
    assert_int_equal(tsr_backup_write(missing, to, false, &res, err, sizeof err), TSR_ENOTFOUND);
    assert_non_null(strstr(err, "holds no database"));
    assert_false(exists(to));
}

static void test_backup_waits_for_no_restore(void **state)
{
    struct fx *f = *state;
    char to[700], err[1024];
    struct tsr_backup_result res;
    path_in(to, sizeof to, f->root, "b.db");

    struct holder h = hold_lock(f->data, TSR_DATADIR_EXCLUSIVE);
    assert_int_equal(tsr_backup_write(f->data, to, false, &res, err, sizeof err), TSR_EBUSY);
    char want[64];
    snprintf(want, sizeof want, "(pid %ld)", (long)h.pid);
    assert_non_null(strstr(err, want));
    assert_false(exists(to));
    release_lock(&h);

    /* Running servers hold it shared: a backup goes ahead beside them. */
    h = hold_lock(f->data, TSR_DATADIR_SHARED);
    assert_int_equal(tsr_backup_write(f->data, to, false, &res, err, sizeof err), 0);
    release_lock(&h);
}

/* ---- what a restore accepts --------------------------------------------- */

static void write_file(const char *path, const char *text)
{
    FILE *fp = fopen(path, "wb");
    assert_non_null(fp);
    fputs(text, fp);
    fclose(fp);
}

/* Runs SQL on a database file with its own connection. */
static void exec_on(const char *path, const char *sql)
{
    tsr_store *st = NULL;
    assert_int_equal(tsr_store_open(path, &st), 0);
    assert_int_equal(tsr_store_exec(st, sql), 0);
    tsr_store_close(st);
}

static void test_inspect_refusals(void **state)
{
    struct fx *f = *state;
    char path[700], err[1024];
    struct tsr_store_file_info info;
    struct tsr_backup_result res;

    path_in(path, sizeof path, f->root, "notes.txt");
    write_file(path, "these are not the pages you are looking for\n");
    assert_int_equal(tsr_store_inspect(path, TSR_STORE_CHECK_FULL, &info, err, sizeof err),
                     TSR_EFORMAT);
    assert_non_null(strstr(err, "is not an SQLite database"));

    path_in(path, sizeof path, f->root, "other.db");
    exec_on(path, "CREATE TABLE notes (body TEXT)");
    assert_int_equal(tsr_store_inspect(path, TSR_STORE_CHECK_FULL, &info, err, sizeof err),
                     TSR_EFORMAT);
    assert_non_null(strstr(err, "is not a Tessera database"));

    path_in(path, sizeof path, f->root, "empty.db");
    write_file(path, "");
    assert_int_equal(tsr_store_inspect(path, TSR_STORE_CHECK_FULL, &info, err, sizeof err),
                     TSR_EFORMAT);

    path_in(path, sizeof path, f->root, "missing.db");
    assert_int_equal(tsr_store_inspect(path, TSR_STORE_CHECK_FULL, &info, err, sizeof err),
                     TSR_ENOTFOUND);

    /* From a newer Tessera: refused, and said so. */
    path_in(path, sizeof path, f->root, "newer.db");
    assert_int_equal(tsr_backup_write(f->data, path, false, &res, err, sizeof err), 0);
    char sql[256];
    snprintf(sql, sizeof sql,
             "INSERT INTO schema_migrations (version, name, applied_at) VALUES (%d, '%03d_x', 0)",
             tsr_store_schema_latest() + 1, tsr_store_schema_latest() + 1);
    exec_on(path, sql);
    assert_int_equal(tsr_store_inspect(path, TSR_STORE_CHECK_FULL, &info, err, sizeof err),
                     TSR_ECONFLICT);
    assert_non_null(strstr(err, "newer than this tessera knows"));

    /* A version this binary names differently is someone else's schema. */
    path_in(path, sizeof path, f->root, "renamed.db");
    assert_int_equal(tsr_backup_write(f->data, path, false, &res, err, sizeof err), 0);
    exec_on(path, "UPDATE schema_migrations SET name = 'elsewhere' WHERE version = "
                  "(SELECT MAX(version) FROM schema_migrations)");
    assert_int_equal(tsr_store_inspect(path, TSR_STORE_CHECK_FULL, &info, err, sizeof err),
                     TSR_EFORMAT);

    /* Pages overwritten in the middle: damaged. */
    path_in(path, sizeof path, f->root, "damaged.db");
    assert_int_equal(tsr_backup_write(f->data, path, false, &res, err, sizeof err), 0);
    int fd = open(path, O_WRONLY);
    assert_true(fd >= 0);
    char junk[4096];
    memset(junk, 0x5a, sizeof junk);
    for (off_t page = 2; page * 4096 < (off_t)res.info.bytes; page += 2)
        assert_int_equal(pwrite(fd, junk, sizeof junk, page * 4096), (ssize_t)sizeof junk);
    close(fd);
    assert_int_equal(tsr_store_inspect(path, TSR_STORE_CHECK_FULL, &info, err, sizeof err),
                     TSR_EFORMAT);
    assert_non_null(strstr(err, "damaged"));
}

/* A file from elsewhere holds exactly the migrations' objects, at its own version. */
static void test_restore_check_compares_schema_objects(void **state)
{
    struct fx *f = *state;
    char path[700], err[1024], sql[256];
    struct tsr_store_file_info info;
    struct tsr_backup_result res;

    path_in(path, sizeof path, f->root, "good.db");
    assert_int_equal(tsr_backup_write(f->data, path, false, &res, err, sizeof err), 0);
    assert_int_equal(tsr_store_inspect(path, TSR_STORE_CHECK_RESTORE, &info, err, sizeof err), 0);

    /* An older version, made the way its server made it: it passes at its version. */
    assert_true(tsr_migration_count >= 3);
    path_in(path, sizeof path, f->root, "older.db");
    exec_on(path, "CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, "
                  "name TEXT NOT NULL, applied_at BIGINT NOT NULL)");
    for (int i = 0; i < 3; i++) {
        exec_on(path, tsr_migrations[i].sql);
        snprintf(sql, sizeof sql, "INSERT INTO schema_migrations VALUES (%d, '%s', 0)",
                 tsr_migrations[i].version, tsr_migrations[i].name);
        exec_on(path, sql);
    }
    assert_int_equal(tsr_store_inspect(path, TSR_STORE_CHECK_RESTORE, &info, err, sizeof err), 0);
    assert_int_equal(info.schema_version, tsr_migrations[2].version);

    /* A trigger, even on schema_migrations: refused, named; the quick check does not look. */
    exec_on(path, "CREATE TRIGGER t AFTER INSERT ON schema_migrations BEGIN SELECT 1; END");
    assert_int_equal(tsr_store_inspect(path, TSR_STORE_CHECK_RESTORE, &info, err, sizeof err),
                     TSR_EFORMAT);
    assert_non_null(strstr(err, "its trigger t is not part of schema version"));
    assert_int_equal(tsr_store_inspect(path, TSR_STORE_CHECK_QUICK, &info, err, sizeof err), 0);
}

/*
 * A directory other users can write, without the sticky bit: one of them
 * could put a link where the copy is written, between the temporary file's
 * creation and SQLite opening it by name, and have the database written
 * where they read it.  The backup refuses such a directory before writing.
 */
static void test_backup_refuses_a_directory_others_can_write(void **state)
{
    struct fx *f = *state;
    char shared[700], to[760], leak[760], err[1024];
    struct tsr_backup_result res;
    struct stat sb;
    path_in(shared, sizeof shared, f->root, "shared");
    path_in(leak, sizeof leak, f->root, "leak.db");
    path_in(to, sizeof to, shared, "backup.db");
    assert_int_equal(mkdir(shared, 0700), 0);
    assert_int_equal(chmod(shared, 0777), 0);

    swap_to = leak;
    int rc = tsr_backup_write(f->data, to, false, &res, err, sizeof err);
    swap_to = NULL;
    assert_int_equal(rc, TSR_EINVAL);
    assert_non_null(strstr(err, "other users can write"));
    assert_int_not_equal(lstat(leak, &sb), 0); /* nothing written through the link */
    assert_int_equal(count_named(shared, ".tmp-"), 0);

    /* Group-writable alike; the sticky bit (as /tmp has) makes it safe. */
    assert_int_equal(chmod(shared, 0770), 0);
    assert_int_equal(tsr_backup_write(f->data, to, false, &res, err, sizeof err), TSR_EINVAL);
    assert_int_equal(chmod(shared, 01777), 0);
    assert_int_equal(tsr_backup_write(f->data, to, false, &res, err, sizeof err), 0);
}

/*
 * The file to restore replaced after its check, before its copy (its owner
 * swaps it): the copy is checked as fully as the file was, and refused.
 */
static void test_restore_checks_the_copy_it_makes(void **state)
{
    struct fx *f = *state;
    char good[700], bad[700], dir[700], db[760], err[1024];
    struct tsr_backup_result b;
    struct tsr_restore_result r;
    struct stat sb;
    path_in(good, sizeof good, f->root, "good.db");
    path_in(bad, sizeof bad, f->root, "bad.db");
    path_in(dir, sizeof dir, f->root, "new");
    path_in(db, sizeof db, dir, "tessera.db");
    assert_int_equal(tsr_backup_write(f->data, good, false, &b, err, sizeof err), 0);
    assert_int_equal(tsr_backup_write(f->data, bad, false, &b, err, sizeof err), 0);
    exec_on(bad, "CREATE TRIGGER keep_hash AFTER UPDATE ON users BEGIN SELECT 1; END");

    move_from = bad;
    move_to = good;
    int rc = tsr_restore(dir, good, false, no_env, &r, err, sizeof err);
    move_from = move_to = NULL;
    assert_int_equal(rc, TSR_EFORMAT);
    assert_non_null(strstr(err, "trigger keep_hash"));
    assert_int_not_equal(stat(db, &sb), 0);
    assert_int_equal(count_named(dir, ".tmp-"), 0);
}

/* ---- restore ------------------------------------------------------------ */

static void test_restore_into_new_dir(void **state)
{
    struct fx *f = *state;
    char to[700], dir[700], db[760], err[1024];
    struct tsr_backup_result b;
    struct tsr_restore_result r;
    path_in(to, sizeof to, f->root, "backup.db");
    path_in(dir, sizeof dir, f->root, "new");
    path_in(db, sizeof db, dir, "tessera.db");
    assert_int_equal(tsr_backup_write(f->data, to, false, &b, err, sizeof err), 0);

    assert_int_equal(tsr_restore(dir, to, false, no_env, &r, err, sizeof err), 0);
    assert_int_equal(file_mode(dir) & 0777, 0700);
    assert_int_equal(file_mode(db), 0600);
    assert_string_equal(r.kept, "");
    assert_true(r.master_key_missing);
    assert_int_equal(r.info.users, 3);
    assert_int_equal(r.info.tenants, 1);
    assert_int_equal(count_named(dir, ".tmp-"), 0);

    /* The restored file is a database a server opens and migrates as usual. */
    tsr_store *st = NULL;
    int version = 0;
    assert_int_equal(tsr_store_open(db, &st), 0);
    assert_int_equal(tsr_store_migrate(st, NULL), 0);
    assert_int_equal(tsr_store_schema_version(st, &version), 0);
    assert_int_equal(version, tsr_store_schema_latest());
    tsr_store_close(st);

    /* A master key in the directory: nothing to warn about. */
    char key[760];
    path_in(key, sizeof key, dir, "master.key");
    write_file(key, "00");
    assert_int_equal(tsr_restore(dir, to, true, no_env, &r, err, sizeof err), 0);
    assert_false(r.master_key_missing);

    /* The source file is only read. */
    struct stat before, after;
    assert_int_equal(stat(to, &before), 0);
    assert_int_equal(tsr_restore(dir, to, true, no_env, &r, err, sizeof err), 0);
    assert_int_equal(stat(to, &after), 0);
    assert_int_equal(before.st_size, after.st_size);
    assert_int_equal(before.st_mtime, after.st_mtime);
}

/* Forks a writer that commits n users and dies without closing: its WAL stays behind. */
static void crash_after_writes(struct fx *f, int n)
{
    pid_t pid = fork();
    assert_true(pid >= 0);
    if (pid == 0) {
        tsr_store *st = NULL;
        if (tsr_store_open(f->db, &st) != 0)
            _exit(1);
        if (tsr_store_exec(st, "PRAGMA wal_autocheckpoint=0") != 0)
            _exit(1);
        for (int i = 0; i < n; i++) {
            struct tsr_user u = {0};
            char email[64];
            snprintf(email, sizeof email, "crash%d@example.com", i);
            if (tsr_user_init_new(&u, f->tenant_id, f->conn_id) != 0)
                _exit(1);
            u.email = strdup(email);
            int rc = tsr_user_fill_defaults(&u) != 0 || tsr_user_insert(st, &u) != 0;
            tsr_user_cleanup(&u);
            if (rc)
                _exit(1);
        }
        _exit(0); /* st stays open: no checkpoint, the WAL stays behind */
    }
    int status = 0;
    assert_int_equal(waitpid(pid, &status, 0), pid);
    assert_true(WIFEXITED(status) && WEXITSTATUS(status) == 0);
}

static void test_restore_over_existing(void **state)
{
    struct fx *f = *state;
    char to[700], err[1024], path[TSR_BACKUP_PATH_MAX + 8];
    struct tsr_backup_result b;
    struct tsr_restore_result r;
    struct tsr_store_file_info info;
    path_in(to, sizeof to, f->root, "backup.db");
    assert_int_equal(tsr_backup_write(f->data, to, false, &b, err, sizeof err), 0);

    /* The live database keeps commits only in its WAL, as after a kill -9. */
    tsr_store_close(f->st);
    f->st = NULL;
    crash_after_writes(f, 4);
    snprintf(path, sizeof path, "%s-wal", f->db);
    assert_true(exists(path));

    assert_int_equal(tsr_restore(f->data, to, false, no_env, &r, err, sizeof err), TSR_ECONFLICT);
    assert_non_null(strstr(err, "pass --force"));
    assert_int_equal(tsr_store_inspect(f->db, TSR_STORE_CHECK_QUICK, &info, err, sizeof err), 0);
    assert_int_equal(info.users, 7);

    assert_int_equal(tsr_restore(f->data, to, true, no_env, &r, err, sizeof err), 0);
    assert_non_null(strstr(r.kept, "/tessera.db.before-restore-"));
    assert_int_equal(r.info.users, 3);
    /* No old companion file is left beside the new database. */
    for (const char *const *s = (const char *const[]){"-wal", "-shm", "-journal", NULL}; *s; s++) {
        snprintf(path, sizeof path, "%s%s", f->db, *s);
        assert_false(exists(path));
    }
    /* The kept database, read with its WAL, still has every commit. */
    snprintf(path, sizeof path, "%s-wal", r.kept);
    assert_true(exists(path));
    assert_int_equal(tsr_store_inspect(r.kept, TSR_STORE_CHECK_FULL, &info, err, sizeof err), 0);
    assert_int_equal(info.users, 7);
    assert_int_equal(tsr_store_inspect(f->db, TSR_STORE_CHECK_FULL, &info, err, sizeof err), 0);
    assert_int_equal(info.users, 3);
}

static void test_restore_refusals(void **state)
{
    struct fx *f = *state;
    char to[700], err[1024], path[700];
    struct tsr_backup_result b;
    struct tsr_restore_result r;
    struct stat before, after;
    path_in(to, sizeof to, f->root, "backup.db");
    assert_int_equal(tsr_backup_write(f->data, to, false, &b, err, sizeof err), 0);
    assert_int_equal(stat(f->db, &before), 0);

    /* A server (shared lock) on the directory: refused with its pid, nothing touched. */
    struct holder h = hold_lock(f->data, TSR_DATADIR_SHARED);
    assert_int_equal(tsr_restore(f->data, to, true, no_env, &r, err, sizeof err), TSR_EBUSY);
    char want[128];
    snprintf(want, sizeof want, "is in use by a running tessera (pid %ld); stop it first",
             (long)h.pid);
    assert_non_null(strstr(err, want));
    release_lock(&h);
    assert_int_equal(stat(f->db, &after), 0);
    assert_true(before.st_ino == after.st_ino);
    assert_int_equal(count_named(f->data, "before-restore"), 0);

    /* Its own database, a missing file, a file that is not a database. */
    assert_int_equal(tsr_restore(f->data, f->db, true, no_env, &r, err, sizeof err), TSR_EINVAL);
    path_in(path, sizeof path, f->root, "missing.db");
    assert_int_equal(tsr_restore(f->data, path, true, no_env, &r, err, sizeof err), TSR_ENOTFOUND);
    path_in(path, sizeof path, f->root, "notes.txt");
    write_file(path, "not a database\n");
    assert_int_equal(tsr_restore(f->data, path, true, no_env, &r, err, sizeof err), TSR_EFORMAT);
    assert_int_equal(stat(f->db, &after), 0);
    assert_true(before.st_ino == after.st_ino);
    assert_int_equal(count_named(f->data, "before-restore"), 0);
    assert_int_equal(count_named(f->data, ".tmp-"), 0);
}

/* A server does not start while a restore holds the directory. */
static void test_app_refused_during_restore(void **state)
{
    struct fx *f = *state;
    struct tsr_settings s;
    struct tsr_app app;
    char err[512];
    tsr_settings_defaults(&s);
    snprintf(s.data_dir, sizeof s.data_dir, "%s", f->data);
    snprintf(s.public_url, sizeof s.public_url, "http://127.0.0.1:9999/");

    struct holder h = hold_lock(f->data, TSR_DATADIR_EXCLUSIVE);
    assert_int_not_equal(tsr_app_open(&app, &s, no_env, NULL, err, sizeof err), 0);
    assert_non_null(strstr(err, "is being restored"));
    tsr_app_close(&app);
    release_lock(&h);
}

static void test_path_dirname(void **state)
{
    (void)state;
    char out[16];
    static const char *const cases[][2] = {
        {"backup.db", "."}, {"/backup.db", "/"}, {"a/b.db", "a"}, {"/x/y/z", "/x/y"}, {"a/", "a"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        assert_int_equal(tsr_path_dirname(cases[i][0], out, sizeof out), 0);
        assert_string_equal(out, cases[i][1]);
    }
    assert_int_equal(tsr_path_dirname("0123456789abcdef/x", out, sizeof out), TSR_ETOOBIG);
}

int main(void)
{
    tsr_jwk_rsa_pool_for_tests(test_rsa_keys, sizeof test_rsa_keys / sizeof *test_rsa_keys);
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_backup_while_written, setup, teardown),
        cmocka_unit_test_setup_teardown(test_backup_refusals, setup, teardown),
        cmocka_unit_test_setup_teardown(test_backup_waits_for_no_restore, setup, teardown),
        cmocka_unit_test_setup_teardown(test_inspect_refusals, setup, teardown),
        cmocka_unit_test_setup_teardown(test_restore_into_new_dir, setup, teardown),
        cmocka_unit_test_setup_teardown(test_restore_over_existing, setup, teardown),
        cmocka_unit_test_setup_teardown(test_restore_refusals, setup, teardown),
        cmocka_unit_test_setup_teardown(test_app_refused_during_restore, setup, teardown),
        cmocka_unit_test(test_path_dirname),
        cmocka_unit_test_setup_teardown(test_backup_refuses_a_directory_others_can_write, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_restore_checks_the_copy_it_makes, setup, teardown),
        cmocka_unit_test_setup_teardown(test_restore_check_compares_schema_objects, setup,
                                        teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
