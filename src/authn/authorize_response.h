/*
 * authorize_response.h - sending the result of an authorization request to
 * the client's (already validated) redirect_uri, in its response_mode:
 * query and fragment redirects, form_post, and web_message (the page
 * auth0-spa-js loads in an iframe for silent renewal).
 */
#ifndef TSR_AUTHN_AUTHORIZE_RESPONSE_H
#define TSR_AUTHN_AUTHORIZE_RESPONSE_H

#include <stdint.h>

#include "core/login_tx.h"
#include "http/request.h"

/*
 * Either what the response type asks for (code, id_token, access_token
 * with its scope and expires_in: each NULL when not sent), or error with
 * error_description.
 */
struct tsr_authz_result {
    const char *code;
    const char *id_token;
    const char *access_token;
    const char *scope;
    int64_t expires_in;
    const char *error;
    const char *error_description;
};

void tsr_authorize_respond(struct tsr_req *req, const struct tsr_authz_request *ar,
                           const struct tsr_authz_result *r);

#endif
