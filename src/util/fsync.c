#include "util/fsync.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <unistd.h>

#include "util/err.h"

/* Opens path with flags, fsyncs and closes it, keeping the first errno. */
static int sync_fd_of(const char *path, int flags)
{
    int fd = open(path, flags | O_CLOEXEC);
    if (fd < 0)
        return TSR_EIO;
    int rc = fsync(fd) == 0 ? 0 : TSR_EIO;
    int saved = errno;
    close(fd);
    errno = saved;
    return rc;
}

int tsr_fsync_path(const char *path)
{
    return sync_fd_of(path, O_RDONLY);
}

int tsr_path_dirname(const char *path, char *out, size_t outlen)
{
    const char *slash = strrchr(path, '/');
    size_t n = slash == NULL ? 1 : slash == path ? 1 : (size_t)(slash - path);
    const char *from = slash == NULL ? "." : path;
    if (n + 1 > outlen)
        return TSR_ETOOBIG;
    memcpy(out, from, n);
    out[n] = '\0';
    return 0;
}

int tsr_fsync_parent(const char *path)
{
    char dir[4096];
    if (tsr_path_dirname(path, dir, sizeof dir) != 0) {
        errno = ENAMETOOLONG;
        return TSR_EIO;
    }
    return sync_fd_of(dir, O_RDONLY | O_DIRECTORY);
}
