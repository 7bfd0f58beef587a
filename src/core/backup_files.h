/*
 * backup_files.h - the file steps backup.c and restore.c share: a
 * temporary file beside its target, synced, then published under the
 * target's name.  Internal to core/backup*.c.
 */
#ifndef TSR_CORE_BACKUP_FILES_H
#define TSR_CORE_BACKUP_FILES_H

#include <stdbool.h>
#include <stddef.h>

#include "core/backup.h"

/* A temporary file; path[0] == '\0' once it is published or removed. */
struct tsr_backup_tmp {
    char path[TSR_BACKUP_PATH_MAX];
    int fd; /* open until synced, else -1 */
};

/* {data_dir}/tessera.db into out.  Returns 0 or TSR_ETOOBIG (err says so). */
int tsr_backup_db_path(const char *data_dir, char *out, size_t outlen, char *err, size_t errlen);

/* "DIR <state> (pid N); <advice>", the pid left out when unknown (0). */
void tsr_backup_busy_msg(char *err, size_t errlen, const char *dir, const char *state, long pid,
                         const char *advice);

/*
 * Creates an empty file TARGET.tmp-XXXXXX, mode 0600, beside target; when
 * owner_dir is not NULL and this runs as root, the file gets owner_dir's
 * owner.  Returns 0 or TSR_EIO / TSR_ETOOBIG with err set.
 */
int tsr_backup_tmp_create(struct tsr_backup_tmp *tmp, const char *target, const char *owner_dir,
                          char *err, size_t errlen);

/* fsyncs and closes the file.  Returns 0 or TSR_EIO with err set. */
int tsr_backup_tmp_sync(struct tsr_backup_tmp *tmp, char *err, size_t errlen);

/*
 * Gives the synced file the name target: replacing an existing file when
 * replace, else failing with TSR_ECONFLICT if target exists (atomically,
 * by link(2), where the filesystem has hard links).  Then fsyncs the
 * directory.  Returns 0, TSR_ECONFLICT or TSR_EIO with err set.
 */
int tsr_backup_tmp_publish(struct tsr_backup_tmp *tmp, const char *target, bool replace, char *err,
                           size_t errlen);

/* Closes and removes the file unless it was published.  Safe to call twice. */
void tsr_backup_tmp_discard(struct tsr_backup_tmp *tmp);

#endif
