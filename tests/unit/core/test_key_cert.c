/*
 * test_key_cert.c - the certificate shown for a signing key: the same key
 * always yields the same certificate, which holds that key and is
 * self-signed; keys other than RSA are refused.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <openssl/bio.h>
#include <openssl/pem.h>
#include <openssl/x509.h>

#include "core/key_cert.h"
#include "jose/jose.h"
#include "rsa_keys.h"
#include "util/b64url.h"
#include "util/err.h"

#define CREATED 1790000000LL

static void private_pem(enum tsr_jws_alg alg, uint8_t **pem, size_t *len)
{
    tsr_jwk *key = NULL;
    assert_int_equal(tsr_jwk_generate(alg, &key), 0);
    assert_int_equal(tsr_jwk_private_pem(key, pem, len), 0);
    tsr_jwk_free(key);
}

static X509 *parse(const char *cert)
{
    BIO *b = BIO_new_mem_buf(cert, -1);
    assert_non_null(b);
    X509 *x = PEM_read_bio_X509(b, NULL, NULL, NULL);
    BIO_free(b);
    assert_non_null(x);
    return x;
}

static void test_same_key_same_certificate(void **state)
{
    (void)state;
    uint8_t *pem = NULL;
    size_t len = 0;
    private_pem(TSR_ALG_RS256, &pem, &len);
    struct tsr_key_cert a, b, other;
    assert_int_equal(tsr_key_cert_make(pem, len, "kid-1", "auth.example.com", CREATED, &a), 0);
    assert_int_equal(tsr_key_cert_make(pem, len, "kid-1", "auth.example.com", CREATED, &b), 0);
    assert_string_equal(a.cert, b.cert);
    assert_string_equal(a.pkcs7, b.pkcs7);
    assert_string_equal(a.fingerprint, b.fingerprint);
    /* Another kid is another serial number, so another certificate. */
    assert_int_equal(tsr_key_cert_make(pem, len, "kid-2", "auth.example.com", CREATED, &other), 0);
    assert_string_not_equal(a.fingerprint, other.fingerprint);
    assert_non_null(strstr(a.pkcs7, "-----BEGIN PKCS7-----"));
    assert_int_equal(strlen(a.fingerprint), 59);
    tsr_key_cert_cleanup(&a);
    tsr_key_cert_cleanup(&b);
    tsr_key_cert_cleanup(&other);
    free(pem);
}

static void test_certificate_fields(void **state)
{
    (void)state;
    uint8_t *pem = NULL;
    size_t len = 0;
    private_pem(TSR_ALG_RS256, &pem, &len);
    struct tsr_key_cert c;
    assert_int_equal(tsr_key_cert_make(pem, len, "kid-1", "auth.example.com", CREATED, &c), 0);
    X509 *x = parse(c.cert);
    EVP_PKEY *pub = X509_get0_pubkey(x);
    assert_int_equal(X509_verify(x, pub), 1);
    char cn[64];
    assert_true(X509_NAME_get_text_by_NID(X509_get_subject_name(x), NID_commonName, cn, sizeof cn) >
                0);
    assert_string_equal(cn, "auth.example.com");
    assert_int_equal(X509_NAME_cmp(X509_get_subject_name(x), X509_get_issuer_name(x)), 0);
    int days = 0, secs = 0;
    assert_int_equal(ASN1_TIME_diff(&days, &secs, X509_get0_notBefore(x), X509_get0_notAfter(x)),
                     1);
    assert_int_equal(days, 3650);
    /* The certificate holds the private key's public half. */
    BIO *b = BIO_new_mem_buf(pem, (int)len);
    EVP_PKEY *priv = PEM_read_bio_PrivateKey(b, NULL, NULL, NULL);
    assert_non_null(priv);
    assert_int_equal(EVP_PKEY_eq(priv, pub), 1);
    unsigned char md[EVP_MAX_MD_SIZE];
    unsigned int n = 0;
    char hex[4];
    assert_int_equal(X509_digest(x, EVP_sha1(), md, &n), 1);
    snprintf(hex, sizeof hex, "%02X:", md[0]);
    assert_memory_equal(c.fingerprint, hex, 3);
    /* x5t is the same digest in base64url; x5c the DER certificate in base64. */
    char x5t[32];
    assert_int_equal(tsr_b64url_encode(md, n, x5t, sizeof x5t), 0);
    assert_string_equal(c.x5t, x5t);
    unsigned char *der = NULL;
    int derlen = i2d_X509(x, &der);
    assert_true(derlen > 0);
    unsigned char *b64 = malloc(4 * (((size_t)derlen + 2) / 3) + 1);
    assert_non_null(b64);
    EVP_EncodeBlock(b64, der, derlen);
    assert_string_equal(c.x5c, (const char *)b64);
    free(b64);
    OPENSSL_free(der);
    EVP_PKEY_free(priv);
    BIO_free(b);
    X509_free(x);
    tsr_key_cert_cleanup(&c);
    free(pem);
}

static void test_refusals(void **state)
{
    (void)state;
    uint8_t *pem = NULL;
    size_t len = 0;
    struct tsr_key_cert c;
    private_pem(TSR_ALG_ES256, &pem, &len);
    assert_int_equal(tsr_key_cert_make(pem, len, "kid", "host", CREATED, &c), TSR_EINVAL);
    assert_null(c.cert);
    free(pem);
    static const char junk[] =
        "-----BEGIN PRIVATE KEY-----\nnot a key\n-----END PRIVATE KEY-----\n";
    assert_int_equal(
        tsr_key_cert_make((const uint8_t *)junk, sizeof junk - 1, "kid", "host", CREATED, &c),
        TSR_ECRYPTO);
    assert_null(c.pkcs7);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_same_key_same_certificate),
        cmocka_unit_test(test_certificate_fields),
        cmocka_unit_test(test_refusals),
    };
    /* The certificate is the subject, not the key's generation (test_jwk's). */
    tsr_jwk_rsa_pool_for_tests(test_rsa_keys, sizeof test_rsa_keys / sizeof *test_rsa_keys);
    return cmocka_run_group_tests(tests, NULL, NULL);
}
