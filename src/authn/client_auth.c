#include "authn/client_auth.h"

#include <openssl/evp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "core/client_authn.h"
#include "http/response.h"
#include "util/err.h"
#include "util/secure.h"


void tsr_client_auth_refuse(struct tsr_req *req, const char *description)
{
    tsr_resp_header(req, "WWW-Authenticate", "Basic realm=\"tessera\", charset=\"UTF-8\"");
    tsr_resp_oauth_error(req, 401, "invalid_client", "%s", description);
}

static void invalid_client(struct tsr_req *req)
{
    /* One message for unknown clients and wrong secrets: no client enumeration. */
    tsr_client_auth_refuse(req, "Client authentication failed: unknown client_id or wrong "
                                "client_secret");
}

/*
 * The registered token_endpoint_auth_method is the only one a client may
 * use: a secret meant for the body is not accepted in a header, and the
 * reverse, so a leak through one channel cannot be replayed through the
 * other.
 */
static void method_mismatch(struct tsr_req *req, const struct tsr_client *c)
{
    char why[128];
    snprintf(why, sizeof why,
             "Client authentication failed: the client's token_endpoint_auth_method is %.40s",
             c->token_endpoint_auth_method);
    tsr_client_auth_refuse(req, why);
}

int tsr_basic_credentials_parse(const char *header, char buf[TSR_BASIC_MAX], char **id,
                                char **secret)
{
    *id = *secret = NULL;
    if (strncasecmp(header, "Basic ", 6) != 0)
        return TSR_EFORMAT;
    const char *b64 = header + 6;
    while (*b64 == ' ')
        b64++;
    size_t len = strlen(b64);
    if (len == 0 || len > TSR_BASIC_MAX || len % 4 != 0)
        return TSR_EFORMAT;
    /* At most 3/4 of TSR_BASIC_MAX bytes, and the NUL. */
    unsigned char *decoded = (unsigned char *)buf;
    int n = EVP_DecodeBlock(decoded, (const unsigned char *)b64, (int)len);
    if (n < 0)
        return TSR_EFORMAT;
    /* EVP_DecodeBlock counts the padding as zero bytes. */
    if (b64[len - 1] == '=')
        n--;
    if (len >= 2 && b64[len - 2] == '=')
        n--;
    decoded[n] = '\0';
    char *colon = memchr(decoded, ':', (size_t)n);
    if (colon == NULL || memchr(decoded, '\0', (size_t)n) != NULL)
        return TSR_EFORMAT;
    size_t idlen = (size_t)(colon - buf), seclen = (size_t)n - idlen - 1;
    *colon = '\0';
    if (tsr_url_decode(buf, &idlen) != 0 || tsr_url_decode(colon + 1, &seclen) != 0)
        return TSR_EFORMAT;
    *id = buf;
    *secret = colon + 1;
    return 0;
}

bool tsr_client_auth(struct tsr_req *req, const struct tsr_params *p,
                     const struct tsr_client **out)
{
    const struct tsr_client *found = NULL;
    *out = NULL;
    const char *header = tsr_req_header(req, "Authorization");
    char *basic_id = NULL, *basic_secret = NULL;
    char basic[TSR_BASIC_MAX];
    enum tsr_client_authn_verdict v = TSR_CLIENT_AUTHN_FAILED;

    if (header != NULL &&
        tsr_basic_credentials_parse(header, basic, &basic_id, &basic_secret) != 0) {
        invalid_client(req);
        goto out;
    }
    struct tsr_client_creds creds = {.basic_id = basic_id,
                                     .basic_secret = basic_secret,
                                     .body_id = tsr_params_get(p, "client_id"),
                                     .body_secret = tsr_params_get(p, "client_secret")};
    v = tsr_client_authn_catalog(req->tenant->catalog, &creds, &found);
    /* The event of a refusal names the client_id tried once the request named one. */
    if (v != TSR_CLIENT_AUTHN_TWO_METHODS && v != TSR_CLIENT_AUTHN_NO_CLIENT_ID)
        snprintf(req->log_client_id, sizeof req->log_client_id, "%.63s",
                 tsr_client_creds_id(&creds));
    switch (v) {
    case TSR_CLIENT_AUTHN_OK:
        break;
    case TSR_CLIENT_AUTHN_TWO_METHODS:
        tsr_resp_oauth_error(req, 400, "invalid_request",
                             "Use one client authentication method: either the "
                             "Authorization header or client_secret in the body");
        break;
    case TSR_CLIENT_AUTHN_NO_CLIENT_ID:
        tsr_client_auth_refuse(req, "Missing required parameter: client_id");
        break;
    case TSR_CLIENT_AUTHN_FAILED:
        invalid_client(req);
        break;
    case TSR_CLIENT_AUTHN_WRONG_METHOD:
        method_mismatch(req, found);
        break;
    }
out:
    if (header != NULL)
        tsr_wipe(basic, sizeof basic); /* the secret, also from a refused header */
    if (v == TSR_CLIENT_AUTHN_OK)
        *out = found;
    return v == TSR_CLIENT_AUTHN_OK;
}
