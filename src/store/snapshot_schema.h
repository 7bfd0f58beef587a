/*
 * snapshot_schema.h - whether a database file holds the schema objects
 * this binary's migrations create, and no others (store/snapshot.h).
 */
#ifndef TSR_STORE_SNAPSHOT_SCHEMA_H
#define TSR_STORE_SNAPSHOT_SCHEMA_H

#include <sqlite3.h>
#include <stddef.h>

/*
 * Compares the tables, indexes, views and triggers of db (the file at
 * path, at schema version) with those this binary's migrations up to
 * version create in an empty database: the same objects by type and name,
 * each with the same table and SQL.  Left out are the indexes SQLite makes
 * for a table's constraints (sqlite_autoindex_*, implied by the table's
 * SQL) and the table schema_migrations (the store creates it outside the
 * migrations), though not a trigger on it; SQLite's statistics tables
 * (sqlite_stat1, ...) are objects like any other.  Returns 0;
 * TSR_EFORMAT with one line in err naming the first object that differs;
 * TSR_ESTORE or TSR_ENOMEM when the comparison cannot be made.
 */
int tsr_snapshot_schema_check(sqlite3 *db, const char *path, int version, char *err, size_t errlen);

#endif
