#include "core/tenant_jwt.h"

#include <string.h>

#include "core/keys.h"
#include "util/err.h"

int tsr_tenant_jwt_verify(const struct tsr_tenant_ctx *tenant, const char *token, tsr_jws **out)
{
    tsr_jws *jws = NULL;
    *out = NULL;
    if (tsr_jws_parse(token, strlen(token), &jws) != 0)
        return TSR_EFORMAT;
    const char *kid = tsr_jws_kid(jws);
    const tsr_jwk *key = kid ? tsr_keyring_find(tenant->keys, kid) : NULL;
    if (key == NULL || tsr_jws_verify(jws, key) != 0) {
        tsr_jws_free(jws);
        return TSR_ESIGNATURE;
    }
    const char *iss = json_string_value(json_object_get(tsr_jws_payload(jws), "iss"));
    if (iss == NULL || strcmp(iss, tenant->t.issuer) != 0) {
        tsr_jws_free(jws);
        return TSR_EINVAL;
    }
    *out = jws;
    return 0;
}

bool tsr_jwt_aud_has(const json_t *aud, const char *want)
{
    if (json_is_string(aud))
        return strcmp(json_string_value(aud), want) == 0;
    size_t i;
    const json_t *item;
    json_array_foreach(aud, i, item) {
        if (json_is_string(item) && strcmp(json_string_value(item), want) == 0)
            return true;
    }
    return false;
}

bool tsr_jwt_unexpired(const json_t *claims, int64_t now)
{
    const json_t *exp = json_object_get(claims, "exp");
    return json_is_integer(exp) && json_integer_value(exp) > now;
}
