/*
 * datadir.h - who is using a data directory, and who owns its files.
 *
 * {data-dir}/tessera.lock carries a POSIX record lock (fcntl): every
 * process that opens the database for its lifetime (`serve`, `init`) or
 * reads it whole (`backup`) holds it shared; `restore`, which replaces the
 * database, holds it exclusive.  So a restore never replaces the database
 * under a running server, and a server never starts during a restore.
 * The kernel drops the lock when its holder exits, however it exits, so a
 * crash leaves nothing stale.  A conflicting holder's pid comes from
 * F_GETLK.  POSIX locks belong to the process: nothing else in it may
 * open and close tessera.lock while it holds the lock.
 */
#ifndef TSR_CORE_DATADIR_H
#define TSR_CORE_DATADIR_H

#include <stddef.h>

#define TSR_DATADIR_LOCK_FILE "tessera.lock"

enum tsr_datadir_lock_mode {
    TSR_DATADIR_SHARED,
    TSR_DATADIR_EXCLUSIVE,
};

/*
 * Takes the lock of dir without waiting, creating the lock file (0600)
 * when missing; when run as root, a new lock file gets the owner of dir,
 * so the service's own user can still take it.  *fd receives the
 * descriptor that holds the lock (-1 on failure).  Returns 0; TSR_EBUSY
 * when another process holds a conflicting lock (*holder = its pid, 0
 * when unknown); TSR_EIO (err says why: missing directory, permissions).
 */
int tsr_datadir_lock(const char *dir, enum tsr_datadir_lock_mode mode, int *fd, long *holder,
                     char *err, size_t errlen);

/* Releases the lock (closes fd); a negative fd is a no-op. */
void tsr_datadir_unlock(int fd);

/*
 * When run as root, gives the open file fd the owner and group of dir, so
 * that a file root creates in a service's data directory stays usable by
 * the service's user.  Does nothing for other users.  Returns 0, or
 * TSR_EIO with errno set.
 */
int tsr_datadir_own(int fd, const char *dir);

#endif
