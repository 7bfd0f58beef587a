/*
 * snapshot.h - whole-database files of the SQLite backend, for backup
 * and restore: a consistent copy of a database file, and the checks that
 * a file is a Tessera database this binary can open.
 *
 * Both open their source read-only (with an untrusted schema) and never
 * write it; a source in WAL mode is read with its -wal, as any reader
 * would.  They work on file paths, not on a tsr_store: the copy must not
 * go through a handle that would create, migrate or switch the file.
 */
#ifndef TSR_STORE_SNAPSHOT_H
#define TSR_STORE_SNAPSHOT_H

#include <stddef.h>
#include <stdint.h>

struct tsr_store_file_info {
    int schema_version; /* highest applied migration */
    int schema_latest;  /* highest migration this binary knows */
    int64_t tenants;
    int64_t users;
    int64_t bytes; /* size of the main file */
};

enum tsr_store_check {
    TSR_STORE_CHECK_QUICK, /* PRAGMA quick_check: pages and records, not index contents */
    TSR_STORE_CHECK_FULL,  /* PRAGMA integrity_check */
    /* integrity_check, and exactly the tables, indexes, views and triggers
     * the migrations create (a file from elsewhere, before a restore) */
    TSR_STORE_CHECK_RESTORE,
};

/*
 * Writes a consistent copy of the SQLite database at src into dst, an
 * existing empty file that the caller created with the mode it wants.
 * The copy is one VACUUM INTO: a single read transaction, so on a WAL
 * database it is the snapshot of one moment and never blocks (nor is
 * restarted by) the writers of other processes; the result is compact, in
 * rollback-journal mode, with no -wal of its own.  dst is not synced.
 * Returns 0; TSR_ENOTFOUND (src missing), TSR_EFORMAT (src is not an
 * SQLite database, or damaged) or TSR_ESTORE, with one line in err.
 */
int tsr_store_snapshot(const char *src, const char *dst, char *err, size_t errlen);

/*
 * Checks that the file at path is a Tessera database this binary can
 * open: the SQLite check passes, schema_migrations holds a version whose
 * name matches this binary's migration of that number, and the version is
 * not newer than this binary's latest.  Fills *info (counts are 0 for
 * tables an old schema lacks).  Returns 0; TSR_ENOTFOUND (no such file),
 * TSR_EFORMAT (not an SQLite database, damaged, or not Tessera's; with
 * TSR_STORE_CHECK_RESTORE also a schema object the migrations do not
 * create, or one they create missing or changed),
 * TSR_ECONFLICT (written by a newer Tessera) or TSR_ESTORE, with one line
 * in err that starts with path.
 */
int tsr_store_inspect(const char *path, enum tsr_store_check check,
                      struct tsr_store_file_info *info, char *err, size_t errlen);

#endif
