/*
 * key_cert.h - the X.509 certificate Auth0's Management API shows for a
 * signing key (cert, pkcs7, fingerprint).  Tessera stores none: it is made
 * from the private key when asked for, and comes out the same every time.
 */
#ifndef TSR_CORE_KEY_CERT_H
#define TSR_CORE_KEY_CERT_H

#include <stddef.h>
#include <stdint.h>

struct tsr_key_cert {
    char *cert;           /* PEM "CERTIFICATE" */
    char *pkcs7;          /* PEM "PKCS7" holding the certificate */
    char fingerprint[60]; /* SHA-1 of the DER certificate, "AA:BB:..." */
    char *x5c;            /* the DER certificate in base64, a JWK's x5c item (RFC 7517 4.7) */
    char x5t[32];         /* SHA-1 of the DER certificate in base64url, a JWK's x5t */
};

/*
 * Self-signs a certificate for the RS256 key in pem (PKCS #8 or
 * traditional PEM): subject and issuer CN=cn, serial from kid, valid ten
 * years from not_before (Unix seconds).  Returns 0, TSR_EINVAL (not an RSA
 * key) or TSR_ECRYPTO.
 */
int tsr_key_cert_make(const uint8_t *pem, size_t pemlen, const char *kid, const char *cn,
                      int64_t not_before, struct tsr_key_cert *out);

/*
 * What a JWKS needs of the same certificate, for a key already loaded (an
 * EVP_PKEY, borrowed): x5c, x5t and fingerprint; cert and pkcs7 stay NULL.
 * Same returns as tsr_key_cert_make.
 */
struct evp_pkey_st;
int tsr_key_cert_jwks(struct evp_pkey_st *key, const char *kid, const char *cn, int64_t not_before,
                      struct tsr_key_cert *out);

void tsr_key_cert_cleanup(struct tsr_key_cert *c);

#endif
