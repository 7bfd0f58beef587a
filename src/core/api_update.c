/*
 * api_update.c - the rules of an API's settings (see api_update.h), in the
 * order Auth0 checks a body: identifier, name, scopes, signing algorithm,
 * lifetimes, flags, dialect, then the signing secret.
 */
#include "core/api_update.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "util/err.h"

/* RS256, Auth0's default, first; PS256, ES256 and EdDSA are Tessera's own additions. */
static const char *const signing_algs[] = {"RS256", "PS256", "ES256", "EdDSA", "HS256", NULL};
static const char *const dialects[] = {"access_token", "access_token_authz", "rfc9068_profile",
                                       "rfc9068_profile_authz", NULL};

static bool has_space(const char *s)
{
    for (; *s; s++)
        if (isspace((unsigned char)*s))
            return true;
    return false;
}

int tsr_api_patch_permitted(const struct tsr_api *a, const struct tsr_api_patch *p,
                            struct tsr_refusal *why)
{
    tsr_refusal_clear(why);
    for (size_t i = 0; a->is_system && i < p->ngiven; i++)
        if (strcmp(p->given[i], "token_lifetime") != 0 &&
            strcmp(p->given[i], "token_lifetime_for_web") != 0)
            return tsr_refuse(why, TSR_REFUSED_FORBIDDEN, NULL,
                              "Only token_lifetime and token_lifetime_for_web of the system API "
                              "can be changed");
    if (p->has_identifier && (p->identifier == NULL || strcmp(p->identifier, a->identifier) != 0))
        return tsr_refuse(why, TSR_REFUSED_PROPERTY, "identifier",
                          "Payload validation error: 'Additional properties not allowed: "
                          "identifier'.");
    return 0;
}

static int apply_name(struct tsr_api *a, const struct tsr_api_patch *p, struct tsr_refusal *why)
{
    if (p->name == NULL)
        return 0;
    if (strpbrk(p->name, "<>") != NULL)
        return tsr_refuse(why, TSR_REFUSED_VALUE, "name",
                          "String does not match pattern: ^[^<>]+$");
    return tsr_patch_set_str(&a->name, p->name);
}

static int apply_scopes(struct tsr_api *a, const struct tsr_api_patch *p, struct tsr_refusal *why)
{
    if (!p->has_scopes)
        return 0;
    for (size_t i = 0; i < p->nscopes; i++) {
        char field[40];
        snprintf(field, sizeof field, "scopes[%zu].value", i);
        const char *value = p->scopes[i].value ? p->scopes[i].value : "";
        if (has_space(value))
            return tsr_refuse(why, TSR_REFUSED_VALUE, field, "String must not contain whitespace");
        for (size_t j = 0; j < i; j++)
            if (p->scopes[j].value != NULL && strcmp(p->scopes[j].value, value) == 0)
                return tsr_refuse(why, TSR_REFUSED_VALUE, field, "Duplicate scope value: %.280s",
                                  value);
    }
    return tsr_api_set_scopes(a, p->scopes, p->nscopes);
}

/* As tsr_patch_set_enum, but the refusal names the algorithms there are. */
static int apply_signing_alg(struct tsr_api *a, const struct tsr_api_patch *p,
                             struct tsr_refusal *why)
{
    if (p->signing_alg != NULL && !tsr_patch_one_of(p->signing_alg, signing_algs))
        return tsr_refuse(why, TSR_REFUSED_VALUE, "signing_alg",
                          "No enum match for: \"%.100s\" (allowed: RS256, PS256, ES256, "
                          "EdDSA, HS256)",
                          p->signing_alg);
    return tsr_patch_set_enum(&a->signing_alg, "signing_alg", p->signing_alg, signing_algs, why);
}

static int apply_lifetimes(struct tsr_api *a, const struct tsr_api_patch *p,
                           struct tsr_refusal *why)
{
    int rc = 0;
    if (p->has_token_lifetime && (rc = tsr_patch_check_range("token_lifetime", p->token_lifetime, 1,
                                                             TSR_API_LIFETIME_MAX, why)) != 0)
        return rc;
    if (p->has_token_lifetime)
        a->token_lifetime = p->token_lifetime;
    if (p->has_token_lifetime_for_web &&
        (rc = tsr_patch_check_range("token_lifetime_for_web", p->token_lifetime_for_web, 1,
                                    TSR_API_LIFETIME_MAX, why)) != 0)
        return rc;
    if (p->has_token_lifetime_for_web)
        a->token_lifetime_for_web = p->token_lifetime_for_web;
    if (a->token_lifetime_for_web <= a->token_lifetime)
        return 0;
    /* Browser tokens never outlive the others: lowered unless asked for explicitly. */
    if (p->has_token_lifetime_for_web)
        return tsr_refuse(why, TSR_REFUSED_VALUE, "token_lifetime_for_web",
                          "Value %lld is greater than maximum %lld (token_lifetime)",
                          (long long)a->token_lifetime_for_web, (long long)a->token_lifetime);
    a->token_lifetime_for_web = a->token_lifetime;
    return 0;
}

/* Characters (UTF-8 code points) of s. */
static size_t utf8_len(const char *s)
{
    size_t n = 0;
    for (; *s; s++)
        if (((unsigned char)*s & 0xC0) != 0x80)
            n++;
    return n;
}

/*
 * A signing secret given in the patch.  As with Auth0, the HMAC key is the
 * secret text's bytes, so it must be long enough for HS256 (RFC 8725
 * section 3.5) and printable, to survive copying between systems.
 */
static int seal_given_secret(struct tsr_api *a, const char *text,
                             const uint8_t master_key[TSR_MASTER_KEY_LEN], struct tsr_refusal *why)
{
    static const char field[] = "signing_secret";
    for (const char *c = text; *c; c++)
        if (((unsigned char)*c < 0x20 && *c != '\n' && *c != '\r' && *c != '\t') || *c == 0x7F)
            return tsr_refuse(why, TSR_REFUSED_VALUE, field,
                              "String must not contain control characters");
    size_t n = utf8_len(text);
    if (n < TSR_API_SECRET_MIN_CHARS)
        return tsr_refuse(why, TSR_REFUSED_VALUE, field,
                          "String is too short (%zu chars), minimum %d", n,
                          TSR_API_SECRET_MIN_CHARS);
    if (n > TSR_API_SECRET_MAX_CHARS)
        return tsr_refuse(why, TSR_REFUSED_VALUE, field,
                          "String is too long (%zu chars), maximum %d", n,
                          TSR_API_SECRET_MAX_CHARS);
    for (const char *c = text; *c; c++)
        if (*c < 0x21 || *c > 0x7e)
            return tsr_refuse(why, TSR_REFUSED_VALUE, field,
                              "Expected printable ASCII characters without spaces");
    return tsr_api_set_signing_secret(a, master_key, (const uint8_t *)text, strlen(text));
}

/* Makes the stored secret match the algorithm: HS256 holds one, others none. */
static int settle_secret(struct tsr_api *a, const struct tsr_api_patch *p,
                         const uint8_t master_key[TSR_MASTER_KEY_LEN], struct tsr_refusal *why)
{
    bool hs256 = strcmp(a->signing_alg, "HS256") == 0;
    if (p->signing_secret != NULL && !hs256)
        return tsr_refuse(why, TSR_REFUSED_VALUE, "signing_secret",
                          "A signing secret needs signing_alg HS256");
    if (p->signing_secret != NULL)
        return seal_given_secret(a, p->signing_secret, master_key, why);
    if (hs256 && a->signing_secret[0] != '\0')
        return 0;
    if (hs256)
        return tsr_api_new_signing_secret(a, master_key, NULL);
    return tsr_patch_set_str(&a->signing_secret, "");
}

static int apply_identifier(struct tsr_api *a, const struct tsr_api_patch *p,
                            struct tsr_refusal *why)
{
    const char *id = p->identifier ? p->identifier : "";
    if (id[0] == '\0')
        return tsr_refuse(why, TSR_REFUSED_REQUEST, NULL,
                          "Payload validation error: 'Missing required property: identifier'.");
    if (has_space(id))
        return tsr_refuse(why, TSR_REFUSED_VALUE, "identifier",
                          "String must not contain whitespace");
    int rc = tsr_patch_set_str(&a->identifier, id);
    /* Named after its identifier unless the patch names it. */
    return rc == 0 ? tsr_patch_set_str(&a->name, id) : rc;
}

int tsr_api_apply_patch(struct tsr_api *a, const struct tsr_api_patch *p, bool creating,
                        const uint8_t master_key[TSR_MASTER_KEY_LEN], struct tsr_refusal *why)
{
    tsr_refusal_clear(why);
    int rc = creating ? apply_identifier(a, p, why) : 0;
    if (rc == 0)
        rc = apply_name(a, p, why);
    if (rc == 0)
        rc = apply_scopes(a, p, why);
    if (rc == 0)
        rc = apply_signing_alg(a, p, why);
    if (rc == 0)
        rc = apply_lifetimes(a, p, why);
    if (rc != 0)
        return rc;
    tsr_patch_set_bool(&a->allow_offline_access, p->allow_offline_access);
    tsr_patch_set_bool(&a->skip_consent_for_verifiable_first_party_clients,
                       p->skip_consent_for_verifiable_first_party_clients);
    tsr_patch_set_bool(&a->enforce_policies, p->enforce_policies);
    rc = tsr_patch_set_enum(&a->token_dialect, "token_dialect", p->token_dialect, dialects, why);
    if (rc == 0)
        rc = settle_secret(a, p, master_key, why);
    return rc;
}
