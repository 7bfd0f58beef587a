#include "authn/client_auth.h"

#include <openssl/evp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "http/response.h"
#include "util/err.h"
#include "util/secure.h"

#define BASIC_MAX 2048

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

int tsr_basic_credentials_parse(const char *header, char **id, char **secret)
{
    *id = *secret = NULL;
    if (strncasecmp(header, "Basic ", 6) != 0)
        return TSR_EFORMAT;
    const char *b64 = header + 6;
    while (*b64 == ' ')
        b64++;
    size_t len = strlen(b64);
    if (len == 0 || len > BASIC_MAX || len % 4 != 0)
        return TSR_EFORMAT;
    unsigned char decoded[BASIC_MAX];
    int n = EVP_DecodeBlock(decoded, (const unsigned char *)b64, (int)len);
    if (n < 0)
        return TSR_EFORMAT;
    /* EVP_DecodeBlock counts the padding as zero bytes. */
    if (b64[len - 1] == '=')
        n--;
    if (len >= 2 && b64[len - 2] == '=')
        n--;
    decoded[n] = '\0';
    int rc = TSR_EFORMAT;
    char *colon = memchr(decoded, ':', (size_t)n);
    if (colon == NULL || memchr(decoded, '\0', (size_t)n) != NULL)
        goto out;
    size_t idlen = (size_t)(colon - (char *)decoded), seclen = (size_t)n - idlen - 1;
    *id = strndup((char *)decoded, idlen);
    *secret = strndup(colon + 1, seclen);
    if (*id == NULL || *secret == NULL || tsr_url_decode(*id, &idlen) != 0 ||
        tsr_url_decode(*secret, &seclen) != 0) {
        free(*id);
        tsr_wipe_free_str(*secret);
        *id = *secret = NULL;
        goto out;
    }
    rc = 0;
out:
    tsr_wipe(decoded, sizeof decoded);
    return rc;
}

bool tsr_client_auth(struct tsr_req *req, const struct tsr_params *p, struct tsr_client *out)
{
    memset(out, 0, sizeof *out);
    const char *header = tsr_req_header(req, "Authorization");
    const char *body_id = tsr_params_get(p, "client_id");
    const char *body_secret = tsr_params_get(p, "client_secret");
    char *basic_id = NULL, *basic_secret = NULL;
    bool ok = false;

    if (header != NULL) {
        if (tsr_basic_credentials_parse(header, &basic_id, &basic_secret) != 0) {
            invalid_client(req);
            goto out;
        }
        if (body_secret != NULL || (body_id != NULL && strcmp(body_id, basic_id) != 0)) {
            tsr_resp_oauth_error(req, 400, "invalid_request",
                                 "Use one client authentication method: either the "
                                 "Authorization header or client_secret in the body");
            goto out;
        }
    }
    const char *id = basic_id ? basic_id : body_id;
    const char *secret = basic_id ? basic_secret : body_secret;
    if (id == NULL || id[0] == '\0') {
        tsr_client_auth_refuse(req, "Missing required parameter: client_id");
        goto out;
    }
    snprintf(req->log_client_id, sizeof req->log_client_id, "%.63s", id);
    int rc = tsr_client_get(req->store, req->tenant->t.id, id, out);
    if (rc == TSR_ENOTFOUND) {
        invalid_client(req);
        goto out;
    }
    if (rc != 0) {
        tsr_resp_oauth_error(req, 500, "server_error", "Cannot read the client");
        goto out;
    }
    enum tsr_client_cred how = basic_id ? TSR_CRED_BASIC
                               : secret ? TSR_CRED_POST
                                        : TSR_CRED_ID_ONLY;
    /*
     * A confidential client's secret is checked before its method, so only
     * a caller who holds the secret learns how the client must present it;
     * anyone else gets the answer an unknown client_id gets.
     */
    if (!tsr_client_is_public(out) &&
        (secret == NULL || !tsr_client_secret_matches(out, secret))) {
        invalid_client(req);
        goto out;
    }
    if (!tsr_client_method_allows(out, how)) {
        method_mismatch(req, out);
        goto out;
    }
    ok = true;
out:
    free(basic_id);
    tsr_wipe_free_str(basic_secret);
    if (!ok)
        tsr_client_cleanup(out);
    return ok;
}
