/*
 * restore.c - `tessera restore`: a backup file made the database of a
 * data directory that no process is using (core/backup.h).
 *
 * Contents: the companion files of an SQLite database; keeping the
 * replaced database; the restore itself.
 *
 * Order matters.  A -wal, -journal or -shm file left by the old database
 * must never meet the new one: SQLite would replay the old WAL's pages
 * into it.  So the old database is first linked to its kept name (the
 * live name stays valid), its -wal and -journal are moved to the kept
 * name's, the -shm is removed, and only then does the new file take the
 * live name in one rename.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "core/backup.h"
#include "core/backup_files.h"
#include "core/datadir.h"
#include "util/clock.h"
#include "util/err.h"
#include "util/fsync.h"

/* Restores within one second before one gives up finding a free kept name. */
#define KEPT_TRIES 100

/* Files SQLite keeps beside a database: the WAL and rollback journal carry pages. */
static const char *const page_suffixes[] = {"-wal", "-journal"};

static int path_join(char *out, size_t outlen, const char *a, const char *b, char *err,
                     size_t errlen)
{
    int n = snprintf(out, outlen, "%s%s", a, b);
    if (n < 0 || (size_t)n >= outlen) {
        snprintf(err, errlen, "%s%s: path too long", a, b);
        return TSR_ETOOBIG;
    }
    return 0;
}

static bool exists(const char *path)
{
    struct stat sb;
    return lstat(path, &sb) == 0;
}

/* Removes path; a missing file is fine. */
static int remove_stale(const char *path, char *err, size_t errlen)
{
    if (unlink(path) == 0 || errno == ENOENT)
        return 0;
    snprintf(err, errlen, "cannot remove %s: %s", path, strerror(errno));
    return TSR_EIO;
}

/*
 * Links db to db.before-restore-<UTC time>, with -2, -3, ... after the
 * time when a restore in the same second took that name.  Falls back to a
 * rename without hard links: then for a moment the directory has no
 * database.  Writes the name into kept.
 */
static int link_kept(const char *db, char *kept, size_t keptlen, char *err, size_t errlen)
{
    char stamp[32];
    time_t now = (time_t)tsr_clock_now();
    struct tm tm;
    if (gmtime_r(&now, &tm) == NULL || strftime(stamp, sizeof stamp, "%Y%m%dT%H%M%SZ", &tm) == 0)
        stamp[0] = '\0';
    for (int i = 1; i <= KEPT_TRIES; i++) {
        char nth[16] = "";
        if (i > 1)
            snprintf(nth, sizeof nth, "-%d", i);
        int n = snprintf(kept, keptlen, "%s.before-restore-%s%s", db, stamp, nth);
        if (n < 0 || (size_t)n >= keptlen) {
            snprintf(err, errlen, "%s: path too long", db);
            return TSR_ETOOBIG;
        }
        if (link(db, kept) == 0)
            return 0;
        if (errno == EEXIST)
            continue;
        int e = errno;
        if (!exists(kept) && rename(db, kept) == 0)
            return 0;
        snprintf(err, errlen, "cannot keep %s as %s: %s", db, kept, strerror(e));
        return TSR_EIO;
    }
    snprintf(err, errlen, "%s exists; try again in a second", kept);
    return TSR_ECONFLICT;
}

/*
 * Keeps the database db (and its -wal and -journal) under a
 * before-restore name (link_kept); db itself stays in place until the new
 * file replaces it.
 */
static int keep_old(const char *db, char *kept, size_t keptlen, char *err, size_t errlen)
{
    char from[TSR_BACKUP_PATH_MAX + 16], to[TSR_BACKUP_PATH_MAX + 16];
    int rc = link_kept(db, kept, keptlen, err, errlen);
    if (rc != 0) {
        kept[0] = '\0';
        return rc;
    }
    for (size_t i = 0; i < sizeof page_suffixes / sizeof page_suffixes[0]; i++) {
        if ((rc = path_join(from, sizeof from, db, page_suffixes[i], err, errlen)) != 0 ||
            (rc = path_join(to, sizeof to, kept, page_suffixes[i], err, errlen)) != 0)
            return rc;
        if (exists(from) && rename(from, to) != 0) {
            snprintf(err, errlen, "cannot keep %s as %s: %s", from, to, strerror(errno));
            return TSR_EIO;
        }
    }
    return 0;
}

/* Removes the -wal, -journal and -shm that would otherwise meet the new database. */
static int clear_companions(const char *db, char *err, size_t errlen)
{
    static const char *const all[] = {"-wal", "-journal", "-shm"};
    char path[TSR_BACKUP_PATH_MAX + 16];
    int rc;
    for (size_t i = 0; i < sizeof all / sizeof all[0]; i++) {
        if ((rc = path_join(path, sizeof path, db, all[i], err, errlen)) != 0 ||
            (rc = remove_stale(path, err, errlen)) != 0)
            return rc;
    }
    return 0;
}

static int ensure_dir(const char *dir, char *err, size_t errlen)
{
    struct stat sb;
    if (mkdir(dir, 0700) != 0 && errno != EEXIST) {
        snprintf(err, errlen, "cannot create %s: %s", dir, strerror(errno));
        return TSR_EIO;
    }
    if (stat(dir, &sb) != 0 || !S_ISDIR(sb.st_mode)) {
        snprintf(err, errlen, "%s is not a directory", dir);
        return TSR_EIO;
    }
    return 0;
}

/* True when a and b are the same file. */
static bool same_file(const char *a, const char *b)
{
    struct stat sa, sb;
    return stat(a, &sa) == 0 && stat(b, &sb) == 0 && sa.st_dev == sb.st_dev &&
           sa.st_ino == sb.st_ino;
}

static bool master_key_missing(const char *data_dir, tsr_getenv_fn getenv_fn)
{
    char path[TSR_BACKUP_PATH_MAX];
    const char *env =
        getenv_fn != NULL ? getenv_fn("TESSERA_MASTER_KEY") : getenv("TESSERA_MASTER_KEY");
    if (env != NULL && env[0] != '\0')
        return false;
    int n = snprintf(path, sizeof path, "%s/master.key", data_dir);
    return n > 0 && (size_t)n < sizeof path && !exists(path);
}

int tsr_restore(const char *data_dir, const char *from, bool force, tsr_getenv_fn getenv_fn,
                struct tsr_restore_result *res, char *err, size_t errlen)
{
    char db[TSR_BACKUP_PATH_MAX], why[1024];
    struct tsr_backup_tmp tmp = {.fd = -1};
    struct tsr_store_file_info from_info;
    struct stat sb;
    long holder = 0;
    int lock = -1;
    int rc;

    memset(res, 0, sizeof *res);
    err[0] = '\0';
    if (from == NULL || from[0] == '\0') {
        snprintf(err, errlen, "no backup file to restore from");
        return TSR_EINVAL;
    }
    if ((rc = tsr_backup_db_path(data_dir, db, sizeof db, err, errlen)) != 0)
        return rc;
    if (stat(from, &sb) != 0) {
        int e = errno;
        snprintf(err, errlen, "%s: %s", from, strerror(e));
        return e == ENOENT || e == ENOTDIR ? TSR_ENOTFOUND : TSR_EIO;
    }
    if ((rc = ensure_dir(data_dir, err, errlen)) != 0)
        return rc;
    rc = tsr_datadir_lock(data_dir, TSR_DATADIR_EXCLUSIVE, &lock, &holder, why, sizeof why);
    if (rc == TSR_EBUSY) {
        tsr_backup_busy_msg(err, errlen, data_dir, "is in use by a running tessera", holder,
                            "stop it first");
        goto out;
    }
    if (rc != 0) {
        snprintf(err, errlen, "%s", why);
        goto out;
    }
    if (same_file(from, db)) {
        snprintf(err, errlen, "%s is the database of %s itself", from, data_dir);
        rc = TSR_EINVAL;
        goto out;
    }
    if ((rc = tsr_store_inspect(from, TSR_STORE_CHECK_RESTORE, &from_info, err, errlen)) != 0)
        goto out;
    bool had_db = exists(db);
    if (had_db && !force) {
        snprintf(err, errlen,
                 "%s exists; pass --force to replace it (it is kept as "
                 "tessera.db.before-restore-<time>)",
                 db);
        rc = TSR_ECONFLICT;
        goto out;
    }
    if ((rc = tsr_backup_tmp_create(&tmp, db, data_dir, err, errlen)) != 0)
        goto out;
    if ((rc = tsr_store_snapshot(from, tmp.path, err, errlen)) != 0)
        goto out;
    if ((rc = tsr_backup_tmp_sync(&tmp, err, errlen)) != 0)
        goto out;
    /* As fully as the file: it is read again by name, and may have changed since its check. */
    if ((rc = tsr_store_inspect(tmp.path, TSR_STORE_CHECK_RESTORE, &res->info, why, sizeof why)) !=
        0) {
        snprintf(err, errlen, "the copy of %s does not check out: %s", from, why);
        goto out;
    }
    if (had_db && (rc = keep_old(db, res->kept, sizeof res->kept, err, errlen)) != 0)
        goto out;
    if ((rc = clear_companions(db, err, errlen)) != 0)
        goto out;
    if ((rc = tsr_backup_tmp_publish(&tmp, db, true, err, errlen)) != 0)
        goto out;
    res->master_key_missing = master_key_missing(data_dir, getenv_fn);
out:
    tsr_backup_tmp_discard(&tmp);
    tsr_datadir_unlock(lock);
    return rc;
}
