/*
 * backup.c - `tessera backup`: a consistent copy of a data directory's
 * database written to a file (core/backup.h).
 *
 * Contents: the file names of a data directory that a backup must never
 * replace; publishing a finished temporary file under its name; the
 * backup itself.
 */
#include "core/backup.h"

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/backup_files.h"
#include "core/datadir.h"
#include "util/err.h"
#include "util/fsync.h"

/* Files of a data directory the running server owns. */
static const char *const live_names[] = {
    "tessera.db", "tessera.db-wal",        "tessera.db-shm",      "tessera.db-journal",
    "master.key", "bootstrap-client.json", TSR_DATADIR_LOCK_FILE,
};

/* True when `to` names the database (any path to the same file) or another live file of dir. */
static bool names_live_file(const char *dir, const char *db, const char *to)
{
    struct stat a, b;
    if (stat(db, &a) == 0 && stat(to, &b) == 0 && a.st_dev == b.st_dev && a.st_ino == b.st_ino)
        return true;
    char dir_real[PATH_MAX], to_dir[TSR_BACKUP_PATH_MAX], to_dir_real[PATH_MAX];
    if (realpath(dir, dir_real) == NULL || tsr_path_dirname(to, to_dir, sizeof to_dir) != 0 ||
        realpath(to_dir, to_dir_real) == NULL || strcmp(dir_real, to_dir_real) != 0)
        return false;
    const char *slash = strrchr(to, '/');
    const char *base = slash != NULL ? slash + 1 : to;
    for (size_t i = 0; i < sizeof live_names / sizeof live_names[0]; i++) {
        if (strcmp(base, live_names[i]) == 0)
            return true;
    }
    /* Another tenant's credentials (tessera tenants create): bootstrap-client-NAME.json. */
    size_t blen = strlen(base);
    return strncmp(base, "bootstrap-client-", 17) == 0 && blen > 22 &&
           strcmp(base + blen - 5, ".json") == 0;
}

/*
 * Refuses to write into a directory that a user other than the caller and
 * root could change (its own, or one above it): such a user could replace
 * the temporary file by a link between its creation and SQLite opening it
 * by name, and have the copy written where they read it.  A directory with
 * the sticky bit (as /tmp) is safe: nobody else may rename or remove our
 * files in it.  A directory that cannot be resolved is left to the
 * creation of the file, which then fails with its own reason.
 */
static int check_dir_private(const char *to, char *err, size_t errlen)
{
    char dir[TSR_BACKUP_PATH_MAX], real[PATH_MAX];
    struct stat sb;
    uid_t me = geteuid();
    if (tsr_path_dirname(to, dir, sizeof dir) != 0 || realpath(dir, real) == NULL)
        return 0;
    for (;;) {
        if (stat(real, &sb) != 0)
            return 0;
        bool others_write = (sb.st_mode & (S_IWGRP | S_IWOTH)) != 0 && !(sb.st_mode & S_ISVTX);
        if ((sb.st_uid != me && sb.st_uid != 0) || others_write) {
            snprintf(err, errlen,
                     "other users can write %s (owner uid %u, mode %04o), so they could divert "
                     "the copy; choose a directory only you and root can write, or one with the "
                     "sticky bit",
                     real, (unsigned)sb.st_uid, (unsigned)(sb.st_mode & 07777));
            return TSR_EINVAL;
        }
        char *slash = strrchr(real, '/');
        if (slash == NULL || strcmp(real, "/") == 0)
            return 0;
        slash[slash == real ? 1 : 0] = '\0'; /* the parent; "/" last */
    }
}

int tsr_backup_write(const char *data_dir, const char *to, bool force,
                     struct tsr_backup_result *res, char *err, size_t errlen)
{
    char db[TSR_BACKUP_PATH_MAX], why[1024];
    struct tsr_backup_tmp tmp = {.fd = -1};
    struct stat sb;
    long holder = 0;
    int lock = -1;
    int rc;

    memset(res, 0, sizeof *res);
    err[0] = '\0';
    if (to == NULL || to[0] == '\0') {
        snprintf(err, errlen, "no file to write the backup to");
        return TSR_EINVAL;
    }
    if ((rc = tsr_backup_db_path(data_dir, db, sizeof db, err, errlen)) != 0)
        return rc;
    if (stat(db, &sb) != 0) {
        int e = errno;
        snprintf(err, errlen, "%s holds no database (%s: %s)", data_dir, db, strerror(e));
        return e == ENOENT || e == ENOTDIR ? TSR_ENOTFOUND : TSR_EIO;
    }
    rc = tsr_datadir_lock(data_dir, TSR_DATADIR_SHARED, &lock, &holder, why, sizeof why);
    if (rc == TSR_EBUSY) {
        tsr_backup_busy_msg(err, errlen, data_dir, "is being restored", holder,
                            "try again when it is done");
        goto out;
    }
    /* Without write access to the directory there is no lock to take: read anyway. */
    rc = 0;
    if (names_live_file(data_dir, db, to)) {
        snprintf(err, errlen, "%s is a file of the data directory %s; choose another path", to,
                 data_dir);
        rc = TSR_EINVAL;
        goto out;
    }
    if (stat(to, &sb) == 0 && S_ISDIR(sb.st_mode)) {
        snprintf(err, errlen, "%s is a directory; name the file to write", to);
        rc = TSR_EINVAL;
        goto out;
    }
    if (!force && lstat(to, &sb) == 0) {
        snprintf(err, errlen, "%s exists; pass --force to replace it", to);
        rc = TSR_ECONFLICT;
        goto out;
    }
    if ((rc = check_dir_private(to, err, errlen)) != 0)
        goto out;
    if ((rc = tsr_backup_tmp_create(&tmp, to, NULL, err, errlen)) != 0)
        goto out;
    if ((rc = tsr_store_snapshot(db, tmp.path, err, errlen)) != 0)
        goto out;
    if ((rc = tsr_backup_tmp_sync(&tmp, err, errlen)) != 0)
        goto out;
    if ((rc = tsr_store_inspect(tmp.path, TSR_STORE_CHECK_QUICK, &res->info, why, sizeof why)) !=
        0) {
        snprintf(err, errlen, "the copy of %s does not check out: %s", db, why);
        goto out;
    }
    rc = tsr_backup_tmp_publish(&tmp, to, force, err, errlen);
out:
    tsr_backup_tmp_discard(&tmp);
    tsr_datadir_unlock(lock);
    return rc;
}
