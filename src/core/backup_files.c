#include "core/backup_files.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/datadir.h"
#include "util/err.h"
#include "util/fsync.h"

int tsr_backup_db_path(const char *data_dir, char *out, size_t outlen, char *err, size_t errlen)
{
    int n = snprintf(out, outlen, "%s/tessera.db", data_dir);
    if (n < 0 || (size_t)n >= outlen) {
        snprintf(err, errlen, "%s: path too long", data_dir);
        return TSR_ETOOBIG;
    }
    return 0;
}

void tsr_backup_busy_msg(char *err, size_t errlen, const char *dir, const char *state, long pid,
                         const char *advice)
{
    if (pid > 0)
        snprintf(err, errlen, "%s %s (pid %ld); %s", dir, state, pid, advice);
    else
        snprintf(err, errlen, "%s %s; %s", dir, state, advice);
}

int tsr_backup_tmp_create(struct tsr_backup_tmp *tmp, const char *target, const char *owner_dir,
                          char *err, size_t errlen)
{
    int n = snprintf(tmp->path, sizeof tmp->path, "%s.tmp-XXXXXX", target);
    tmp->fd = -1;
    if (n < 0 || (size_t)n >= sizeof tmp->path) {
        tmp->path[0] = '\0';
        snprintf(err, errlen, "%s: path too long", target);
        return TSR_ETOOBIG;
    }
    /* mkstemp creates the file 0600 and O_EXCL: nobody else's file is ever reused. */
    tmp->fd = mkstemp(tmp->path);
    if (tmp->fd < 0) {
        snprintf(err, errlen, "cannot create %s: %s", tmp->path, strerror(errno));
        tmp->path[0] = '\0';
        return TSR_EIO;
    }
    if (owner_dir != NULL && tsr_datadir_own(tmp->fd, owner_dir) != 0) {
        snprintf(err, errlen, "cannot give %s the owner of %s: %s", tmp->path, owner_dir,
                 strerror(errno));
        return TSR_EIO;
    }
    return 0;
}

int tsr_backup_tmp_sync(struct tsr_backup_tmp *tmp, char *err, size_t errlen)
{
    int rc = fsync(tmp->fd) == 0 ? 0 : TSR_EIO;
    if (rc != 0)
        snprintf(err, errlen, "cannot write %s: %s", tmp->path, strerror(errno));
    if (close(tmp->fd) != 0 && rc == 0) {
        snprintf(err, errlen, "cannot write %s: %s", tmp->path, strerror(errno));
        rc = TSR_EIO;
    }
    tmp->fd = -1;
    return rc;
}

/* Errors of link(2) that mean "no hard links here", not "cannot write". */
static bool no_hard_links(int e)
{
    return e == EPERM || e == ENOTSUP || e == EOPNOTSUPP || e == ENOSYS || e == EMLINK ||
           e == EXDEV;
}

int tsr_backup_tmp_publish(struct tsr_backup_tmp *tmp, const char *target, bool replace, char *err,
                           size_t errlen)
{
    struct stat sb;
    if (!replace) {
        if (link(tmp->path, target) == 0) {
            unlink(tmp->path); /* the target keeps the content */
            goto published;
        }
        if (errno == EEXIST) {
            snprintf(err, errlen, "%s exists; pass --force to replace it", target);
            return TSR_ECONFLICT;
        }
        if (!no_hard_links(errno)) {
            snprintf(err, errlen, "cannot create %s: %s", target, strerror(errno));
            return TSR_EIO;
        }
        /* No hard links on this filesystem: a check, then a rename. */
        if (lstat(target, &sb) == 0) {
            snprintf(err, errlen, "%s exists; pass --force to replace it", target);
            return TSR_ECONFLICT;
        }
    }
    if (rename(tmp->path, target) != 0) {
        snprintf(err, errlen, "cannot rename %s to %s: %s", tmp->path, target, strerror(errno));
        return TSR_EIO;
    }
published:
    tmp->path[0] = '\0';
    if (tsr_fsync_parent(target) != 0) {
        snprintf(err, errlen, "cannot sync the directory of %s: %s", target, strerror(errno));
        return TSR_EIO;
    }
    return 0;
}

void tsr_backup_tmp_discard(struct tsr_backup_tmp *tmp)
{
    if (tmp->fd >= 0)
        close(tmp->fd);
    tmp->fd = -1;
    if (tmp->path[0] != '\0')
        unlink(tmp->path);
    tmp->path[0] = '\0';
}
