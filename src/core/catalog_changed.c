/*
 * catalog_changed.c - making a write to the catalog's records visible: the
 * tenant's generation for the other nodes, a reload for this one.
 */
#include "core/app.h"
#include "core/catalog.h"
#include "util/log.h"

int tsr_catalog_changed(struct tsr_app *app, tsr_store *st, const char *tenant_id)
{
    int rc = tsr_tenant_touch(st, tenant_id);
    if (rc != 0)
        tsr_log(TSR_LOG_ERROR,
                "cannot mark the tenant changed; other nodes see the change at "
                "their next reload",
                json_pack("{s:s, s:s}", "tenant", tenant_id, "error", tsr_store_errmsg(st)));
    int reloaded = tsr_app_reload(app, st);
    return rc != 0 ? rc : reloaded;
}
