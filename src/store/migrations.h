/*
 * migrations.h - the SQL migrations compiled into the binary (generated from
 * src/store/migrations/NNN_name.sql by cmake/embed_migrations.cmake).
 * Versions are strictly increasing; applied ones are never edited, new
 * changes get a new file.
 */
#ifndef TSR_STORE_MIGRATIONS_H
#define TSR_STORE_MIGRATIONS_H

struct tsr_migration {
    int version;
    const char *name;
    const char *sql;
};

extern const struct tsr_migration tsr_migrations[];
extern const int tsr_migration_count;

#endif
