/*
 * backup.h - `tessera backup` and `tessera restore`: the database of a
 * data directory copied to a file while the server runs, and a file put
 * back as the database of a data directory no server is using.
 *
 * Neither the master key ({data-dir}/master.key or TESSERA_MASTER_KEY)
 * nor bootstrap-client.json is in a backup: the signing keys inside it are
 * sealed under the master key, so a restored database is usable only with
 * the key of the server that wrote it.
 *
 * Files are written as a temporary file beside the target (mode 0600: a
 * backup holds password hashes and sealed keys), fsynced, then renamed
 * over the target, and the directory is fsynced: a crash leaves the old
 * file or the new one, never a torn one.  An interrupted run may leave
 * its temporary file (NAME.tmp-XXXXXX) behind.
 */
#ifndef TSR_CORE_BACKUP_H
#define TSR_CORE_BACKUP_H

#include <stdbool.h>
#include <stddef.h>

#include "config/settings.h"
#include "store/snapshot.h"

#define TSR_BACKUP_PATH_MAX 4200

struct tsr_backup_result {
    struct tsr_store_file_info info; /* of the file written */
};

/*
 * Writes a consistent copy of {data_dir}/tessera.db to `to`, while a
 * server may be running and writing (store/snapshot.h), holding the data
 * directory's shared lock so that no restore replaces the database
 * meanwhile.  An existing `to` is refused unless force; `to` may never
 * name a file of the live database.  The copy is checked (quick_check and
 * the schema) before it takes the name `to`.  Returns 0; TSR_ENOTFOUND (no
 * database), TSR_ECONFLICT (`to` exists), TSR_EBUSY (a restore is
 * running), TSR_EINVAL (`to` names the database), TSR_EIO, TSR_EFORMAT or
 * TSR_ESTORE; err holds one line.
 */
int tsr_backup_write(const char *data_dir, const char *to, bool force,
                     struct tsr_backup_result *res, char *err, size_t errlen);

struct tsr_restore_result {
    struct tsr_store_file_info info; /* of the database now in place */
    char kept[TSR_BACKUP_PATH_MAX];  /* where the replaced database went; "" when none */
    bool master_key_missing;         /* neither {data_dir}/master.key nor TESSERA_MASTER_KEY */
};

/*
 * Makes `from` the database of data_dir (created 0700 when missing).
 * Takes the data directory's exclusive lock first, so it refuses while a
 * server (or a backup) uses the directory, and no server starts until it
 * is done.  `from` must pass integrity_check and carry a schema this
 * binary knows, not a newer one (an older one is migrated when the server
 * starts).  An existing database is refused unless force; then it is kept
 * as tessera.db.before-restore-YYYYMMDDTHHMMSSZ (-2, -3, ... after it for
 * more restores in one second), with its -wal, if any.
 * Stale -wal, -shm and -journal files never meet the new database.  When
 * run as root, the new database gets the owner of data_dir.  getenv_fn
 * (NULL: getenv) tells whether TESSERA_MASTER_KEY is set.  Returns 0;
 * TSR_ENOTFOUND (`from` missing), TSR_EBUSY (directory in use),
 * TSR_EFORMAT (not a Tessera database, or damaged), TSR_ECONFLICT
 * (database exists, or `from` is newer than this binary), TSR_EINVAL
 * (`from` is the directory's own database), TSR_EIO or TSR_ESTORE; err
 * holds one line.
 */
int tsr_restore(const char *data_dir, const char *from, bool force, tsr_getenv_fn getenv_fn,
                struct tsr_restore_result *res, char *err, size_t errlen);

#endif
