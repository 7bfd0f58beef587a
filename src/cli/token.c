/*
 * token.c - `tessera token verify`: checks an access token the way an API
 * using libtessera-verify would, prints its header and claims, and says
 * "valid" or exactly why not.  Exit status: 0 valid, 1 invalid, 2 usage.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/args.h"
#include "cli/commands.h"
#include "curldl/curldl.h"
#include "util/b64url.h"
#include "tessera/verify.h"
#include "util/secure.h"

#define MAX_ALGS 8
#define MAX_FILE 4096

static const struct tsr_cli_opt verify_opts[] = {
    {"issuer", "URL", "the issuer", TSR_CLI_OPT_REQUIRED},
    {"audience", "AUD", "the API's identifier", TSR_CLI_OPT_REQUIRED},
    {"alg", "LIST", "accepted algorithms, comma-separated (RS256)", 0},
    {"leeway", "N", "clock skew allowed, seconds (60)", 0},
    {"typ", "TYP", "required header typ, e.g. at+jwt", 0},
    {"hs256-secret-file", "FILE", "shared secret for HS256 (adds HS256 to the list)", 0},
    {"client-id", "ID", "introspect opaque tokens as this client ...", 0},
    {"client-secret-file", "FILE", "... with the secret in FILE", 0},
    {"timeout", "MS", "HTTP timeout (5000)", 0},
    {"allow-insecure-http", NULL,
     "accept plain http:// to hosts that are not loopback (loopback is always accepted)", 0},
    {NULL, NULL, NULL, 0},
};

/* Reads at most MAX_FILE bytes of a file, trailing newlines dropped; caller wipes and frees. */
static char *read_small(const char *path, FILE *in, size_t *len)
{
    FILE *fp = in != NULL ? in : fopen(path, "rb");
    if (fp == NULL) {
        fprintf(stderr, "tessera: %s: %s\n", path, strerror(errno));
        return NULL;
    }
    char *buf = malloc(MAX_FILE + 1);
    size_t n = buf != NULL ? fread(buf, 1, MAX_FILE + 1, fp) : 0;
    if (in == NULL)
        fclose(fp);
    if (buf == NULL || n > MAX_FILE) {
        fprintf(stderr, "tessera: %s is larger than %d bytes\n", path, MAX_FILE);
        if (buf != NULL)
            tsr_wipe(buf, MAX_FILE + 1);
        free(buf);
        return NULL;
    }
    while (n > 0 && (buf[n - 1] == '\n' || buf[n - 1] == '\r'))
        n--;
    buf[n] = '\0';
    *len = n;
    return buf;
}

/* Prints one base64url JSON part of the token, pretty, without trusting it. */
static void print_part(const char *title, const char *part, size_t len)
{
    uint8_t *raw = NULL;
    size_t rawlen = 0;
    json_t *j = NULL;
    json_error_t jerr;
    if (tsr_b64url_decode_alloc(part, len, &raw, &rawlen) == 0)
        j = json_loadb((const char *)raw, rawlen, 0, &jerr);
    free(raw);
    printf("%s:\n", title);
    if (j == NULL) {
        printf("  (not base64url JSON)\n");
        return;
    }
    char *text = json_dumps(j, JSON_INDENT(2) | JSON_ENSURE_ASCII);
    printf("%s\n", text != NULL ? text : "  (unprintable)");
    free(text);
    json_decref(j);
}

static void print_token(const char *tok, const tessera_claims *c)
{
    const char *d1 = strchr(tok, '.');
    if (c != NULL && tessera_claims_header(c) == NULL) {
        /* Introspected: the issuer's answer is the claims. */
        char *text = json_dumps(tessera_claims_json(c), JSON_INDENT(2) | JSON_ENSURE_ASCII);
        printf("claims (introspection):\n%s\n", text != NULL ? text : "");
        free(text);
        return;
    }
    if (d1 == NULL)
        return;
    const char *d2 = strchr(d1 + 1, '.');
    print_part("header", tok, (size_t)(d1 - tok));
    if (d2 != NULL)
        print_part("claims", d1 + 1, (size_t)(d2 - d1 - 1));
}

static int verify_cmd(const struct tsr_cli_args *a)
{
    tessera_verify_options o;
    tessera_verify_options_init(&o);
    const char *algs[MAX_ALGS + 2] = {NULL};
    char alglist[256] = "";
    const char *hs_file = tsr_cli_opt(a, "hs256-secret-file");
    const char *cs_file = tsr_cli_opt(a, "client-secret-file");
    const char *token_arg = tsr_cli_operand(a, 0);
    char *secret = NULL, *csecret = NULL, *token = NULL;
    size_t secret_len = 0, clen = 0, tlen = 0;
    uint64_t leeway, timeout;
    int rc = tsr_cli_opt_uint(a, "leeway", 0, 86400, 60, &leeway);
    if (rc != 0 || (rc = tsr_cli_opt_uint(a, "timeout", 1, 600000, 5000, &timeout)) != 0)
        return rc;
    rc = TSR_CLI_USAGE;
    o.issuer = tsr_cli_opt(a, "issuer");
    o.audience = tsr_cli_opt(a, "audience");
    o.required_typ = tsr_cli_opt(a, "typ");
    o.introspection_client_id = tsr_cli_opt(a, "client-id");
    o.allow_insecure_http = tsr_cli_has(a, "allow-insecure-http");
    o.leeway = (long)leeway;
    o.http_timeout_ms = (long)timeout;
    if (tsr_cli_opt(a, "alg") != NULL)
        snprintf(alglist, sizeof alglist, "%s", tsr_cli_opt(a, "alg"));
    size_t n = 0;
    for (char *save = NULL, *t = strtok_r(alglist, ",", &save); t != NULL && n < MAX_ALGS;
         t = strtok_r(NULL, ",", &save))
        algs[n++] = t;
    if (n == 0)
        algs[n++] = "RS256";
    if (hs_file != NULL) {
        if ((secret = read_small(hs_file, NULL, &secret_len)) == NULL)
            goto out;
        bool listed = false;
        for (size_t i = 0; i < n; i++)
            listed |= strcmp(algs[i], "HS256") == 0;
        if (!listed)
            algs[n++] = "HS256";
        o.hs256_secret = (const unsigned char *)secret;
        o.hs256_secret_len = secret_len;
    }
    o.algorithms = algs;
    if (cs_file != NULL) {
        if ((csecret = read_small(cs_file, NULL, &clen)) == NULL)
            goto out;
        o.introspection_client_secret = csecret;
    }
    if (strcmp(token_arg, "-") == 0) {
        if ((token = read_small("standard input", stdin, &tlen)) == NULL)
            goto out;
    } else if ((token = strdup(token_arg)) == NULL) {
        goto out;
    }

    /* An issuer's URL is parsed and fetched with libcurl, loaded only now (src/curldl). */
    const char *why = o.issuer != NULL ? tsr_curldl_error() : NULL;
    if (why != NULL) {
        fprintf(stderr, "tessera: cannot load libcurl, which --issuer needs (install libcurl4): %s\n",
                why);
        rc = 1;
        goto out;
    }
    char detail[512];
    tessera_verifier *v = NULL;
    int vrc = tessera_verifier_new(&o, &v, detail, sizeof detail);
    if (vrc != TESSERA_OK) {
        fprintf(stderr, "tessera: %s: %s\n", tessera_strerror(vrc), detail);
        goto out;
    }
    tessera_claims *c = NULL;
    vrc = tessera_verify(v, token, &c, detail, sizeof detail);
    print_token(token, c);
    if (vrc == TESSERA_OK) {
        printf("valid\n");
        rc = 0;
    } else {
        const char *oauth = tessera_error_oauth(vrc);
        printf("invalid: %s (%s%s%s)\n", detail, tessera_errname(vrc), oauth[0] ? ", " : "",
               oauth);
        rc = 1;
    }
    tessera_claims_free(c);
    tessera_verifier_free(v);
out:
    if (secret != NULL) {
        tsr_wipe(secret, secret_len);
        free(secret);
    }
    if (csecret != NULL)
        tsr_wipe_free_str(csecret);
    if (token != NULL)
        tsr_wipe_free_str(token);
    return rc;
}

const struct tsr_cli_command tsr_cli_token_commands[] = {
    {.name = "token verify",
     .operands = "TOKEN",
     .summary = "check an access token like an API would, and say why it is not valid",
     .details = "Checks the signature with the issuer's JWKS (from\n"
                "{issuer}.well-known/openid-configuration), alg, iss, aud, exp/nbf/iat, and\n"
                "prints the header and claims.  TOKEN '-' reads the token from standard input.\n",
     .exit_status = "0 valid, 1 invalid, 2 usage or setup error",
     .opts = verify_opts,
     .kind = TSR_CLI_PARSED,
     .run = verify_cmd},
    {0},
};
