#include "core/datadir.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "util/err.h"

int tsr_datadir_own(int fd, const char *dir)
{
    struct stat ds, fs;
    if (geteuid() != 0)
        return 0;
    if (stat(dir, &ds) != 0 || fstat(fd, &fs) != 0)
        return TSR_EIO;
    if (fs.st_uid == ds.st_uid && fs.st_gid == ds.st_gid)
        return 0;
    return fchown(fd, ds.st_uid, ds.st_gid) == 0 ? 0 : TSR_EIO;
}

int tsr_datadir_lock(const char *dir, enum tsr_datadir_lock_mode mode, int *fd, long *holder,
                     char *err, size_t errlen)
{
    char path[4200];
    struct flock fl;
    int n = snprintf(path, sizeof path, "%s/%s", dir, TSR_DATADIR_LOCK_FILE);

    *fd = -1;
    *holder = 0;
    err[0] = '\0';
    if (n < 0 || (size_t)n >= sizeof path) {
        snprintf(err, errlen, "%s: path too long", dir);
        return TSR_EIO;
    }
    /* A shared (read) lock needs only read access, an exclusive one write access. */
    int flags = (mode == TSR_DATADIR_SHARED ? O_RDONLY : O_RDWR) | O_CREAT | O_CLOEXEC;
    int f = open(path, flags, 0600);
    if (f < 0) {
        snprintf(err, errlen, "cannot open %s: %s", path, strerror(errno));
        return TSR_EIO;
    }
    (void)tsr_datadir_own(f, dir); /* best effort: root keeps a lock file it cannot hand over */
    memset(&fl, 0, sizeof fl);
    fl.l_type = mode == TSR_DATADIR_SHARED ? F_RDLCK : F_WRLCK;
    fl.l_whence = SEEK_SET; /* l_start = l_len = 0: the whole file */
    if (fcntl(f, F_SETLK, &fl) == 0) {
        *fd = f;
        return 0;
    }
    int saved = errno;
    if (saved != EAGAIN && saved != EACCES) {
        snprintf(err, errlen, "cannot lock %s: %s", path, strerror(saved));
        close(f);
        return TSR_EIO;
    }
    memset(&fl, 0, sizeof fl);
    fl.l_type = mode == TSR_DATADIR_SHARED ? F_RDLCK : F_WRLCK;
    fl.l_whence = SEEK_SET;
    if (fcntl(f, F_GETLK, &fl) == 0 && fl.l_type != F_UNLCK && fl.l_pid > 0)
        *holder = (long)fl.l_pid;
    close(f);
    snprintf(err, errlen, "%s is locked by another process", path);
    return TSR_EBUSY;
}

void tsr_datadir_unlock(int fd)
{
    if (fd >= 0)
        close(fd);
}
