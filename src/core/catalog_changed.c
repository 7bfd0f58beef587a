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
    if (rc != 0) {
        /*
         * The generation did not move, so no reload would see the change
         * (this node's would keep the tenant's catalog): stale until a
         * request's retry touches and reloads.
         */
        tsr_log(TSR_LOG_ERROR,
                "cannot mark the tenant changed; its requests that need its clients, APIs or "
                "grants answer 503 until a retry can",
                json_pack("{s:s, s:s}", "tenant", tenant_id, "error", tsr_store_errmsg(st)));
        tsr_app_mark_untouched(app, tenant_id);
        return rc;
    }
    /* A failure marks the tenant stale: its requests fail closed until a reload succeeds. */
    return tsr_app_reload_tenant(app, st, tenant_id);
}
