/*
 * client_update.h - creating and changing an application (client) from a
 * patch of plain values: the defaults a new client gets from what it
 * chose, which values each setting takes, what is refused and why, and
 * how the stored secret follows the authentication method.  The
 * Management API (mgmt/client_json.c) and `tessera config apply`
 * (core/tenant_doc_records.c) each turn their input into a patch (types,
 * lengths, list sizes, metadata shape) and leave every rule to this.
 */
#ifndef TSR_CORE_CLIENT_UPDATE_H
#define TSR_CORE_CLIENT_UPDATE_H

#include <stdbool.h>
#include <stdint.h>

#include "core/client.h"
#include "core/update_refusal.h"

/* Lengths in characters and list sizes, as the Management API's schema limits them. */
#define TSR_CLIENT_NAME_MAX 255
#define TSR_CLIENT_DESCRIPTION_MAX 140
#define TSR_CLIENT_URL_MAX 1024
#define TSR_CLIENT_URLS_MAX 100
#define TSR_CLIENT_GRANT_TYPES_MAX 16
#define TSR_CLIENT_GRANT_TYPE_MAX 100
#define TSR_CLIENT_METADATA_KEYS_MAX 10
#define TSR_CLIENT_METADATA_MAX 255

#define TSR_CLIENT_JWT_LIFETIME_MAX 2592000
#define TSR_CLIENT_JWT_LIFETIME_DEFAULT 36000
/* Auth0's bounds: a refresh token lifetime of at most a year (365.25 days), a leeway of an hour. */
#define TSR_CLIENT_RT_LIFETIME_MAX 31557600
#define TSR_CLIENT_RT_LEEWAY_MAX 3600

/* refresh_token settings of a patch; NULL strings and has_* false mean "not given". */
struct tsr_client_rt_patch {
    const char *rotation_type;
    const char *expiration_type;
    bool has_leeway;
    int64_t leeway;
    bool has_token_lifetime;
    int64_t token_lifetime;
    bool has_idle_token_lifetime;
    int64_t idle_token_lifetime;
    enum tsr_patch_bool infinite_token_lifetime;
    enum tsr_patch_bool infinite_idle_token_lifetime;
};

/* A change to a client; NULL and has_* false mean "not given".  All borrowed. */
struct tsr_client_patch {
    const char *name;
    const char *description;
    const char *app_type;
    const char *logo_uri;
    enum tsr_patch_bool is_first_party;
    enum tsr_patch_bool oidc_conformant;
    enum tsr_patch_bool allow_implicit_access_tokens;
    const char *token_endpoint_auth_method;
    const struct tsr_strlist *callbacks;
    const struct tsr_strlist *allowed_logout_urls;
    const struct tsr_strlist *allowed_origins;
    const struct tsr_strlist *web_origins;
    const struct tsr_strlist *grant_types;
    const char *client_metadata; /* JSON object text */
    const char *jwt_alg;
    bool has_jwt_lifetime;
    int64_t jwt_lifetime_in_seconds;
    struct tsr_client_rt_patch refresh_token;
};

/*
 * A patch read from a Management API body or a document: its strings
 * borrowed from the input, the lists and the metadata text owned here
 * (the patch's pointers point at them).
 */
struct tsr_client_body {
    struct tsr_client_patch p;
    struct tsr_strlist callbacks, logout_urls, origins, web_origins, grant_types;
    char *metadata;
};

/* Frees what b owns (b itself is the caller's). */
void tsr_client_body_cleanup(struct tsr_client_body *b);

/*
 * client_metadata (a JSON object): at most TSR_CLIENT_METADATA_KEYS_MAX
 * properties, names of 1 to TSR_CLIENT_METADATA_MAX bytes, values strings
 * (tsr_patch_check_string) of at most TSR_CLIENT_METADATA_MAX characters.
 * Returns 0 or TSR_EINVAL with why in the Management API's words.
 */
int tsr_client_metadata_check(const json_t *obj, struct tsr_refusal *why);

/* A patch that gives nothing (the booleans unset). */
void tsr_client_patch_init(struct tsr_client_patch *p);

/*
 * Whether a stored client may be changed (PATCH, rotate-secret) or
 * deleted at all: the system client (the one the Management API's own
 * tokens are for) may not (TSR_REFUSED_FORBIDDEN).  Returns 0 or
 * TSR_EINVAL with why filled.
 */
int tsr_client_may_change(const struct tsr_client *c, struct tsr_refusal *why);
int tsr_client_may_delete(const struct tsr_client *c, struct tsr_refusal *why);

/*
 * Whether the client's secret may be rotated: it must be allowed to
 * change and use a secret (not token_endpoint_auth_method "none").
 */
int tsr_client_may_rotate_secret(const struct tsr_client *c, struct tsr_refusal *why);

/*
 * Applies p to c, checking each value: names hold no '<' or '>';
 * app_type, token_endpoint_auth_method, grant types, the JWT algorithm
 * (RS256) and the refresh token rotation and expiration types are known
 * values; the JWT lifetime is 1..TSR_CLIENT_JWT_LIFETIME_MAX, the refresh
 * token leeway 0..TSR_CLIENT_RT_LEEWAY_MAX and its lifetimes
 * 1..TSR_CLIENT_RT_LIFETIME_MAX.  creating: c holds tsr_client_init_new's
 * values and gets a new client's defaults first (first-party, OIDC
 * conformant, no URLs), an SPA rotating expiring refresh tokens, and what
 * p leaves out follows its app_type: public types (spa, native) use
 * method "none", others client_secret_post; non-interactive clients get
 * client_credentials, others authorization_code, implicit, refresh_token
 * (and client_credentials when they hold a secret).  Returns 0, TSR_EINVAL
 * (why filled; c is then partly changed and must be discarded) or
 * TSR_ENOMEM.
 */
int tsr_client_apply_patch(struct tsr_client *c, const struct tsr_client_patch *p, bool creating,
                           struct tsr_refusal *why);

/*
 * The rules checked on the record once a patch is applied: its URLs
 * (util/url_check.h): callbacks and allowed logout URLs redirect targets
 * (a native app's may use its own scheme), each callback one the login
 * pages can allow as a form target (core/input.h), origins
 * scheme://host[:port], the logo https; then that a client without a
 * secret (method "none") cannot use client_credentials.  Returns 0 or
 * TSR_EINVAL with why naming the property ("callbacks[2]").
 */
int tsr_client_check(const struct tsr_client *c, struct tsr_refusal *why);

/*
 * Keeps the stored secret in step with the authentication method: a
 * public client holds none, and a client that became confidential gets a
 * fresh one nobody knows, so it cannot authenticate until rotate-secret
 * hands one out.  Returns 0, TSR_ENOMEM or TSR_ECRYPTO.
 */
int tsr_client_settle_secret(struct tsr_client *c);

#endif
