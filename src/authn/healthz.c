#include "authn/authn.h"
#include "http/response.h"

/* Liveness and database reachability, for load balancers and `make run` scripts. */
void tsr_authn_healthz(struct tsr_req *req)
{
    bool db_ok = tsr_store_ping(req->store) == 0;
    tsr_resp_json(req, db_ok ? 200 : 503,
                  json_pack("{s:s, s:s}", "status", db_ok ? "ok" : "unavailable", "version",
                            TSR_VERSION));
}
