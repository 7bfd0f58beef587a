/*
 * tessera/verify.h - libtessera-verify: checks access tokens in an API.
 *
 * An API ("resource server") makes one verifier at start-up and calls
 * tessera_verify() on every request with the bearer token.  The verifier
 * fetches the issuer's public keys (JWKS) once and caches them, so no call
 * to the identity server is made per request.
 *
 *   tessera_verify_options o;
 *   tessera_verify_options_init(&o);
 *   o.issuer = "https://id.example.com/";
 *   o.audience = "https://api.example.com/";
 *   tessera_verifier *v = NULL;
 *   int rc = tessera_verifier_new(&o, &v, detail, sizeof detail);
 *   ...
 *   tessera_claims *c = NULL;
 *   rc = tessera_verify(v, token, &c, detail, sizeof detail);
 *   if (rc != TESSERA_OK) -> 401 with tessera_www_authenticate(rc, ...)
 *
 * Every function returns TESSERA_OK (0) or a negative TESSERA_E* code from
 * the table below.  Functions that take (detail, detaillen) write a short
 * human sentence saying exactly why into detail (always NUL-terminated when
 * detaillen > 0; may be NULL).  The sentence is for logs and for the
 * error_description of a WWW-Authenticate header; it never contains the
 * token.
 *
 * Thread safety: a verifier may be used by any number of threads at once
 * (tessera_verify, tessera_verifier_refresh).  tessera_verifier_free must
 * not race with other calls.  A tessera_claims belongs to the thread that
 * received it.
 */
#ifndef TESSERA_VERIFY_H
#define TESSERA_VERIFY_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

#if defined(__GNUC__) || defined(__clang__)
#define TESSERA_API __attribute__((visibility("default")))
#else
#define TESSERA_API
#endif

#define TESSERA_VERSION_MAJOR 0
#define TESSERA_VERSION_MINOR 1
#define TESSERA_VERSION_PATCH 0

/*
 * The error table: X(name, code, message, RFC 6750 error, HTTP status).
 * The RFC 6750 error is "" when a WWW-Authenticate header should carry no
 * error attribute (no token at all, RFC 6750 section 3.1) or when the
 * failure is the server's, not the client's (HTTP 5xx).
 */
#define TESSERA_ERROR_MAP(X)                                                                       \
    X(OK, 0, "valid", "", 200)                                                                     \
    X(EINVAL, -1, "invalid argument", "", 500)                                                     \
    X(ENOMEM, -2, "out of memory", "", 500)                                                        \
    X(ECONFIG, -3, "verifier configuration rejected", "", 500)                                     \
    X(EUNAVAILABLE, -4, "issuer keys or endpoints unavailable", "", 503)                           \
    X(ENOTOKEN, -5, "no bearer token", "", 401)                                                    \
    X(EREQUEST, -6, "malformed Authorization header", "invalid_request", 400)                      \
    X(ETOOBIG, -7, "token too large", "invalid_token", 401)                                        \
    X(EMALFORMED, -8, "malformed token", "invalid_token", 401)                                     \
    X(EALG, -9, "algorithm not allowed", "invalid_token", 401)                                     \
    X(EKID, -10, "unknown signing key", "invalid_token", 401)                                      \
    X(ESIGNATURE, -11, "signature does not verify", "invalid_token", 401)                          \
    X(EISSUER, -12, "wrong issuer", "invalid_token", 401)                                          \
    X(EAUDIENCE, -13, "wrong audience", "invalid_token", 401)                                      \
    X(EEXPIRED, -14, "token expired", "invalid_token", 401)                                        \
    X(ENOTYET, -15, "token not yet valid", "invalid_token", 401)                                   \
    X(ETYP, -16, "wrong token type", "invalid_token", 401)                                         \
    X(ECLAIM, -17, "missing or malformed claim", "invalid_token", 401)                             \
    X(EOPAQUE, -18, "opaque token not accepted", "invalid_token", 401)                             \
    X(EINACTIVE, -19, "inactive token", "invalid_token", 401)                                      \
    X(ESCOPE, -20, "insufficient scope", "insufficient_scope", 403)

enum tessera_error {
#define TESSERA_ERR_ENUM(name, code, msg, oauth, status) TESSERA_##name = (code),
    TESSERA_ERROR_MAP(TESSERA_ERR_ENUM)
#undef TESSERA_ERR_ENUM
};

/* "0.1.0": the library's version (static string). */
TESSERA_API const char *tessera_version(void);

/* The table's message for code ("token expired"); static, never NULL. */
TESSERA_API const char *tessera_strerror(int code);
/* The table's name for code ("TESSERA_EEXPIRED"); static, never NULL. */
TESSERA_API const char *tessera_errname(int code);
/* The RFC 6750 error for code ("invalid_token"), "" when none; static, never NULL. */
TESSERA_API const char *tessera_error_oauth(int code);
/* The HTTP status an API should answer with for code (401, 403, 400, 500, 503). */
TESSERA_API int tessera_error_http_status(int code);

/* ---- verifier ------------------------------------------------------------ */

typedef struct tessera_verifier tessera_verifier;
typedef struct tessera_claims tessera_claims;

/*
 * Options for tessera_verifier_new.  Fill with tessera_verify_options_init
 * first, then set what you need.  Every string and buffer is copied by
 * tessera_verifier_new; the struct may be discarded afterwards.
 */
typedef struct tessera_verify_options {
    /* Required.  The issuer exactly as tokens carry it in iss, e.g.
     * "https://id.example.com/" (Tessera and Auth0 end it with '/', and
     * the slash is significant).  Discovery is read from
     * {issuer}.well-known/openid-configuration. */
    const char *issuer;
    /* Required.  This API's identifier: aud must equal it or contain it. */
    const char *audience;
    /* NULL-terminated list of accepted alg names; NULL means {"RS256"}.
     * Known: RS256, PS256, ES256, EdDSA, HS256.  "none" is refused, HS256
     * needs hs256_secret. */
    const char *const *algorithms;
    /* Clock skew allowed for exp, nbf and iat, in seconds (default 60). */
    long leeway;
    /* Least time between two JWKS fetches caused by an unknown kid, in
     * seconds (default 60); forged kids cannot cause more fetches. */
    long jwks_refetch_interval;
    /* When set (e.g. "at+jwt"), the header typ must equal it (case
     * insensitive, an "application/" prefix allowed). */
    const char *required_typ;
    /* Timeout of each HTTP request (discovery, JWKS, introspection) in
     * milliseconds (default 5000). */
    long http_timeout_ms;
    /* Shared secret for HS256 tokens (at least 32 bytes), or NULL. */
    const unsigned char *hs256_secret;
    size_t hs256_secret_len;
    /* Opaque tokens (no two dots): when introspection_client_id is set, they
     * are POSTed to the issuer's introspection endpoint (RFC 7662, from
     * discovery or {issuer}oauth/introspect) with client_secret_post.  This
     * is one HTTP call per request: the slower path.  NULL: refused. */
    const char *introspection_client_id;
    const char *introspection_client_secret;
    /* Transport.  Every URL the verifier contacts (the issuer's discovery,
     * the JWKS, introspection) must be https://, whose certificate and host
     * name are always verified, or plain http:// to a loopback host
     * (127.0.0.0/8, [::1], localhost), which is allowed without this flag
     * because the traffic never leaves the machine: such a request bypasses
     * any proxy and is refused when it would connect to an address that is
     * not loopback.  Any other http:// URL is TESSERA_ECONFIG unless this is
     * true: on plain http anyone on the network path can swap the keys and
     * forge every token.  Set it only for a private network you trust.
     * Default false. */
    bool allow_insecure_http;
} tessera_verify_options;

/* Sets every option to its default (issuer and audience NULL). */
TESSERA_API void tessera_verify_options_init(tessera_verify_options *opts);

/*
 * Makes a verifier.  Checks the options (TESSERA_ECONFIG with detail when
 * wrong), then tries eagerly to read the discovery document and the JWKS.
 * A discovery document that answers with another issuer or without
 * jwks_uri, or whose jwks_uri (or introspection_endpoint, when
 * introspecting) breaks the transport rule of allow_insecure_http, is
 * TESSERA_ECONFIG.  An issuer that cannot be reached is not an
 * error here: the verifier retries on later calls (at most once per
 * jwks_refetch_interval) and tessera_verify answers TESSERA_EUNAVAILABLE
 * until keys arrive.  *out is set only on success; free it with
 * tessera_verifier_free.
 */
TESSERA_API int tessera_verifier_new(const tessera_verify_options *opts, tessera_verifier **out,
                                     char *detail, size_t detaillen);

/* Frees the verifier and its cached keys.  NULL is a no-op. */
TESSERA_API void tessera_verifier_free(tessera_verifier *v);

/*
 * Fetches discovery (when not yet known) and the JWKS now, ignoring the
 * cache's age but not the refetch interval.  Keys already cached are kept
 * when the fetch fails.  Returns TESSERA_OK or TESSERA_EUNAVAILABLE.
 */
TESSERA_API int tessera_verifier_refresh(tessera_verifier *v, char *detail, size_t detaillen);

/* Number of HTTP fetches of the JWKS made so far (for tests and metrics). */
TESSERA_API unsigned long tessera_verifier_jwks_fetches(const tessera_verifier *v);

/*
 * Verifies a token (NUL-terminated, without "Bearer ").  A JWT is checked
 * for size, form, alg (in the allowed list and equal to the key's alg;
 * never none, never HS256 with an RSA/EC/OKP key), kid, signature, iss,
 * aud, exp, nbf and iat (with leeway) and typ when configured.  An opaque
 * token goes to introspection when configured, else TESSERA_EOPAQUE.
 * On success *claims is a new object (free with tessera_claims_free); on
 * failure *claims is NULL.
 */
TESSERA_API int tessera_verify(tessera_verifier *v, const char *token, tessera_claims **claims,
                               char *detail, size_t detaillen);

/*
 * Finds the token in an Authorization header value ("Bearer <token>", the
 * scheme case-insensitive).  *token points into header; *len is its length.
 * Returns TESSERA_OK, TESSERA_ENOTOKEN (header NULL or empty) or
 * TESSERA_EREQUEST (another scheme or a malformed value).
 */
TESSERA_API int tessera_bearer_token(const char *header, const char **token, size_t *len);

/* ---- claims -------------------------------------------------------------- */

/* sub, or NULL when absent.  Borrowed: valid until tessera_claims_free. */
TESSERA_API const char *tessera_claims_sub(const tessera_claims *c);
/* The space-separated scope string, or NULL when absent.  Borrowed. */
TESSERA_API const char *tessera_claims_scope(const tessera_claims *c);
/* True when scope lists name exactly (one of its space-separated words). */
TESSERA_API bool tessera_claims_has_scope(const tessera_claims *c, const char *name);
/* Number of strings in the permissions array (0 when absent). */
TESSERA_API size_t tessera_claims_permission_count(const tessera_claims *c);
/* The i-th permission, or NULL when out of range.  Borrowed. */
TESSERA_API const char *tessera_claims_permission(const tessera_claims *c, size_t i);
/* True when the permissions array contains name. */
TESSERA_API bool tessera_claims_has_permission(const tessera_claims *c, const char *name);
/* The whole payload (or introspection answer) for custom claims.  Borrowed; for a JWT
 * made on the first call (NULL only when memory runs out). */
TESSERA_API const json_t *tessera_claims_json(const tessera_claims *c);
/* The JWS header, or NULL for an introspected token.  Borrowed; made on the first call. */
TESSERA_API const json_t *tessera_claims_header(const tessera_claims *c);
/* Frees the claims.  NULL is a no-op. */
TESSERA_API void tessera_claims_free(tessera_claims *c);

/* ---- authorisation helpers ----------------------------------------------- */

typedef enum tessera_match {
    TESSERA_MATCH_ALL = 0, /* every listed value is required */
    TESSERA_MATCH_ANY = 1, /* one listed value is enough */
} tessera_match;

/*
 * Checks the scope claim against a NULL-terminated list.  Returns
 * TESSERA_OK, TESSERA_ESCOPE (detail names what is missing) or
 * TESSERA_EINVAL.
 */
TESSERA_API int tessera_require_scopes(const tessera_claims *c, tessera_match match,
                                       const char *const *scopes, char *detail, size_t detaillen);

/* The same for the permissions claim (Auth0 RBAC). */
TESSERA_API int tessera_require_permissions(const tessera_claims *c, tessera_match match,
                                            const char *const *permissions, char *detail,
                                            size_t detaillen);

/*
 * Formats a WWW-Authenticate value for error code err:
 *   Bearer realm="api", error="invalid_token", error_description="expired 3 min ago"
 * realm and detail may be NULL (omitted).  Quotes and backslashes in realm
 * are escaped; error_description keeps only the characters RFC 6750 allows
 * (printable ASCII without '"' and '\', which become '\'' and '/'); CR, LF
 * and other control characters are dropped.  Returns the length written
 * (without NUL), or TESSERA_EINVAL when buf is too small.
 */
TESSERA_API int tessera_www_authenticate(int err, const char *realm, const char *detail,
                                         char *buf, size_t len);

#ifdef __cplusplus
}
#endif

#endif
