/*
 * introspect.c - RFC 7662 client for opaque access tokens: one POST per
 * token to the issuer's introspection endpoint with client_secret_post.
 * active=false is TESSERA_EINACTIVE; an active answer must be an access
 * token (token_type) and is still checked for iss, aud and exp when it
 * carries them.
 */
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "internal.h"

int tsv_introspect(tessera_verifier *v, const char *token, size_t len, tessera_claims **out,
                   char *detail, size_t detaillen)
{
    *out = NULL;
    if (len > TSV_OPAQUE_MAX_LEN) {
        tsv_detail(detail, detaillen, "opaque token is more than %d bytes", TSV_OPAQUE_MAX_LEN);
        return TESSERA_ETOOBIG;
    }
    pthread_mutex_lock(&v->lock);
    char *url = strdup(v->introspection_uri);
    pthread_mutex_unlock(&v->lock);
    if (url == NULL)
        return TESSERA_ENOMEM;
    const char *fields[] = {"token",         token,         "token_type_hint",
                            "access_token",  "client_id",   v->client_id,
                            "client_secret", v->client_secret, NULL,
                            NULL};
    struct tsv_http_result r;
    json_t *doc = NULL;
    int rc = tsv_http_post_form(v, "introspection endpoint", url, fields, &r, detail, detaillen);
    free(url);
    if (rc != TESSERA_OK)
        return rc;
    if (r.status != 200) {
        tsv_detail(detail, detaillen, "introspection answered HTTP %ld", r.status);
        rc = TESSERA_EUNAVAILABLE;
        goto out;
    }
    json_error_t jerr;
    doc = json_loadb(r.body, r.len, JSON_REJECT_DUPLICATES, &jerr);
    const json_t *active = json_object_get(doc, "active");
    if (!json_is_boolean(active)) {
        tsv_detail(detail, detaillen, "introspection answer has no boolean active");
        rc = TESSERA_EUNAVAILABLE;
        goto out;
    }
    if (!json_is_true(active)) {
        tsv_detail(detail, detaillen, "the issuer says the token is not active");
        rc = TESSERA_EINACTIVE;
        goto out;
    }
    const char *iss = json_string_value(json_object_get(doc, "iss"));
    if (iss != NULL && strcmp(iss, v->issuer) != 0) {
        char shown[96];
        tsv_printable(iss, shown, sizeof shown, 80);
        tsv_detail(detail, detaillen, "iss is %s not %s", shown, v->issuer);
        rc = TESSERA_EISSUER;
        goto out;
    }
    /* A refresh token is active too, but it is not an access token. */
    const char *type = json_string_value(json_object_get(doc, "token_type"));
    if (type != NULL && strcasecmp(type, "access_token") != 0 && strcasecmp(type, "Bearer") != 0) {
        char shown[48];
        tsv_printable(type, shown, sizeof shown, 32);
        tsv_detail(detail, detaillen, "token_type is %s, not an access token", shown);
        rc = TESSERA_ETYP;
        goto out;
    }
    /* aud is checked when the answer has one; opaque tokens carry none (see docs/verify.md). */
    if ((rc = tsv_check_aud(v, doc, false, detail, detaillen)) != TESSERA_OK ||
        (rc = tsv_check_times(v, doc, false, detail, detaillen)) != TESSERA_OK)
        goto out;
    tessera_claims *c = calloc(1, sizeof *c);
    if (c == NULL) {
        rc = TESSERA_ENOMEM;
        goto out;
    }
    c->payload = doc;
    doc = NULL;
    *out = c;
    tsv_detail(detail, detaillen, "valid (introspected)");
out:
    json_decref(doc);
    tsv_http_result_cleanup(&r);
    return rc;
}
