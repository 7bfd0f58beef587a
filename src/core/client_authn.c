#include "core/client_authn.h"

#include <string.h>

#include "util/err.h"

const char *tsr_client_creds_id(const struct tsr_client_creds *c)
{
    return c->basic_id ? c->basic_id : c->body_id;
}

/* The claimed client_id, or the verdict that ends the request before any lookup. */
static const char *claimed_id(const struct tsr_client_creds *creds,
                              enum tsr_client_authn_verdict *verdict)
{
    *verdict = TSR_CLIENT_AUTHN_FAILED;
    bool basic = creds->basic_id != NULL;
    if (basic && (creds->body_secret != NULL ||
                  (creds->body_id != NULL && strcmp(creds->body_id, creds->basic_id) != 0))) {
        *verdict = TSR_CLIENT_AUTHN_TWO_METHODS;
        return NULL;
    }
    const char *id = tsr_client_creds_id(creds);
    if (id == NULL || id[0] == '\0') {
        *verdict = TSR_CLIENT_AUTHN_NO_CLIENT_ID;
        return NULL;
    }
    return id;
}

/* The verdict for the client found under the claimed id (NULL: none). */
static enum tsr_client_authn_verdict judge(const struct tsr_client *c,
                                           const struct tsr_client_creds *creds)
{
    if (c == NULL)
        return TSR_CLIENT_AUTHN_FAILED;
    bool basic = creds->basic_id != NULL;
    const char *secret = basic ? creds->basic_secret : creds->body_secret;
    enum tsr_client_cred how = basic ? TSR_CRED_BASIC : secret ? TSR_CRED_POST : TSR_CRED_ID_ONLY;
    if (!tsr_client_is_public(c) && (secret == NULL || !tsr_client_secret_matches(c, secret)))
        return TSR_CLIENT_AUTHN_FAILED;
    if (!tsr_client_method_allows(c, how))
        return TSR_CLIENT_AUTHN_WRONG_METHOD;
    return TSR_CLIENT_AUTHN_OK;
}

enum tsr_client_authn_verdict tsr_client_authn_catalog(const struct tsr_catalog *cat,
                                                       const struct tsr_client_creds *creds,
                                                       const struct tsr_client **out)
{
    enum tsr_client_authn_verdict verdict;
    *out = NULL;
    const char *id = claimed_id(creds, &verdict);
    if (id == NULL)
        return verdict;
    const struct tsr_client *c = tsr_catalog_client(cat, id);
    verdict = judge(c, creds);
    if (verdict != TSR_CLIENT_AUTHN_FAILED)
        *out = c;
    return verdict;
}
