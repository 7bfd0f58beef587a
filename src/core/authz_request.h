/*
 * authz_request.h - an authorization request as /authorize read it: the
 * values the authorize policy decides on and a login transaction keeps.
 */
#ifndef TSR_CORE_AUTHZ_REQUEST_H
#define TSR_CORE_AUTHZ_REQUEST_H

#include <stdint.h>

/*
 * An authorization request; absent values are "" (max_age: -1, and -2
 * when it is not a number of seconds).
 */
struct tsr_authz_request {
    char *client_id;
    char *redirect_uri;
    char *response_type;
    char *response_mode; /* query, fragment, form_post, web_message */
    char *state;
    char *nonce;
    char *scope;
    char *audience;
    char *code_challenge;
    char *code_challenge_method;
    char *prompt;
    char *connection;
    char *screen_hint;
    char *login_hint;
    int64_t max_age;
};

void tsr_authz_request_cleanup(struct tsr_authz_request *ar);

#endif
