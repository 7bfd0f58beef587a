/*
 * key_cert.c - a signing key's self-signed certificate, as Auth0 shows one.
 *
 * Every field derives from the key, its kid and its creation time, and an
 * RS256 signature (RSASSA-PKCS1-v1_5) is deterministic, so the same key
 * always yields the same certificate and fingerprint without storing it.
 */
#include "core/key_cert.h"

#include <openssl/bio.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/pkcs7.h>
#include <openssl/x509.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "util/b64url.h"
#include "util/err.h"

#define VALID_SECONDS (10LL * 365 * 24 * 3600)
#define SERIAL_LEN 16

/* The memory BIO's bytes as a new string, or NULL. */
static char *bio_text(BIO *b)
{
    char *data = NULL;
    long len = BIO_get_mem_data(b, &data);
    if (len <= 0 || data == NULL)
        return NULL;
    char *s = malloc((size_t)len + 1);
    if (s != NULL) {
        memcpy(s, data, (size_t)len);
        s[len] = '\0';
    }
    return s;
}

/* A positive serial number from the kid, so it is stable per key. */
static int set_serial(X509 *x, const char *kid)
{
    unsigned char md[EVP_MAX_MD_SIZE];
    unsigned int mdlen = 0;
    if (EVP_Digest(kid, strlen(kid), md, &mdlen, EVP_sha256(), NULL) != 1)
        return TSR_ECRYPTO;
    md[0] = (unsigned char)((md[0] & 0x7f) | 0x01);
    BIGNUM *bn = BN_bin2bn(md, SERIAL_LEN, NULL);
    int ok = bn != NULL && BN_to_ASN1_INTEGER(bn, X509_get_serialNumber(x)) != NULL;
    BN_free(bn);
    return ok ? 0 : TSR_ECRYPTO;
}

static int set_names_and_validity(X509 *x, const char *cn, int64_t not_before)
{
    X509_NAME *name = X509_get_subject_name(x);
    if (X509_set_version(x, X509_VERSION_3) != 1 ||
        X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_UTF8, (const unsigned char *)cn, -1, -1,
                                   0) != 1 ||
        X509_set_issuer_name(x, name) != 1 ||
        ASN1_TIME_set(X509_getm_notBefore(x), (time_t)not_before) == NULL ||
        ASN1_TIME_set(X509_getm_notAfter(x), (time_t)(not_before + VALID_SECONDS)) == NULL)
        return TSR_ECRYPTO;
    return 0;
}

/* The PEM texts of the certificate and of a PKCS #7 bundle holding it. */
static int write_pems(X509 *x, struct tsr_key_cert *out)
{
    int rc = TSR_ECRYPTO;
    BIO *b = BIO_new(BIO_s_mem());
    PKCS7 *p7 = PKCS7_new();
    if (b == NULL || p7 == NULL || PEM_write_bio_X509(b, x) != 1 ||
        (out->cert = bio_text(b)) == NULL)
        goto out;
    /* PKCS7_add_certificate takes its own reference to x. */
    if (BIO_reset(b) != 1 || PKCS7_set_type(p7, NID_pkcs7_signed) != 1 ||
        PKCS7_content_new(p7, NID_pkcs7_data) != 1 || PKCS7_add_certificate(p7, x) != 1 ||
        PEM_write_bio_PKCS7(b, p7) != 1 || (out->pkcs7 = bio_text(b)) == NULL)
        goto out;
    rc = 0;
out:
    PKCS7_free(p7);
    BIO_free(b);
    return rc;
}

/* The SHA-1 fingerprint in both spellings: "AA:BB:..." and a JWK's base64url x5t. */
static int set_fingerprint(X509 *x, struct tsr_key_cert *out)
{
    unsigned char md[EVP_MAX_MD_SIZE];
    unsigned int n = 0;
    if (X509_digest(x, EVP_sha1(), md, &n) != 1 || n * 3 > sizeof out->fingerprint ||
        tsr_b64url_encode(md, n, out->x5t, sizeof out->x5t) != 0)
        return TSR_ECRYPTO;
    for (unsigned int i = 0; i < n; i++)
        snprintf(out->fingerprint + 3 * i, 4, i + 1 < n ? "%02X:" : "%02X", md[i]);
    return 0;
}

/* The DER certificate in standard base64, without line breaks (x5c). */
static int set_x5c(X509 *x, struct tsr_key_cert *out)
{
    unsigned char *der = NULL;
    int len = i2d_X509(x, &der);
    if (len <= 0)
        return TSR_ECRYPTO;
    out->x5c = malloc(4 * (((size_t)len + 2) / 3) + 1);
    if (out->x5c != NULL)
        EVP_EncodeBlock((unsigned char *)out->x5c, der, len);
    OPENSSL_free(der);
    return out->x5c ? 0 : TSR_ENOMEM;
}

/* The certificate of key; the PEM texts only when pems is set. */
static int make(EVP_PKEY *key, const char *kid, const char *cn, int64_t not_before, bool pems,
                struct tsr_key_cert *out)
{
    memset(out, 0, sizeof *out);
    /* Only RSA keeps the signature, and so the certificate, the same each time. */
    if (key == NULL || EVP_PKEY_get_base_id(key) != EVP_PKEY_RSA)
        return TSR_EINVAL;
    int rc = TSR_ECRYPTO;
    X509 *x = X509_new();
    if (x == NULL || (rc = set_serial(x, kid)) != 0 ||
        (rc = set_names_and_validity(x, cn, not_before)) != 0)
        goto out;
    rc = TSR_ECRYPTO;
    if (X509_set_pubkey(x, key) != 1 || X509_sign(x, key, EVP_sha256()) <= 0)
        goto out;
    if ((!pems || (rc = write_pems(x, out)) == 0) && (rc = set_fingerprint(x, out)) == 0)
        rc = set_x5c(x, out);
out:
    if (rc != 0) {
        tsr_key_cert_cleanup(out);
        ERR_clear_error(); /* so no later OpenSSL caller reads this failure as its own */
    }
    X509_free(x);
    return rc;
}

int tsr_key_cert_make(const uint8_t *pem, size_t pemlen, const char *kid, const char *cn,
                      int64_t not_before, struct tsr_key_cert *out)
{
    memset(out, 0, sizeof *out);
    EVP_PKEY *key = NULL;
    BIO *in = BIO_new_mem_buf(pem, (int)pemlen);
    if (in == NULL || (key = PEM_read_bio_PrivateKey(in, NULL, NULL, NULL)) == NULL) {
        BIO_free(in);
        ERR_clear_error();
        return TSR_ECRYPTO;
    }
    int rc = make(key, kid, cn, not_before, true, out);
    EVP_PKEY_free(key);
    BIO_free(in);
    return rc;
}

int tsr_key_cert_jwks(EVP_PKEY *key, const char *kid, const char *cn, int64_t not_before,
                      struct tsr_key_cert *out)
{
    return make(key, kid, cn, not_before, false, out);
}

void tsr_key_cert_cleanup(struct tsr_key_cert *c)
{
    free(c->cert);
    free(c->pkcs7);
    free(c->x5c);
    c->cert = NULL;
    c->pkcs7 = NULL;
    c->x5c = NULL;
    c->fingerprint[0] = '\0';
    c->x5t[0] = '\0';
}
