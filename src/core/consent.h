/*
 * consent.h - what users consented to: scopes of an API (audience) for a
 * client.  A consent is remembered until revoked.
 */
#ifndef TSR_CORE_CONSENT_H
#define TSR_CORE_CONSENT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "store/store.h"
#include "util/strlist.h"

/*
 * True when url's host is a loopback name: localhost (and *.localhost),
 * 127.0.0.0/8 or [::1], any scheme, port or user information.  Anyone can
 * run a program that listens there, so such a callback says nothing about
 * which application is asking.
 */
bool tsr_consent_loopback_url(const char *url);

/*
 * Whether a first-party client may skip the consent page for an API:
 * only when the API allows it (skip_consent_for_verifiable_first_party_
 * clients) and the redirect_uri is not a loopback URL, as in Auth0.
 */
bool tsr_consent_first_party_skips(bool api_allows_skip, const char *redirect_uri);

/*
 * True when the user already consented to every scope in wanted for
 * (client_id, audience); audience "" stands for the OpenID Connect scopes.
 */
int tsr_consent_covers(tsr_store *st, const char *tenant_id, const char *user_id,
                       const char *client_id, const char *audience,
                       const struct tsr_strlist *wanted, bool *covered);

/*
 * The scopes the user consented to for (client_id, audience) into an empty
 * out.  Returns 0, TSR_ENOTFOUND (no consent, or revoked) or TSR_ESTORE.
 */
int tsr_consent_get(tsr_store *st, const char *tenant_id, const char *user_id,
                    const char *client_id, const char *audience, struct tsr_strlist *out);

/* Adds scopes to the user's consent for (client_id, audience). */
int tsr_consent_add(tsr_store *st, const char *tenant_id, const char *user_id,
                    const char *client_id, const char *audience,
                    const struct tsr_strlist *scopes);

/* Revokes the user's consents for client_id (NULL: every client). */
int tsr_consent_revoke(tsr_store *st, const char *tenant_id, const char *user_id,
                       const char *client_id);

/* A stored consent, as the Management API's /grants shows it. */
struct tsr_consent {
    char *id;
    char *user_id;
    char *client_id;
    char *audience;
    struct tsr_strlist scope;
};

void tsr_consent_cleanup(struct tsr_consent *c);

/* Lists consents, filtered by user, client and audience (NULL: any), oldest first. */
int tsr_consent_list(tsr_store *st, const char *tenant_id, const char *user_id,
                     const char *client_id, const char *audience, int64_t offset, int64_t limit,
                     struct tsr_consent **out, size_t *n, int64_t *total);
void tsr_consent_list_free(struct tsr_consent *list, size_t n);

/*
 * Deletes one consent by id and revokes what was issued under it: the
 * refresh tokens of that user and client for that audience and, for the
 * audience "" (no API), the opaque access tokens of that user and client.
 * One transaction.  Returns 0 or TSR_ENOTFOUND.
 */
int tsr_consent_delete(tsr_store *st, const char *tenant_id, const char *id);

/*
 * Deletes every consent of a user, revoking what each covered as
 * tsr_consent_delete does (none is not an error).  Returns 0 or the
 * store's error.
 */
int tsr_consent_delete_user(tsr_store *st, const char *tenant_id, const char *user_id);

#endif
