#include "authn/authn.h"
#include "http/response.h"

/* Liveness and database reachability, for load balancers and `make run` scripts. */
void tsr_authn_healthz(struct tsr_req *req)
{
    tsr_stmt *q = NULL;
    bool db_ok = tsr_store_query(req->store, &q, "SELECT 1", "") == 0 &&
                 tsr_stmt_step(q) == TSR_STORE_ROW;
    tsr_stmt_finalize(q);
    tsr_resp_json(req, db_ok ? 200 : 503,
                  json_pack("{s:s, s:s}", "status", db_ok ? "ok" : "unavailable", "version",
                            TSR_VERSION));
}
