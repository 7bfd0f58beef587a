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
#include "http/request.h"

#define TSR_LOGIN_TX_COOKIE "tsr_tx"
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
 * Stores a transaction for ar and sets its browser cookie.  *handle_out
 * receives the state handle for the page URL (caller frees).
 */
int tsr_login_tx_create(struct tsr_req *req, const struct tsr_authz_request *ar,
                        char **handle_out);

/*
 * Loads the transaction named by handle, if it is live and was started by
 * this browser (cookie).  Returns 0 or TSR_ENOTFOUND.
 */
int tsr_login_tx_load(struct tsr_req *req, const char *handle, struct tsr_login_tx *out);

/* True when csrf equals the transaction's token (constant time). */
bool tsr_login_tx_csrf_ok(const struct tsr_login_tx *tx, const char *csrf);

/* Records who logged in (for the consent step). */
int tsr_login_tx_set_user(struct tsr_req *req, struct tsr_login_tx *tx, const char *user_id);

/* Deletes the transaction (single use); the browser cookie stays for other logins. */
int tsr_login_tx_finish(struct tsr_req *req, const struct tsr_login_tx *tx);

#endif
