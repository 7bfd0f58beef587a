/*
 * POST /oauth/revoke - revoking a refresh token (RFC 7009): the token's
 * whole family goes, so nothing rotated from it keeps working.  Unknown
 * tokens answer 200 too, so the endpoint tells nothing about tokens.
 */
#include <string.h>

#include "authn/authn.h"
#include "authn/client_auth.h"
#include "authn/cors.h"
#include "core/event.h"
#include "core/refresh_token.h"
#include "http/response.h"

void tsr_authn_revoke(struct tsr_req *req)
{
    struct tsr_params p = {0};
    const struct tsr_client *client = NULL; /* the tenant catalog's */
    struct tsr_refresh_token t = {0};
    tsr_cors_allow(req);
    if (!tsr_authn_read_params(req, &p))
        return;
    const char *token = tsr_params_get(&p, "token");
    if (token == NULL || token[0] == '\0') {
        tsr_resp_oauth_error(req, 400, "invalid_request", "Missing required parameter: token");
        goto out;
    }
    if (!tsr_client_auth(req, &p, &client))
        goto out;
    if (tsr_refresh_token_find(req->store, req->tenant->t.id, token, &t) == 0 &&
        strcmp(t.client_id, client->client_id) == 0 && t.revoked_at == 0) {
        tsr_refresh_token_revoke_family(req->store, req->tenant->t.id, t.family_id);
        struct tsr_event e = {.type = "srrt",
                              .description = "Refresh token revoked",
                              .client_id = client->client_id,
                              .client_name = client->name,
                              .user_id = t.user_id};
        tsr_event_record(tsr_req_who(req), &e);
    }
    tsr_resp_empty(req, 200);
out:
    tsr_refresh_token_cleanup(&t);
    tsr_params_cleanup(&p);
}
