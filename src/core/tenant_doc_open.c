/*
 * tenant_doc_open.c - the database and tenant a `tessera config` command
 * works on (tenant_doc.h).  It never creates a database: a command run
 * against a mistyped data directory fails instead of making an empty one.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "core/datadir.h"
#include "core/tenant.h"
#include "core/tenant_doc.h"
#include "util/err.h"

static int find_tenant(tsr_store *st, const char *tenant, char **tenant_id, char *err,
                       size_t errlen)
{
    struct tsr_tenant *list = NULL;
    size_t n = 0;
    int rc = tsr_tenant_list(st, &list, &n);
    if (rc != 0) {
        snprintf(err, errlen, "cannot read the tenants: %s", tsr_store_errmsg(st));
        return rc;
    }
    rc = TSR_ENOTFOUND;
    for (size_t i = 0; i < n && rc == TSR_ENOTFOUND; i++) {
        bool match = tenant == NULL
                         ? list[i].is_default
                         : strcmp(list[i].id, tenant) == 0 || strcmp(list[i].name, tenant) == 0 ||
                               strcmp(list[i].issuer, tenant) == 0;
        if (match) {
            *tenant_id = strdup(list[i].id);
            rc = *tenant_id ? 0 : TSR_ENOMEM;
        }
    }
    if (rc == TSR_ENOTFOUND)
        snprintf(err, errlen,
                 tenant ? "no tenant has the name, id or issuer %.200s"
                        : "the data directory has no default tenant%.0s",
                 tenant ? tenant : "");
    tsr_tenant_list_free(list, n);
    return rc;
}

int tsr_tenant_doc_open(const char *data_dir, const char *tenant, tsr_store **st, char **tenant_id,
                        int *lock_fd, char *err, size_t errlen)
{
    char path[4096], why[512];
    struct stat sb;
    int version = 0;
    long holder = 0;
    *st = NULL;
    *tenant_id = NULL;
    *lock_fd = -1;
    if (snprintf(path, sizeof path, "%s/tessera.db", data_dir) >= (int)sizeof path) {
        snprintf(err, errlen, "the data directory's path is too long");
        return TSR_EINVAL;
    }
    if (stat(path, &sb) != 0 || !S_ISREG(sb.st_mode)) {
        snprintf(err, errlen, "%.3000s has no database (run tessera init or start the server once)",
                 data_dir);
        return TSR_ENOTFOUND;
    }
    int rc = tsr_datadir_lock(data_dir, TSR_DATADIR_SHARED, lock_fd, &holder, why, sizeof why);
    if (rc == TSR_EBUSY) {
        snprintf(err, errlen,
                 "a restore is replacing the database (process %ld); try again after it", holder);
        return rc;
    }
    if (rc != 0) {
        snprintf(err, errlen, "%s", why);
        return rc;
    }
    rc = tsr_store_open(path, st);
    if (rc != 0) {
        snprintf(err, errlen, "cannot open %.3000s", path);
        tsr_datadir_unlock(*lock_fd);
        *lock_fd = -1;
        return rc;
    }
    rc = tsr_store_schema_version(*st, &version);
    if (rc == 0 && version != tsr_store_schema_latest()) {
        snprintf(err, errlen,
                 "the database's schema is version %d, this tessera's %d: start this server "
                 "once to migrate it",
                 version, tsr_store_schema_latest());
        rc = TSR_EINVAL;
    } else if (rc != 0) {
        snprintf(err, errlen, "cannot read the schema version: %s", tsr_store_errmsg(*st));
    }
    if (rc == 0)
        rc = find_tenant(*st, tenant, tenant_id, err, errlen);
    if (rc != 0) {
        tsr_tenant_doc_close(*st, *lock_fd);
        *st = NULL;
        *lock_fd = -1;
    }
    return rc;
}

void tsr_tenant_doc_close(tsr_store *st, int lock_fd)
{
    tsr_store_close(st);
    tsr_datadir_unlock(lock_fd);
}
