/*
 * backup.c - `tessera backup` and `tessera restore`: local commands on the
 * data directory's database (core/backup.h does the work).
 */
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>

#include "cli/args.h"
#include "cli/commands.h"
#include "cli/output.h"
#include "core/backup.h"
#include "util/err.h"

/* --data-dir, else TESSERA_DATA_DIR, else ./data: as the other commands find it. */
static const char *data_dir(const struct tsr_cli_args *a)
{
    const char *dir = tsr_cli_opt(a, "data-dir");
    if (dir == NULL || dir[0] == '\0')
        dir = getenv("TESSERA_DATA_DIR");
    return dir != NULL && dir[0] != '\0' ? dir : "./data";
}

static const char *plural(int64_t n, const char *one, const char *many)
{
    return n == 1 ? one : many;
}

static json_t *info_json(const char *key, const char *path, const struct tsr_store_file_info *i)
{
    return json_pack("{s:s, s:I, s:I, s:I, s:i}", key, path, "bytes", (json_int_t)i->bytes,
                     "tenants", (json_int_t)i->tenants, "users", (json_int_t)i->users,
                     "schema_version", i->schema_version);
}

static int backup_run(const struct tsr_cli_args *a)
{
    struct tsr_backup_result res;
    char err[1024];
    const char *dir = data_dir(a), *to = tsr_cli_opt(a, "to");
    if (to == NULL || to[0] == '\0')
        return tsr_cli_usage(a, "--to needs a file name");
    if (tsr_backup_write(dir, to, tsr_cli_has(a, "force"), &res, err, sizeof err) != 0)
        return tsr_cli_fail(a, "%s", err);
    if (tsr_cli_json(a)) {
        json_t *j = info_json("path", to, &res.info);
        tsr_cli_print_json(stdout, j);
        json_decref(j);
        return TSR_CLI_OK;
    }
    printf("Wrote %s: %lld bytes, %lld %s, %lld %s, schema version %d.\n", to,
           (long long)res.info.bytes, (long long)res.info.tenants,
           plural(res.info.tenants, "tenant", "tenants"), (long long)res.info.users,
           plural(res.info.users, "user", "users"), res.info.schema_version);
    return TSR_CLI_OK;
}

static int restore_run(const struct tsr_cli_args *a)
{
    struct tsr_restore_result res;
    char err[1024];
    const char *dir = data_dir(a), *from = tsr_cli_opt(a, "from");
    if (from == NULL || from[0] == '\0')
        return tsr_cli_usage(a, "--from needs a file name");
    if (tsr_restore(dir, from, tsr_cli_has(a, "force"), NULL, &res, err, sizeof err) != 0)
        return tsr_cli_fail(a, "%s", err);
    if (tsr_cli_json(a)) {
        json_t *j = info_json("from", from, &res.info);
        json_object_set_new(j, "data_dir", json_string(dir));
        json_object_set_new(j, "kept", res.kept[0] ? json_string(res.kept) : json_null());
        json_object_set_new(j, "master_key_missing", json_boolean(res.master_key_missing));
        tsr_cli_print_json(stdout, j);
        json_decref(j);
        return TSR_CLI_OK;
    }
    printf("Restored %s into %s: %lld bytes, %lld %s, %lld %s, schema version %d", from, dir,
           (long long)res.info.bytes, (long long)res.info.tenants,
           plural(res.info.tenants, "tenant", "tenants"), (long long)res.info.users,
           plural(res.info.users, "user", "users"), res.info.schema_version);
    if (res.info.schema_version < res.info.schema_latest)
        printf(" (the server migrates it to %d when it starts)", res.info.schema_latest);
    printf(".\n");
    if (res.kept[0] != '\0')
        printf("The database it replaced is kept as %s.\n", res.kept);
    if (res.master_key_missing)
        printf("Before starting the server, put the master key the backed-up server used in "
               "%s/master.key (mode 0600) or TESSERA_MASTER_KEY.\n",
               dir);
    return TSR_CLI_OK;
}

static const struct tsr_cli_opt backup_opts[] = {
    {"to", "FILE", "the file to write (mode 0600)", TSR_CLI_OPT_REQUIRED},
    {"data-dir", "DIR", "data directory (./data; TESSERA_DATA_DIR)", 0},
    {"force", NULL, "replace FILE if it exists", 0},
    {"json", NULL, "print what was written as JSON", 0},
    {NULL, NULL, NULL, 0},
};

static const struct tsr_cli_opt restore_opts[] = {
    {"from", "FILE", "the backup to restore (from tessera backup)", TSR_CLI_OPT_REQUIRED},
    {"data-dir", "DIR", "data directory (./data; TESSERA_DATA_DIR)", 0},
    {"force", NULL, "replace its database (kept as tessera.db.before-restore-<time>)", 0},
    {"json", NULL, "print what was restored as JSON", 0},
    {NULL, NULL, NULL, 0},
};

const struct tsr_cli_command tsr_cli_backup_commands[] = {
    {.name = "backup",
     .summary = "copy the database to a file, also while the server runs",
     .details =
         "Writes a consistent copy of {data-dir}/tessera.db, as it was at one moment,\n"
         "while the server goes on serving and writing (SQLite's VACUUM INTO: one read\n"
         "transaction, which blocks no writer). The copy goes to a temporary file beside\n"
         "FILE, is checked, synced, then renamed to FILE, mode 0600: it holds password\n"
         "hashes and the sealed signing keys. Prints one line: the file, its size, the\n"
         "tenants and users in it, and its schema version. FILE's directory, and each\n"
         "above it, must be writable only by you and root (or have the sticky bit, as\n"
         "/tmp): anyone else who can write there could divert the copy.\n"
         "\n"
         "Not in the backup: the master key ({data-dir}/master.key, or TESSERA_MASTER_KEY)\n"
         "and bootstrap-client.json (nor any tenant's bootstrap-client-NAME.json). The\n"
         "signing keys in the backup are sealed under the master key: keep a copy of the\n"
         "key, apart from the backups, or they are useless.\n",
     .opts = backup_opts,
     .kind = TSR_CLI_PARSED,
     .run = backup_run,
     .exit_status = "0 written, 1 failed (one line on stderr says why), 2 usage"},
    {0},
};

const struct tsr_cli_command tsr_cli_restore_commands[] = {
    {.name = "restore",
     .summary = "make a backup file the database of a data directory",
     .details =
         "Checks FILE first: PRAGMA integrity_check passes, its schema is one this\n"
         "tessera knows, not a newer one (an older one is migrated when the server\n"
         "starts), and it holds exactly the tables, indexes, views and triggers of that\n"
         "version (none of its own, no ANALYZE statistics). Refuses while a server (or a backup) uses the data directory: stop the\n"
         "server, restore, start it. Refuses to replace an existing database without\n"
         "--force; with it, the old database is kept as\n"
         "tessera.db.before-restore-<time> (with its -wal). The copy is written beside\n"
         "the database, synced and renamed into place; stale -wal and -shm files are\n"
         "removed. FILE itself is only read. Run it as the server's user (as root, the\n"
         "new database gets the data directory's owner).\n"
         "\n"
         "The backup holds neither the master key nor bootstrap-client.json: the data\n"
         "directory needs the master key of the server that wrote the backup\n"
         "({data-dir}/master.key or TESSERA_MASTER_KEY), else the server refuses to start.\n",
     .opts = restore_opts,
     .kind = TSR_CLI_PARSED,
     .run = restore_run,
     .exit_status = "0 restored, 1 failed (one line on stderr says why), 2 usage"},
    {0},
};
