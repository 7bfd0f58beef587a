/*
 * client.h - applications (OAuth clients) of a tenant, as stored.
 *
 * The client secret is never stored: only its SHA-256 (hex), compared in
 * constant time.  A new secret is shown once, when created or rotated.
 */
#ifndef TSR_CORE_CLIENT_H
#define TSR_CORE_CLIENT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "store/store.h"
#include "util/strlist.h"

#define TSR_CLIENT_ID_LEN 32
/* base64url of 48 random bytes: 64 characters, 384 bits. */
#define TSR_CLIENT_SECRET_BYTES 48
#define TSR_CLIENT_SECRET_LEN 64

/* Auth0's refresh_token settings of a client. */
struct tsr_client_rt {
    char *rotation_type;   /* rotating, non-rotating */
    char *expiration_type; /* expiring, non-expiring */
    int64_t leeway;        /* seconds a rotated token may still be used (network retries) */
    int64_t token_lifetime;      /* absolute, seconds */
    int64_t idle_token_lifetime; /* without use, seconds */
    bool infinite_token_lifetime;
    bool infinite_idle_token_lifetime;
};

struct tsr_client {
    char *tenant_id;
    char *client_id;
    char *name;
    char *description;
    char *app_type; /* "", spa, native, regular_web, non_interactive */
    char *logo_uri;
    bool is_first_party;
    bool oidc_conformant;
    bool is_system;
    /* /authorize may send it an access token in the front channel (RFC 9700 retires that). */
    bool allow_implicit_access_tokens;
    char *secret_hash; /* hex SHA-256, "" for clients without a secret */
    char *token_endpoint_auth_method; /* none, client_secret_post, client_secret_basic */
    struct tsr_strlist grant_types;
    struct tsr_strlist callbacks;
    struct tsr_strlist allowed_origins;
    struct tsr_strlist web_origins;
    struct tsr_strlist allowed_logout_urls;
    char *client_metadata; /* JSON object text */
    int64_t jwt_lifetime_in_seconds;
    struct tsr_client_rt refresh_token;
    int64_t created_at;
    int64_t updated_at;
};

/* Frees every member; the struct is zeroed. */
void tsr_client_cleanup(struct tsr_client *c);

/*
 * Fills c with the defaults of a new client of tenant_id (fresh client_id,
 * timestamps now).  Returns 0 or TSR_ENOMEM / TSR_ECRYPTO.
 */
int tsr_client_init_new(struct tsr_client *c, const char *tenant_id);

/*
 * Generates a new secret: *secret_out receives it (caller wipes and frees),
 * c->secret_hash its hash.
 */
int tsr_client_new_secret(struct tsr_client *c, char **secret_out);

/* True for public clients (SPAs, native apps): no secret, PKCE required. */
bool tsr_client_is_public(const struct tsr_client *c);

/* How a caller presented its client credentials at /oauth/token, /oauth/revoke or introspection. */
enum tsr_client_cred {
    TSR_CRED_ID_ONLY, /* client_id alone, no secret anywhere */
    TSR_CRED_BASIC,   /* Authorization: Basic */
    TSR_CRED_POST,    /* client_secret in the body */
};

/*
 * True unless how contradicts the registered token_endpoint_auth_method:
 * a client_secret_basic client may not send its secret in the body, a
 * client_secret_post client may not use Basic, a public client ("none")
 * sends no secret.  A confidential client with no secret at all is left
 * to the secret check.
 */
bool tsr_client_method_allows(const struct tsr_client *c, enum tsr_client_cred how);

/*
 * True when changing token_endpoint_auth_method from old_method to
 * new_method must revoke the client's refresh tokens: a client that
 * becomes public ("none") would otherwise let anyone holding one of its
 * confidential refresh tokens use it without the secret.
 */
bool tsr_client_method_change_revokes(const char *old_method, const char *new_method);

/* True when secret hashes to c->secret_hash (constant time). */
bool tsr_client_secret_matches(const struct tsr_client *c, const char *secret);

/* Loads one client.  Returns 0, TSR_ENOTFOUND or TSR_ESTORE. */
int tsr_client_get(tsr_store *st, const char *tenant_id, const char *client_id,
                   struct tsr_client *out);

/* Inserts c.  Returns 0, TSR_ECONFLICT or TSR_ESTORE. */
int tsr_client_insert(tsr_store *st, const struct tsr_client *c);

/* Writes every column of c over the stored row.  Returns 0, TSR_ENOTFOUND or TSR_ESTORE. */
int tsr_client_update(tsr_store *st, const struct tsr_client *c);

/* Deletes a client and, by cascade, its grants.  Returns 0, TSR_ENOTFOUND or TSR_ESTORE. */
int tsr_client_delete(tsr_store *st, const char *tenant_id, const char *client_id);

/* The longest origin the CORS lookup keeps (longer ones are no origin it serves). */
#define TSR_CLIENT_ORIGIN_MAX 256

/* How many app types a client can have (a list filter names at most these). */
#define TSR_CLIENT_APP_TYPE_SLOTS 4

/* Which clients a list keeps. */
struct tsr_client_filter {
    const struct tsr_strlist *app_types; /* NULL or empty: any */
    int is_first_party;                  /* 0, 1, or -1: any */
};

/*
 * Lists the clients f keeps (f NULL: every client) ordered by creation,
 * skipping offset and returning at most limit.  *out is a new array of *n
 * clients (free with tsr_client_list_free); *total (may be NULL) receives
 * the count of those f keeps.
 */
int tsr_client_list(tsr_store *st, const char *tenant_id, const struct tsr_client_filter *f,
                    int64_t offset, int64_t limit, struct tsr_client **out, size_t *n,
                    int64_t *total);
void tsr_client_list_free(struct tsr_client *list, size_t n);

/* Every client of tenant_id, in no particular order (the catalog's load). */
int tsr_client_list_tenant(tsr_store *st, const char *tenant_id, struct tsr_client **out,
                           size_t *n, size_t *skipped);

/* Every origin the CORS lookup allows for tenant_id (lowered, distinct), into *out. */
int tsr_client_origins_tenant(tsr_store *st, const char *tenant_id, struct tsr_strlist *out);

/*
 * The key an Origin header is looked up by: false when origin is not a
 * plausible scheme://host[:port] (never allowed), else its ASCII letters
 * lowered into key.
 */
bool tsr_client_origin_lookup_key(const char *origin, char key[TSR_CLIENT_ORIGIN_MAX + 1]);

#endif
