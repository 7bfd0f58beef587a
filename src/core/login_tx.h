/*
 * login_tx.h - login transactions: a validated /authorize request waiting
 * for the login, signup or consent page.
 *
 * The page URL carries a random state handle; the database keeps its
 * SHA-256.  A second random value in a cookie binds the transaction to the
 * browser that started it, and a CSRF token goes in every form.
 * Transactions live 15 minutes.
 */
#ifndef TSR_CORE_LOGIN_TX_H
#define TSR_CORE_LOGIN_TX_H

#include <stdbool.h>
#include <stdint.h>

#include "core/authz_request.h"
#include "core/who.h"

#define TSR_LOGIN_TX_TTL 900

struct tsr_login_tx {
    char *handle; /* the state handle from the URL (not stored) */
    char *csrf;
    char *user_id; /* set once the person logged in, NULL before */
    struct tsr_authz_request ar;
    int64_t expires_at;
};

void tsr_login_tx_cleanup(struct tsr_login_tx *tx);

/*
 * Stores a transaction for ar, bound to the browser by cookie (its
 * tsr_tx value, NULL when none; http/browser.h).  *handle_out receives
 * the state handle for the page URL (caller frees).  new_cookie receives
 * the value to set as the browser's cookie, "" to keep the one it has.
 */
int tsr_login_tx_create(const struct tsr_who *w, const char *cookie,
                        const struct tsr_authz_request *ar, char **handle_out,
                        char new_cookie[64]);

/*
 * Loads the transaction named by handle, if it is live and was started by
 * the browser whose cookie this is (NULL: none).  Returns 0 or TSR_ENOTFOUND.
 */
int tsr_login_tx_load(const struct tsr_who *w, const char *cookie, const char *handle,
                      struct tsr_login_tx *out);

/* True when csrf equals the transaction's token (constant time). */
bool tsr_login_tx_csrf_ok(const struct tsr_login_tx *tx, const char *csrf);

/* Records who logged in (for the consent step). */
int tsr_login_tx_set_user(const struct tsr_who *w, struct tsr_login_tx *tx, const char *user_id);

/* Deletes the transaction (single use); the browser cookie stays for other logins. */
int tsr_login_tx_finish(const struct tsr_who *w, const struct tsr_login_tx *tx);

#endif
