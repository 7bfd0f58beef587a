/*
 * fuzz_cookie.c - the check every cookie value read from a request passes
 * (tsr_cookie_value_ok): only RFC 6265 cookie-octets, so a session or
 * transaction cookie can never smuggle separators into a lookup.
 *
 * Invariant: accepted values hold no byte outside 0x21..0x7e and none of
 * '"', ',', ';', '\'; and a value made only of base64url characters (what
 * Tessera sets) is always accepted.
 */
#include <string.h>

#include "fuzz.h"
#include "http/cookie.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *value = fuzz_strndup(data, size);
    if (tsr_cookie_value_ok(value)) {
        for (const unsigned char *c = (const unsigned char *)value; *c; c++)
            FUZZ_CHECK(*c >= 0x21 && *c <= 0x7e && !strchr("\",;\\", *c));
    }
    size_t len = strlen(value);
    if (strspn(value, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_") == len)
        FUZZ_CHECK(tsr_cookie_value_ok(value));
    free(value);
    return 0;
}
