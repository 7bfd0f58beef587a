/*
 * api_update.h - creating and changing an API (resource server) from a
 * patch of plain values: which settings may change, the rules each value
 * follows, what is refused and why.  The Management API turns a JSON body
 * into a patch (types and string lengths, mgmt/resource_servers.c) and a
 * refusal into Auth0's error.
 */
#ifndef TSR_CORE_API_UPDATE_H
#define TSR_CORE_API_UPDATE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/api.h"
#include "core/masterkey.h"
#include "core/update_refusal.h"

/* Lengths in characters and list sizes, as the Management API's schema limits them. */
#define TSR_API_NAME_MAX 255
#define TSR_API_IDENTIFIER_MAX 600
#define TSR_API_SCOPES_MAX 1000
#define TSR_API_SCOPE_VALUE_MAX 280
#define TSR_API_SCOPE_DESCRIPTION_MAX 500

#define TSR_API_LIFETIME_MAX 2592000 /* 30 days, Auth0's ceiling for access tokens */
#define TSR_API_SECRET_MIN_CHARS 32  /* RFC 8725 section 3.5: HS256 keys of 256 bits */
#define TSR_API_SECRET_MAX_CHARS 1024

/* A change to an API.  NULL strings and has_* false mean "not given"; all borrowed. */
struct tsr_api_patch {
    /* The names of every property given, ignored ones included (borrowed). */
    const char *const *given;
    size_t ngiven;
    bool has_identifier;
    const char *identifier; /* NULL with has_identifier: given, but not a string */
    const char *name;
    bool has_scopes;
    const struct tsr_api_scope *scopes;
    size_t nscopes;
    const char *signing_alg;
    const char *signing_secret;
    bool has_token_lifetime;
    int64_t token_lifetime;
    bool has_token_lifetime_for_web;
    int64_t token_lifetime_for_web;
    enum tsr_patch_bool allow_offline_access;
    enum tsr_patch_bool skip_consent_for_verifiable_first_party_clients;
    enum tsr_patch_bool enforce_policies;
    const char *token_dialect;
};

/*
 * Whether p may be applied to the stored API a at all, before its values
 * are read: the system API (the Management API itself) changes only its
 * token lifetimes (403 otherwise), and the identifier is immutable (Auth0
 * answers as if it were an unknown property).  Returns 0 or TSR_EINVAL
 * with why filled.
 */
int tsr_api_patch_permitted(const struct tsr_api *a, const struct tsr_api_patch *p,
                            struct tsr_refusal *why);

/*
 * Applies p to a, checking every value: creating takes p's identifier (no
 * whitespace) and names the API after it unless p names it; names hold no
 * '<' or '>'; scope values no whitespace and no repeats; signing_alg
 * RS256 or HS256; lifetimes 1..TSR_API_LIFETIME_MAX, the browser one not
 * above the other (a larger one left over from before is lowered to it);
 * a known token_dialect.  Then the signing secret follows the algorithm:
 * one given is sealed under master_key (HS256 only, 32..1024 printable
 * ASCII characters), an HS256 API without one gets a fresh one, any other
 * holds none.  Returns 0, TSR_EINVAL (why filled; a is then partly changed
 * and must be discarded), TSR_ENOMEM or TSR_ECRYPTO.
 */
int tsr_api_apply_patch(struct tsr_api *a, const struct tsr_api_patch *p, bool creating,
                        const uint8_t master_key[TSR_MASTER_KEY_LEN], struct tsr_refusal *why);

#endif
