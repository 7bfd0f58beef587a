/*
 * password.c - argon2id hashing through libsodium and Auth0's password
 * policies.
 *
 * Contents: libsodium start-up; hashing and verification; the dummy
 * verification for unknown users; policy checks and their wording.
 */
#include "core/password.h"

#include <pthread.h>
#include <sodium.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/err.h"
#include "util/secure.h"

/* ---- libsodium ---- */

static pthread_once_t sodium_once = PTHREAD_ONCE_INIT;
static int sodium_status = -1;

static void start_sodium(void)
{
    sodium_status = sodium_init() < 0 ? -1 : 0;
}

/* sodium_init is not safe to race; every entry point goes through this. */
static bool sodium_ready(void)
{
    pthread_once(&sodium_once, start_sodium);
    return sodium_status == 0;
}

/* ---- hashing ---- */

int tsr_password_hash(const char *password, char **out)
{
    *out = NULL;
    size_t len = strlen(password);
    if (len > TSR_PASSWORD_MAX)
        return TSR_EINVAL;
    if (!sodium_ready())
        return TSR_ECRYPTO;
    char hash[crypto_pwhash_STRBYTES];
    /* Fails only when the memory limit cannot be allocated. */
    if (crypto_pwhash_str(hash, password, len, crypto_pwhash_OPSLIMIT_INTERACTIVE,
                          crypto_pwhash_MEMLIMIT_INTERACTIVE) != 0)
        return TSR_ENOMEM;
    *out = strdup(hash);
    return *out ? 0 : TSR_ENOMEM;
}

bool tsr_password_verify(const char *hash, const char *password)
{
    if (hash == NULL || password == NULL || hash[0] == '\0' || !sodium_ready())
        return false;
    size_t len = strlen(password);
    if (len > TSR_PASSWORD_MAX || strnlen(hash, crypto_pwhash_STRBYTES) >= crypto_pwhash_STRBYTES)
        return false;
    return crypto_pwhash_str_verify(hash, password, len) == 0;
}

static pthread_once_t dummy_once = PTHREAD_ONCE_INIT;
static char *dummy_hash;

static void make_dummy(void)
{
    char random[33];
    if (tsr_random_alnum(random, 32) == 0 && tsr_password_hash(random, &dummy_hash) != 0)
        dummy_hash = NULL;
    tsr_wipe(random, sizeof random);
}

void tsr_password_verify_dummy(const char *password)
{
    pthread_once(&dummy_once, make_dummy);
    /* The result is meaningless: only the time spent matters. */
    (void)tsr_password_verify(dummy_hash, password ? password : "");
}

/* ---- policies ---- */

struct policy {
    const char *name;
    int64_t min_length;
    int kinds_needed; /* of lower, upper, digit, special; 0: none */
    bool fair_kinds;  /* "fair": lower, upper and digit, each */
    bool no_triples;  /* "excellent": at most 2 identical characters in a row */
};

static const struct policy policies[] = {
    {"none", 1, 0, false, false},     {"low", 6, 0, false, false},
    {"fair", 8, 0, true, false},      {"good", 8, 3, false, false},
    {"excellent", 10, 3, false, true},
};

static const struct policy *find_policy(const char *name)
{
    for (size_t i = 0; i < sizeof policies / sizeof policies[0]; i++)
        if (name != NULL && strcmp(policies[i].name, name) == 0)
            return &policies[i];
    return NULL;
}

bool tsr_password_policy_known(const char *name)
{
    return find_policy(name) != NULL;
}

/* Unknown policy names are treated as "good", the default of a new connection. */
static const struct policy *policy_of(const struct tsr_connection *c)
{
    const struct policy *p = find_policy(c->password_policy);
    return p ? p : find_policy("good");
}

static int64_t min_length_of(const struct tsr_connection *c, const struct policy *p)
{
    return c->password_min_length > p->min_length ? c->password_min_length : p->min_length;
}

/* Characters (UTF-8 code points), so "é" counts once as a person expects. */
static int64_t char_count(const char *s)
{
    int64_t n = 0;
    for (; *s; s++)
        if (((unsigned char)*s & 0xC0) != 0x80)
            n++;
    return n;
}

enum { K_LOWER = 1, K_UPPER = 2, K_DIGIT = 4, K_SPECIAL = 8 };

static unsigned kinds_of(const char *s)
{
    unsigned k = 0;
    for (; *s; s++) {
        unsigned char ch = (unsigned char)*s;
        if (ch >= 'a' && ch <= 'z')
            k |= K_LOWER;
        else if (ch >= 'A' && ch <= 'Z')
            k |= K_UPPER;
        else if (ch >= '0' && ch <= '9')
            k |= K_DIGIT;
        else
            k |= K_SPECIAL; /* punctuation, spaces and non-ASCII letters alike */
    }
    return k;
}

static int popcount4(unsigned k)
{
    return (int)((k & 1) + ((k >> 1) & 1) + ((k >> 2) & 1) + ((k >> 3) & 1));
}

static bool has_triple(const char *s)
{
    for (size_t i = 0; s[i] && s[i + 1] && s[i + 2]; i++)
        if (s[i] == s[i + 1] && s[i] == s[i + 2])
            return true;
    return false;
}

/* Names the kinds missing from have among want, joined with "and". */
static void missing_kinds(unsigned want, unsigned have, char *out, size_t outlen)
{
    static const struct {
        unsigned bit;
        const char *words;
    } names[] = {{K_LOWER, "lowercase letters (a-z)"},
                 {K_UPPER, "uppercase letters (A-Z)"},
                 {K_DIGIT, "numbers (0-9)"},
                 {K_SPECIAL, "special characters (e.g. !@#$%^&*)"}};
    size_t pos = 0;
    out[0] = '\0';
    int total = popcount4(want & ~have), seen = 0;
    for (size_t i = 0; i < 4; i++) {
        if (!(want & names[i].bit) || (have & names[i].bit))
            continue;
        seen++;
        const char *sep = seen == 1 ? "" : seen == total ? " and " : ", ";
        int n = snprintf(out + pos, outlen - pos, "%s%s", sep, names[i].words);
        if (n < 0 || (size_t)n >= outlen - pos)
            return;
        pos += (size_t)n;
    }
}

bool tsr_password_policy_ok(const struct tsr_connection *c, const char *password, char *why,
                            size_t whylen)
{
    const struct policy *p = policy_of(c);
    int64_t min = min_length_of(c, p);
    char kinds[160];
    if (strlen(password) > TSR_PASSWORD_MAX) {
        snprintf(why, whylen, "The password must not be longer than %d bytes.", TSR_PASSWORD_MAX);
        return false;
    }
    if (char_count(password) < min) {
        snprintf(why, whylen, "The password must be at least %lld characters long.",
                 (long long)min);
        return false;
    }
    unsigned have = kinds_of(password);
    if (p->fair_kinds && (have & (K_LOWER | K_UPPER | K_DIGIT)) != (K_LOWER | K_UPPER | K_DIGIT)) {
        missing_kinds(K_LOWER | K_UPPER | K_DIGIT, have, kinds, sizeof kinds);
        snprintf(why, whylen, "The password needs lowercase letters, uppercase letters and "
                              "numbers; it has no %s.",
                 kinds);
        return false;
    }
    if (p->kinds_needed > 0 && popcount4(have) < p->kinds_needed) {
        missing_kinds(K_LOWER | K_UPPER | K_DIGIT | K_SPECIAL, have, kinds, sizeof kinds);
        snprintf(why, whylen,
                 "The password needs at least %d of these 4 kinds of characters: lowercase "
                 "letters, uppercase letters, numbers and special characters; add %s.",
                 p->kinds_needed, kinds);
        return false;
    }
    if (p->no_triples && has_triple(password)) {
        snprintf(why, whylen,
                 "The password must not contain more than 2 identical characters in a row.");
        return false;
    }
    if (whylen > 0)
        why[0] = '\0';
    return true;
}

void tsr_password_policy_text(const struct tsr_connection *c, char *out, size_t outlen)
{
    const struct policy *p = policy_of(c);
    int64_t min = min_length_of(c, p);
    static const char four[] =
        "\n* Contain at least 3 of the following 4 types of characters:\n"
        " * lower case letters (a-z)\n * upper case letters (A-Z)\n * numbers (i.e. 0-9)\n"
        " * special characters (e.g. !@#$%^&*)";
    snprintf(out, outlen, "* At least %lld characters in length%s%s%s", (long long)min,
             p->fair_kinds ? "\n* Contain at least 3 of the following types of characters:\n"
                             " * lower case letters (a-z)\n * upper case letters (A-Z)\n"
                             " * numbers (i.e. 0-9)"
                           : "",
             p->kinds_needed > 0 ? four : "",
             p->no_triples ? "\n* No more than 2 identical characters in a row (e.g., "
                             "\"aaa\" not allowed)"
                           : "");
}
