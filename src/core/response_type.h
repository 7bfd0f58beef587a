/*
 * response_type.h - the response types of /authorize: the authorization
 * code, the OpenID Connect implicit flow (id_token: an ID token in the
 * front channel) and the hybrid flow (code id_token), plus the access
 * token in the front channel (token, RFC 6749 4.2) that RFC 9700 section
 * 2.1.2 retires and a client may still be allowed
 * (allow_implicit_access_tokens) when it cannot do otherwise.
 */
#ifndef TSR_CORE_RESPONSE_TYPE_H
#define TSR_CORE_RESPONSE_TYPE_H

#include <stdbool.h>

enum {
    TSR_RT_CODE = 1,
    TSR_RT_ID_TOKEN = 2,
    TSR_RT_TOKEN = 4,
};

/*
 * The set of a response_type value: space-separated words, in any order,
 * each of code, id_token and token at most once (OAuth 2.0 Multiple
 * Response Type Encoding Practices).  0 for anything else, "none"
 * included.
 */
unsigned tsr_response_type_parse(const char *value);

/* True when the set puts a token in the browser (id_token or token). */
bool tsr_response_type_front_channel(unsigned set);

#endif
