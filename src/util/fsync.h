/*
 * fsync.h - making a written file and its directory entry durable, for
 * files replaced by writing a temporary file and renaming it.
 *
 * These open and close their own descriptor on the path.  Closing a
 * descriptor drops every POSIX lock the process holds on that file, so
 * never call them on a file an SQLite connection of this process has
 * open.
 */
#ifndef TSR_UTIL_FSYNC_H
#define TSR_UTIL_FSYNC_H

#include <stddef.h>

/* fsync(2)s the file at path.  Returns 0, or TSR_EIO with errno set. */
int tsr_fsync_path(const char *path);

/*
 * fsync(2)s the directory that holds path (".": no slash in path), so
 * that a rename or link into it survives a crash.  Returns 0, or TSR_EIO
 * with errno set.
 */
int tsr_fsync_parent(const char *path);

/*
 * Writes the directory part of path into out ("." when path has no
 * slash, "/" for "/name").  Returns 0, or TSR_ETOOBIG when it does not
 * fit in outlen.
 */
int tsr_path_dirname(const char *path, char *out, size_t outlen);

#endif
