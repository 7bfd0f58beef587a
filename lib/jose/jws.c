/*
 * jws.c - compact JWS: parsing, verification and JWT signing.
 *
 * Parsing decides nothing about trust; it only guarantees that what
 * tsr_jws_verify later sees is well formed and bounded.  Trust comes from
 * verification, which takes the algorithm from the key, never from the
 * token (RFC 8725 3.1).
 */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/b64url.h"
#include "jose/internal.h"
#include "util/err.h"

/* Largest signature any key can make: an RSA-8192 one. */
#define MAX_SIG_LEN (TSR_RSA_MAX_BITS / 8)

static int check_header(tsr_jws *jws);

/* Parts whose decoded JSON fits here are decoded on the stack; larger ones on the heap. */
#define PART_STACK_LEN 2048

/*
 * Parses decoded bytes as a JSON object.  Explicit length: the bytes may
 * contain NUL, which json_loadb refuses (no JSON_ALLOW_NUL) instead of
 * silently truncating.  Duplicate members are refused so no two readers
 * can see different claims (RFC 8725 3.7).
 */
static int parse_object(const char *raw, size_t len, json_t **out)
{
    json_error_t jerr;
    json_t *v = json_loadb(raw, len, JSON_REJECT_DUPLICATES, &jerr);
    if (!json_is_object(v)) {
        json_decref(v);
        return TSR_EFORMAT;
    }
    *out = v;
    return 0;
}

/* Decodes one base64url part and parses it as a JSON object. */
static int decode_object(const char *part, size_t len, json_t **out)
{
    uint8_t stack[PART_STACK_LEN];
    uint8_t *raw = stack;
    size_t rawlen = 0;
    *out = NULL;
    size_t cap = tsr_b64url_decoded_max(len);
    if (cap > sizeof stack && (raw = malloc(cap)) == NULL)
        return TSR_ENOMEM;
    int rc = tsr_b64url_decode(part, len, raw, cap, &rawlen);
    if (rc == 0)
        rc = parse_object((const char *)raw, rawlen, out);
    if (raw != stack)
        free(raw);
    return rc == 0 || rc == TSR_ENOMEM ? rc : TSR_EFORMAT;
}

/*
 * The fast path for the headers issuers write: {"alg":"..","typ":"..","kid":".."}
 * in any order, each at most once, alg required, no whitespace, values of
 * printable ASCII without '"' or '\\'.  Such text is a JSON object that
 * jansson reads to the same members, so accepting it here refuses and
 * admits exactly what the general path does.  Anything else returns false
 * and goes through jansson.  Values are copied NUL-terminated to scratch.
 */
static bool fast_header(const char *p, size_t len, char *scratch, const char **alg,
                        const char **typ, const char **kid, size_t *kidlen)
{
    const char *end = p + len;
    *alg = *typ = *kid = NULL;
    *kidlen = 0;
    if (p == end || *p++ != '{')
        return false;
    for (;;) {
        const char *field[2];
        size_t flen[2];
        for (int f = 0; f < 2; f++) {
            if (f == 1 && (p == end || *p++ != ':'))
                return false;
            if (p == end || *p++ != '"')
                return false;
            field[f] = p;
            while (p < end && *p != '"') {
                if (*p < 0x20 || *p > 0x7e || *p == '\\')
                    return false;
                p++;
            }
            if (p == end)
                return false;
            flen[f] = (size_t)(p - field[f]);
            p++; /* the closing quote */
        }
        const char **slot = NULL;
        if (flen[0] == 3 && memcmp(field[0], "alg", 3) == 0)
            slot = alg;
        else if (flen[0] == 3 && memcmp(field[0], "typ", 3) == 0)
            slot = typ;
        else if (flen[0] == 3 && memcmp(field[0], "kid", 3) == 0)
            slot = kid;
        if (slot == NULL || *slot != NULL)
            return false; /* another member, or a duplicate: the general path decides */
        memcpy(scratch, field[1], flen[1]);
        scratch[flen[1]] = '\0';
        *slot = scratch;
        if (slot == kid)
            *kidlen = flen[1];
        scratch += flen[1] + 1;
        if (p == end)
            return false;
        char c = *p++;
        if (c == '}')
            return p == end && *alg != NULL;
        if (c != ',')
            return false;
    }
}

/* alg as a JWS carries it; "none" is parsed so the caller can name the refusal. */
static int set_alg(tsr_jws *jws, const char *alg)
{
    if (strcmp(alg, "none") == 0) {
        jws->alg = TSR_ALG_NONE; /* never verifies */
        return 0;
    }
    return tsr_jws_alg_parse(alg, &jws->alg) == 0 ? 0 : TSR_EFORMAT;
}

/* Reads the decoded header in jws->header_raw: the fast path, else jansson and check_header. */
static int read_header(tsr_jws *jws, char *scratch)
{
    const char *alg, *typ, *kid;
    size_t kidlen;
    if (fast_header(jws->header_raw, jws->header_len, scratch, &alg, &typ, &kid, &kidlen)) {
        if (set_alg(jws, alg) != 0 || (kid != NULL && !tsr_jwk_kid_valid(kid, kidlen)))
            return TSR_EFORMAT;
        jws->typ = typ;
        jws->kid = kid;
        return 0;
    }
    int rc = parse_object(jws->header_raw, jws->header_len, &jws->header);
    return rc != 0 ? rc : check_header(jws);
}

/* A JSON string member without embedded NUL, or NULL. */
static const char *string_member(const json_t *obj, const char *name, size_t *len)
{
    const json_t *v = json_object_get(obj, name);
    if (!json_is_string(v))
        return NULL;
    const char *s = json_string_value(v);
    *len = json_string_length(v);
    return strlen(s) == *len ? s : NULL;
}

static int check_header(tsr_jws *jws)
{
    const json_t *h = jws->header;
    size_t len = 0;
    const char *alg = string_member(h, "alg", &len);
    if (alg == NULL || set_alg(jws, alg) != 0)
        return TSR_EFORMAT;
    jws->typ = json_string_value(json_object_get(h, "typ"));

    /* RFC 7515 4.1.11: we understand no extension, so any crit must be refused. */
    if (json_object_get(h, "crit") != NULL)
        return TSR_EFORMAT;

    const json_t *kid = json_object_get(h, "kid");
    if (kid != NULL) {
        if (!json_is_string(kid) ||
            !tsr_jwk_kid_valid(json_string_value(kid), json_string_length(kid)))
            return TSR_EFORMAT;
        jws->kid = json_string_value(kid);
    }
    return 0;
}

/* Both parsers: lazy keeps the payload as decoded bytes for the caller to read. */
static int parse_jws(const char *compact, size_t len, bool lazy, tsr_jws **out)
{
    if (out == NULL)
        return TSR_EINVAL;
    *out = NULL;
    if (compact == NULL)
        return TSR_EFORMAT;
    if (len > TSR_JWS_MAX_LEN)
        return TSR_ETOOBIG;

    const char *dot1 = memchr(compact, '.', len);
    if (dot1 == NULL)
        return TSR_EFORMAT;
    const char *dot2 = memchr(dot1 + 1, '.', len - (size_t)(dot1 + 1 - compact));
    if (dot2 == NULL)
        return TSR_EFORMAT;
    const char *sig = dot2 + 1;
    size_t siglen = len - (size_t)(sig - compact);
    if (memchr(sig, '.', siglen) != NULL)
        return TSR_EFORMAT; /* JWE (five parts) or junk */

    /* The signature covers the received text, not a re-serialisation. */
    size_t inlen = (size_t)(dot2 - compact);
    size_t h64 = (size_t)(dot1 - compact);
    /* Both bounded by TSR_JWS_MAX_LEN, so the sum cannot overflow. */
    size_t sigcap = tsr_b64url_decoded_max(siglen);
    size_t hcap = tsr_b64url_decoded_max(h64);
    size_t p64 = (size_t)(dot2 - dot1 - 1);
    size_t pcap = lazy ? tsr_b64url_decoded_max(p64) + 1 : 0;
    int rc = TSR_ENOMEM;
    tsr_jws *jws = malloc(sizeof *jws + inlen + 1 + sigcap + 2 * (hcap + 1) + pcap);
    if (jws == NULL)
        goto out;
    memset(jws, 0, sizeof *jws);
    jws->signing_input = jws->buf;
    jws->signing_input_len = inlen;
    memcpy(jws->signing_input, compact, inlen);
    jws->signing_input[inlen] = '\0';
    jws->sig = (uint8_t *)jws->buf + inlen + 1;
    jws->header_raw = jws->buf + inlen + 1 + sigcap;
    if (tsr_b64url_decode(compact, h64, (uint8_t *)jws->header_raw, hcap, &jws->header_len) !=
        0) {
        rc = TSR_EFORMAT;
        goto out;
    }
    jws->header_raw[jws->header_len] = '\0';
    if ((rc = read_header(jws, jws->header_raw + hcap + 1)) != 0)
        goto out;
    if (lazy) {
        /* After the header's two copies: the payload's decoded bytes and a NUL. */
        jws->payload_raw = jws->header_raw + 2 * (hcap + 1);
        if (tsr_b64url_decode(dot1 + 1, p64, (uint8_t *)jws->payload_raw, pcap,
                              &jws->payload_len) != 0) {
            rc = TSR_EFORMAT;
            goto out;
        }
        jws->payload_raw[jws->payload_len] = '\0';
    } else if ((rc = decode_object(dot1 + 1, p64, &jws->payload)) != 0) {
        goto out;
    }
    if (tsr_b64url_decode(sig, siglen, jws->sig, sigcap, &jws->sig_len) != 0) {
        rc = TSR_EFORMAT;
        goto out;
    }
    *out = jws;
    jws = NULL;
    rc = 0;
out:
    tsr_jws_free(jws);
    return rc;
}

int tsr_jws_parse(const char *compact, size_t len, tsr_jws **out)
{
    return parse_jws(compact, len, false, out);
}

int tsr_jws_parse_lazy(const char *compact, size_t len, tsr_jws **out)
{
    return parse_jws(compact, len, true, out);
}

const char *tsr_jws_payload_bytes(const tsr_jws *jws, size_t *len)
{
    *len = jws != NULL ? jws->payload_len : 0;
    return jws != NULL ? jws->payload_raw : NULL;
}

const json_t *tsr_jws_header(const tsr_jws *jws)
{
    if (jws == NULL)
        return NULL;
    if (jws->header == NULL) {
        /* The fast path checked the header without jansson; the object is made when asked for. */
        tsr_jws *w = (tsr_jws *)jws; /* allocated writable by tsr_jws_parse */
        if (parse_object(jws->header_raw, jws->header_len, &w->header) != 0)
            return NULL;
    }
    return jws->header;
}

const char *tsr_jws_header_bytes(const tsr_jws *jws, size_t *len)
{
    *len = jws != NULL ? jws->header_len : 0;
    return jws != NULL ? jws->header_raw : NULL;
}

const char *tsr_jws_typ(const tsr_jws *jws)
{
    return jws != NULL ? jws->typ : NULL;
}

const json_t *tsr_jws_payload(const tsr_jws *jws)
{
    return jws != NULL ? jws->payload : NULL;
}

enum tsr_jws_alg tsr_jws_alg(const tsr_jws *jws)
{
    return jws != NULL ? jws->alg : TSR_ALG_NONE;
}

const char *tsr_jws_kid(const tsr_jws *jws)
{
    return jws != NULL ? jws->kid : NULL;
}

int tsr_jws_verify(const tsr_jws *jws, const tsr_jwk *key)
{
    if (jws == NULL || key == NULL)
        return TSR_EINVAL;
    /* The key decides the algorithm; the header only has to agree with it. */
    if (jws->alg == TSR_ALG_NONE || jws->alg != key->alg)
        return TSR_EALG;
    return tsr_jws_verify_bytes(key, (const uint8_t *)jws->signing_input, jws->signing_input_len,
                                jws->sig, jws->sig_len);
}

void tsr_jws_free(tsr_jws *jws)
{
    if (jws == NULL)
        return;
    json_decref(jws->header);
    json_decref(jws->payload);
    free(jws);
}

/* ---- signing -------------------------------------------------------------------- */

/* Claims up to this size are serialised on the stack; larger ones on the heap. */
#define CLAIMS_STACK_LEN 4096

/* Whether s can go into a JSON string as it is: printable ASCII without '"' or '\\'. */
static bool plain_ascii(const char *s)
{
    for (; *s != '\0'; s++)
        if (*s < 0x20 || *s > 0x7e || *s == '"' || *s == '\\')
            return false;
    return true;
}

/*
 * The protected header, {"alg":..,"typ":..,"kid":..}, into buf.  Common
 * values are written directly, byte for byte what jansson writes; anything
 * that would need escaping or UTF-8 checks goes through jansson.  Returns
 * the length, or 0 with *rc set.
 */
static size_t header_json(const tsr_jwk *key, const char *typ, char *buf, size_t cap, int *rc)
{
    *rc = TSR_ENOMEM;
    if (plain_ascii(typ) && plain_ascii(key->kid)) {
        int n = snprintf(buf, cap, "{\"alg\":\"%s\",\"typ\":\"%s\",\"kid\":\"%s\"}",
                         tsr_jws_alg_name(key->alg), typ, key->kid);
        if (n > 0 && (size_t)n < cap)
            return (size_t)n;
        *rc = TSR_EINVAL;
        return 0;
    }
    size_t len = 0;
    json_t *header = json_object();
    if (header == NULL)
        return 0;
    /* jansson keeps insertion order, so the header reads alg, typ, kid. */
    if (json_object_set_new(header, "alg", json_string(tsr_jws_alg_name(key->alg))) != 0)
        goto out;
    json_t *typv = json_string(typ);
    if (typv == NULL) {
        *rc = TSR_EINVAL; /* not UTF-8 */
        goto out;
    }
    /* set_new takes the reference even when it fails. */
    if (json_object_set_new(header, "typ", typv) != 0 ||
        json_object_set_new(header, "kid", json_string(key->kid)) != 0)
        goto out;
    len = json_dumpb(header, buf, cap, JSON_COMPACT);
    if (len == 0 || len > cap) {
        *rc = TSR_EINVAL;
        len = 0;
    }
out:
    json_decref(header);
    return len;
}

/* The compact JWS of the claims text cbuf (clen bytes) under key. */
static int sign_text(const tsr_jwk *key, const char *typ, const char *cbuf, size_t clen,
                     char **out)
{
    int rc = 0;
    /* typ is bounded by the header buffer; a kid by TSR_JWK_MAX_KID. */
    char hbuf[512];
    size_t hlen = header_json(key, typ, hbuf, sizeof hbuf, &rc);
    if (hlen == 0)
        return rc;

    char *token = NULL;
    uint8_t *sig = NULL;
    size_t siglen = 0;
    rc = TSR_ENOMEM;
    size_t h64 = tsr_b64url_encoded_len(hlen), p64 = tsr_b64url_encoded_len(clen);
    size_t inlen = h64 + 1 + p64;
    size_t sigcap = tsr_b64url_encoded_len(MAX_SIG_LEN) + 1;
    if ((token = malloc(inlen + 1 + sigcap)) == NULL)
        goto out;
    rc = TSR_ECRYPTO;
    if (tsr_b64url_encode((const uint8_t *)hbuf, hlen, token, h64 + 1) != 0)
        goto out;
    token[h64] = '.';
    if (tsr_b64url_encode((const uint8_t *)cbuf, clen, token + h64 + 1, p64 + 1) != 0)
        goto out;

    if ((rc = tsr_jws_sign_bytes(key, (const uint8_t *)token, inlen, &sig, &siglen)) != 0)
        goto out;
    token[inlen] = '.';
    if ((rc = tsr_b64url_encode(sig, siglen, token + inlen + 1, sigcap)) != 0) {
        rc = TSR_ECRYPTO;
        goto out;
    }
    *out = token;
    token = NULL;
out:
    free(sig);
    free(token);
    return rc;
}

int tsr_jwt_sign_text(const tsr_jwk *key, const char *typ, const char *claims, size_t len,
                      char **out)
{
    if (out == NULL)
        return TSR_EINVAL;
    *out = NULL;
    if (key == NULL || !key->is_private || key->alg == TSR_ALG_NONE || claims == NULL ||
        len < 2 || claims[0] != '{' || claims[len - 1] != '}')
        return TSR_EINVAL;
    return sign_text(key, typ != NULL ? typ : "JWT", claims, len, out);
}

int tsr_jwt_sign(const tsr_jwk *key, const char *typ, const json_t *claims, char **out)
{
    if (out == NULL)
        return TSR_EINVAL;
    *out = NULL;
    if (key == NULL || !key->is_private || key->alg == TSR_ALG_NONE || !json_is_object(claims))
        return TSR_EINVAL;
    if (typ == NULL)
        typ = "JWT";

    char cstack[CLAIMS_STACK_LEN];
    char *cbuf = cstack;
    int rc = TSR_ENOMEM;
    size_t clen = json_dumpb(claims, cstack, sizeof cstack, JSON_COMPACT);
    if (clen == 0)
        goto out;
    if (clen > sizeof cstack) {
        if ((cbuf = malloc(clen)) == NULL)
            goto out;
        if (json_dumpb(claims, cbuf, clen, JSON_COMPACT) != clen)
            goto out;
    }
    rc = sign_text(key, typ, cbuf, clen, out);
out:
    if (cbuf != cstack)
        free(cbuf);
    return rc;
}
